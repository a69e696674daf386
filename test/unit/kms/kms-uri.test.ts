import { describe, expect, it } from 'vitest';
import { endpointUrl, isLoopback, parseKmsRef } from '../../../src/kms/uri.js';

const ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('awskms:// references', () => {
  it('takes key ids, key ARNs, alias names and alias ARNs with the SDK configuration', () => {
    expect(parseKmsRef(`awskms:///${ID}`)).toMatchObject({ endpoint: undefined, keyId: ID, region: undefined });
    expect(parseKmsRef('awskms:///mrk-1234abcd12ab34cd56ef1234567890ab').keyId).toBe('mrk-1234abcd12ab34cd56ef1234567890ab');
    expect(parseKmsRef('awskms:///alias/release/fw-2025')).toMatchObject({ keyId: 'alias/release/fw-2025', region: undefined });
    expect(parseKmsRef(`awskms:///arn:aws:kms:eu-west-3:111122223333:key/${ID}`)).toMatchObject({
      region: 'eu-west-3',
      keyId: `arn:aws:kms:eu-west-3:111122223333:key/${ID}`,
    });
    expect(parseKmsRef('awskms:///arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/fw').region).toBe('us-gov-west-1');
  });

  it('uses plain HTTP for loopback endpoints and HTTPS for anything else', () => {
    expect(parseKmsRef(`awskms://127.0.0.1:4599/${ID}`).endpoint).toBe('http://127.0.0.1:4599');
    expect(parseKmsRef('awskms://localhost:4599/alias/x').endpoint).toBe('http://localhost:4599');
    expect(parseKmsRef('awskms://[::1]:4599/alias/x').endpoint).toBe('http://[::1]:4599');
    expect(parseKmsRef('awskms://kms.eu-west-1.amazonaws.com/alias/x').endpoint).toBe('https://kms.eu-west-1.amazonaws.com');
    expect(parseKmsRef('awskms://10.0.0.5:4599/alias/x').endpoint).toBe('https://10.0.0.5:4599');
    expect(endpointUrl('KMS.Example.com:443')).toBe('https://kms.example.com:443');
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
  });

  it.each([
    ['awskms://alias/x', /"x" is not a KMS key id/],
    ['awskms://host', /expected awskms:\/\/\/KEY/],
    ['awskms:///', /is not a KMS key id/],
    ['awskms:///release', /is not a KMS key id/],
    ['awskms:///alias/', /is not a KMS key id/],
    ['awskms:///arn:aws:kms:us-east-1:111122223333:key/not-a-uuid', /is not a KMS key id/],
    ['awskms:///arn:aws:s3:us-east-1:111122223333:key/' + ID, /is not a KMS key id/],
    ['awskms://user@host:1/alias/x', /is not HOST or HOST:PORT/],
    ['awskms://host:99999/alias/x', /is not HOST or HOST:PORT/],
    ['file:///alias/x', /must start with awskms:\/\//],
  ])('refuses %s', (ref, why) => {
    expect(() => parseKmsRef(ref)).toThrow(why);
    try {
      parseKmsRef(ref);
    } catch (e) {
      expect((e as { code: string }).code).toBe('ERR_USAGE');
    }
  });
});
