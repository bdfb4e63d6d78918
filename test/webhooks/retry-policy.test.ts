import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { enqueueJob, JobRunner } from '../../src/store/jobs/runner.js';
import { WEBHOOK_RETRY_POLICY } from '../../src/service/webhooks.js';
import {
  JOB_ATTEMPTS_MAX,
  WEBHOOK_ATTEMPTS_MIN,
  WEBHOOK_RETRY_BACKOFF_MS_BASE,
  WEBHOOK_RETRY_BACKOFF_MS_MAX,
  WEBHOOK_RETRY_DURATION_MS_MIN,
} from '../../src/core/limits.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';

const HOUR_MS = 60 * 60 * 1000;

describe.each(STORE_NAMES)('per-kind retry policies of the job runner on %s', (storeName) => {
  let database: TestDatabase;
  let store: Store;
  let now = 5_000_000;
  const clock = () => now;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    store = await openStore(database.options);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const status = (id: string) => store.db.selectFrom('jobs').select(['status', 'attempts', 'run_at_ms']).where('id', '=', id).executeTakeFirstOrThrow();

  /** Runs the job each time it is due (jumping the clock to its run time) until it is dead or `maxRuns` is reached. */
  async function driveToDeath(runner: JobRunner, id: string, maxRuns: number) {
    const runsAt: number[] = [];
    for (let i = 0; i < maxRuns; i++) {
      const row = await status(id);
      if (row.status !== 'queued') break;
      now = Math.max(now, Number(row.run_at_ms));
      runsAt.push(now);
      expect(await runner.runDue()).toBe(1);
    }
    return runsAt;
  }

  it('keeps retrying a webhook past 25 attempts while it is younger than 24 h, then gives up', async () => {
    expect(WEBHOOK_RETRY_POLICY.attemptsMax).toBe(WEBHOOK_ATTEMPTS_MIN);
    expect(WEBHOOK_RETRY_POLICY.giveUpAfterMs).toBe(24 * HOUR_MS);
    // Half the ceiling each time (the mean of full jitter): 25 attempts would last about 7 hours.
    const runner = new JobRunner(store.db, store.kind, { nowMs: clock, random: () => 0.5 });
    runner.register('hook', async () => {
      throw new Error('receiver down');
    }, WEBHOOK_RETRY_POLICY);
    const createdAt = now;
    await enqueueJob(store.db, { id: 'hook-1', kind: 'hook', payload: {}, runAtMs: now }, now);
    const runsAt = await driveToDeath(runner, 'hook-1', 100_000);
    const last = await status('hook-1');
    expect(last.status).toBe('dead');
    expect(Number(last.attempts)).toBe(runsAt.length);
    // More than the generic 25, and the 25th attempt came well inside the day: the age decided.
    expect(runsAt.length).toBeGreaterThan(JOB_ATTEMPTS_MAX + 10);
    expect(runsAt[JOB_ATTEMPTS_MAX - 1]! - createdAt).toBeLessThan(12 * HOUR_MS);
    const lastRun = runsAt[runsAt.length - 1]!;
    expect(lastRun - createdAt).toBeGreaterThanOrEqual(WEBHOOK_RETRY_DURATION_MS_MIN);
    // ...and every run before the last one was still inside the 24 h.
    expect(runsAt[runsAt.length - 2]! - createdAt).toBeLessThan(WEBHOOK_RETRY_DURATION_MS_MIN);
    // The first retry waits the base (half of its 5 s ceiling is below the 5 s floor).
    expect(runsAt[1]! - runsAt[0]!).toBe(WEBHOOK_RETRY_BACKOFF_MS_BASE);
  });

  it('with the ceiling delays, still retries for 24 h, no retry waits more than the cap, and the schedule grows exponentially', async () => {
    const runner = new JobRunner(store.db, store.kind, { nowMs: clock, random: () => 0.999999 });
    runner.register('hook2', async () => {
      throw new Error('HTTP 500');
    }, WEBHOOK_RETRY_POLICY);
    const createdAt = now;
    await enqueueJob(store.db, { id: 'hook-2', kind: 'hook2', payload: {}, runAtMs: now }, now);
    const runsAt = await driveToDeath(runner, 'hook-2', 1000);
    expect((await status('hook-2')).status).toBe('dead');
    const gaps = runsAt.slice(1).map((t, i) => t - runsAt[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(WEBHOOK_RETRY_BACKOFF_MS_MAX);
    expect(gaps[1]! / gaps[0]!).toBeCloseTo(2, 1);
    expect(runsAt[runsAt.length - 1]! - createdAt).toBeGreaterThanOrEqual(WEBHOOK_RETRY_DURATION_MS_MIN);
    expect(runsAt[runsAt.length - 2]! - createdAt).toBeLessThan(WEBHOOK_RETRY_DURATION_MS_MIN);
    expect(runsAt.length).toBeGreaterThan(WEBHOOK_ATTEMPTS_MIN);
  });

  it('gives up only when both the attempt count and the age are past', async () => {
    const runner = new JobRunner(store.db, store.kind, { nowMs: clock, random: () => 0 });
    // Age passes first (every retry 2 h apart): keeps going until 25 attempts.
    runner.register('slow', async () => {
      throw new Error('no');
    }, { attemptsMax: 25, giveUpAfterMs: 24 * HOUR_MS, backoffMs: () => 2 * HOUR_MS });
    const createdAt = now;
    await enqueueJob(store.db, { id: 'slow-1', kind: 'slow', payload: {}, runAtMs: now }, now);
    const runsAt = await driveToDeath(runner, 'slow-1', 1000);
    expect(runsAt.length).toBe(25);
    expect(runsAt[12]! - createdAt).toBeGreaterThanOrEqual(24 * HOUR_MS); // the age was past long before
    expect((await status('slow-1')).status).toBe('dead');
  });

  it('lets another kind keep the default policy (dead after 25 attempts) and takes an injected backoff', async () => {
    const runner = new JobRunner(store.db, store.kind, { nowMs: clock });
    const delays: number[] = [];
    runner.register('plain', async () => {
      throw new Error('no');
    });
    runner.register('fast', async () => {
      throw new Error('no');
    }, { backoffMs: (attempt) => (delays.push(attempt), 7) });
    await enqueueJob(store.db, { id: 'plain-1', kind: 'plain', payload: {}, runAtMs: now }, now);
    const plain = await driveToDeath(runner, 'plain-1', 1000);
    expect(plain.length).toBe(JOB_ATTEMPTS_MAX);
    await enqueueJob(store.db, { id: 'fast-1', kind: 'fast', payload: {}, runAtMs: now }, now);
    const fast = await driveToDeath(runner, 'fast-1', 1000);
    expect(fast.length).toBe(JOB_ATTEMPTS_MAX);
    expect(delays.slice(0, 3)).toEqual([1, 2, 3]);
    expect(fast[1]! - fast[0]!).toBe(7);
  });

  it('runs a claimed batch concurrently when asked, each job once', async () => {
    const runner = new JobRunner(store.db, store.kind, { nowMs: clock, concurrency: 8, claimBatchMax: 8 });
    let inFlight = 0;
    let peak = 0;
    const ran = new Map<string, number>();
    runner.register('par', async (job) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
      ran.set(job.id, (ran.get(job.id) ?? 0) + 1);
    });
    for (let i = 0; i < 20; i++) await enqueueJob(store.db, { id: `par-${i}`, kind: 'par', payload: {}, runAtMs: now }, now);
    const claimed: number[] = [];
    for (;;) {
      const n = await runner.runDue();
      if (n === 0) break;
      claimed.push(n);
    }
    expect(claimed).toEqual([8, 8, 4]);
    expect(peak).toBe(8);
    expect(ran.size).toBe(20);
    expect([...ran.values()].every((n) => n === 1)).toBe(true);
  });
});
