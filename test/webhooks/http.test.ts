import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/sdk/webhooks.js';
import { call, expectError } from '../http/helpers.js';
import { openWorld, type World } from '../payments/world.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { startReceiver, waitFor } from './helpers.js';
import { openStream } from './sse-client.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(STORE_NAMES)('webhook endpoints and live events over HTTP on %s', (storeName) => {
  let world: World;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    world = await openWorld(storeName);
    receiver = await startReceiver(() => 'ok', 10);
    // The test environment does not run jobs on its own; webhooks are what this file is about.
    world.env.platform.webhooks.start();
  });
  afterAll(async () => {
    await world?.close();
    await receiver?.close();
  });

  it('lets owners and managers manage endpoints, shows the secret once, and hides other merchants\' endpoints', async () => {
    const shop = await world.merchant('Noodle Stall');
    const other = await world.merchant('Tea House');
    const manager = (await shop.client.createApiKey('manager', 'floor manager')).secret;
    const cashier = (await shop.client.createApiKey('cashier', 'till 1')).secret;

    const created = await call(world.base, 'POST', '/v1/merchant/webhook-endpoints', { token: shop.apiKey, json: { url: `${receiver.base}/noodles`, description: 'orders system' } });
    expect(created.status, created.text).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['createdAtMs', 'description', 'disabledAtMs', 'id', 'secret', 'status', 'url']);
    expect(created.body).toMatchObject({ url: `${receiver.base}/noodles`, description: 'orders system', status: 'active', disabledAtMs: null });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const byManager = await call(world.base, 'POST', '/v1/merchant/webhook-endpoints', { token: manager, json: { url: 'https://erp.example.com/saoma' } });
    expect(byManager.status, byManager.text).toBe(201);

    const list = await call(world.base, 'GET', '/v1/merchant/webhook-endpoints', { token: manager });
    expect(list.status).toBe(200);
    expect(list.body.endpoints.map((e: { id: string }) => e.id)).toEqual([created.body.id, byManager.body.id]);
    expect(list.text).not.toContain('whsec_');
    expect(list.text).not.toContain('secret');

    // Cashiers take payments; they do not manage where events go.
    expectError(await call(world.base, 'GET', '/v1/merchant/webhook-endpoints', { token: cashier }), 403, 'FORBIDDEN');
    expectError(await call(world.base, 'POST', '/v1/merchant/webhook-endpoints', { token: cashier, json: { url: 'https://x.example.com/' } }), 403, 'FORBIDDEN');
    expectError(await call(world.base, 'GET', '/v1/merchant/webhook-endpoints'), 401, 'UNAUTHENTICATED');

    // Another merchant's endpoint does not exist for this one.
    expectError(await call(world.base, 'POST', `/v1/merchant/webhook-endpoints/${created.body.id}/disable`, { token: other.apiKey }), 404, 'NOT_FOUND');
    expectError(await call(world.base, 'GET', `/v1/merchant/webhook-endpoints/${created.body.id}/attempts`, { token: other.apiKey }), 404, 'NOT_FOUND');
    expectError(await call(world.base, 'GET', '/v1/merchant/webhook-endpoints/we_unknown/attempts', { token: shop.apiKey }), 404, 'NOT_FOUND');
    expect((await call(world.base, 'GET', '/v1/merchant/webhook-endpoints', { token: other.apiKey })).body).toEqual({ endpoints: [] });

    expectError(await call(world.base, 'POST', '/v1/merchant/webhook-endpoints', { token: shop.apiKey, json: { url: 'ftp://example.com/' } }), 400, 'WEBHOOK_URL_INVALID', 'url');
    expectError(await call(world.base, 'POST', '/v1/merchant/webhook-endpoints', { token: shop.apiKey, json: { url: 'https://a:b@example.com/' } }), 400, 'WEBHOOK_URL_INVALID', 'url');
    expectError(await call(world.base, 'POST', '/v1/merchant/webhook-endpoints', { token: shop.apiKey, json: { url: `https://example.com/${'a'.repeat(2048)}` } }), 400, 'INVALID_REQUEST', 'url');
    expectError(await call(world.base, 'POST', '/v1/merchant/webhook-endpoints', { token: shop.apiKey, json: { url: 'https://example.com/', secret: 'mine' } }), 400, 'INVALID_REQUEST', 'secret');
    expectError(await call(world.base, 'GET', `/v1/merchant/webhook-endpoints/${created.body.id}/attempts?limit=0`, { token: shop.apiKey }), 400, 'INVALID_REQUEST');

    const disabled = await call(world.base, 'POST', `/v1/merchant/webhook-endpoints/${byManager.body.id}/disable`, { token: manager });
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.body).toMatchObject({ id: byManager.body.id, status: 'disabled' });
    expect(disabled.text).not.toContain('whsec_');
  });

  it('a payment reaches the merchant\'s webhook (signed), the merchant\'s event stream and the payer\'s', async () => {
    const shop = await world.merchant('Dumpling House');
    const endpoint = await call(world.base, 'POST', '/v1/merchant/webhook-endpoints', { token: shop.apiKey, json: { url: `${receiver.base}/dumplings` } });
    expect(endpoint.status, endpoint.text).toBe(201);
    const cashier = (await shop.client.createApiKey('cashier', 'till')).secret;
    const alice = await world.wallet('Alice', 100_000n);

    // Any merchant role may listen (the till announces payments).
    const merchantStream = await openStream(`${world.base}/v1/merchant/events`, bearer(cashier));
    const walletStream = await openStream(`${world.base}/v1/wallet/events`, bearer(alice.sessionToken!));
    expect(merchantStream.status).toBe(200);
    expect(walletStream.status).toBe(200);
    await merchantStream.waitFor('open', () => merchantStream.frames.length > 0);
    await walletStream.waitFor('open', () => walletStream.frames.length > 0);

    const order = await shop.client.createOrder({ amountMinor: 8800, reference: `t-${storeName}-1`, description: 'two bowls' });
    const paid = await alice.pay({ code: order.payload });
    expect(paid.status).toBe('succeeded');

    await waitFor('the webhook', () => receiver.received.some((r) => r.path === '/dumplings' && r.body.includes('"payment.succeeded"')));
    const delivered = receiver.received.filter((r) => r.path === '/dumplings');
    const succeeded = delivered.find((r) => r.body.includes('"payment.succeeded"'))!;
    const event = await verifyWebhookSignature({ payload: succeeded.body, header: succeeded.headers['saoma-signature'] as string, secret: endpoint.body.secret, nowMs: Date.now() });
    expect(event.type).toBe('payment.succeeded');
    expect(event.data).toMatchObject({ paymentId: paid.id, amountMinor: 8800 });
    expect(succeeded.headers['saoma-event-id']).toBe(event.id);

    await merchantStream.waitFor('payment.succeeded and order.paid', () => merchantStream.events().length >= 2);
    const merchantEvents = merchantStream.events();
    expect(merchantEvents.map((f) => f.event).sort()).toEqual(['order.paid', 'payment.succeeded']);
    // The stream sends the very bytes the webhook delivered.
    expect(merchantEvents.find((f) => f.event === 'payment.succeeded')!.data).toBe(succeeded.body);
    await walletStream.waitFor('the payer\'s event', () => walletStream.events().length >= 1);
    expect(walletStream.events().map((f) => f.event)).toEqual(['payment.succeeded']);
    expect(JSON.parse(walletStream.events()[0]!.data!).id).toBe(event.id);

    const attempts = await call(world.base, 'GET', `/v1/merchant/webhook-endpoints/${endpoint.body.id}/attempts?limit=10`, { token: shop.apiKey });
    expect(attempts.status, attempts.text).toBe(200);
    expect(attempts.body.attempts.find((a: { eventId: string }) => a.eventId === event.id)).toMatchObject({ attempt: 1, statusCode: 200, error: null });

    // Reconnecting with Last-Event-ID gets what came while away, and nothing twice.
    const lastSeen = merchantEvents[merchantEvents.length - 1]!.id!;
    await merchantStream.close();
    const second = await shop.client.createOrder({ amountMinor: 1200, reference: `t-${storeName}-2` });
    const paid2 = await alice.pay({ code: second.payload });
    const resumed = await openStream(`${world.base}/v1/merchant/events`, { ...bearer(shop.apiKey), 'last-event-id': lastSeen });
    await resumed.waitFor('the two missed events', () => resumed.events().length >= 2);
    const missed = resumed.events().map((f) => JSON.parse(f.data!) as { type: string; data: { paymentId?: string } });
    expect(missed.map((e) => e.type).sort()).toEqual(['order.paid', 'payment.succeeded']);
    expect(missed.every((e) => e.data.paymentId === paid2.id)).toBe(true);
    await resumed.close();
    await walletStream.close();
  });

  it('event streams need their own credential', async () => {
    const shop = await world.merchant('Bakery');
    const bob = await world.wallet('Bob');
    for (const [path, headers] of [
      ['/v1/merchant/events', {}],
      ['/v1/wallet/events', {}],
      ['/v1/merchant/events', bearer(bob.sessionToken!)],
      ['/v1/wallet/events', bearer(shop.apiKey)],
    ] as const) {
      const stream = await openStream(`${world.base}${path}`, headers);
      await stream.finished();
      expect(stream.status, path).toBe(401);
      expect(JSON.parse(stream.body()).error.code).toBe('UNAUTHENTICATED');
    }
    const bad = await openStream(`${world.base}/v1/merchant/events`, { ...bearer(shop.apiKey), 'last-event-id': 'yesterday' });
    await bad.finished();
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body()).error.code).toBe('INVALID_REQUEST');
  });
});
