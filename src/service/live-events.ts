import type { Kysely } from 'kysely';
import { assert, SaomaError } from '../core/errors.js';
import {
  LIVE_EVENTS_POLL_EVENTS_MAX,
  LIVE_EVENTS_POLL_INTERVAL_MS,
  LIVE_EVENTS_REPLAY_EVENTS_MAX,
  LIVE_EVENTS_SUBSCRIBERS_MAX,
} from '../core/limits.js';
import type { Database } from '../store/schema.js';
import { outboxEventJson, outboxHighWaterMark } from './outbox.js';

/** One outbox event as a stream sends it: its `seq` is the SSE id (Last-Event-ID resumes after it). */
export interface LiveEvent {
  readonly seq: bigint;
  readonly id: string;
  readonly type: string;
  /** `{"id","type","createdAtMs","data"}`, the same bytes a webhook delivers. */
  readonly json: string;
}

export type LiveEventFilter = { readonly merchantId: string } | { readonly consumerId: string };

export interface SubscribeOptions {
  /** Replay what came after this seq (the stream's Last-Event-ID), at most LIVE_EVENTS_REPLAY_EVENTS_MAX events. */
  readonly afterSeq?: bigint;
  /** Called before the replay when more was missed than is replayed: the oldest missed events are skipped. */
  readonly onTruncated?: () => void;
  /** Called once when the subscription ends from this side (the service closes, or the subscriber fell behind). */
  readonly onEnd?: (reason: 'closed' | 'overflow') => void;
}

export interface LiveEventsOptions {
  readonly pollIntervalMs?: number;
  readonly subscribersMax?: number;
  readonly replayEventsMax?: number;
  readonly onError?: (error: unknown) => void;
}

export interface Subscription {
  close(): void;
}

interface Subscriber {
  readonly filter: LiveEventFilter;
  readonly listener: (event: LiveEvent) => void;
  readonly options: SubscribeOptions;
  /** Events that arrived while the replay was being read; sent after it. */
  buffer: LiveEvent[] | undefined;
  lastSeq: bigint;
  ended: boolean;
}

const matches = (filter: LiveEventFilter, row: { merchant_id: string | null; consumer_id: string | null }): boolean =>
  'merchantId' in filter ? row.merchant_id === filter.merchantId : row.consumer_id === filter.consumerId;

/**
 * Fans outbox events out to the open event streams of this process. While anyone listens it polls
 * the outbox (so events written by any process arrive), reading only the events of the merchants
 * and consumers listening, up to the outbox high-water mark (an event that commits late is never
 * skipped). Subscribers are bounded; a reconnecting stream replays what it missed.
 */
export class LiveEvents {
  private readonly subscribers = new Set<Subscriber>();
  private readonly pollIntervalMs: number;
  private readonly subscribersMax: number;
  private readonly replayEventsMax: number;
  /** Last seq fanned out; undefined while nobody listens (the next listener starts from now). */
  private position: bigint | undefined;
  private starting: Promise<void> | undefined;
  private polling: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped when polling stops, so a poll in flight from before does not move the position. */
  private generation = 0;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: LiveEventsOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? LIVE_EVENTS_POLL_INTERVAL_MS;
    this.subscribersMax = options.subscribersMax ?? LIVE_EVENTS_SUBSCRIBERS_MAX;
    this.replayEventsMax = options.replayEventsMax ?? LIVE_EVENTS_REPLAY_EVENTS_MAX;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * Calls `listener` with every event for `filter`, in seq order, from now on (or after
   * `afterSeq`). Refuses with LIVE_EVENTS_OVERLOADED past the subscriber limit.
   */
  async subscribe(filter: LiveEventFilter, listener: (event: LiveEvent) => void, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) throw new SaomaError('LIVE_EVENTS_OVERLOADED', 'the server is shutting down; reconnect later');
    if (this.subscribers.size >= this.subscribersMax) throw new SaomaError('LIVE_EVENTS_OVERLOADED');
    const sub: Subscriber = { filter, listener, options, buffer: [], lastSeq: 0n, ended: false };
    // In the set before the position is read: every poll from here on includes its filter.
    this.subscribers.add(sub);
    const subscription = { close: () => this.remove(sub) };
    try {
      await this.ensurePolling();
      // A poll already under way was built without this filter: let it finish and read from its end.
      while (this.polling) await this.polling;
      // Ended meanwhile: the client left, or the service closed.
      if (sub.ended) return subscription;
      // While it is in the set nobody can stop the polling that ensurePolling started.
      assert(this.position !== undefined, 'live events poll while anyone listens');
      const upto = this.position;
      sub.lastSeq = upto;
      if (options.afterSeq !== undefined && options.afterSeq < upto) await this.replay(sub, options.afterSeq, upto);
      const buffered = sub.buffer ?? [];
      sub.buffer = undefined;
      for (const event of buffered) this.send(sub, event);
      return subscription;
    } catch (error) {
      this.remove(sub);
      throw error;
    }
  }

  /** Ends every subscription (each hears onEnd('closed')) and stops polling. */
  async close(): Promise<void> {
    this.closed = true;
    for (const sub of [...this.subscribers]) this.end(sub, 'closed');
    await this.polling;
  }

  private async replay(sub: Subscriber, afterSeq: bigint, upto: bigint): Promise<void> {
    const column = 'merchantId' in sub.filter ? 'merchant_id' : 'consumer_id';
    const value = 'merchantId' in sub.filter ? sub.filter.merchantId : sub.filter.consumerId;
    const rows = await this.db
      .selectFrom('outbox_events')
      .selectAll()
      .where(column, '=', value)
      .where('seq', '>', afterSeq)
      .where('seq', '<=', upto)
      .orderBy('seq', 'desc')
      .limit(this.replayEventsMax + 1)
      .execute();
    if (sub.ended) return;
    if (rows.length > this.replayEventsMax) {
      rows.length = this.replayEventsMax;
      sub.options.onTruncated?.();
    }
    sub.lastSeq = afterSeq;
    for (const row of rows.reverse()) this.send(sub, toLiveEvent(row));
    sub.lastSeq = upto > sub.lastSeq ? upto : sub.lastSeq;
  }

  private send(sub: Subscriber, event: LiveEvent): void {
    if (sub.ended || event.seq <= sub.lastSeq) return;
    sub.lastSeq = event.seq;
    sub.listener(event);
  }

  private remove(sub: Subscriber): void {
    sub.ended = true;
    if (!this.subscribers.delete(sub)) return;
    if (this.subscribers.size === 0) this.idle();
  }

  private end(sub: Subscriber, reason: 'closed' | 'overflow'): void {
    if (sub.ended) return;
    this.remove(sub);
    sub.options.onEnd?.(reason);
  }

  /** Nobody listens: stop polling; the next listener starts from the outbox as it is then. */
  private idle(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.position = undefined;
    this.starting = undefined;
  }

  private ensurePolling(): Promise<void> {
    if (this.position !== undefined) return Promise.resolve();
    if (!this.starting) {
      const generation = this.generation;
      this.starting = outboxHighWaterMark(this.db).then((mark) => {
        // Everyone left while the mark was read: stay idle.
        if (generation !== this.generation) return;
        this.position = mark;
        this.schedule(this.pollIntervalMs);
      });
      this.starting.catch(() => {
        if (generation === this.generation) this.starting = undefined;
      });
    }
    return this.starting;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.subscribers.size === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      let read = 0;
      const round = this.poll()
        .then((n) => {
          read = n;
        })
        .catch((error: unknown) => this.options.onError?.(error));
      this.polling = round;
      void round.then(() => {
        if (this.polling === round) this.polling = undefined;
        this.schedule(read >= LIVE_EVENTS_POLL_EVENTS_MAX ? 0 : this.pollIntervalMs);
      });
    }, delayMs);
    this.timer.unref?.();
  }

  private async poll(): Promise<number> {
    const generation = this.generation;
    const from = this.position;
    if (from === undefined) return 0;
    const mark = await outboxHighWaterMark(this.db);
    if (generation !== this.generation || mark <= from) return 0;
    const subs = [...this.subscribers];
    const merchants = [...new Set(subs.flatMap((s) => ('merchantId' in s.filter ? [s.filter.merchantId] : [])))];
    const consumers = [...new Set(subs.flatMap((s) => ('consumerId' in s.filter ? [s.filter.consumerId] : [])))];
    const rows =
      merchants.length + consumers.length === 0
        ? []
        : await this.db
            .selectFrom('outbox_events')
            .selectAll()
            .where('seq', '>', from)
            .where('seq', '<=', mark)
            .where((eb) =>
              eb.or([
                ...(merchants.length > 0 ? [eb('merchant_id', 'in', merchants)] : []),
                ...(consumers.length > 0 ? [eb('consumer_id', 'in', consumers)] : []),
              ]),
            )
            .orderBy('seq')
            .limit(LIVE_EVENTS_POLL_EVENTS_MAX)
            .execute();
    if (generation !== this.generation) return 0;
    for (const row of rows) {
      const event = toLiveEvent(row);
      for (const sub of subs) {
        if (sub.ended || !matches(sub.filter, row)) continue;
        if (sub.buffer) {
          sub.buffer.push(event);
          // A replay that cannot keep up: the stream reconnects and replays from where it got to.
          if (sub.buffer.length > LIVE_EVENTS_POLL_EVENTS_MAX) this.end(sub, 'overflow');
        } else {
          this.send(sub, event);
        }
      }
    }
    this.position = rows.length >= LIVE_EVENTS_POLL_EVENTS_MAX ? BigInt(rows[rows.length - 1]!.seq) : mark;
    return rows.length;
  }

}

function toLiveEvent(row: { seq: bigint; id: string; type: string; data: string; created_at_ms: bigint }): LiveEvent {
  return { seq: BigInt(row.seq), id: row.id, type: row.type, json: outboxEventJson(row) };
}
