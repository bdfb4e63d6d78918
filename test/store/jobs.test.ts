import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { JobRunner, enqueueJob, retryDelayMs, type JobRecord } from '../../src/store/jobs/runner.js';
import { JOB_ATTEMPTS_MAX, JOB_RETRY_BACKOFF_MS_BASE, JOB_RETRY_BACKOFF_MS_MAX } from '../../src/core/limits.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';

describe.each(STORE_NAMES)('durable job runner on %s', (storeName) => {
  let database: TestDatabase;
  let store: Store;
  let now = 1_000_000;
  const clock = () => now;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    store = await openStore(database.options);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  async function status(id: string) {
    return store.db.selectFrom('jobs').select(['status', 'attempts', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();
  }

  it('runs a due job once, not before it is due, and enqueueing twice keeps one job', async () => {
    const runs: JobRecord[] = [];
    const runner = new JobRunner(store.db, store.kind, { nowMs: clock });
    runner.register('a', async (job) => void runs.push(job));
    await enqueueJob(store.db, { id: 'a1', kind: 'a', payload: { x: 1 }, runAtMs: now + 1000 }, now);
    await enqueueJob(store.db, { id: 'a1', kind: 'a', payload: { x: 2 }, runAtMs: now }, now);
    expect(await runner.runDue()).toBe(0);
    now += 1000;
    expect(await runner.runDue()).toBe(1);
    expect(runs.map((j) => j.payload)).toEqual([{ x: 1 }]);
    expect(await runner.runDue()).toBe(0);
    expect((await status('a1')).status).toBe('done');
  });

  it('retries a failing job with backoff and gives up after the attempt limit', async () => {
    let calls = 0;
    const runner = new JobRunner(store.db, store.kind, { nowMs: clock, random: () => 1 });
    runner.register('flaky', async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    });
    await enqueueJob(store.db, { id: 'f1', kind: 'flaky', payload: {}, runAtMs: now }, now);
    expect(await runner.runDue()).toBe(1);
    expect(await status('f1')).toMatchObject({ status: 'queued', last_error: 'boom 1' });
    expect(await runner.runDue()).toBe(0); // backing off
    for (let attempt = 2; attempt <= JOB_ATTEMPTS_MAX; attempt++) {
      now += JOB_RETRY_BACKOFF_MS_MAX;
      expect(await runner.runDue()).toBe(1);
    }
    expect(calls).toBe(JOB_ATTEMPTS_MAX);
    expect((await status('f1')).status).toBe('dead');
    now += JOB_RETRY_BACKOFF_MS_MAX;
    expect(await runner.runDue()).toBe(0);
  });

  it('gives a job whose runner died to another runner once the lease runs out (at least once)', async () => {
    const dead = new JobRunner(store.db, store.kind, { nowMs: clock, leaseMs: 5_000, owner: 'dead' });
    let seenByDead = 0;
    dead.register('l', () => {
      seenByDead++;
      return new Promise<void>(() => {}); // hangs: its process is gone
    });
    await enqueueJob(store.db, { id: 'l1', kind: 'l', payload: {}, runAtMs: now }, now);
    void dead.runDue();
    await new Promise((r) => setTimeout(r, 50));
    expect(seenByDead).toBe(1);
    const alive = new JobRunner(store.db, store.kind, { nowMs: clock, leaseMs: 5_000, owner: 'alive' });
    let seenByAlive = 0;
    alive.register('l', async () => void seenByAlive++);
    expect(await alive.runDue()).toBe(0); // still leased
    now += 5_001;
    expect(await alive.runDue()).toBe(1);
    expect(seenByAlive).toBe(1);
    expect((await status('l1')).status).toBe('done');
  });

  it('lets concurrent runners share due jobs without running one twice', async () => {
    const ran = new Map<string, number>();
    const runners = Array.from({ length: 4 }, (_, i) => {
      const r = new JobRunner(store.db, store.kind, { nowMs: clock, owner: `r${i}` });
      r.register('c', async (job) => void ran.set(job.id, (ran.get(job.id) ?? 0) + 1));
      return r;
    });
    for (let i = 0; i < 150; i++) await enqueueJob(store.db, { id: `c${i}`, kind: 'c', payload: {}, runAtMs: now }, now);
    let total = 0;
    for (;;) {
      const counts = await Promise.all(runners.map((r) => r.runDue()));
      const sum = counts.reduce((a, b) => a + b, 0);
      total += sum;
      if (sum === 0) break;
    }
    expect(total).toBe(150);
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
    expect(ran.size).toBe(150);
  });

  it('backs off exponentially with jitter, within bounds', () => {
    expect(retryDelayMs(1, () => 1)).toBe(JOB_RETRY_BACKOFF_MS_BASE);
    expect(retryDelayMs(5, () => 1)).toBe(JOB_RETRY_BACKOFF_MS_BASE * 16);
    expect(retryDelayMs(60, () => 1)).toBe(JOB_RETRY_BACKOFF_MS_MAX);
    expect(retryDelayMs(10, () => 0)).toBe(JOB_RETRY_BACKOFF_MS_BASE);
  });
});
