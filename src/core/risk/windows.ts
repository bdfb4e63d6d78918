// Sliding-window counters and bounded recency sets: the building blocks of incremental features.
// Each one costs O(1) (amortised) per update, so a feature never scans payment history.

import { assert } from '../errors.js';

const EMPTY = Number.NEGATIVE_INFINITY;

/**
 * Count and sum of events over the last `buckets × bucketMs`, kept in a ring of buckets with
 * running totals. The window is approximate by up to one bucket: it covers the current (partial)
 * bucket and the buckets-1 before it. Events older than the window are dropped; time that moves
 * backwards (a late event) lands in its own bucket while that is still in the ring.
 */
export class WindowCounter {
  private readonly counts: Float64Array;
  private readonly sums: Float64Array;
  private head = EMPTY;
  private totalCount = 0;
  private totalSum = 0;

  constructor(
    private readonly bucketMs: number,
    private readonly buckets: number,
  ) {
    assert(Number.isInteger(bucketMs) && bucketMs > 0 && Number.isInteger(buckets) && buckets > 0, 'window buckets are positive integers');
    this.counts = new Float64Array(buckets);
    this.sums = new Float64Array(buckets);
  }

  add(atMs: number, amount: number): void {
    this.advance(atMs);
    const bucket = Math.floor(atMs / this.bucketMs);
    if (bucket <= this.head - this.buckets) return;
    const i = bucket % this.buckets;
    this.counts[i]! += 1;
    this.sums[i]! += amount;
    this.totalCount += 1;
    this.totalSum += amount;
  }

  count(nowMs: number): number {
    this.advance(nowMs);
    return this.totalCount;
  }

  sum(nowMs: number): number {
    this.advance(nowMs);
    return this.totalSum;
  }

  /** Empties the buckets that fell out of the window since the last call. */
  private advance(nowMs: number): void {
    const bucket = Math.floor(nowMs / this.bucketMs);
    if (this.head === EMPTY) {
      this.head = bucket;
      return;
    }
    if (bucket <= this.head) return;
    const steps = Math.min(bucket - this.head, this.buckets);
    for (let s = 1; s <= steps; s++) {
      const i = (this.head + s) % this.buckets;
      this.totalCount -= this.counts[i]!;
      this.totalSum -= this.sums[i]!;
      this.counts[i] = 0;
      this.sums[i] = 0;
    }
    this.head = bucket;
    // Running totals of whole numbers stay exact; a full wrap resets them to guard against drift.
    if (steps === this.buckets) {
      this.totalCount = 0;
      this.totalSum = 0;
    }
  }
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Attempts and their amounts over 1 minute (12 × 5 s), 1 hour (12 × 5 min) and 24 hours (24 × 1 h). */
export class Velocity {
  readonly m1 = new WindowCounter(5_000, 12);
  readonly h1 = new WindowCounter(5 * MINUTE_MS, 12);
  readonly d1 = new WindowCounter(HOUR_MS, 24);

  add(atMs: number, amount: number): void {
    this.m1.add(atMs, amount);
    this.h1.add(atMs, amount);
    this.d1.add(atMs, amount);
  }
}

/**
 * The last time each of up to `max` ids was seen, least recent first (Map insertion order).
 * Counting distinct ids in a window is exact until the set is full; then the least recently seen
 * are forgotten, so counts saturate at `max`: rules compare against small numbers.
 */
export class RecentSet {
  private readonly seen = new Map<string, number>();

  constructor(private readonly max: number) {
    assert(Number.isInteger(max) && max > 0, 'a recent set holds at least one id');
  }

  touch(id: string, atMs: number): void {
    const last = this.seen.get(id);
    if (last !== undefined) {
      if (atMs <= last) return;
      this.seen.delete(id);
    } else if (this.seen.size >= this.max) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
    this.seen.set(id, atMs);
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /** Whether id was last seen at or after sinceMs. */
  seenSince(id: string, sinceMs: number): boolean {
    const at = this.seen.get(id);
    return at !== undefined && at >= sinceMs;
  }

  /**
   * Distinct ids seen at or after sinceMs, not counting `except`. Entries are in the order they
   * were last seen, so only the stale ones at the front are walked (exact while events arrive in
   * time order; a late event is counted as if it were the latest).
   */
  countSince(sinceMs: number, except?: string): number {
    let stale = 0;
    for (const at of this.seen.values()) {
      if (at >= sinceMs) break;
      stale++;
    }
    const exceptAt = except === undefined ? undefined : this.seen.get(except);
    return this.seen.size - stale - (exceptAt !== undefined && exceptAt >= sinceMs ? 1 : 0);
  }
}

/** A Map that forgets its least recently updated entries past `max` (bounded memory of the in-memory store). */
export class BoundedMap<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max: number) {
    assert(Number.isInteger(max) && max > 0, 'a bounded map holds at least one entry');
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /**
   * The entry for key, made if missing. Past half the bound an updated entry also moves to the
   * back, so that the entries forgotten first are the least recently updated; below it the order
   * does not matter yet and the move is skipped (it costs more than the update itself).
   */
  upsert(key: string, make: () => V): V {
    let value = this.map.get(key);
    if (value !== undefined) {
      if (this.map.size * 2 < this.max) return value;
      this.map.delete(key);
    } else {
      value = make();
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    }
    this.map.set(key, value);
    return value;
  }
}

/**
 * Receipts of the last `buckets × bucketMs` and how much of each is still in the account. Money
 * leaving the account is taken from the oldest receipts first; money that left before it came in
 * (a group-dinner organiser who paid the restaurant and is then paid back) is not counted as
 * passed on. Costs O(buckets) per outflow, O(1) otherwise.
 */
export class ReceiptPool {
  private readonly received: Float64Array;
  private readonly remaining: Float64Array;
  private head = EMPTY;
  private totalReceived = 0;
  private totalRemaining = 0;

  constructor(
    private readonly bucketMs: number,
    private readonly buckets: number,
  ) {
    assert(Number.isInteger(bucketMs) && bucketMs > 0 && Number.isInteger(buckets) && buckets > 0, 'pool buckets are positive integers');
    this.received = new Float64Array(buckets);
    this.remaining = new Float64Array(buckets);
  }

  receive(atMs: number, amount: number): void {
    this.advance(atMs);
    const bucket = Math.floor(atMs / this.bucketMs);
    if (bucket <= this.head - this.buckets) return;
    const i = bucket % this.buckets;
    this.received[i]! += amount;
    this.remaining[i]! += amount;
    this.totalReceived += amount;
    this.totalRemaining += amount;
  }

  /** Money leaving at atMs: uses up the oldest receipts still in the window. */
  spend(atMs: number, amount: number): void {
    this.advance(atMs);
    if (this.head === EMPTY) return;
    let left = Math.min(amount, this.totalRemaining);
    for (let s = this.buckets - 1; s >= 0 && left > 0; s--) {
      const i = (((this.head - s) % this.buckets) + this.buckets) % this.buckets;
      const used = Math.min(left, this.remaining[i]!);
      this.remaining[i]! -= used;
      this.totalRemaining -= used;
      left -= used;
    }
  }

  receivedSum(nowMs: number): number {
    this.advance(nowMs);
    return this.totalReceived;
  }

  remainingSum(nowMs: number): number {
    this.advance(nowMs);
    return this.totalRemaining;
  }

  private advance(nowMs: number): void {
    const bucket = Math.floor(nowMs / this.bucketMs);
    if (this.head === EMPTY) {
      this.head = bucket;
      return;
    }
    if (bucket <= this.head) return;
    const steps = Math.min(bucket - this.head, this.buckets);
    for (let s = 1; s <= steps; s++) {
      const i = (this.head + s) % this.buckets;
      this.totalReceived -= this.received[i]!;
      this.totalRemaining -= this.remaining[i]!;
      this.received[i] = 0;
      this.remaining[i] = 0;
    }
    this.head = bucket;
    if (steps === this.buckets) {
      this.totalReceived = 0;
      this.totalRemaining = 0;
    }
  }
}
