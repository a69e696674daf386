// Typed format options (issue 14): each format describes its options; the CLI alone turns flags into them
// (bin/format-flags.ts), offline requests are checked against them, and the registry keeps one meaning per name.
import { describe, expect, it } from 'vitest';
import { flagOf, formatFlags, formatOptions, optionsByFormat, refuseOtherFormatsFlags } from '../../../bin/format-flags.js';
import { checkFormatOptions } from '../../../src/pipeline/format-options.js';
import { formatByName, registerFormat, registeredFormats } from '../../../src/pipeline/registry.js';
import type { Format } from '../../../src/pipeline/format.js';
import type { CmsOptions } from '../../../formats/cms.js';

const cms = formatByName('cms') as Format<CmsOptions>;

describe('flags ↔ options', () => {
  it('one rule both ways: contentType ↔ --content-type, and every built-in flag keeps its name', () => {
    expect(flagOf('contentType')).toBe('content-type');
    expect(flagOf('allowStructuredInput')).toBe('allow-structured-input');
    expect(Object.keys(formatFlags('sign')).sort()).toEqual([
      'aad',
      'allow-structured-input',
      'attached',
      'b64',
      'cert',
      'chain',
      'content-type',
      'detached',
      'digest',
      'kid',
      'monotonic-count',
      'pem',
      'signing-time',
      'tsa',
      'tsa-digest',
      'uefi-cert-type',
    ]);
    expect(Object.keys(formatFlags('verify')).sort()).toEqual(['aad', 'any-eku', 'at']);
  });

  it('a format gets only its own options for the command, typed: lists as lists, a repeated single value refused', () => {
    const argv = { cert: 'leaf.pem', chain: 'int.pem', attached: true, kid: 'k1', at: '2030-01-01T00:00:00Z', _: [], $0: 'pqsign' };
    expect(formatOptions(cms, argv, 'sign')).toEqual({ cert: 'leaf.pem', chain: ['int.pem'], attached: true });
    expect(formatOptions(cms, argv, 'verify')).toEqual({ at: '2030-01-01T00:00:00Z' });
    expect(formatOptions(cms, { chain: ['a.pem', 'b.pem'] }, 'sign')).toEqual({ chain: ['a.pem', 'b.pem'] });
    expect(() => formatOptions(cms, { digest: ['sha512', 'sha384'] }, 'sign')).toThrow(/--digest is given more than once/);
    expect(optionsByFormat({ aad: '00', anyEku: true }, 'verify')).toMatchObject({
      cose: { aad: '00' },
      cms: { anyEku: true },
      uefi: { anyEku: true },
      raw: {},
    });
  });

  it('a format flag the chosen format does not take is refused, not dropped', () => {
    expect(() => refuseOtherFormatsFlags(formatByName('raw'), { aad: '00' }, 'sign')).toThrow(
      /--aad is not an option of the raw format \(cose takes it\)/,
    );
    expect(() => refuseOtherFormatsFlags(formatByName('jws'), { cert: 'x.pem' }, 'sign')).toThrow(
      /--cert is not an option of the jws format \(uefi, cms take it\)/,
    );
    expect(() => refuseOtherFormatsFlags(formatByName('uefi'), { cert: 'x.pem', monotonicCount: '1' }, 'sign')).not.toThrow();
  });
});

describe('options as data (offline requests)', () => {
  it('must be options the format describes, of their kind', () => {
    expect(checkFormatOptions(cms, { digest: 'sha512', certificates: ['AA=='], attached: false }, 'options')).toEqual({
      digest: 'sha512',
      certificates: ['AA=='],
      attached: false,
    });
    expect(() => checkFormatOptions(cms, { kid: 'x' }, 'options')).toThrow(/the cms format has no option "kid"/);
    expect(() => checkFormatOptions(cms, { attached: 'yes' }, 'options')).toThrow(/option "attached" must be a boolean/);
    expect(() => checkFormatOptions(cms, { chain: 'int.pem' }, 'options')).toThrow(/option "chain" must be a list of strings/);
    expect(() => checkFormatOptions(cms, { toString: 'x' }, 'options')).toThrow(/no option "toString"/);
    expect(() => checkFormatOptions(cms, [], 'options')).toThrow(/must be an object/);
  });
});

describe('the registry', () => {
  const plugin = (name: string, options: Format['options']): Format => ({
    name,
    suffix: `.${name}`,
    description: 'test',
    options,
    embedsPayload: () => false,
    detect: () => false,
    beginSign: () => Promise.reject(new Error('no')),
    verify: () => Promise.reject(new Error('no')),
  });

  it('refuses an option name another format uses with another kind, and malformed specs', () => {
    expect(() =>
      registerFormat(plugin('clash', { attached: { kind: 'string', describe: 'x', for: ['sign'] } } as Format['options'])),
    ).toThrow(/option "attached" is a string here but a boolean in the cms format/);
    expect(() =>
      registerFormat(plugin('badkind', { trailer: { kind: 'number', describe: 'x', for: ['sign'] } } as unknown as Format['options'])),
    ).toThrow(/needs kind/);
    expect(() =>
      registerFormat(plugin('badname', { 'foo-bar': { kind: 'string', describe: 'x', for: ['sign'] } } as Format['options'])),
    ).toThrow(/camelCase/);
    expect(registeredFormats().map((f) => f.name)).not.toContain('clash');
  });
});
