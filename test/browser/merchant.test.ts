// The merchant counter in a real Chromium: a person signs in with the demo merchant's key, shows
// the till's code, hears and sees payments arrive, scans customers' payment codes from the
// (fake) camera, shows an amount code that a wallet pays, refunds, reads today's totals, manages
// keys and webhooks; a cashier sees none of the owner's screens. Every outcome is also checked
// through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generatePaymentCode, importPaymentCodeKey, WalletClient, type DeviceState, type Order, type Payment } from '../../src/sdk/index.js';
import type { DemoWallet } from '../../src/cli/demo.js';
import { apiCall, launchBrowser, newCamera, newContext, screenshot, spokenTexts, startServer, type Camera, type RunningServer } from './harness.js';

/** A demo phone from demo.json, as the SDK sees it (the device key and payment-code secret). */
async function demoDevice(w: DemoWallet): Promise<DeviceState> {
  const privateKey = await globalThis.crypto.subtle.importKey('pkcs8', Buffer.from(w.privateKeyPkcs8, 'base64url'), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  return {
    deviceId: w.deviceId,
    deviceIndex: w.deviceIndex,
    key: { privateKey, publicKeySpki: w.publicKeySpki },
    paymentCodeKey: await importPaymentCodeKey(Buffer.from(w.paymentCodeKey, 'base64url')),
  };
}

describe('merchant counter', () => {
  let server: RunningServer;
  let camera: Camera;
  let browser: Browser;
  let owner: BrowserContext;
  let page: Page;
  let alice: WalletClient;
  let ownerKey: string;
  /** Alice's PIN: the risk engine may ask for a step-up on a quick run of payments. */
  let pin: string;
  let livePaymentId: string;
  const pageErrors: string[] = [];

  const merchantGet = async <T>(route: string, key = ownerKey): Promise<T> => {
    const r = await apiCall<T>(server.base, 'GET', route, key);
    expect(r.status, `GET ${route}`).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    server = await startServer();
    ownerKey = server.demo.merchant.apiKey;
    pin = server.demo.wallets[0]!.pin;
    camera = newCamera();
    browser = await launchBrowser(camera);
    owner = await newContext(browser, server.base);
    page = await owner.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    alice = new WalletClient({ baseUrl: server.base, device: await demoDevice(server.demo.wallets[0]!) });
    await alice.signIn();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in with the owner key (a wrong key is refused with the reason) and shows the till’s signed static code', async () => {
    await page.goto('/merchant/');
    await page.getByText('直到你退出登录').waitFor();
    await page.getByTestId('merchant-key').fill('sk_m_not_a_real_key');
    await page.getByTestId('merchant-login').click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.getAttribute('data-code')).toBe('UNAUTHENTICATED');
    expect(await page.evaluate('sessionStorage.length')).toBe(0);

    await page.getByTestId('merchant-key').fill(ownerKey);
    await page.getByTestId('merchant-login').click();
    const code = page.getByTestId('static-code');
    await code.waitFor();
    expect(await code.getAttribute('data-payload')).toBe(server.demo.merchant.tillPayload);
    expect(await page.getByTestId('merchant-role').getAttribute('data-role')).toBe('owner');
    await expect(page.getByTestId('till-select').inputValue()).resolves.toMatch(/^till_/);
    // The registered name from the API, not a name in the code.
    const me = await merchantGet<{ merchant: { displayName: string } }>('/v1/merchant');
    await page.getByText(me.merchant.displayName).first().waitFor();
    // Kept for this tab: a reload stays signed in.
    await page.reload();
    await page.getByTestId('static-code').waitFor();
    await page.locator('[data-testid=live-status][data-connected=true]').waitFor();
    await screenshot(page, 'merchant-counter');
  });

  it('shows a wallet’s payment live, large, and says "收款 12.50 元" once; muted, it stays silent', async () => {
    await page.locator('[data-testid=live-status][data-connected=true]').waitFor();
    const paid = await alice.pay({ code: server.demo.merchant.tillPayload, amountMinor: 1250, pin });
    expect(paid.status).toBe('succeeded');
    livePaymentId = paid.id;

    const row = page.locator(`[data-testid=incoming-payment][data-payment-id="${paid.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-live')).toBe('true');
    await expect(page.getByTestId('latest-amount').textContent()).resolves.toBe('¥12.50');
    await page.getByText('收款 12.50 元', { exact: true }).waitFor();
    await expect.poll(() => spokenTexts(page)).toContain('收款 12.50 元');
    expect((await spokenTexts(page)).filter((s) => s === '收款 12.50 元')).toHaveLength(1);
    expect(await page.locator(`[data-testid=incoming-payment][data-payment-id="${paid.id}"]`).count()).toBe(1);
    const stored = await merchantGet<Payment>(`/v1/payments/${paid.id}`);
    expect(stored).toMatchObject({ status: 'succeeded', amountMinor: 1250, currency: 'CNY', channel: 'static_merchant_code' });
    await screenshot(page, 'merchant-live');

    // Muted: the payment still shows, nothing is said.
    await page.getByTestId('mute-toggle').click();
    expect(await page.getByTestId('mute-toggle').getAttribute('aria-pressed')).toBe('true');
    const quiet = await alice.pay({ code: server.demo.merchant.tillPayload, amountMinor: 300, pin });
    await page.locator(`[data-testid=incoming-payment][data-payment-id="${quiet.id}"]`).waitFor();
    await expect(page.getByTestId('latest-amount').textContent()).resolves.toBe('¥3.00');
    expect(await spokenTexts(page)).not.toContain('收款 3.00 元');
    await page.getByTestId('mute-toggle').click();
    expect(await page.getByTestId('mute-toggle').getAttribute('aria-pressed')).toBe('false');

    // A reload (a new stream) announces nothing again.
    await page.reload();
    await page.locator('[data-testid=live-status][data-connected=true]').waitFor();
    await page.locator(`[data-testid=incoming-payment][data-payment-id="${paid.id}"]`).waitFor();
    expect(await spokenTexts(page)).toEqual([]);
    expect(await page.getByTestId('latest-amount').count()).toBe(0);
  });

  it('scans a customer’s payment code from the camera and the payment completes', async () => {
    const bob = server.demo.wallets[1]!;
    const code = await generatePaymentCode({ key: await importPaymentCodeKey(Buffer.from(bob.paymentCodeKey, 'base64url')), deviceIndex: bob.deviceIndex, nowMs: Date.now() });
    camera.show(code.digits);

    await page.getByTestId('nav-counter').click();
    await page.getByTestId('mode-scan').click();
    // No amount yet: a clear message, no camera.
    await page.getByTestId('scan-start').click();
    await page.getByRole('alert').filter({ hasText: '请先输入' }).waitFor();
    expect(await page.getByTestId('scanner-video').count()).toBe(0);

    await page.getByTestId('scan-amount').fill('8.80');
    await page.getByTestId('scan-start').click();
    const result = page.locator('[data-testid=scan-result][data-status=succeeded]');
    await result.waitFor({ timeout: 30_000 });
    const paymentId = (await result.getAttribute('data-payment-id'))!;
    expect(await result.textContent()).toContain('¥8.80');
    const stored = await merchantGet<Payment>(`/v1/payments/${paymentId}`);
    expect(stored).toMatchObject({ status: 'succeeded', amountMinor: 880, channel: 'payment_code', level: 'C' });
    await page.locator(`[data-testid=incoming-payment][data-payment-id="${paymentId}"]`).waitFor();
    await expect.poll(() => spokenTexts(page)).toContain('收款 8.80 元');
    await screenshot(page, 'merchant-scan');

    // The same code again is refused, in words, with the API's code.
    await page.getByTestId('scan-start').click();
    const refused = page.locator('[data-testid=scan-result][data-status=error]');
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.getAttribute('data-code')).toBe('PAYMENT_CODE_USED');
    await refused.getByText('付款码已用过').waitFor();
  });

  it('above 200 yuan the customer confirms on the phone and the counter follows until it succeeds', async () => {
    const w = server.demo.wallets[0]!;
    const device = await demoDevice(w);
    const code = await generatePaymentCode({ key: device.paymentCodeKey, deviceIndex: device.deviceIndex, nowMs: Date.now() });
    camera.show(code.digits);
    await page.getByTestId('scan-amount').fill('250');
    await page.getByTestId('scan-start').click();
    const waiting = page.locator('[data-testid=scan-result][data-status=awaiting_confirmation]');
    await waiting.waitFor({ timeout: 30_000 });
    const paymentId = (await waiting.getAttribute('data-payment-id'))!;
    expect((await merchantGet<Payment>(`/v1/payments/${paymentId}`)).status).toBe('awaiting_confirmation');

    const confirmed = await alice.confirm(paymentId, w.pin);
    expect(confirmed.status).toBe('succeeded');
    await page.locator(`[data-testid=scan-result][data-status=succeeded][data-payment-id="${paymentId}"]`).waitFor();
    await expect.poll(() => spokenTexts(page)).toContain('收款 250.00 元');
  });

  it('shows an amount code that a wallet pays, and then shows it paid', async () => {
    await page.getByTestId('mode-order').click();
    await page.getByTestId('order-amount').fill('12.345');
    await page.getByTestId('order-create').click();
    await page.getByRole('alert').filter({ hasText: '最多两位小数' }).waitFor();
    expect(await page.getByTestId('order-code').count()).toBe(0);

    await page.getByTestId('order-amount').fill('23.40');
    await page.getByTestId('order-create').click();
    const qr = page.getByTestId('order-code');
    await qr.waitFor();
    const payload = (await qr.getAttribute('data-payload'))!;
    const status = page.getByTestId('order-status');
    expect(await status.getAttribute('data-status')).toBe('open');
    const orderId = (await status.getAttribute('data-order-id'))!;
    await expect(page.getByTestId('order-countdown').textContent()).resolves.toMatch(/^1[45]:\d\d$/);
    const order = await merchantGet<Order>(`/v1/orders/${orderId}`);
    expect(order).toMatchObject({ status: 'open', amountMinor: 2340, payload });

    const paid = await alice.pay({ code: payload, pin });
    expect(paid).toMatchObject({ status: 'succeeded', amountMinor: 2340, orderId });
    await page.locator('[data-testid=order-status][data-status=paid]').waitFor();
    expect(await page.getByTestId('order-code').count()).toBe(0);
    expect(await merchantGet<Order>(`/v1/orders/${orderId}`)).toMatchObject({ status: 'paid', paymentId: paid.id });
    await expect.poll(() => spokenTexts(page)).toContain('收款 23.40 元');
  });

  it('refunds part of a payment as the owner; a refund beyond the rest is refused with the reason', async () => {
    await page.getByTestId('nav-payments').click();
    const row = page.locator(`[data-testid=payment-row][data-payment-id="${livePaymentId}"]`);
    await row.waitFor();
    await row.getByTestId('refund-open').click();
    await row.getByTestId('refund-amount').fill('5.00');
    await row.getByTestId('refund-button').click();
    const done = row.locator('[data-testid=refund-result][data-status=ok]');
    await done.waitFor();
    expect(await done.textContent()).toContain('¥5.00');
    expect(await merchantGet<Payment>(`/v1/payments/${livePaymentId}`)).toMatchObject({ status: 'succeeded', refundedMinor: 500 });

    await row.getByTestId('refund-amount').fill('7.51');
    await row.getByTestId('refund-button').click();
    const refused = row.locator('[data-testid=refund-result][data-status=error]');
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('REFUND_EXCEEDS_PAYMENT');
    expect((await merchantGet<Payment>(`/v1/payments/${livePaymentId}`)).refundedMinor).toBe(500);
  });

  it('shows today’s totals and the hourly chart, as the API counts them', async () => {
    await page.getByTestId('nav-today').click();
    const total = page.getByTestId('today-total');
    await total.waitFor();
    const summary = await merchantGet<{ payments: number; grossMinor: number; refundedMinor: number; currency: string; hourly: { hour: number; payments: number; amountMinor: number }[] }>('/v1/merchant/summary');
    // 12.50 + 3.00 + 8.80 + 250.00 + 23.40, one refund of 5.00.
    expect(summary).toMatchObject({ payments: 5, grossMinor: 29770, refundedMinor: 500, currency: 'CNY' });
    await expect(total.textContent()).resolves.toBe('¥297.70');
    await expect(page.getByTestId('today-count').textContent()).resolves.toBe('5');
    await expect(page.getByTestId('today-refunded').textContent()).resolves.toBe('¥5.00');
    const chart = page.getByTestId('today-chart');
    const bars = chart.locator('rect[data-hour]');
    const busyHours = summary.hourly.filter((h) => h.payments > 0);
    expect(await bars.count()).toBe(busyHours.length);
    for (const h of busyHours) expect(await chart.locator(`rect[data-hour="${h.hour}"]`).getAttribute('data-amount-minor')).toBe(String(h.amountMinor));
    // The same numbers as a table, for screen readers and on request.
    await page.getByText('以表格显示').click();
    expect(await page.getByTestId('today-hour-row').count()).toBe(busyHours.length);
    await screenshot(page, 'merchant-today');
  });

  it('fetches the printable poster with the key and offers to print it', async () => {
    await page.getByTestId('nav-counter').click();
    await page.getByTestId('mode-static').click();
    const tills = await merchantGet<{ tills: { id: string; payload: string }[] }>('/v1/merchant/tills');
    const fetched = page.waitForResponse((r) => r.url().endsWith(`/v1/merchant/tills/${tills.tills[0]!.id}/poster.svg`));
    await page.getByTestId('poster-link').click();
    const poster = page.getByTestId('poster-view');
    await poster.waitFor();
    expect(await poster.getAttribute('src')).toMatch(/^blob:/);
    // What is shown is the server's poster of this till, fetched with the key.
    const response = await fetched;
    expect(response.status()).toBe(200);
    expect(response.request().headers().authorization).toBe(`Bearer ${ownerKey}`);
    expect(response.headers()['content-type']).toContain('image/svg+xml');
    // The SVG decoded into a real picture of A6 proportions (a broken image has no natural size).
    const size = () => page.evaluate("(() => { const img = document.querySelector('[data-testid=poster-view]'); return img.complete ? [img.naturalWidth, img.naturalHeight] : [0, 0]; })()") as Promise<number[]>;
    await expect.poll(async () => (await size())[0]).toBeGreaterThan(0);
    const [w, h] = await size();
    expect(w! / h!).toBeCloseTo(105 / 148, 2);
    await page.evaluate('window.printed = 0; window.print = () => { window.printed += 1; }');
    await page.getByTestId('poster-print').click();
    expect(await page.evaluate('window.printed')).toBe(1);
  });

  it('creates a cashier key and a webhook endpoint in settings, each secret shown once', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('api-key-label').fill('front till 2');
    await page.getByTestId('api-key-role').selectOption('cashier');
    await page.getByTestId('api-key-create').click();
    const secret = page.getByTestId('api-key-secret');
    await secret.waitFor();
    const cashierSecret = (await secret.textContent())!;
    expect(cashierSecret).toMatch(/^sk_m_/);
    const keys = await merchantGet<{ keys: { id: string; role: string; label: string; last4: string; revokedAtMs: number | null }[] }>('/v1/merchant/api-keys');
    const created = keys.keys.find((k) => k.label === 'front till 2')!;
    expect(created).toMatchObject({ role: 'cashier', revokedAtMs: null, last4: cashierSecret.slice(-4) });
    await page.locator(`[data-testid=api-key-row][data-key-id="${created.id}"]`).waitFor();
    expect((await apiCall(server.base, 'GET', '/v1/merchant', cashierSecret)).status).toBe(200);

    await page.getByTestId('webhook-url').fill('not a url');
    await page.getByTestId('webhook-create').click();
    const bad = page.locator('[role=alert][data-code=WEBHOOK_URL_INVALID]');
    await bad.waitFor();
    await page.getByTestId('webhook-url').fill('https://shop.example.com/saoma/hooks');
    await page.getByTestId('webhook-description').fill('shop system');
    await page.getByTestId('webhook-create').click();
    await expect(page.getByTestId('webhook-secret').textContent()).resolves.toMatch(/^whsec_/);
    const { endpoints } = await merchantGet<{ endpoints: { id: string; url: string; status: string }[] }>('/v1/merchant/webhook-endpoints');
    expect(endpoints).toEqual([expect.objectContaining({ url: 'https://shop.example.com/saoma/hooks', status: 'active' })]);
    await screenshot(page, 'merchant-settings');

    // Revoke the new key (with a confirmation step): the API refuses it from then on.
    const row = page.locator(`[data-testid=api-key-row][data-key-id="${created.id}"]`);
    await row.getByTestId('api-key-revoke').click();
    await row.getByTestId('api-key-revoke-confirm').click();
    await page.locator(`[data-testid=api-key-row][data-key-id="${created.id}"][data-revoked=true]`).waitFor();
    expect((await apiCall(server.base, 'GET', '/v1/merchant', cashierSecret)).status).toBe(401);

    // Disable the endpoint.
    const hook = page.locator(`[data-testid=webhook-row][data-endpoint-id="${endpoints[0]!.id}"]`);
    await hook.getByTestId('webhook-disable').click();
    await hook.getByTestId('webhook-disable-confirm').click();
    await page.locator(`[data-testid=webhook-row][data-endpoint-id="${endpoints[0]!.id}"][data-status=disabled]`).waitFor();
    expect((await merchantGet<{ endpoints: { status: string }[] }>('/v1/merchant/webhook-endpoints')).endpoints[0]!.status).toBe('disabled');
  });

  it('a cashier (key made by the owner through the API) takes payments but sees no refunds, keys or webhooks; sign-out forgets the key', async () => {
    const made = await apiCall<{ secret: string }>(server.base, 'POST', '/v1/merchant/api-keys', ownerKey, { role: 'cashier', label: 'cashier e2e' });
    expect(made.status).toBe(201);
    const context = await newContext(browser, server.base, { locale: 'en-US', phone: false });
    const cashier = await context.newPage();
    cashier.on('pageerror', (e) => pageErrors.push(String(e)));
    await cashier.goto('/merchant/');
    await cashier.getByText('until you sign out').waitFor();
    await cashier.getByTestId('merchant-key').fill(made.body.secret);
    await cashier.getByTestId('merchant-login').click();
    await cashier.getByTestId('static-code').waitFor();
    expect(await cashier.getByTestId('merchant-role').getAttribute('data-role')).toBe('cashier');
    expect(await cashier.getByTestId('nav-settings').count()).toBe(0);
    await cashier.getByRole('link', { name: 'Payments' }).click();
    await cashier.locator(`[data-testid=payment-row][data-payment-id="${livePaymentId}"]`).waitFor();
    expect(await cashier.getByTestId('payment-row').count()).toBeGreaterThan(0);
    expect(await cashier.getByTestId('refund-open').count()).toBe(0);
    expect(await cashier.getByTestId('refund-button').count()).toBe(0);
    // Typing the settings address shows no keys or endpoints either.
    await cashier.goto('/merchant/settings');
    await cashier.getByText('Cashiers do not manage keys or webhooks.').waitFor();
    expect(await cashier.getByTestId('api-key-create').count()).toBe(0);
    expect(await cashier.getByTestId('webhook-create').count()).toBe(0);
    // And the server agrees: a cashier key may not refund.
    expect((await apiCall(server.base, 'POST', `/v1/payments/${livePaymentId}/refunds`, made.body.secret, { amountMinor: 1 })).status).toBe(403);

    // The English counter still announces CNY in Chinese, and shows English words.
    await cashier.getByTestId('nav-counter').click();
    await cashier.locator('[data-testid=live-status][data-connected=true]').waitFor();
    const paid = await alice.pay({ code: server.demo.merchant.tillPayload, amountMinor: 1250, pin });
    await cashier.locator(`[data-testid=incoming-payment][data-payment-id="${paid.id}"]`).waitFor();
    await cashier.getByText('Received 12.50 yuan', { exact: true }).waitFor();
    await expect.poll(() => spokenTexts(cashier)).toEqual(['收款 12.50 元']);
    await screenshot(cashier, 'merchant-counter-desk');

    await cashier.getByTestId('merchant-logout').click();
    await cashier.getByTestId('merchant-key').waitFor();
    expect(await cashier.evaluate("sessionStorage.getItem('saoma.merchant.apiKey')")).toBeNull();
    await cashier.reload();
    await cashier.getByTestId('merchant-key').waitFor();
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
