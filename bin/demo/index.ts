// The demo's steps in order; each format adds one file and one line.
import type { DemoStep } from './types.js';
import { rawStep } from './raw.js';
import { cmsStep } from './cms.js';

export const DEMO_STEPS: DemoStep[] = [rawStep, cmsStep];
