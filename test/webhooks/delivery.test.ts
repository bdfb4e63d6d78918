import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPlatform, type Platform, type PlatformOptions } from '../../src/service/platform.js';
import { retryDelayMs } from '../../src/store/jobs/runner.js';
import { outboxEventJson, type OutboxEventInput } from '../../src/service/outbox.js';
import { verifyWebhookSignature } from '../../src/sdk/webhooks.js';
import { WEBHOOK_DELIVER_JOB } from '../../src/service/webhooks.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';
import { insertEvents, seededRandom, sleep, startReceiver, waitFor, type ReceivedRequest } from './helpers.js';

const TIMEOUT_MS = 250;
const EVENT_TYPES = ['payment.succeeded', 'payment.awaiting_confirmation', 'payment.voided', 'payment.refunded', 'order.paid', 'order.closed', 'settlement.paid'];

/** Fast retries (20 ms doubling to 300 ms, full jitter) so a test of many failures runs in seconds. */
function platformOptions(database: TestDatabase): PlatformOptions {
  return {
    ...database.options,
    runJobs: true,
    jobs: { pollIntervalMs: 50 },
    webhooks: {
      timeoutMs: TIMEOUT_MS,
      dispatchIntervalMs: 30,
      pollIntervalMs: 30,
      blockPrivateAddresses: false,
      retry: { backoffMs: (attempt, random) => retryDelayMs(attempt, random, 20, 300) },
    },
  };
}

describe.each(STORE_NAMES)('webhook delivery to a flaky receiver, across sender restarts, on %s', (storeName) => {
  let database: TestDatabase;
  let platform: Platform | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    // ~15% answered 500, ~15% answered only after the sender gave up (so it retries what was received).
    const random = seededRandom(storeName === 'sqlite' ? 20240611 : 20240612);
    receiver = await startReceiver(() => {
      const r = random();
      return r < 0.15 ? 'error' : r < 0.3 ? 'late' : 'ok';
    }, TIMEOUT_MS * 3);
  });
  afterAll(async () => {
    await platform?.close();
    await receiver?.close();
    await database?.drop();
  });

  it('delivers every event to every endpoint of its merchant, signed, duplicates identical', async () => {
    platform = await openPlatform(platformOptions(database));
    const secrets = new Map<string, string>(); // path -> secret
    const pathsOf = new Map<string, string[]>(); // merchant -> paths
    for (const [merchant, count] of [['m_alpha', 3], ['m_beta', 2], ['m_gamma', 1]] as const) {
      for (let i = 0; i < count; i++) {
        const path = `/${merchant}/${i}`;
        const { endpoint, secret } = await platform.webhooks.create(merchant, { url: `${receiver.base}${path}`, description: `endpoint ${i}` });
        expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
        secrets.set(path, secret);
        pathsOf.set(merchant, [...(pathsOf.get(merchant) ?? []), path]);
        if (merchant === 'm_gamma') await platform.webhooks.disable(merchant, endpoint.id);
      }
    }

    const events: OutboxEventInput[] = Array.from({ length: 240 }, (_, i) => ({
      id: `evt_flaky_${storeName}_${i}`,
      type: EVENT_TYPES[i % EVENT_TYPES.length]!,
      // Every fifth event goes to a merchant with only a disabled endpoint, or to a consumer only.
      merchantId: i % 10 === 4 ? 'm_gamma' : i % 10 === 9 ? null : i % 2 === 0 ? 'm_alpha' : 'm_beta',
      consumerId: i % 3 === 0 ? `c_${i % 7}` : null,
      data: { paymentId: `pay_${i}`, amountMinor: BigInt(100 + i), currency: 'CNY' },
      createdAtMs: 1_700_000_000_000 + i,
    }));
    const chunks = Array.from({ length: 8 }, (_, k) => events.slice(k * 30, k * 30 + 30));
    // Several writers at once (on PostgreSQL their transactions interleave and commit out of seq order).
    const write = (chunk: OutboxEventInput[]) =>
      Promise.all([0, 1, 2].map((part) => insertEvents(platform!.store.db, chunk.filter((_, i) => i % 3 === part))));

    const pairs = events.flatMap((e) => (e.merchantId === 'm_alpha' || e.merchantId === 'm_beta' ? pathsOf.get(e.merchantId)!.map((p) => `${e.id} ${p}`) : []));
    const ok = () => new Set(receiver.received.filter((r) => r.outcome === 'ok').map((r) => `${JSON.parse(r.body).id} ${r.path}`));

    await write(chunks[0]!);
    await write(chunks[1]!);
    let restarts = 0;
    for (let k = 2; k < 8; k += 2) {
      const writing = Promise.all([write(chunks[k]!), write(chunks[k + 1]!)]);
      const target = Math.floor((pairs.length * (k - 1)) / 8);
      await waitFor(`${target} deliveries before restart ${restarts + 1}`, () => ok().size >= target);
      await writing;
      // Mid-delivery: deliveries are still due when the sender goes away.
      const pending = await platform.store.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('kind', '=', WEBHOOK_DELIVER_JOB)
        .where('status', '=', 'queued')
        .executeTakeFirstOrThrow();
      const undelivered = pairs.length - ok().size;
      expect(Number(pending.n) + undelivered, 'work left at the restart').toBeGreaterThan(0);
      expect(undelivered).toBeGreaterThan(0);
      await platform.close();
      platform = await openPlatform(platformOptions(database));
      restarts++;
    }
    expect(restarts).toBeGreaterThanOrEqual(3);

    await waitFor('every delivery', () => ok().size === pairs.length, 90_000);
    await waitFor('every delivery job done', async () => {
      const open = await platform!.store.db.selectFrom('jobs').select('id').where('kind', '=', WEBHOOK_DELIVER_JOB).where('status', '!=', 'done').execute();
      return open.length === 0;
    });
    const jobs = await platform.store.db.selectFrom('jobs').select(['id', 'status']).where('kind', '=', WEBHOOK_DELIVER_JOB).execute();
    expect(jobs.length).toBe(pairs.length);

    // What the receiver saw.
    const all: ReceivedRequest[] = receiver.received.filter((r) => r.path.startsWith('/m_'));
    const byId = new Map(events.map((e) => [e.id, e]));
    const bodies = new Map<string, string>();
    const rows = await platform.store.db.selectFrom('outbox_events').selectAll().where('id', 'like', `evt_flaky_${storeName}_%`).execute();
    const stored = new Map(rows.map((r) => [r.id, outboxEventJson(r)]));
    for (const request of all) {
      expect(request.headers['content-type']).toBe('application/json');
      const eventId = request.headers['saoma-event-id'] as string;
      const event = byId.get(eventId)!;
      expect(event, eventId).toBeDefined();
      // Only the event's own merchant's endpoints, and never the disabled one.
      expect(pathsOf.get(event.merchantId ?? '') ?? []).toContain(request.path);
      expect(event.merchantId).not.toBe('m_gamma');
      // Every request verifies with the SDK, at the time it arrived.
      const verified = await verifyWebhookSignature({
        payload: request.body,
        header: request.headers['saoma-signature'] as string,
        secret: secrets.get(request.path)!,
        nowMs: request.receivedAtMs,
      });
      expect(verified.id).toBe(eventId);
      expect(verified).toEqual({ id: eventId, type: event.type, createdAtMs: event.createdAtMs, data: { ...event.data, amountMinor: Number(event.data.amountMinor) } });
      // Duplicates carry the same id and the same bytes (to every endpoint, on every attempt).
      const first = bodies.get(eventId);
      if (first === undefined) bodies.set(eventId, request.body);
      else expect(request.body).toBe(first);
      expect(request.body).toBe(stored.get(eventId));
    }
    expect(ok()).toEqual(new Set(pairs));
    // The test did exercise failures, time-outs and duplicates.
    const perPair = new Map<string, number>();
    for (const r of all) perPair.set(`${r.headers['saoma-event-id']} ${r.path}`, (perPair.get(`${r.headers['saoma-event-id']} ${r.path}`) ?? 0) + 1);
    const duplicated = [...perPair.values()].filter((n) => n > 1).length;
    expect(all.filter((r) => r.outcome === 'error').length).toBeGreaterThan(20);
    expect(all.filter((r) => r.outcome === 'late').length).toBeGreaterThan(20);
    expect(duplicated).toBeGreaterThan(20);

    // The attempts log has each failure and each success, and no secret anywhere.
    const attempts = await platform.store.db.selectFrom('webhook_attempts').selectAll().execute();
    expect(attempts.filter((a) => a.status_code !== null && Number(a.status_code) === 200).length).toBeGreaterThanOrEqual(pairs.length);
    expect(attempts.some((a) => Number(a.status_code) === 500 && a.error === 'HTTP 500')).toBe(true);
    expect(attempts.some((a) => a.status_code === null && /ETIMEDOUT/.test(a.error ?? ''))).toBe(true);
    const logged = JSON.stringify([attempts, await platform.store.db.selectFrom('jobs').selectAll().execute(), await platform.store.db.selectFrom('webhook_endpoints').selectAll().execute()], (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
    for (const secret of secrets.values()) expect(logged).not.toContain(secret);
    expect(logged).not.toContain('whsec_');
  });
});

describe.each(STORE_NAMES)('webhook endpoints on %s', (storeName) => {
  let database: TestDatabase;
  let platform: Platform;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    receiver = await startReceiver((path) => (path.startsWith('/failing') ? 'error' : 'ok'), 10);
    platform = await openPlatform(platformOptions(database));
  });
  afterAll(async () => {
    await platform?.close();
    await receiver?.close();
    await database?.drop();
  });

  const eventsFor = (merchantId: string, from: number, count: number): OutboxEventInput[] =>
    Array.from({ length: count }, (_, i) => ({
      id: `evt_${merchantId}_${from + i}`,
      type: 'order.paid',
      merchantId,
      consumerId: null,
      data: { orderId: `ord_${from + i}`, amountMinor: 500n },
      createdAtMs: Date.now(),
    }));
  const idsAt = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => JSON.parse(r.body).id as string);

  it('a disabled endpoint gets nothing new, and its queued retries stop', async () => {
    const good = await platform.webhooks.create('m_dis', { url: `${receiver.base}/good` });
    const failing = await platform.webhooks.create('m_dis', { url: `${receiver.base}/failing` });
    await insertEvents(platform.store.db, eventsFor('m_dis', 0, 5));
    await waitFor('the good endpoint got the first five', () => new Set(idsAt('/good')).size === 5);
    await waitFor('the failing endpoint is being retried', () => idsAt('/failing').length >= 10);
    const disabled = await platform.webhooks.disable('m_dis', failing.endpoint.id);
    expect(disabled).toMatchObject({ id: failing.endpoint.id, status: 'disabled' });
    expect(disabled.disabledAtMs).toBeGreaterThan(0);
    await sleep(TIMEOUT_MS * 2); // a delivery already on its way when it was disabled may still land
    const settled = idsAt('/failing').length;
    await insertEvents(platform.store.db, eventsFor('m_dis', 5, 5));
    await waitFor('the good endpoint got all ten', () => new Set(idsAt('/good')).size === 10);
    await sleep(1_000); // many retry rounds of the fast schedule
    expect(idsAt('/failing').length).toBe(settled);
    expect(idsAt('/failing').filter((id) => Number(id.split('_').pop()) >= 5)).toEqual([]);
    // Its jobs end (as done: nothing more to do), not retried forever.
    const open = await platform.store.db.selectFrom('jobs').select('id').where('id', 'like', `%:${failing.endpoint.id}`).where('status', '!=', 'done').execute();
    expect(open).toEqual([]);
    // Disabling again is harmless.
    expect((await platform.webhooks.disable('m_dis', failing.endpoint.id)).status).toBe('disabled');
    // Listed oldest first (two made in the same millisecond come in the database's id order).
    const listed = (await platform.webhooks.list('m_dis')).map((e) => [e.id, e.status]);
    const expected = [
      [good.endpoint.id, 'active'],
      [failing.endpoint.id, 'disabled'],
    ];
    if (good.endpoint.createdAtMs === failing.endpoint.createdAtMs) expect([...listed].sort()).toEqual([...expected].sort());
    else expect(listed).toEqual(expected);
    const attempts = await platform.webhooks.attempts('m_dis', failing.endpoint.id, 500);
    expect(attempts.length).toBe(settled);
    expect(attempts.every((a) => a.statusCode === 500 && a.error === 'HTTP 500')).toBe(true);
    expect(attempts[0]!.atMs).toBeGreaterThanOrEqual(attempts[attempts.length - 1]!.atMs); // newest first
  });

  it('keeps endpoints to their merchant: another merchant\'s id is not found', async () => {
    const mine = await platform.webhooks.create('m_own', { url: `${receiver.base}/own` });
    for (const call of [
      () => platform.webhooks.get('m_other', mine.endpoint.id),
      () => platform.webhooks.disable('m_other', mine.endpoint.id),
      () => platform.webhooks.attempts('m_other', mine.endpoint.id, 10),
      () => platform.webhooks.get('m_own', 'we_nope'),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    expect((await platform.webhooks.get('m_own', mine.endpoint.id)).status).toBe('active');
    expect(await platform.webhooks.list('m_other')).toEqual([]);
  });

  it('validates URLs: http(s) only, no credentials, at most 2048 characters', async () => {
    for (const url of ['ftp://example.com/x', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url', '/relative', 'http://user:pw@example.com/', 'https://user@example.com/', `https://example.com/${'a'.repeat(2030)}`]) {
      await expect(platform.webhooks.create('m_url', { url }), url.slice(0, 40)).rejects.toMatchObject({ code: 'WEBHOOK_URL_INVALID', param: 'url' });
    }
    const { endpoint } = await platform.webhooks.create('m_url', { url: `https://example.com/${'a'.repeat(2000)}?x=1` });
    expect(endpoint.url.length).toBeLessThanOrEqual(2048);
    expect(endpoint.status).toBe('active');
  });

  it('caps the active endpoints of a merchant', async () => {
    const created = [];
    for (let i = 0; i < 16; i++) created.push((await platform.webhooks.create('m_cap', { url: `https://example.com/${i}` })).endpoint);
    await expect(platform.webhooks.create('m_cap', { url: 'https://example.com/17' })).rejects.toMatchObject({ code: 'WEBHOOK_ENDPOINTS_LIMIT_REACHED' });
    await platform.webhooks.disable('m_cap', created[0]!.id);
    await expect(platform.webhooks.create('m_cap', { url: 'https://example.com/17' })).resolves.toBeDefined();
  });

  it('when private addresses are blocked, refuses them at registration and at delivery (after DNS)', async () => {
    const { WebhookService } = await import('../../src/service/webhooks.js');
    const { loadMasterKey } = await import('../../src/service/secrets.js');
    const masterKey = loadMasterKey(database.options.dataDir!);
    const strict = new WebhookService(platform.store.db, platform.store.kind, masterKey, { blockPrivateAddresses: true, retry: { backoffMs: () => 10 } });
    for (const url of ['http://127.0.0.1/x', 'http://10.1.2.3/', 'http://192.168.0.1/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://[fd00::1]/', 'http://localhost:8080/', 'http://0.0.0.0/']) {
      await expect(strict.create('m_ssrf', { url }), url).rejects.toMatchObject({ code: 'WEBHOOK_URL_INVALID' });
    }
    await expect(strict.create('m_ssrf', { url: 'https://hooks.example.com/saoma' })).resolves.toBeDefined();
    // A name that resolves to loopback passes registration but is refused when connecting.
    const port = new URL(receiver.base).port;
    const sneaky = await platform.webhooks.create('m_ssrf2', { url: `http://localhost:${port}/ssrf` });
    // The strict service delivers instead. Stopped before the event exists: a running service
    // could otherwise dispatch it and claim its delivery first, leaving the strict one nothing to run.
    await platform.webhooks.stop();
    await insertEvents(platform.store.db, eventsFor('m_ssrf2', 0, 1));
    try {
      await strict.dispatchOnce();
      let ran = 0;
      await waitFor('the strict delivery attempt', async () => (ran += await strict.runner.runDue()) > 0);
      expect(idsAt('/ssrf')).toEqual([]);
      const attempts = await strict.attempts('m_ssrf2', sneaky.endpoint.id, 10);
      expect(attempts[0]).toMatchObject({ statusCode: null });
      expect(attempts[0]!.error).toMatch(/EADDRNOTPUBLIC|non-public/);
    } finally {
      platform.webhooks.start();
    }
  });
});
