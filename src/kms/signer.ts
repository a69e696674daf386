// A Signer backed by AWS KMS (or anything speaking its protocol, like `pqsign kms serve`).
// μ is computed locally; KMS signs it with MessageType EXTERNAL_MU (FIPS 204 Algorithm 7 from line 7),
// or the whole message with RAW (pure ML-DSA, empty context, ≤ 4096 bytes).
import { SignCommand, VerifyCommand, type KMSClient, type MessageType } from '@aws-sdk/client-kms';
import { PqsignError } from '../base/errors.js';
import { MU_BYTES, type ParamSet } from '../mldsa/params.js';
import type { RemoteMuVerifier, Signer } from '../mldsa/signer.js';
import { equalBytes } from '../base/bytes.js';
import { openKmsClient } from './client.js';
import { kmsErrorName, kmsFailure } from './errors.js';
import { getCheckedPublicKey, SIGNING_ALGORITHM } from './public-key.js';
import type { KmsPublicKey } from './kms-key.js';
import { parseKmsRef, type KmsRef } from './uri.js';

export class KmsSigner implements Signer, RemoteMuVerifier {
  readonly params: ParamSet;
  readonly publicKey: Uint8Array;
  readonly description: string;

  private constructor(
    private readonly client: KMSClient,
    private readonly ref: KmsRef,
    readonly key: KmsPublicKey,
  ) {
    this.params = key.params;
    this.publicKey = key.publicKey;
    this.description = `KMS key ${ref.ref}`;
  }

  static async open(refText: string): Promise<KmsSigner> {
    const ref = parseKmsRef(refText);
    const client = await openKmsClient(ref);
    try {
      const region = await client.config.region();
      const key = await getCheckedPublicKey(client, ref, `${ref.endpoint ?? ''}|${region}|${ref.keyId}`);
      return new KmsSigner(client, ref, key);
    } catch (e) {
      client.destroy();
      throw e;
    }
  }

  signMu(mu: Uint8Array): Promise<Uint8Array> {
    if (mu.length !== MU_BYTES) throw new PqsignError('ERR_SIGNER', `μ must be ${MU_BYTES} bytes, got ${mu.length}`);
    return this.sign(mu, 'EXTERNAL_MU');
  }

  signMessage(message: Uint8Array): Promise<Uint8Array> {
    return this.sign(message, 'RAW');
  }

  /**
   * KMS DryRun: checks permissions, key state and parameters without signing. KMS answers a request
   * that would have succeeded with DryRunOperationException.
   */
  async dryRun(messageType: 'mu' | 'raw'): Promise<void> {
    const message = messageType === 'mu' ? new Uint8Array(MU_BYTES) : Uint8Array.of(0);
    try {
      await this.client.send(new SignCommand({ ...this.request(message, messageType === 'mu' ? 'EXTERNAL_MU' : 'RAW'), DryRun: true }));
    } catch (e) {
      if (kmsErrorName(e) === 'DryRunOperationException') return;
      throw kmsFailure(e, 'Sign (dry run)', this.ref.ref);
    }
  }

  /**
   * KMS Verify of a signature over μ (RemoteMuVerifier, for `verify --kms`); false when KMS answers
   * KMSInvalidSignatureException. μ computed with another public key cannot verify under this key.
   */
  async verifyMu(params: ParamSet, publicKey: Uint8Array, mu: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (params !== this.params || !equalBytes(publicKey, this.publicKey)) return false;
    try {
      const out = await this.client.send(new VerifyCommand({ ...this.request(mu, 'EXTERNAL_MU'), Signature: signature }));
      return out.SignatureValid === true;
    } catch (e) {
      if (kmsErrorName(e) === 'KMSInvalidSignatureException') return false;
      throw kmsFailure(e, 'Verify', this.ref.ref);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async sign(message: Uint8Array, messageType: MessageType): Promise<Uint8Array> {
    let signature: Uint8Array | undefined;
    try {
      signature = (await this.client.send(new SignCommand(this.request(message, messageType)))).Signature;
    } catch (e) {
      throw kmsFailure(e, 'Sign', this.ref.ref);
    }
    if (!signature) throw new PqsignError('ERR_KMS', `KMS Sign returned no signature for ${this.ref.ref}`, { detail: 'MissingSignature' });
    return signature;
  }

  // The key ARN, not the alias: an alias moved mid-run must not switch keys under a batch.
  private request(message: Uint8Array, messageType: MessageType) {
    return { KeyId: this.key.keyArn, Message: message, MessageType: messageType, SigningAlgorithm: SIGNING_ALGORITHM } as const;
  }
}
