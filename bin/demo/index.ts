// The demo's steps in order; each format adds one file and one line.
import type { DemoStep } from './types.js';
import { rawStep } from './raw.js';
import { kmsStep } from './kms.js';
import { uefiPkcs7Step, uefiStep } from './uefi.js';
import { attestStep } from './attest.js';
import { coseStep } from './cose.js';
import { jwtStep } from './jwt.js';
import { cmsStep } from './cms.js';

export const DEMO_STEPS: DemoStep[] = [rawStep, kmsStep, uefiStep, attestStep, coseStep, jwtStep, cmsStep, uefiPkcs7Step];
