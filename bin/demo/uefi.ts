import { readFile } from 'node:fs/promises';
import { demoPki } from './cms.js';
import type { DemoStep } from './types.js';

export const uefiStep: DemoStep = {
  title: 'UEFI firmware image (EFI_FIRMWARE_IMAGE_AUTHENTICATION), inspect, strip, offline ceremony',
  async run(ctx) {
    const image = `${ctx.dir}/firmware-sample.bin.signed`;
    await ctx.pqsign(['sign', ctx.firmware, '--key', ctx.keyRef, '--format', 'uefi', '--monotonic-count', '1', '--out', image]);
    await ctx.pqsign(['verify', image, '--key', ctx.publicKey]);
    const facts = JSON.parse(await ctx.pqsign(['inspect', image, '--json'])) as Record<string, unknown>;
    ctx.log(
      `signed and verified ${image}: count ${facts.monotonicCount}, ${facts.algorithm}, CertType {${facts.certTypeGuid}}, payload at ${facts.payloadOffset}`,
    );
    const payload = `${ctx.dir}/firmware-sample.stripped.bin`;
    await ctx.pqsign(['strip', image, '--out', payload]);
    if (!(await readFile(payload)).equals(await readFile(ctx.firmware))) throw new Error('strip did not return the original payload');
    ctx.log(`strip gave back the original ${facts.payloadBytes} bytes`);
    // offline: the request goes to the key holder, only the signature comes back
    const request = `${ctx.dir}/firmware-sample.tbs.json`;
    const signature = `${ctx.dir}/firmware-sample.count2.sig`;
    const image2 = `${ctx.dir}/firmware-sample.count2.signed`;
    await ctx.pqsign(['tbs', ctx.firmware, '--format', 'uefi', '--monotonic-count', '2', '--key', ctx.publicKey, '--out', request]);
    await ctx.pqsign(['sign-request', request, '--key', ctx.keyRef, '--out', signature]);
    await ctx.pqsign(['attach', ctx.firmware, '--request', request, '--signature', signature, '--out', image2]);
    await ctx.pqsign(['verify', image2, '--key', ctx.publicKey]);
    ctx.log(`offline ceremony: tbs -> sign-request -> attach wrote and verified ${image2}`);
  },
};

/** The CertType stock edk2 verifies: the release key's certificate chain from the CMS step, in a PKCS7 CertData. */
export const uefiPkcs7Step: DemoStep = {
  title: "UEFI firmware image with the pkcs7 CertType (EFI_CERT_TYPE_PKCS7_GUID, the CMS step's chain)",
  async run(ctx) {
    const pki = demoPki(ctx);
    const image = `${ctx.dir}/firmware-sample.pkcs7.signed`;
    await ctx.pqsign([
      'sign',
      ctx.firmware,
      '--key',
      ctx.keyRef,
      '--format',
      'uefi',
      '--monotonic-count',
      '3',
      '--cert',
      pki.release,
      '--chain',
      pki.issuing,
      '--out',
      image,
    ]);
    const out = JSON.parse(await ctx.pqsign(['verify', image, '--trust-anchor', pki.root, '--json']));
    const facts = JSON.parse(await ctx.pqsign(['inspect', image, '--json'])) as Record<string, unknown>;
    ctx.log(
      `signed ${image}: CertType ${facts.certType} {${facts.certTypeGuid}}, ${facts.certDataBytes}-byte CMS SignedData, count ${facts.monotonicCount}`,
    );
    ctx.log(`verified with only the demo root as trust anchor: ${out.signers[0].chain.join(' <- ')}`);
  },
};
