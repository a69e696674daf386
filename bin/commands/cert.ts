// `pqsign cert`: a private X.509 PKI for ML-DSA (RFC 9881). Issuing keys are key references, so a CA key
// may live in KMS: the TBSCertificate (and a CRL's TBSCertList) goes through external μ. PKI modules load on
// first use (pkijs).
import type { Argv, CommandModule } from 'yargs';
import { encodePem } from '../../src/asn1/pem.js';
import { parseTimeOption, wholeSeconds } from '../../src/asn1/time.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { loadAnySigner, loadPublicKey } from '../../src/pipeline/keyref.js';
import type { CompositeSigner } from '../../src/composite/signer.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import type { Signer } from '../../src/mldsa/signer.js';
import { checkOutputs } from '../../src/io/outputs.js';
import {
  action,
  algOption,
  filesIn,
  forceOption,
  jsonOption,
  keyOption,
  keyRefOptions,
  passphraseFileOption,
  printJson,
  usage,
  type KeyArgs,
} from '../cli.js';

const pki = () => import('../../src/pki/ops.js');

interface CommonArgs extends KeyArgs {
  out: string;
  der: boolean;
  json: boolean;
  force: boolean;
}

interface CertArgs extends CommonArgs {
  subject?: string;
  days: number;
  notBefore?: string;
  pathLen?: number;
}

const outputOptions = {
  out: { type: 'string', demandOption: true, describe: 'output file (PEM unless --der)' },
  der: { type: 'boolean', default: false, describe: 'write DER instead of PEM' },
  force: forceOption,
  json: jsonOption,
  'passphrase-file': passphraseFileOption,
  alg: algOption,
} as const;

const validityOptions = (days: number) =>
  ({
    days: { type: 'number', default: days, describe: 'validity in days' },
    'not-before': { type: 'string', describe: 'start of validity, ISO 8601 (default now)' },
  }) as const;

const subjectOption = {
  type: 'string',
  describe: 'subject DN, RFC 4514: "CN=Release Signing,O=Example Corp,C=DE" (most specific first)',
} as const;

const validityOf = (a: CertArgs) => ({
  notBefore: a.notBefore === undefined ? wholeSeconds(new Date()) : parseTimeOption(a.notBefore, '--not-before'),
  days: a.days,
});

async function using<S extends { close?(): Promise<void> }, T>(load: Promise<S>, fn: (s: S) => Promise<T>): Promise<T> {
  const signer = await load;
  try {
    return await fn(signer);
  } finally {
    await signer.close?.();
  }
}

/** Certificates, requests and CRLs, with ML-DSA or composite keys (docs/hybrid.md). */
const withAnySigner = <T>(ref: string, a: KeyArgs, fn: (s: Signer | CompositeSigner) => Promise<T>) =>
  using(loadAnySigner(ref, keyRefOptions({ ...a, key: ref })), fn);

/** The overwrite rule, before any key is loaded: --out is never one of the keys, certificates or requests read. */
const checkOut = (a: CommonArgs) => checkOutputs([a.out], filesIn(a.key, a.caKey, a.caCert, a.csr, a.passphraseFile), { force: a.force });

async function writeOutput(a: CommonArgs, label: string, der: Uint8Array): Promise<void> {
  await writeFileAtomic(a.out, a.der ? der : encodePem(label, der));
}

async function reportCertificate(
  a: CommonArgs,
  cert: import('../../src/pki/certificate.js').ParsedCertificate,
  warnings: string[] = [],
): Promise<void> {
  for (const w of warnings) process.stderr.write(`pqsign: warning: ${w}\n`);
  if (a.json) {
    const { certificateFacts } = await import('../../src/pki/describe.js');
    printJson({ out: a.out, ...certificateFacts(cert) });
  } else {
    process.stderr.write(`wrote ${a.out}: "${cert.subject}" issued by "${cert.issuer}", valid until ${cert.notAfter.toISOString()}\n`);
  }
}

const createCa: CommandModule<object, CertArgs> = {
  command: 'create-ca',
  describe: 'create a self-signed ML-DSA or composite ML-DSA CA certificate (keyCertSign, cRLSign; SKI)',
  builder: (y) =>
    y.options({
      key: { ...keyOption, describe: 'the CA key: private key file or awskms://...' },
      subject: { ...subjectOption, demandOption: true },
      'path-len': { type: 'number', describe: 'basicConstraints pathLenConstraint: how many CA levels may follow' },
      ...validityOptions(3650),
      ...outputOptions,
    }) as never,
  handler: action(async (a: CertArgs) => {
    await checkOut(a);
    const { createCa: create } = await pki();
    const { der, cert } = await withAnySigner(a.key, a, (s) => create(s, a.subject!, validityOf(a), a.pathLen));
    await writeOutput(a, 'CERTIFICATE', der);
    await reportCertificate(a, cert);
  }),
};

interface IssueArgs extends CertArgs {
  caKey: string;
  caCert: string;
  csr?: string;
  ca: boolean;
  codeSigning: boolean;
}

const issue: CommandModule<object, IssueArgs> = {
  command: 'issue',
  describe: 'issue a certificate signed by a CA: an intermediate (--ca) or a code-signing leaf',
  builder: (y) =>
    y.options({
      'ca-key': { type: 'string', demandOption: true, describe: "the issuing CA's key: private key file or awskms://..." },
      'ca-cert': { type: 'string', demandOption: true, describe: "the issuing CA's certificate" },
      key: { type: 'string', describe: "the subject's key: public or private key, certificate, or awskms://... (or use --csr)" },
      csr: { type: 'string', describe: 'PKCS#10 request (from `pqsign cert csr`); its signature is checked' },
      subject: { ...subjectOption, describe: `${subjectOption.describe}; default the request's subject with --csr` },
      ca: { type: 'boolean', default: false, describe: 'issue a CA certificate (intermediate)' },
      'path-len': { type: 'number', describe: 'with --ca: basicConstraints pathLenConstraint' },
      'code-signing': { type: 'boolean', default: false, describe: 'leaf: add extendedKeyUsage codeSigning' },
      ...validityOptions(365),
      ...outputOptions,
    }) as never,
  handler: action(async (a: IssueArgs) => {
    if (!!a.key === !!a.csr) throw usage('give the subject key with exactly one of --key or --csr');
    if (a.key && !a.subject) throw usage('--subject is required with --key');
    if (a.pathLen !== undefined && !a.ca) throw usage('--path-len applies to CA certificates: add --ca');
    if (a.ca && a.codeSigning) throw usage('--code-signing is for leaf certificates, not --ca');
    await checkOut(a);
    const { issueFromCa } = await pki();
    const subject = a.key
      ? { key: await loadPublicKey(a.key, keyRefOptions(a), { composite: true }), name: a.subject! }
      : { csrPath: a.csr!, name: a.subject };
    const profile = a.ca ? { kind: 'ca' as const, pathLen: a.pathLen } : { kind: 'leaf' as const, codeSigning: a.codeSigning };
    const { der, cert, warnings } = await withAnySigner(a.caKey, a, (caSigner) =>
      issueFromCa({ caSigner, caCertPath: a.caCert, subject, validity: validityOf(a), profile }),
    );
    await writeOutput(a, 'CERTIFICATE', der);
    await reportCertificate(a, cert, warnings);
  }),
};

const csr: CommandModule<object, CertArgs> = {
  command: 'csr',
  describe: 'write a PKCS#10 certification request signed by the key (the key never leaves its store)',
  builder: (y) =>
    y.options({
      key: { ...keyOption, describe: 'the subject key: private key file or awskms://...' },
      subject: { ...subjectOption, demandOption: true },
      ...outputOptions,
    }) as never,
  handler: action(async (a: CertArgs) => {
    await checkOut(a);
    const { createRequest } = await pki();
    const { der, fingerprint } = await withAnySigner(a.key, a, async (s) => ({
      der: await createRequest(s, a.subject!),
      fingerprint: keyFingerprint(s.publicKey),
    }));
    await writeOutput(a, 'CERTIFICATE REQUEST', der);
    if (a.json) printJson({ out: a.out, subject: a.subject, keyFingerprint: fingerprint });
    else process.stderr.write(`wrote ${a.out} (request for "${a.subject}", key sha256 ${fingerprint})\n`);
  }),
};

interface ShowArgs {
  file: string;
  json: boolean;
}

const show: CommandModule<object, ShowArgs> = {
  command: 'show <file>',
  describe: 'print the certificates in a PEM or DER file',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true })
      .options({ json: { ...jsonOption, describe: 'one JSON object per certificate' } }) as never,
  handler: action(async (a: ShowArgs) => {
    const [{ readCertificates }, { certificateFacts, formatFacts }] = await Promise.all([
      import('../../src/pki/cert-file.js'),
      import('../../src/pki/describe.js'),
    ]);
    const certs = await readCertificates(a.file);
    certs.forEach((c, i) => {
      const facts = certificateFacts(c);
      if (a.json) printJson({ file: a.file, index: i, ...facts });
      else process.stdout.write(`${i ? '\n' : ''}${formatFacts(facts)}`);
    });
  }),
};

interface VerifyArgs {
  file: string;
  trustAnchor: string | string[];
  chain?: string | string[];
  at?: string;
  crl?: string | string[];
  codeSigning: boolean;
  json: boolean;
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const verify: CommandModule<object, VerifyArgs> = {
  command: 'verify <file>',
  describe:
    "validate a certificate's path to a trust anchor (signatures, validity, CA constraints, key usage); exit 1 if it does not chain",
  builder: (y) =>
    y
      .positional('file', {
        type: 'string',
        demandOption: true,
        describe: 'the certificate (PEM or DER; further PEM certificates in it may complete the path)',
      })
      .options({
        'trust-anchor': {
          type: 'string',
          demandOption: true,
          describe: 'trusted root certificate, PEM or DER (repeatable); the only source of trust',
        },
        chain: { type: 'string', describe: 'untrusted intermediate certificates, PEM or DER (repeatable)' },
        at: { type: 'string', describe: 'validation time, ISO 8601 (default now)' },
        crl: {
          type: 'string',
          describe:
            'CRL file, PEM or DER (repeatable): check revocation; every certificate on the path needs a current CRL from its issuer',
        },
        'code-signing': {
          type: 'boolean',
          default: false,
          describe: 'also require extendedKeyUsage codeSigning, as signature verification does',
        },
        json: { ...jsonOption, describe: 'print {file, ok, at, chain} or {file, ok: false, error}' },
      }) as never,
  handler: action(async (a: VerifyArgs) => {
    const [{ verifyCertificateChain }, { errorJson }, { exitOf }] = await Promise.all([
      import('../../src/pki/verify-chain.js'),
      import('../errors.js'),
      import('../exit-codes.js'),
    ]);
    const opts = { trustAnchors: list(a.trustAnchor), chain: list(a.chain), at: a.at, codeSigning: a.codeSigning, crls: list(a.crl) };
    if (!a.json) {
      const r = await verifyCertificateChain(a.file, opts);
      process.stdout.write(
        `OK ${a.file} at ${r.at}${r.codeSigning ? ' (codeSigning)' : ''}\n${r.chain.map((c, i) => `  ${i === r.chain.length - 1 ? 'anchor' : i ? 'CA    ' : 'cert  '}  "${c.subject}"  until ${c.notAfter}\n`).join('')}`,
      );
      return;
    }
    try {
      printJson({ file: a.file, ok: true, ...(await verifyCertificateChain(a.file, opts)) });
    } catch (e) {
      printJson({ file: a.file, ok: false, error: errorJson(e) });
      return exitOf(e);
    }
  }),
};

interface CrlArgs extends KeyArgs {
  caKey: string;
  caCert: string;
  crlState: string;
  nextUpdate: string;
  thisUpdate?: string;
  json: boolean;
}

interface RevokeArgs extends CrlArgs {
  serial: string;
  reason?: string;
  date?: string;
}

interface CrlOutArgs extends CrlArgs {
  out: string;
  der: boolean;
  force: boolean;
}

const crlOptions = {
  'ca-key': { type: 'string', demandOption: true, describe: "the CA's key: private key file or awskms://..." },
  'ca-cert': { type: 'string', demandOption: true, describe: "the CA's certificate (the CRL issuer)" },
  'crl-state': {
    type: 'string',
    demandOption: true,
    describe: "the CA's revocation state: the last CRL issued, signed by the CA (created when absent, updated in place)",
  },
  'next-update': {
    type: 'string',
    default: '7d',
    describe: 'how long the new CRL is current: nextUpdate = thisUpdate + this (90s, 15m, 1h, 7d, 2w)',
  },
  'this-update': { type: 'string', describe: 'thisUpdate, ISO 8601 (default now)' },
  json: jsonOption,
  'passphrase-file': passphraseFileOption,
  alg: algOption,
} as const;

/** The CA's next CRL from its state (plus `revoke`), written back as the new state (src/pki/crl-state.ts). */
async function nextCrl(a: CrlArgs, thisUpdate: Date, revoke?: import('../../src/pki/crl.js').RevokedEntry) {
  const [{ readCertificate }, { issueNextCrl }, { parseDuration }] = await Promise.all([
    import('../../src/pki/cert-file.js'),
    import('../../src/pki/crl-state.js'),
    import('../../src/jose/jwt.js'),
  ]);
  const nextUpdate = new Date(thisUpdate.getTime() + parseDuration(a.nextUpdate) * 1000);
  const ca = await readCertificate(a.caCert, 'CA certificate');
  return withAnySigner(a.caKey, a, (signer) => issueNextCrl({ ca, signer, crlState: a.crlState, thisUpdate, nextUpdate, revoke }));
}

const thisUpdateOf = (a: CrlArgs) =>
  a.thisUpdate === undefined ? wholeSeconds(new Date()) : parseTimeOption(a.thisUpdate, '--this-update');

const crlFacts = (c: import('../../src/pki/crl.js').ParsedCrl) => ({
  issuer: c.issuer,
  number: c.number?.toString(),
  thisUpdate: c.thisUpdate.toISOString(),
  nextUpdate: c.nextUpdate?.toISOString(),
  revoked: c.entries.length,
});

const revoke: CommandModule<object, RevokeArgs> = {
  command: 'revoke',
  describe: "revoke a certificate: record it in the CA's CRL state, a new CRL signed by the CA key (publish it as is, or with `cert crl`)",
  builder: (y) =>
    y.options({
      serial: { type: 'string', demandOption: true, describe: "the certificate's serial number, hex as `cert show` prints it" },
      reason: {
        type: 'string',
        describe:
          'RFC 5280 reason: keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn, aACompromise (default none: treated as a compromise)',
      },
      date: { type: 'string', describe: 'revocationDate, ISO 8601 (default thisUpdate): when the key stopped being trustworthy' },
      ...crlOptions,
    }) as never,
  handler: action(async (a: RevokeArgs) => {
    await checkOutputs([a.crlState], filesIn(a.caKey, a.caCert, a.passphraseFile), { force: true }); // updated in place
    const { parseReason, parseSerial } = await import('../../src/pki/crl-state.js');
    const serial = parseSerial(a.serial);
    const reason = parseReason(a.reason);
    const thisUpdate = thisUpdateOf(a);
    const revocationDate = a.date === undefined ? thisUpdate : parseTimeOption(a.date, '--date');
    if (revocationDate > thisUpdate) throw usage('--date is after thisUpdate: a CRL records revocations that have happened');
    const { crl, replaced } = await nextCrl(a, thisUpdate, { serial, revocationDate, reason });
    const serialHex = Buffer.from(serial).toString('hex');
    if (a.json)
      printJson({
        crlState: a.crlState,
        serial: serialHex,
        reason: reason ?? null,
        revocationDate: revocationDate.toISOString(),
        replaced: !!replaced,
        ...crlFacts(crl),
      });
    else
      process.stderr.write(
        `revoked serial ${serialHex} (${reason ?? 'no reason given'}) in ${a.crlState}: CRL number ${crl.number} of "${crl.issuer}", ${crl.entries.length} revoked, next update ${crl.nextUpdate!.toISOString()}\n`,
      );
  }),
};

const crl: CommandModule<object, CrlOutArgs> = {
  command: 'crl',
  describe: "issue the CA's next CRL (X.509 v2, RFC 5280 §5; CRL number, authority key identifier) from its CRL state",
  builder: (y) =>
    y.options({
      ...crlOptions,
      out: { type: 'string', demandOption: true, describe: 'the CRL to publish (PEM unless --der)' },
      der: { type: 'boolean', default: false, describe: 'write DER instead of PEM' },
      force: forceOption,
    }) as never,
  handler: action(async (a: CrlOutArgs) => {
    await checkOutputs([a.crlState], filesIn(a.caKey, a.caCert, a.passphraseFile), { force: true }); // updated in place
    await checkOutputs([a.out], filesIn(a.caKey, a.caCert, a.passphraseFile, a.crlState), { force: a.force });
    // the state first: a CRL number is never issued twice, even when writing --out fails
    const { der, crl: issued } = await nextCrl(a, thisUpdateOf(a));
    await writeFileAtomic(a.out, a.der ? der : encodePem('X509 CRL', der));
    if (a.json) printJson({ out: a.out, crlState: a.crlState, ...crlFacts(issued) });
    else
      process.stderr.write(
        `wrote ${a.out}: CRL number ${issued.number} of "${issued.issuer}", ${issued.entries.length} revoked, next update ${issued.nextUpdate!.toISOString()}\n`,
      );
  }),
};

export const cert: CommandModule<object, object> = {
  command: 'cert <command>',
  describe: 'private PKI: create-ca, issue, csr, show, verify, revoke, crl (ML-DSA X.509, RFC 9881; CRLs, RFC 5280 §5)',
  builder: (y: Argv) =>
    y
      .command(createCa as never)
      .command(issue as never)
      .command(csr as never)
      .command(show as never)
      .command(verify as never)
      .command(revoke as never)
      .command(crl as never)
      .demandCommand(1, 'give a cert command'),
  handler: () => undefined,
};
