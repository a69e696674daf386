// The order test files start in. vitest's own order runs the `cli` project's files before the `unit` ones
// and, without a cache of earlier durations (a fresh clone, as CI has), larger files first; the longest
// files then start last and the run ends on one busy worker while the other core idles. Files known to take
// longest (wall seconds from PQSIGN_TEST_CPU_LOG, docs/testing.md) start first, in this order; the rest
// keep vitest's order. A name that no longer exists changes nothing.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const LONGEST_FIRST = [
  'test/unit/kms/kms-signing.test.ts', // waits out KMS timeouts and retries
  'test/cli/kms-crash.test.ts',
  'test/unit/cms/cms-oracle.test.ts',
  'test/cli/bench-smoke.test.ts',
  'test/unit/composite/composite-sign.test.ts',
  'test/unit/mldsa/interop.test.ts',
  'test/cli/demo.test.ts',
  'test/cli/crl.test.ts',
  'test/cli/mldsa-backend.test.ts',
  'test/cli/uefi-pkcs7.test.ts',
  'test/cli/cose-jose-streaming.test.ts',
  'test/unit/mldsa/wycheproof.test.ts',
  'test/unit/mldsa/acvp.test.ts',
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.indexOf(relative(this.ctx.config.root, f.moduleId));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    return sorted.sort((a, b) => rank(a) - rank(b)); // stable: the others keep vitest's order
  }
}
