// Batch output: the summary line after several files ("N ok, M failed, K errors in T s"), the line
// saying a manifest was written, and --junit FILE, parsed here by an XML parser nobody here wrote
// (Python's xml.etree) so that well-formedness is not judged by the code that wrote it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitXml, xmlText } from '../../bin/junit.js';
import { pqsign, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';
import { signMany, writeManifest } from '../support/batch-jobs.js';

const HAVE_PYTHON = spawnSync('python3', ['--version']).status === 0;
const NO_PYTHON = 'python3 is not on PATH: JUnit XML is not parsed by an independent parser';
if (!HAVE_PYTHON) console.warn(`SKIP: ${NO_PYTHON}`);

interface Parsed {
  suites: Record<string, string>;
  suite: Record<string, string>;
  cases: { name: string; classname: string; failure?: Record<string, string>; error?: Record<string, string>; out?: string }[];
}

/** Parse with xml.etree.ElementTree (raises on anything not well-formed) and return the parts as JSON. */
function parseJunit(path: string): Parsed {
  const script = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
suites = root.findall('testsuite')
assert len(suites) == 1
cases = []
for c in suites[0].findall('testcase'):
    d = {'name': c.get('name'), 'classname': c.get('classname')}
    for tag in ('failure', 'error'):
        e = c.find(tag)
        if e is not None: d[tag] = dict(e.attrib, text=e.text or '')
    o = c.find('system-out')
    if o is not None: d['out'] = o.text
    cases.append(d)
print(json.dumps({'suites': root.attrib, 'suite': suites[0].attrib, 'cases': cases}))
`;
  const r = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`not well-formed JUnit XML: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const dir = tempDir();
const key = join(dir, 'k.key');
const file = (name: string, content = `content of ${name}`) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const SUMMARY = /^(\d+) ok, (\d+) failed, (\d+) errors in \d+\.\d s$/;
const lastLine = (s: string) => s.trimEnd().split('\n').at(-1)!;

describe('batch summary, manifest line and JUnit', () => {
  writeKeyPair(key, undefined);
  const good = [file('good1.bin'), file('good2.bin')];
  const tampered = file('tampered.bin');
  const unsigned = file('unsigned.bin');
  // a name with XML metacharacters, a CDATA terminator and a control character
  const odd = file('odd &<>"\'-]]>-\u0001.bin');

  it('sign of several files: summary line, "wrote manifest" line, JUnit with one testcase per file', () => {
    const junit = join(dir, 'sign.xml');
    const r = pqsign(['sign', ...good, tampered, odd, '--key', key, '--manifest-out', join(dir, 'release.jsonl'), '--junit', junit]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-2)).toBe(`wrote manifest ${join(dir, 'release.jsonl')} (4 entries)`);
    expect(lastLine(r.stderr)).toMatch(SUMMARY);
    expect(SUMMARY.exec(lastLine(r.stderr))!.slice(1, 4)).toEqual(['4', '0', '0']);
    if (!HAVE_PYTHON) return;
    const x = parseJunit(junit);
    expect(x.suite).toMatchObject({ name: 'pqsign sign', tests: '4', failures: '0', errors: '0' });
    expect(x.cases.map((c) => c.name)).toEqual([...good, tampered, odd.replace('\u0001', '\uFFFD')]);
    expect(x.cases[0]!.out).toBe(`${good[0]}.sig (ML-DSA-65 raw)`);
  });

  it('verify of several files: exit = worst, summary counts ok / failed (exit 1) / errors (exit 2, 3), JUnit agrees', () => {
    writeFileSync(tampered, 'tampered!');
    const junit = join(dir, 'verify.xml');
    const r = pqsign(['verify', ...good, tampered, unsigned, odd, '--key', key, '--junit', junit]);
    expect(r.code).toBe(2);
    expect(SUMMARY.exec(lastLine(r.stderr))!.slice(1, 4)).toEqual(['3', '1', '1']);
    if (!HAVE_PYTHON) return;
    const x = parseJunit(junit);
    expect(x.suites).toMatchObject({ name: 'pqsign verify', tests: '5', failures: '1', errors: '1' });
    expect(x.suite).toMatchObject({ tests: '5', failures: '1', errors: '1', skipped: '0' });
    expect(Number(x.suite.time)).toBeGreaterThanOrEqual(0);
    const byName = Object.fromEntries(x.cases.map((c) => [c.name, c]));
    expect(byName[tampered]!.failure).toMatchObject({
      type: 'ERR_SIGNATURE_INVALID',
      message: expect.stringContaining('signature does not verify'),
    });
    expect(byName[unsigned]!.error).toMatchObject({ type: 'ERR_FILE', message: expect.stringContaining('no signature found') });
    expect(byName[good[0]!]!.out).toMatch(/^ML-DSA-65 raw \S+good1\.bin\.sig, key sha256 [0-9a-f]{64}$/);
    expect(byName[odd.replace('\u0001', '\uFFFD')]).toMatchObject({ classname: 'pqsign.verify' });
    expect(byName[odd.replace('\u0001', '\uFFFD')]!.failure).toBeUndefined();
  });

  it('--json keeps stdout pure JSON lines; the summary goes to stderr; worker threads report the same', () => {
    for (const jobs of ['1', '3']) {
      const junit = join(dir, `json-${jobs}.xml`);
      const r = pqsign(['verify', ...good, tampered, unsigned, '--key', key, '--json', '--jobs', jobs, '--junit', junit]);
      expect(
        r.stdout
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l).ok),
      ).toEqual([true, true, false, false]);
      expect(SUMMARY.exec(lastLine(r.stderr))!.slice(1, 4)).toEqual(['2', '1', '1']);
      if (HAVE_PYTHON) expect(parseJunit(junit).cases.map((c) => c.name)).toEqual([...good, tampered, unsigned]);
    }
  });

  it('verify --manifest: one testcase per entry', async () => {
    const m = join(dir, 'm.jsonl');
    const g = [file('m1.bin'), file('m2.bin'), file('m3.bin')];
    writeManifest(m, await signMany(g, key)); // what sign --manifest-out writes, made in process
    const junit = join(dir, 'manifest.xml');
    const r = pqsign(['verify', '--manifest', m, '--key', key, '--junit', junit]);
    expect(r.code, r.stderr).toBe(0);
    expect(lastLine(r.stderr)).toMatch(/^3 ok, 0 failed, 0 errors in /);
    if (HAVE_PYTHON) expect(parseJunit(junit).suite).toMatchObject({ tests: '3', failures: '0', errors: '0' });
  });

  it('one file: no summary line; the JUnit report is still written, replacing the old one atomically', () => {
    const junit = join(dir, 'one.xml');
    writeFileSync(junit, 'old report');
    const r = pqsign(['verify', good[0]!, '--key', key, '--junit', junit]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^OK \S+good1\.bin \(ML-DSA-65, raw\)\n$/);
    expect(readFileSync(junit, 'utf8')).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="pqsign verify" tests="1" failures="0" errors="0"/,
    );
    expect(readdirSync(dir).filter((n) => n.includes('.tmp') || n.startsWith('.one.xml'))).toEqual([]);
  });

  it('a --junit path that cannot be written is one error line, exit 2, after the results', () => {
    const r = pqsign(['verify', ...good, '--key', key, '--junit', join(dir, 'no-such-dir', 'r.xml')]);
    expect(r.code).toBe(2);
    expect(lastLine(r.stderr)).toMatch(/^pqsign: \S+r\.xml: /);
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
  });
});

describe('junitXml (in-process)', () => {
  it('escapes metacharacters and replaces what XML 1.0 cannot carry', () => {
    expect(xmlText('a&b<c>"d\'e')).toBe('a&amp;b&lt;c&gt;&quot;d&apos;e');
    expect(xmlText('x\u0000y\u001bz\uD800\uFFFF')).toBe('x\uFFFDy\uFFFDz\uFFFD\uFFFD');
    expect(xmlText('tab\tnl\n\u{1F600}')).toBe('tab\tnl\n\u{1F600}');
  });

  it.skipIf(!HAVE_PYTHON)(`parses, counts and keeps every message byte-exact (${HAVE_PYTHON ? 'python3' : NO_PYTHON})`, () => {
    const message = 'line <1> & "two" ]]> \u0007';
    const xml = junitXml(
      'pqsign verify',
      [
        { name: 'a', outcome: 'ok' },
        { name: 'b', outcome: 'failed', code: 'ERR_CHAIN', message },
        { name: 'c', outcome: 'error', code: 'ERR_KMS', message: 'x' },
        { name: 'd', outcome: 'error' },
      ],
      1.5,
      new Date('2026-01-02T03:04:05.678Z'),
    );
    const p = join(dir, 'unit.xml');
    writeFileSync(p, xml);
    const x = parseJunit(p);
    expect(x.suite).toMatchObject({ tests: '4', failures: '1', errors: '2', time: '1.500', timestamp: '2026-01-02T03:04:05' });
    expect(x.cases[1]!.failure).toEqual({
      type: 'ERR_CHAIN',
      message: message.replace('\u0007', '\uFFFD'),
      text: message.replace('\u0007', '\uFFFD'),
    });
    expect(x.cases[3]!.error).toMatchObject({ type: 'ERR_INTERNAL' });
  });
});
