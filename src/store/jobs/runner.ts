import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { StoreKind } from '../store.js';
import {
  JOB_ATTEMPTS_MAX,
  JOB_CLAIM_BATCH_MAX,
  JOB_LEASE_MS,
  JOB_POLL_INTERVAL_MS,
  JOB_RETRY_BACKOFF_MS_BASE,
  JOB_RETRY_BACKOFF_MS_MAX,
} from '../../core/limits.js';

export interface JobRecord {
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly attempts: number;
  /** When the job was first enqueued: the age a retry policy's giveUpAfterMs is measured from. */
  readonly createdAtMs: number;
}

/** A handler must be idempotent: a job runs at least once, possibly more after a crash. */
export type JobHandler = (job: JobRecord) => Promise<void>;

/**
 * When a failing job of one kind is retried and when it is given up. A job becomes `dead` only
 * once it has run `attemptsMax` times AND is `giveUpAfterMs` old: a kind that must keep trying
 * for a day (webhooks) says so with the age, whatever the attempt count reaches by then.
 */
export interface JobRetryPolicy {
  readonly attemptsMax: number;
  readonly giveUpAfterMs: number;
  /** Delay before retry `attempt` (1-based); `random` is the runner's, in [0, 1). */
  readonly backoffMs: (attempt: number, random: () => number) => number;
}

export const DEFAULT_RETRY_POLICY: JobRetryPolicy = {
  attemptsMax: JOB_ATTEMPTS_MAX,
  giveUpAfterMs: 0,
  backoffMs: (attempt, random) => retryDelayMs(attempt, random),
};

export interface JobRunnerOptions {
  readonly owner?: string;
  readonly leaseMs?: number;
  readonly pollIntervalMs?: number;
  readonly nowMs?: () => number;
  readonly random?: () => number;
  readonly onError?: (job: JobRecord, error: unknown) => void;
  /** Handlers of one claimed batch run this many at a time (default 1: one after the other). */
  readonly concurrency?: number;
  /** Rows leased per claim (default JOB_CLAIM_BATCH_MAX). */
  readonly claimBatchMax?: number;
}

/** Backoff before retry n (1-based): exponential with full jitter, capped. */
export function retryDelayMs(
  attempt: number,
  random: () => number,
  baseMs: number = JOB_RETRY_BACKOFF_MS_BASE,
  maxMs: number = JOB_RETRY_BACKOFF_MS_MAX,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(baseMs, Math.floor(ceiling * random()));
}

export interface NewJobInput {
  readonly id: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly runAtMs: number;
}

/** Adds a job; a job with the same id is kept as it is (enqueueing is idempotent). */
export async function enqueueJob(db: Kysely<Database>, job: NewJobInput, nowMs: number): Promise<void> {
  await enqueueJobs(db, [job], nowMs);
}

/**
 * The statement that adds jobs (ids already present are kept as they are): executed here, or
 * compiled by a caller that writes its jobs in another transaction (the ledger writer's effects).
 */
export function enqueueJobsQuery(db: Kysely<Database>, jobs: readonly NewJobInput[], nowMs: number) {
  return db
    .insertInto('jobs')
    .values(
      jobs.map((job) => ({
        id: job.id,
        kind: job.kind,
        payload: JSON.stringify(job.payload),
        status: 'queued',
        run_at_ms: BigInt(job.runAtMs),
        attempts: 0,
        lease_owner: null,
        lease_until_ms: null,
        last_error: null,
        created_at_ms: BigInt(nowMs),
        updated_at_ms: BigInt(nowMs),
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing());
}

/** Adds several jobs in one statement; ids already present are kept as they are. */
export async function enqueueJobs(db: Kysely<Database>, jobs: readonly NewJobInput[], nowMs: number): Promise<void> {
  if (jobs.length === 0) return;
  await enqueueJobsQuery(db, jobs, nowMs).execute();
}

/**
 * The durable job runner: every timer of the platform is a row in `jobs`. Runners lease due rows
 * (several processes may run; a lease that runs out goes back to the pool), run the handler, and
 * mark the row done, or schedule a retry with backoff, or give up as the kind's retry policy says
 * (by default after JOB_ATTEMPTS_MAX attempts).
 */
export class JobRunner {
  private readonly handlers = new Map<string, { handler: JobHandler; retry: JobRetryPolicy }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly nowMs: () => number;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly claimBatchMax: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: StoreKind,
    private readonly options: JobRunnerOptions = {},
  ) {
    this.owner = options.owner ?? `runner-${randomUUID()}`;
    this.leaseMs = options.leaseMs ?? JOB_LEASE_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? JOB_POLL_INTERVAL_MS;
    this.nowMs = options.nowMs ?? Date.now;
    this.random = options.random ?? Math.random;
    this.concurrency = options.concurrency ?? 1;
    this.claimBatchMax = options.claimBatchMax ?? JOB_CLAIM_BATCH_MAX;
    if (!(Number.isInteger(this.concurrency) && this.concurrency >= 1)) throw new Error('JobRunner concurrency must be a positive integer');
    if (!(Number.isInteger(this.claimBatchMax) && this.claimBatchMax >= 1)) throw new Error('JobRunner claimBatchMax must be a positive integer');
  }

  /** Handles jobs of `kind`; `retry` replaces the default policy (25 attempts, 1 s doubling to 1 h). */
  register(kind: string, handler: JobHandler, retry: Partial<JobRetryPolicy> = {}): void {
    const policy = { ...DEFAULT_RETRY_POLICY, ...retry };
    if (!(Number.isInteger(policy.attemptsMax) && policy.attemptsMax >= 1)) throw new Error(`retry policy of ${kind}: attemptsMax must be a positive integer`);
    if (!(policy.giveUpAfterMs >= 0)) throw new Error(`retry policy of ${kind}: giveUpAfterMs must not be negative`);
    this.handlers.set(kind, { handler, retry: policy });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) await this.running.catch(() => 0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runDue().catch(() => 0);
      void this.running.then((ran) => {
        this.running = undefined;
        // A full batch means more may be due: go again at once.
        this.schedule(ran >= this.claimBatchMax ? 0 : this.pollIntervalMs);
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** Claims and runs the due jobs once; returns how many ran. */
  async runDue(): Promise<number> {
    const now = this.nowMs();
    const jobs = await this.claim(now);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < jobs.length) await this.runOne(jobs[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, jobs.length) }, lane));
    return jobs.length;
  }

  private async claim(now: number): Promise<JobRecord[]> {
    const leaseUntil = BigInt(now + this.leaseMs);
    const nowBig = BigInt(now);
    const lock = this.kind === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return [];
    const { rows } = await sql<{ id: string; kind: string; payload: string; attempts: number | bigint; created_at_ms: number | bigint }>`
      UPDATE jobs SET lease_owner = ${this.owner}, lease_until_ms = ${leaseUntil}, attempts = attempts + 1, updated_at_ms = ${nowBig}
      WHERE id IN (
        SELECT id FROM jobs
        WHERE status = 'queued' AND run_at_ms <= ${nowBig} AND (lease_until_ms IS NULL OR lease_until_ms <= ${nowBig})
          AND kind IN (${sql.join(kinds)})
        ORDER BY run_at_ms LIMIT ${this.claimBatchMax} ${lock}
      )
      RETURNING id, kind, payload, attempts, created_at_ms`.execute(this.db);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      payload: JSON.parse(r.payload) as unknown,
      attempts: Number(r.attempts),
      createdAtMs: Number(r.created_at_ms),
    }));
  }

  private async runOne(job: JobRecord): Promise<void> {
    const registered = this.handlers.get(job.kind);
    const retry = registered?.retry ?? DEFAULT_RETRY_POLICY;
    try {
      if (!registered) throw new Error(`no handler for ${job.kind}`);
      await registered.handler(job);
      await this.db
        .updateTable('jobs')
        .set({ status: 'done', lease_owner: null, lease_until_ms: null, last_error: null, updated_at_ms: BigInt(this.nowMs()) })
        .where('id', '=', job.id)
        .where('lease_owner', '=', this.owner)
        .execute();
    } catch (error) {
      this.options.onError?.(job, error);
      const now = this.nowMs();
      const dead = job.attempts >= retry.attemptsMax && now - job.createdAtMs >= retry.giveUpAfterMs;
      await this.db
        .updateTable('jobs')
        .set({
          status: dead ? 'dead' : 'queued',
          run_at_ms: BigInt(now + Math.max(0, Math.floor(retry.backoffMs(job.attempts, this.random)))),
          lease_owner: null,
          lease_until_ms: null,
          last_error: String((error as Error)?.message ?? error).slice(0, 500),
          updated_at_ms: BigInt(now),
        })
        .where('id', '=', job.id)
        .where('lease_owner', '=', this.owner)
        .execute();
    }
  }
}
