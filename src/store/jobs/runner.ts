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
}

/** A handler must be idempotent: a job runs at least once, possibly more after a crash. */
export type JobHandler = (job: JobRecord) => Promise<void>;

export interface JobRunnerOptions {
  readonly owner?: string;
  readonly leaseMs?: number;
  readonly pollIntervalMs?: number;
  readonly nowMs?: () => number;
  readonly random?: () => number;
  readonly onError?: (job: JobRecord, error: unknown) => void;
}

/** Backoff before retry n (1-based): exponential with full jitter, capped. */
export function retryDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(JOB_RETRY_BACKOFF_MS_MAX, JOB_RETRY_BACKOFF_MS_BASE * 2 ** Math.min(attempt - 1, 30));
  return Math.max(JOB_RETRY_BACKOFF_MS_BASE, Math.floor(ceiling * random()));
}

/** Adds a job; a job with the same id is kept as it is (enqueueing is idempotent). */
export async function enqueueJob(
  db: Kysely<Database>,
  job: { id: string; kind: string; payload: unknown; runAtMs: number },
  nowMs: number,
): Promise<void> {
  await db
    .insertInto('jobs')
    .values({
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
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/**
 * The durable job runner: every timer of the platform is a row in `jobs`. Runners lease due rows
 * (several processes may run; a lease that runs out goes back to the pool), run the handler, and
 * mark the row done, or schedule a retry with backoff, or give up after JOB_ATTEMPTS_MAX.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly pollIntervalMs: number;
  private readonly nowMs: () => number;
  private readonly random: () => number;

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
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
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
        this.schedule(ran >= JOB_CLAIM_BATCH_MAX ? 0 : this.pollIntervalMs);
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** Claims and runs the due jobs once; returns how many ran. */
  async runDue(): Promise<number> {
    const now = this.nowMs();
    const jobs = await this.claim(now);
    for (const job of jobs) await this.runOne(job);
    return jobs.length;
  }

  private async claim(now: number): Promise<JobRecord[]> {
    const leaseUntil = BigInt(now + this.leaseMs);
    const nowBig = BigInt(now);
    const lock = this.kind === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return [];
    const { rows } = await sql<{ id: string; kind: string; payload: string; attempts: number | bigint }>`
      UPDATE jobs SET lease_owner = ${this.owner}, lease_until_ms = ${leaseUntil}, attempts = attempts + 1, updated_at_ms = ${nowBig}
      WHERE id IN (
        SELECT id FROM jobs
        WHERE status = 'queued' AND run_at_ms <= ${nowBig} AND (lease_until_ms IS NULL OR lease_until_ms <= ${nowBig})
          AND kind IN (${sql.join(kinds)})
        ORDER BY run_at_ms LIMIT ${JOB_CLAIM_BATCH_MAX} ${lock}
      )
      RETURNING id, kind, payload, attempts`.execute(this.db);
    return rows.map((r) => ({ id: r.id, kind: r.kind, payload: JSON.parse(r.payload) as unknown, attempts: Number(r.attempts) }));
  }

  private async runOne(job: JobRecord): Promise<void> {
    const handler = this.handlers.get(job.kind);
    try {
      if (!handler) throw new Error(`no handler for ${job.kind}`);
      await handler(job);
      await this.db
        .updateTable('jobs')
        .set({ status: 'done', lease_owner: null, lease_until_ms: null, last_error: null, updated_at_ms: BigInt(this.nowMs()) })
        .where('id', '=', job.id)
        .where('lease_owner', '=', this.owner)
        .execute();
    } catch (error) {
      this.options.onError?.(job, error);
      const now = this.nowMs();
      const dead = job.attempts >= JOB_ATTEMPTS_MAX;
      await this.db
        .updateTable('jobs')
        .set({
          status: dead ? 'dead' : 'queued',
          run_at_ms: BigInt(now + retryDelayMs(job.attempts, this.random)),
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
