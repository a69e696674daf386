// Makes awskms:// references work wherever a key reference is accepted. Tiny on purpose: the KMS
// code and the AWS SDK load only when such a reference is actually used (local verify start-up).
import { registerKeyScheme } from '../pipeline/keyref.js';

registerKeyScheme('awskms', async () => (await import('./scheme.js')).awskmsScheme);
