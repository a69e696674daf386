// JUnit XML for CI dashboards and factory MES systems: one <testcase> per file, a <failure> for an
// invalid signature (exit 1), an <error> for anything else that went wrong (exit 2, 3). The de-facto
// schema most consumers read (Jenkins, GitLab, Azure DevOps): <testsuites><testsuite><testcase>.
export type CaseOutcome = 'ok' | 'failed' | 'error';

export interface JunitCase {
  /** the file, as given */
  name: string;
  outcome: CaseOutcome;
  /** stable error code (failures and errors) */
  code?: string;
  /** one line: what happened (an error's message, or for ok what verified) */
  message?: string;
}

/** XML 1.0 allows neither most control characters nor lone surrogates, even escaped: replace them. */
const INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export const xmlText = (s: string): string => s.replace(INVALID, '\uFFFD').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export function junitXml(suite: string, cases: readonly JunitCase[], seconds: number, timestamp: Date): string {
  const count = (o: CaseOutcome) => cases.filter((c) => c.outcome === o).length;
  const totals = `tests="${cases.length}" failures="${count('failed')}" errors="${count('error')}" time="${seconds.toFixed(3)}"`;
  const classname = xmlText(suite.replace(/\s+/g, '.'));
  const body = cases.map((c) => {
    const open = `    <testcase classname="${classname}" name="${xmlText(c.name)}"`;
    if (c.outcome === 'ok')
      return c.message ? `${open}>\n      <system-out>${xmlText(c.message)}</system-out>\n    </testcase>` : `${open}/>`;
    const tag = c.outcome === 'failed' ? 'failure' : 'error';
    const message = xmlText(c.message ?? '');
    return `${open}>\n      <${tag} type="${xmlText(c.code ?? 'ERR_INTERNAL')}" message="${message}">${message}</${tag}>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlText(suite)}" ${totals}>`,
    `  <testsuite name="${xmlText(suite)}" ${totals} skipped="0" timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, '')}">`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
