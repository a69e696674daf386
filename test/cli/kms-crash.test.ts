// The local KMS server killed with SIGKILL at random moments while it serves concurrent CreateKey,
// CreateAlias, Sign and ScheduleKeyDeletion traffic (and while it purges keys whose deletion date has
// passed): after every restart the data directory loads without a warning, every acknowledged key still
// signs (checked locally against the public key fetched when it was created) and every acknowledged alias
// still names its key. The server is a separate `pqsign kms serve` process driven by the real
// @aws-sdk/client-kms over loopback; the loop is bounded in iterations and in time.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
  SignCommand,
} from '@aws-sdk/client-kms';
import { parseSpki, type PublicKey } from '../../src/keys/spki.js';
import { verifyMu } from '../../src/mldsa/mldsa.js';
import { childEnv, CREDENTIAL, kmsError, REGION } from '../support/kms-fixture.js';
import { CLI, tempDir } from '../support/helpers.js';

// 24 kill points per npm test, every run a new random sample; PQSIGN_TEST_KMS_CRASH_ROUNDS=400 soaks longer
// (docs/testing.md), the time budget growing with it
const MAX_ITERATIONS = Number(process.env.PQSIGN_TEST_KMS_CRASH_ROUNDS || 24);
const BUDGET_MS = Math.max(35_000, MAX_ITERATIONS * 1_000);
/** keep the set of live keys small, so that checking all of them after each restart stays cheap */
const LIVE_KEYS = 10;
const WORKERS = 4;
const ALG = 'ML_DSA_SHAKE_256' as const;

interface Server {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stderr: () => string;
}

async function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, [CLI, 'kms', 'serve', '--port', '0', '--data-dir', dataDir, '--quiet'], {
    env: { ...process.env, ...childEnv() },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`kms serve exited ${code} on restart: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

async function kill(s: Server): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGKILL');
  await exited;
}

/** What clients were told: acknowledged keys (with the public key read back) and aliases. */
interface Acked {
  keys: Map<string, PublicKey>;
  aliases: Map<string, string>;
  /** keys a ScheduleKeyDeletion was sent for, acknowledged or not: they may be gone */
  doomed: Set<string>;
  /** keys whose ScheduleKeyDeletion was acknowledged: never usable again */
  deleted: Set<string>;
}

const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];

/** One client's random traffic until the server dies (the first failed request ends it). */
async function traffic(client: KMSClient, acked: Acked, counter: { n: number; signed: number }): Promise<void> {
  for (;;) {
    const live = [...acked.keys.keys()].filter((k) => !acked.doomed.has(k));
    const r = Math.random();
    if (r < 0.3 || live.length === 0) {
      const out = await client.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' }));
      const keyId = out.KeyMetadata!.KeyId!;
      const pub = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
      acked.keys.set(keyId, parseSpki(pub.PublicKey!));
    } else if (r < 0.5) {
      const target = pick(live)!;
      const name = `alias/crash-${counter.n++}`;
      await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: target }));
      acked.aliases.set(name, target);
    } else if (r < 0.8 || live.length < LIVE_KEYS / 2) {
      const keyId = pick(live)!;
      const mu = new Uint8Array(randomBytes(64));
      const out = await client.send(new SignCommand({ KeyId: keyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG }));
      const key = acked.keys.get(keyId)!;
      expect(verifyMu(key.params, key.publicKey, mu, out.Signature!)).toBe(true);
      counter.signed++;
    } else {
      const keyId = pick(live)!;
      acked.doomed.add(keyId); // before sending: the server may apply it and die before answering
      await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      acked.deleted.add(keyId);
    }
  }
}

/** While the server is down, let the waiting period of every key pending deletion run out. */
function expireDeletions(dataDir: string): void {
  for (const name of readdirSync(join(dataDir, 'keys'))) {
    if (!name.endsWith('.json')) continue;
    const path = join(dataDir, 'keys', name);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    if (doc.keyState !== 'PendingDeletion') continue;
    doc.deletionDate = Date.now() / 1000 - 60;
    writeFileSync(path, JSON.stringify(doc));
  }
}

/** Every acknowledged key not doomed signs, verified locally; every acknowledged alias names its key. */
async function checkAcked(client: KMSClient, acked: Acked): Promise<void> {
  const mu = new Uint8Array(randomBytes(64));
  for (const [keyId, key] of acked.keys) {
    if (acked.deleted.has(keyId)) {
      // gone (purged on the first request after the restart) or still pending, never usable
      const e = await kmsError(
        client.send(new SignCommand({ KeyId: keyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG })),
      );
      expect(['NotFoundException', 'KMSInvalidStateException']).toContain(e.name);
      continue;
    }
    if (acked.doomed.has(keyId)) continue; // the server may have died before or after applying it
    const out = await client.send(new SignCommand({ KeyId: keyId, Message: mu, MessageType: 'EXTERNAL_MU', SigningAlgorithm: ALG }));
    expect(verifyMu(key.params, key.publicKey, mu, out.Signature!), `key ${keyId}`).toBe(true);
  }
  for (const [alias, keyId] of acked.aliases) {
    if (acked.doomed.has(keyId)) continue;
    expect((await client.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!.KeyId, alias).toBe(keyId);
  }
}

describe('local KMS: SIGKILL at random moments', () => {
  it(
    'loses no acknowledged key or alias and always restarts cleanly',
    async () => {
      const dataDir = join(tempDir(), 'kms');
      const acked: Acked = { keys: new Map(), aliases: new Map(), doomed: new Set(), deleted: new Set() };
      const counter = { n: 0, signed: 0 };
      const started = Date.now();
      let survived = 0;
      for (let i = 0; i < MAX_ITERATIONS && Date.now() - started < BUDGET_MS; i++) {
        const server = await startServer(dataDir);
        const clients = Array.from(
          { length: WORKERS },
          () => new KMSClient({ endpoint: server.url, region: REGION, credentials: CREDENTIAL, maxAttempts: 1 }),
        );
        // Even rounds start with the purge of the keys whose waiting period ran out (expireDeletions below)
        // and are killed within a few ms of their first requests, when that purge runs; odd rounds first
        // check what was acknowledged so far, then are killed at any moment of the traffic.
        const purgeRound = i % 2 === 0;
        try {
          if (!purgeRound) await checkAcked(clients[0]!, acked);
          const delay = purgeRound ? Math.random() * 40 : Math.random() * 300;
          const running = clients.map((c) => traffic(c, acked, counter).catch((e: unknown) => e));
          await sleep(delay);
          await kill(server);
          for (const e of await Promise.all(running)) expect(String(e)).not.toMatch(/AssertionError/);
        } finally {
          await kill(server);
          for (const c of clients) c.destroy();
        }
        expect(server.stderr(), 'no warning on restart: the data directory was consistent').not.toMatch(/warning/);
        if (!purgeRound) expireDeletions(dataDir);
        survived = i + 1;
      }
      // a last clean start: the state loads, every acknowledged key and alias is there, nothing is left behind
      const server = await startServer(dataDir);
      const client = new KMSClient({ endpoint: server.url, region: REGION, credentials: CREDENTIAL, maxAttempts: 1 });
      try {
        await checkAcked(client, acked);
      } finally {
        client.destroy();
        const exited = new Promise((resolve) => server.child.once('exit', resolve));
        server.child.kill('SIGTERM');
        await exited;
      }
      expect(server.stderr()).not.toMatch(/warning/);
      expect(readdirSync(dataDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
      const keyFiles = readdirSync(join(dataDir, 'keys'));
      expect(keyFiles.filter((f) => !f.endsWith('.json'))).toEqual([]);
      const aliases = JSON.parse(readFileSync(join(dataDir, 'aliases.json'), 'utf8')).aliases as { targetKeyId: string }[];
      for (const a of aliases) expect(keyFiles).toContain(`${a.targetKeyId}.json`);
      console.log(
        `kms crash loop: survived ${survived} SIGKILL restarts; acknowledged ${acked.keys.size} keys, ${acked.aliases.size} aliases, ` +
          `${counter.signed} signatures, ${acked.deleted.size} deletions`,
      );
      expect(survived).toBeGreaterThanOrEqual(10);
      for (const n of [acked.keys.size, acked.aliases.size, counter.signed, acked.deleted.size]) expect(n).toBeGreaterThan(0);
    },
    BUDGET_MS + 60_000,
  );
});
