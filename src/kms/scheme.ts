// The awskms:// key scheme behind src/pipeline/keyref.ts (loaded lazily by ./register.ts).
import type { KeyScheme } from '../pipeline/keyref.js';
import { KmsSigner } from './signer.js';
import { KmsTradKey } from './trad-signer.js';

export const awskmsScheme: KeyScheme = {
  signer: (ref) => KmsSigner.open(ref),
  async publicKey(ref) {
    const signer = await KmsSigner.open(ref);
    await signer.close();
    return { params: signer.params, publicKey: signer.publicKey };
  },
  traditional: (ref) => KmsTradKey.open(ref),
};
