import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { newEventId, outboxEventJson, outboxEventQuery, outboxHighWaterMark } from '../../src/service/outbox.js';
import { WebhookService, WEBHOOK_DISPATCH_CURSOR_KEY } from '../../src/service/webhooks.js';
import { OUTBOX_READER_LOCK_ATTEMPTS_MAX, OUTBOX_READER_LOCK_WAIT_MS } from '../../src/core/limits.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';
import { insertEvents, sleep } from './helpers.js';

const masterKey = Buffer.alloc(32, 7);

describe.each(STORE_NAMES)('the transactional outbox on %s', (storeName) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    store = await openStore(database.options);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const event = (id: string, merchantId: string | null, data: Record<string, unknown> = {}) => ({
    id,
    type: 'payment.succeeded',
    merchantId,
    consumerId: null,
    data,
    createdAtMs: 1_700_000_000_000,
  });

  it('makes event ids of evt_ and 22 base64url characters, all different', () => {
    const ids = new Set(Array.from({ length: 1000 }, newEventId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^evt_[A-Za-z0-9_-]{22}$/);
  });

  it('writes an event once, whether executed or compiled, and delivers it as {id, type, createdAtMs, data} with integer amounts', async () => {
    const e = event('evt_once', 'm1', { paymentId: 'pay_1', amountMinor: 1250n, currency: 'CNY', nested: { feeMinor: 5n } });
    await outboxEventQuery(store.db, e).execute();
    await outboxEventQuery(store.db, { ...e, data: { other: true } }).execute(); // a retry: kept as first written
    await store.db.executeQuery(outboxEventQuery(store.db, e).compile());
    await store.db.transaction().execute(async (tx) => {
      await tx.executeQuery(outboxEventQuery(tx, e).compile());
    });
    const rows = await store.db.selectFrom('outbox_events').selectAll().where('id', '=', 'evt_once').execute();
    expect(rows).toHaveLength(1);
    const json = outboxEventJson(rows[0]!);
    expect(json).toBe(
      '{"id":"evt_once","type":"payment.succeeded","createdAtMs":1700000000000,"data":{"paymentId":"pay_1","amountMinor":1250,"currency":"CNY","nested":{"feeMinor":5}}}',
    );
    expect(JSON.parse(json).data.amountMinor).toBe(1250);
  });

  it('refuses amounts beyond 2^53-1, malformed types and rolls back with its transaction', async () => {
    expect(() => outboxEventQuery(store.db, event('evt_big', 'm1', { amountMinor: 2n ** 53n }))).toThrow(/safe JSON integer/);
    expect(() => outboxEventQuery(store.db, { ...event('evt_type', 'm1'), type: 'Payment Succeeded' })).toThrow(/dotted lower case/);
    await expect(
      store.db.transaction().execute(async (tx) => {
        await outboxEventQuery(tx, event('evt_rolled_back', 'm1')).execute();
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await store.db.selectFrom('outbox_events').select('id').where('id', '=', 'evt_rolled_back').execute()).toEqual([]);
  });

  it('the dispatcher enqueues one job per (event, active endpoint of its merchant), and a crash before the cursor moves only re-enqueues the same ids', async () => {
    const webhooks = new WebhookService(store.db, store.kind, masterKey, { blockPrivateAddresses: false });
    const a1 = (await webhooks.create('mA', { url: 'http://127.0.0.1:9/a1' })).endpoint;
    const a2 = (await webhooks.create('mA', { url: 'http://127.0.0.1:9/a2' })).endpoint;
    const b1 = (await webhooks.create('mB', { url: 'http://127.0.0.1:9/b1' })).endpoint;
    const off = (await webhooks.create('mA', { url: 'http://127.0.0.1:9/off' })).endpoint;
    await webhooks.disable('mA', off.id);
    await webhooks.dispatchOnce(); // past the events of the tests above
    await insertEvents(store.db, [event('evt_d1', 'mA'), event('evt_d2', 'mB'), event('evt_d3', null), event('evt_d4', 'mC')]);
    const cursorBefore = await store.db.selectFrom('settings').select('value').where('key', '=', WEBHOOK_DISPATCH_CURSOR_KEY).executeTakeFirstOrThrow();
    expect(await webhooks.dispatchOnce()).toBe(4);
    const jobs = async () =>
      (await store.db.selectFrom('jobs').select(['id', 'kind', 'payload', 'status']).where('kind', '=', 'webhook.deliver').orderBy('id').execute()).map((j) => j.id);
    const expected = [`webhook:evt_d1:${a1.id}`, `webhook:evt_d1:${a2.id}`, `webhook:evt_d2:${b1.id}`].sort();
    expect(await jobs()).toEqual(expected);
    // A crash after the enqueue, before the cursor moved: the next round reads the same events again.
    await store.db.updateTable('settings').set({ value: cursorBefore.value }).where('key', '=', WEBHOOK_DISPATCH_CURSOR_KEY).execute();
    await store.db.updateTable('jobs').set({ status: 'done' }).where('id', '=', expected[0]!).execute();
    expect(await webhooks.dispatchOnce()).toBe(4);
    expect(await jobs()).toEqual(expected);
    // The job that was done stays done: no second delivery from a re-enqueue.
    expect((await store.db.selectFrom('jobs').select('status').where('id', '=', expected[0]!).executeTakeFirstOrThrow()).status).toBe('done');
    expect(await webhooks.dispatchOnce()).toBe(0);
    // The cursor only moves forward, even when told to move back.
    const cursor = BigInt((await store.db.selectFrom('settings').select('value').where('key', '=', WEBHOOK_DISPATCH_CURSOR_KEY).executeTakeFirstOrThrow()).value);
    expect(cursor).toBe(await outboxHighWaterMark(store.db));
  });
});

// SQLite has one writer at a time, so its rows commit in seq order and this cannot happen there;
// on PostgreSQL concurrent transactions can commit out of seq order, which the outbox lock covers.
describe('the transactional outbox on postgres, with writers committing out of seq order', () => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    store = await openStore(database.options);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const event = (id: string, merchantId: string) => ({ id, type: 'payment.succeeded', merchantId, consumerId: null, data: {}, createdAtMs: 1_700_000_000_000 });

  it('never skips an event whose transaction took its seq first but commits last', async () => {
    const webhooks = new WebhookService(store.db, store.kind, masterKey);
    await webhooks.create('mLate', { url: 'http://127.0.0.1:9/late' });
    await webhooks.dispatchOnce();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedEarly = new Promise<void>((r) => (inserted = r));
    const slow = store.db.transaction().execute(async (tx) => {
      await outboxEventQuery(tx, event('evt_early_seq', 'mLate')).execute();
      inserted();
      await held;
    });
    await insertedEarly;
    await insertEvents(store.db, [event('evt_late_seq', 'mLate')]);
    const seqs = await store.db.selectFrom('outbox_events').select(['id', 'seq']).where('id', 'in', ['evt_late_seq']).execute();
    expect(seqs).toHaveLength(1); // the later seq is committed and visible; the earlier one is not yet
    let dispatched = false;
    const round = webhooks.dispatchOnce().then((n) => {
      dispatched = true;
      return n;
    });
    await sleep(300);
    expect(dispatched).toBe(false); // waits for the open writer instead of passing its seq
    release();
    await slow;
    expect(await round).toBe(2);
    const early = await store.db.selectFrom('outbox_events').select('seq').where('id', '=', 'evt_early_seq').executeTakeFirstOrThrow();
    expect(BigInt(early.seq)).toBeLessThan(BigInt(seqs[0]!.seq));
    const jobIds = (await store.db.selectFrom('jobs').select('id').where('id', 'like', 'webhook:evt_%_seq:%').execute()).map((j) => j.id.split(':')[1]).sort();
    expect(jobIds).toEqual(['evt_early_seq', 'evt_late_seq']);
  });

  it('a reader gives up waiting for a writer that holds on (so it never joins a deadlock), then reads once the writer is gone', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const insertedEarly = new Promise<void>((r) => (inserted = r));
    const slow = store.db.transaction().execute(async (tx) => {
      await outboxEventQuery(tx, event('evt_holds_on', 'mHold')).execute();
      inserted();
      await held;
    });
    await insertedEarly;
    const started = Date.now();
    await expect(outboxHighWaterMark(store.db)).rejects.toMatchObject({ code: '55P03' });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(OUTBOX_READER_LOCK_WAIT_MS * OUTBOX_READER_LOCK_ATTEMPTS_MAX - 50);
    expect(waited).toBeLessThan(OUTBOX_READER_LOCK_WAIT_MS * OUTBOX_READER_LOCK_ATTEMPTS_MAX + 2_000);
    release();
    await slow;
    const row = await store.db.selectFrom('outbox_events').select('seq').where('id', '=', 'evt_holds_on').executeTakeFirstOrThrow();
    expect(await outboxHighWaterMark(store.db)).toBeGreaterThanOrEqual(BigInt(row.seq));
  });
});
