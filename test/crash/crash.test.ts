import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { LedgerReader } from '../../src/store/ledger/reader.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const CHILD = path.join(here, 'child.mjs');
const CLI = path.join(root, 'dist/src/cli/index.js');
const KILLS_PER_STORE = Number(process.env.SAOMA_CRASH_KILLS ?? 20);

interface Ack {
  id: string;
  amountMinor: bigint;
}

function runChildUntilKilled(tag: string, seed: number, env: NodeJS.ProcessEnv, killAfterMs: number) {
  return new Promise<{ acks: Ack[]; posts: string[]; retries: string[]; bad: string[]; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, tag, String(seed)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!timer && out.includes('ready\n')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      // Only whole lines count: a line cut by the kill was never a complete acknowledgement.
      const lines = out.split('\n').slice(0, -1);
      const acks: Ack[] = [];
      const posts: string[] = [];
      const retries: string[] = [];
      const bad: string[] = [];
      for (const line of lines) {
        const [kind, id, ...rest] = line.split(' ');
        if (kind === 'ack') acks.push({ id: id!, amountMinor: BigInt(rest[2]!) });
        else if (kind === 'post') posts.push(id!);
        else if (kind === 'retry') retries.push(`${id} ${rest[0]}`);
        else if (kind === 'bad') bad.push(line);
      }
      resolve({ acks, posts, retries, bad, signal, stderr });
    });
  });
}

function runCli(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each(STORE_NAMES)('crash safety on %s', (storeName) => {
  let database: TestDatabase;
  let workDir: string;

  beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first)`);
    database = await createTestDatabase(storeName);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-crash-'));
  });
  afterAll(async () => {
    await database?.drop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged transfer exactly once across ${KILLS_PER_STORE} SIGKILLs, and the books verify`, async () => {
    const env = { ...process.env, ...database.env, CRASH_RETRY_FILE: path.join(workDir, 'retry.json') };
    const seed0 = Number(process.env.SAOMA_SEED ?? Date.now() % 1_000_000);
    const allAcked = new Map<string, bigint>();
    let killedMidWork = 0;
    for (let cycle = 0; cycle < KILLS_PER_STORE; cycle++) {
      const killAfterMs = 30 + ((seed0 * 7919 + cycle * 104_729) % 400);
      const run = await runChildUntilKilled(`k${cycle}`, seed0 + cycle, env, killAfterMs);
      expect(run.bad, run.stderr).toEqual([]);
      expect(run.signal, `child exited on its own: ${run.stderr}`).toBe('SIGKILL');
      // Retries of requests acknowledged by an earlier incarnation find them, never apply them again.
      for (const line of run.retries) expect(line).toMatch(/ exists$/);
      for (const ack of run.acks) allAcked.set(ack.id, ack.amountMinor);
      if (run.acks.length > 0) killedMidWork++;

      const store = await openStore(database.options);
      try {
        const reader = new LedgerReader(store.db);
        const ids = run.acks.map((a) => a.id);
        const stored = await reader.transfers(ids);
        const storedById = new Map(stored.map((t) => [t.id, t]));
        expect(stored.length, `cycle ${cycle}: acknowledged transfers missing after the crash`).toBe(new Set(ids).size);
        for (const ack of run.acks) expect(storedById.get(ack.id)?.amountMinor).toBe(ack.amountMinor);
        for (const postId of run.posts) expect(await reader.transfer(postId)).toBeDefined();
      } finally {
        await store.close();
      }
      const verify = await runCli(['ledger', 'verify'], env);
      expect(verify.stdout + verify.stderr, `cycle ${cycle}`).toMatch(/^ledger ok/);
      expect(verify.code).toBe(0);

      // The next incarnation retries some of what this one had acknowledged.
      const retry = run.acks.slice(-10).map((a) => a.id);
      const store2 = await openStore(database.options);
      try {
        const transfers = await new LedgerReader(store2.db).transfers(retry);
        fs.writeFileSync(
          env.CRASH_RETRY_FILE,
          JSON.stringify(
            transfers.map((t) => ({ id: t.id, debitAccountId: t.debitAccountId, creditAccountId: t.creditAccountId, amountMinor: t.amountMinor.toString(), currency: t.currency, flags: t.flags, timeoutMs: t.timeoutMs })),
          ),
        );
      } finally {
        await store2.close();
      }
    }
    expect(killedMidWork, 'most kills must land while transfers are flowing').toBeGreaterThanOrEqual(KILLS_PER_STORE * 0.75);

    // At the end every acknowledged transfer of every incarnation is still there, once.
    const store = await openStore(database.options);
    try {
      const stored = await new LedgerReader(store.db).transfers([...allAcked.keys()]);
      expect(stored.length).toBe(allAcked.size);
      for (const t of stored) expect(t.amountMinor).toBe(allAcked.get(t.id));
    } finally {
      await store.close();
    }
  });
});
