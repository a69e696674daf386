// The built-in formats, as a plugin module (src/pipeline/registry.ts): lib/ and the CLI register them
// first, so they come first in detection order. Adding a built-in format is one module plus one entry here.
import type { Format } from '../src/pipeline/format.js';
import { raw } from './raw.js';
import { uefi } from './uefi/index.js';
import { cose } from './cose.js';
import { jws } from './jws.js';
import { cms } from './cms.js';

export const formats: readonly Format[] = [raw, uefi, cose, jws, cms];
