// The traditional (ECDSA) part of a composite key in KMS: an ECC_NIST_P256/P384/P521 key. pqsign hashes
// M' with the component's hash and KMS signs that digest (MessageType DIGEST, ECDSA_SHA_256/384/512); the
// DER signature KMS returns is the draft's ECDSA encoding, used as is. CompositeSigner verifies it locally.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { CompositeAlg } from '../composite/params.js';
import type { TraditionalSigner } from '../composite/signer.js';
import { PqsignError } from '../base/errors.js';
import { openKmsClient } from './client.js';
import { eccSpec, type EccSpec } from './ecc-specs.js';
import { kmsErrorName, kmsFailure } from './errors.js';
import { parseKmsRef, type KmsRef } from './uri.js';

/** A KMS ECC signing key: its public key (to pick and check the composite) and a signer for a composite. */
export class KmsTradKey {
  private constructor(
    private readonly client: KMSClient,
    private readonly ref: KmsRef,
    readonly publicKey: KeyObject,
    private readonly ecc: EccSpec,
    private readonly keyArn: string,
  ) {}

  static async open(refText: string): Promise<KmsTradKey> {
    const ref = parseKmsRef(refText);
    const client = await openKmsClient(ref);
    try {
      let out;
      try {
        out = await client.send(new GetPublicKeyCommand({ KeyId: ref.keyId }));
      } catch (e) {
        throw kmsFailure(e, 'GetPublicKey', ref.ref);
      }
      const ecc = eccSpec(out.KeySpec ?? '');
      if (!ecc)
        throw new PqsignError(
          'ERR_ALGORITHM',
          `KMS key spec is ${out.KeySpec ?? 'missing'}; the traditional part of a composite in KMS must be ECC_NIST_P256, ECC_NIST_P384 or ECC_NIST_P521`,
          { file: ref.ref },
        );
      if (out.KeyUsage !== 'SIGN_VERIFY')
        throw new PqsignError('ERR_ALGORITHM', `KMS key usage is ${out.KeyUsage ?? 'missing'}, not SIGN_VERIFY`, { file: ref.ref });
      if (out.SigningAlgorithms && !out.SigningAlgorithms.includes(ecc.algorithm)) {
        throw new PqsignError('ERR_ALGORITHM', `KMS key does not offer ${ecc.algorithm}`, { file: ref.ref });
      }
      let key: KeyObject;
      try {
        key = createPublicKey({ key: Buffer.from(out.PublicKey ?? []), format: 'der', type: 'spki' });
      } catch (e) {
        throw new PqsignError(
          'ERR_KMS',
          `KMS GetPublicKey returned a public key that is not an EC SubjectPublicKeyInfo (${(e as Error).message})`,
          { file: ref.ref, detail: 'InvalidPublicKey' },
        );
      }
      if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== ecc.curve || !out.KeyId) {
        throw new PqsignError('ERR_KMS', `KMS GetPublicKey returned a key that is not on ${ecc.curve} (key spec ${out.KeySpec})`, {
          file: ref.ref,
          detail: 'InvalidPublicKey',
        });
      }
      return new KmsTradKey(client, ref, key, ecc, out.KeyId);
    } catch (e) {
      client.destroy();
      throw e;
    }
  }

  /** A signer for this composite; the algorithm's ECDSA hash must be the key spec's. */
  signer(alg: CompositeAlg, rawPublicKey: Uint8Array): TraditionalSigner {
    if (alg.trad.kind !== 'ecdsa' || alg.trad.hash !== this.ecc.hash) {
      throw new PqsignError('ERR_ALGORITHM', `${alg.name} cannot use a KMS ${this.ecc.algorithm} key`, { file: this.ref.ref });
    }
    const request = (digest: Uint8Array) =>
      ({ KeyId: this.keyArn, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: this.ecc.algorithm }) as const;
    const digestOf = (m: Uint8Array) => new Uint8Array(createHash(this.ecc.hash).update(m).digest());
    return {
      description: `KMS key ${this.ref.ref}`,
      publicKey: rawPublicKey,
      sign: async (mPrime) => {
        let signature: Uint8Array | undefined;
        try {
          signature = (await this.client.send(new SignCommand(request(digestOf(mPrime))))).Signature;
        } catch (e) {
          throw kmsFailure(e, 'Sign', this.ref.ref);
        }
        if (!signature)
          throw new PqsignError('ERR_KMS', `KMS Sign returned no signature for ${this.ref.ref}`, { detail: 'MissingSignature' });
        return signature;
      },
      dryRun: async () => {
        try {
          await this.client.send(new SignCommand({ ...request(digestOf(new Uint8Array(0))), DryRun: true }));
        } catch (e) {
          if (kmsErrorName(e) === 'DryRunOperationException') return;
          throw kmsFailure(e, 'Sign (dry run)', this.ref.ref);
        }
      },
      close: () => this.close(),
    };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
