// Registers the built-in formats (formats/index.ts). Every entry point imports this first — lib/index.ts,
// the CLI, the batch worker thread — so built-ins come first in detection order, before any plugin.
import { formats } from '../formats/index.js';
import { registerPlugin } from '../src/pipeline/registry.js';

registerPlugin({ formats });
