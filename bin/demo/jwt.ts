import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoStep } from './types.js';

export const jwtStep: DemoStep = {
  title: 'JOSE (RFC 7515 / RFC 7797 / RFC 9964): detached JWS with an unencoded payload, and the RFC 7519 §3.1 JWT',
  async run(ctx) {
    const jws = join(ctx.dir, 'firmware-sample.bin.jws');
    await ctx.pqsign(['sign', ctx.firmware, '--key', ctx.keyRef, '--format', 'jws', '--detached', '--out', jws]);
    await ctx.pqsign(['verify', jws, '--key', ctx.publicKey, '--payload', ctx.firmware]);
    const { header } = JSON.parse(await ctx.pqsign(['inspect', jws, '--json']));
    ctx.log(
      `signed and verified ${jws}: detached (RFC 7515 Appendix F), the file signed as it is (RFC 7797), header ${JSON.stringify(header)}`,
    );
    // The claims of RFC 7519 §3.1; their 2011 exp is replaced by --expires-in
    const claims = join(ctx.dir, 'claims.json');
    await writeFile(claims, '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}');
    const tokenFile = join(ctx.dir, 'token.jwt');
    const token = (
      await ctx.pqsign(['jwt', 'sign', '--claims', claims, '--key', ctx.keyRef, '--expires-in', '1h'], { stdoutTo: tokenFile })
    ).trim();
    ctx.log(`JWT (${token.length} characters): ${token.slice(0, 48)}...`);
    const verified = (await ctx.pqsign(['jwt', 'verify', `@${tokenFile}`, '--key', ctx.publicKey, '--issuer', 'joe'])).trim();
    ctx.log(`verified offline, claims ${verified}`);
  },
};
