import { randomBytes } from 'node:crypto';
import { PostgresAdapter, sql, type InsertQueryBuilder, type InsertResult, type Kysely } from 'kysely';
import { assert } from '../core/errors.js';
import { OUTBOX_READER_LOCK_ATTEMPTS_MAX, OUTBOX_READER_LOCK_WAIT_MS } from '../core/limits.js';
import type { Database } from '../store/schema.js';

/**
 * The transactional outbox (docs/decisions/0009-webhooks-outbox.md): an event is a row written in
 * the transaction of the change it announces; webhooks and live event streams read it afterwards.
 */

/** The advisory lock that orders outbox writers against readers on PostgreSQL ("saomox"). */
export const OUTBOX_LOCK_KEY = 0x7361_6f6d_6f78n;

const EVENT_ID_LENGTH_MAX = 128;
const EVENT_TYPE_PATTERN = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;

export interface OutboxEventInput {
  /** Stable: a retried write with the same id is a no-op, so deriving it from the change is best. */
  readonly id: string;
  /** e.g. `payment.succeeded` */
  readonly type: string;
  /** Whose webhooks and merchant streams get it. */
  readonly merchantId: string | null;
  /** Whose wallet stream gets it. */
  readonly consumerId: string | null;
  /** The event's `data`; bigint amounts become JSON integers (they must be safe integers). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAtMs: number;
}

export interface OutboxEventRow {
  readonly seq: bigint;
  readonly id: string;
  readonly type: string;
  readonly merchant_id: string | null;
  readonly consumer_id: string | null;
  readonly data: string;
  readonly created_at_ms: bigint;
}

/** `evt_` and 22 base64url characters (128 random bits). */
export function newEventId(): string {
  return `evt_${randomBytes(16).toString('base64url')}`;
}

/** The stored text of an event's data: JSON, with bigint amounts as integers. */
export function outboxEventData(data: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(data, (_key, value: unknown) => {
    if (typeof value !== 'bigint') return value;
    assert(value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER), 'an outbox amount is a safe JSON integer');
    return Number(value);
  });
}

function isPostgres(db: Kysely<Database>): boolean {
  // The engine decides the statement; asking the executor keeps callers from having to say it.
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * The insert of one outbox event (on conflict (id) do nothing): execute it in the transaction of
 * the change, or `.compile()` it into the ledger writer's `effects`.
 *
 * On PostgreSQL the insert first takes the outbox advisory lock in shared mode, before its row
 * gets a `seq`; a reader takes it exclusively to learn the highest `seq` below which no row can
 * still appear (outboxHighWaterMark). Without that, a transaction that took seq 10 and commits
 * after one that took seq 11 would be skipped by every reader whose cursor already passed 11.
 * Always write outbox rows through this function.
 */
export function outboxEventQuery(db: Kysely<Database>, event: OutboxEventInput): InsertQueryBuilder<Database, 'outbox_events', InsertResult> {
  assert(event.id.length > 0 && event.id.length <= EVENT_ID_LENGTH_MAX, 'an outbox event id has 1 to 128 characters');
  assert(EVENT_TYPE_PATTERN.test(event.type), `outbox event type ${event.type} is dotted lower case`);
  assert(Number.isSafeInteger(event.createdAtMs) && event.createdAtMs >= 0, 'an outbox event time is a safe integer');
  const data = outboxEventData(event.data);
  const createdAtMs = BigInt(event.createdAtMs);
  if (isPostgres(db)) {
    return db
      .insertInto('outbox_events')
      .columns(['id', 'type', 'merchant_id', 'consumer_id', 'data', 'created_at_ms'])
      .expression(
        sql`SELECT CAST(${event.id} AS text), CAST(${event.type} AS text), CAST(${event.merchantId} AS text), CAST(${event.consumerId} AS text),
          CAST(${data} AS text), CAST(${createdAtMs} AS bigint)
          WHERE pg_advisory_xact_lock_shared(CAST(${OUTBOX_LOCK_KEY} AS bigint)) IS NOT NULL`,
      )
      .onConflict((oc) => oc.column('id').doNothing());
  }
  // SQLite has one writer at a time: rows commit in the order of their seq.
  return db
    .insertInto('outbox_events')
    .values({ id: event.id, type: event.type, merchant_id: event.merchantId, consumer_id: event.consumerId, data, created_at_ms: createdAtMs })
    .onConflict((oc) => oc.column('id').doNothing());
}

/**
 * The highest `seq` at or below which every outbox row is committed (or never will be): readers
 * may move their cursor up to it and never miss a row that commits later.
 */
export async function outboxHighWaterMark(db: Kysely<Database>): Promise<bigint> {
  const max = (q: Kysely<Database>) =>
    q
      .selectFrom('outbox_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst()
      .then((r) => (r?.seq === null || r?.seq === undefined ? 0n : BigInt(r.seq)));
  if (!isPostgres(db)) return max(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (tx) => {
        await sql`SELECT set_config('lock_timeout', ${`${OUTBOX_READER_LOCK_WAIT_MS}ms`}, true)`.execute(tx);
        // Waits for writers that hold the lock (their rows commit or roll back first); the next
        // statement's snapshot then sees every row that will ever have a seq at or below the max.
        await sql`SELECT pg_advisory_xact_lock(CAST(${OUTBOX_LOCK_KEY} AS bigint))`.execute(tx);
        return max(tx);
      });
    } catch (error) {
      // lock_not_available: a writer held on longer (or waits on something that waits on us).
      if ((error as { code?: unknown }).code !== '55P03' || attempt >= OUTBOX_READER_LOCK_ATTEMPTS_MAX) throw error;
    }
  }
}

/** The JSON a webhook delivers and an event stream sends: `{"id","type","createdAtMs","data"}`. */
export function outboxEventJson(row: Pick<OutboxEventRow, 'id' | 'type' | 'data' | 'created_at_ms'>): string {
  const data: unknown = JSON.parse(row.data);
  assert(typeof data === 'object' && data !== null && !Array.isArray(data), `outbox event ${row.id} has an object as data`);
  // The stored text is embedded as it is: every delivery of an event carries the same bytes.
  return `{"id":${JSON.stringify(row.id)},"type":${JSON.stringify(row.type)},"createdAtMs":${Number(row.created_at_ms)},"data":${row.data}}`;
}
