// Time-stamp authorities for the tests, on loopback HTTP (RFC 3161 §3.4), hosted by the test process (so
// the CLI must be run with pqsignAsync):
//   - opensslTsa: a real TSA not written here — each request is piped to `openssl35 ts -reply` with an ECDSA
//     P-256 or RSA-2048 TSA key and certificate (EKU timeStamping, critical) under its own root;
//   - mldsaTsa: tokens signed with ML-DSA-65, built in-process (test/support/mldsa-tsa.ts), since OpenSSL
//     3.5's ts -reply cannot sign with ML-DSA.
// `mode` makes a misbehaving TSA for the signer-side checks: another nonce or imprint than asked for
// (the real TSA answers a doctored request), an HTTP error, garbage.
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { SHARED } from './helpers.js';
import { grantedResponse, mldsaToken, mldsaTsaPki, readRequest } from './mldsa-tsa.js';

export const OPENSSL35 = join(SHARED, 'oracles', 'openssl35');
const run = promisify(execFile);

/** Why the OpenSSL oracle cannot run, or undefined when it can. */
export function opensslMissing(): string | undefined {
  const r = spawnSync(OPENSSL35, ['version'], { encoding: 'utf8' });
  return r.status === 0
    ? undefined
    : `${OPENSSL35} does not run (${(r.stderr || r.stdout || String(r.error)).trim()}); run ../shared/oracles/setup`;
}

/** openssl35 with arguments; throws with its output when it fails. */
export function openssl(args: string[], cwd?: string): string {
  const r = spawnSync(OPENSSL35, args, { encoding: 'utf8', cwd });
  if (r.status !== 0) throw new Error(`openssl35 ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout + r.stderr;
}

/** reset: the connection is dropped without an answer (reset-once: for the next request only, as a server
 * closing an idle keep-alive socket the client has just reused) */
export type TsaMode = 'ok' | 'other-nonce' | 'other-imprint' | 'http-error' | 'garbage' | 'reset' | 'reset-once';

export interface TestTsa {
  url: string;
  /** the TSA's root certificate (PEM file) */
  root: string;
  /** requests answered so far */
  served: number;
  mode: TsaMode;
  close(): Promise<void>;
}

async function serve(answer: (req: Uint8Array, mode: TsaMode) => Promise<Uint8Array>, root: string): Promise<TestTsa> {
  const tsa: TestTsa = { url: '', root, served: 0, mode: 'ok', close: async () => undefined };
  const server: Server = createServer((req, res) => {
    // a fresh connection per request, as each CLI run has: an in-process client would otherwise reuse a
    // keep-alive socket the server may be closing (ECONNRESET after its 5 s idle timeout)
    res.setHeader('connection', 'close');
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      tsa.served++;
      if (tsa.mode === 'reset' || tsa.mode === 'reset-once') {
        if (tsa.mode === 'reset-once') tsa.mode = 'ok';
        return void req.socket.destroy();
      }
      if (tsa.mode === 'http-error') return void res.writeHead(500).end('no');
      if (tsa.mode === 'garbage')
        return void res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(Buffer.from('not a response'));
      answer(new Uint8Array(Buffer.concat(parts)), tsa.mode).then(
        (body) => res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(Buffer.from(body)),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  tsa.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  tsa.close = () => new Promise<void>((r) => server.close(() => r()));
  return tsa;
}

/** The request with another nonce or another imprint (what a confused or malicious TSA would answer). */
function doctor(der: Uint8Array, mode: TsaMode): Uint8Array {
  if (mode === 'ok') return der;
  const req = new pkijs.TimeStampReq({ schema: asn1js.fromBER(der).result });
  if (mode === 'other-nonce') req.nonce = new asn1js.Integer({ value: 424242 });
  if (mode === 'other-imprint') {
    const h = new Uint8Array(req.messageImprint.hashedMessage.valueBlock.valueHexView);
    h[0]! ^= 1;
    req.messageImprint.hashedMessage = new asn1js.OctetString({ valueHex: h });
  }
  return new Uint8Array(req.toSchema().toBER());
}

/** A real OpenSSL TSA (ECDSA P-256 or RSA-2048) under its own root, in `dir`. */
export async function opensslTsa(dir: string, key: 'ec' | 'rsa'): Promise<TestTsa> {
  mkdirSync(dir, { recursive: true });
  const p = (f: string) => join(dir, f);
  const newkey = key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  openssl([
    'req',
    '-x509',
    ...newkey,
    '-nodes',
    '-keyout',
    p('root.key'),
    '-out',
    p('root.pem'),
    '-subj',
    `/O=pqsign tests/CN=Test ${key.toUpperCase()} TSA Root`,
    '-days',
    '7300',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl([
    'req',
    '-new',
    ...newkey,
    '-nodes',
    '-keyout',
    p('tsa.key'),
    '-out',
    p('tsa.csr'),
    '-subj',
    `/O=pqsign tests/CN=Test ${key.toUpperCase()} TSA`,
  ]);
  writeFileSync(
    p('ext.cnf'),
    'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n' +
      'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
  );
  openssl([
    'x509',
    '-req',
    '-in',
    p('tsa.csr'),
    '-CA',
    p('root.pem'),
    '-CAkey',
    p('root.key'),
    '-set_serial',
    '7',
    '-out',
    p('tsa.pem'),
    '-days',
    '7300',
    '-extfile',
    p('ext.cnf'),
  ]);
  writeFileSync(p('serial'), '01\n');
  writeFileSync(
    p('tsa.cnf'),
    `[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = ${p('serial')}
crypto_device = builtin
signer_cert = ${p('tsa.pem')}
certs = ${p('tsa.pem')}
signer_key = ${p('tsa.key')}
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`,
  );
  let n = 0;
  return serve(async (der, mode) => {
    const id = ++n;
    writeFileSync(p(`q${id}.tsq`), doctor(der, mode));
    await run(OPENSSL35, ['ts', '-reply', '-config', p('tsa.cnf'), '-queryfile', p(`q${id}.tsq`), '-out', p(`r${id}.tsr`)]);
    return new Uint8Array(readFileSync(p(`r${id}.tsr`)));
  }, p('root.pem'));
}

/** An ML-DSA-65 TSA (tokens built in-process) whose genTime is `clock()`, in `dir`. */
export async function mldsaTsa(dir: string, clock: () => Date = () => new Date()): Promise<TestTsa> {
  mkdirSync(dir, { recursive: true });
  const pki = mldsaTsaPki(new Date(Date.now() - 3650 * 86_400_000), 7300);
  writeFileSync(join(dir, 'mldsa-tsa-root.pem'), pki.rootPem);
  let serial = 0;
  return serve(
    async (der, mode) => {
      const { imprint, nonce } = readRequest(doctor(der, mode));
      return grantedResponse(mldsaToken({ imprint, nonce, genTime: clock(), tsaCert: pki.tsa, serial: ++serial }));
    },
    join(dir, 'mldsa-tsa-root.pem'),
  );
}
