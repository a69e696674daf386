// Every CLI command, in help order.
import { keygen } from './keygen.js';
import { pubkey } from './pubkey.js';
import { sign } from './sign.js';
import { verify } from './verify.js';
import { mu } from './mu.js';
import { inspect } from './inspect.js';
import { strip } from './strip.js';
import { tbs } from './tbs.js';
import { signRequestCommand } from './sign-request.js';
import { attach } from './attach.js';
import { attest } from './attest.js';
import { verifyAttestationCommand } from './verify-attestation.js';
import { kms } from './kms.js';
import { jwt } from './jwt.js';
import { cert } from './cert.js';

export const COMMANDS = [
  keygen,
  pubkey,
  sign,
  verify,
  mu,
  inspect,
  strip,
  tbs,
  signRequestCommand,
  attach,
  attest,
  verifyAttestationCommand,
  kms,
  jwt,
  cert,
];
