// Every CLI command, in help order.
import { keygen } from './keygen.js';
import { pubkey } from './pubkey.js';
import { sign } from './sign.js';
import { verify } from './verify.js';
import { mu } from './mu.js';
import { cert } from './cert.js';

export const COMMANDS = [keygen, pubkey, sign, verify, mu, cert];
