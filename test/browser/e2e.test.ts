// The end-to-end story across the three apps, in Debian Chromium, as people use them: a
// phone (wallet, passkey, camera), the shop's counter page (another browser context) and the
// operator console. Screenshots go to test-results/screenshots/ (and docs/screenshots/ with
// SAOMA_DOC_SCREENSHOTS=1: the README's set).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { counterfeitOf, pixPayload } from './codes.js';
import { addVirtualAuthenticator, apiCall, launchBrowser, newCamera, newContext, screenshot, spokenTexts, startServer, type Camera, type RunningServer } from './harness.js';

interface PaymentBody {
  readonly id: string;
  readonly status: string;
  readonly amountMinor: number;
  readonly channel: string;
  readonly merchantId: string | null;
}

describe('scan to pay across the wallet, the counter and the console', () => {
  let server: RunningServer;
  let camera: Camera;
  let browser: Browser;
  let phone: BrowserContext;
  let counter: BrowserContext;
  let wallet: Page;
  let shop: Page;
  const pageErrors: string[] = [];

  const merchantPayments = async (): Promise<PaymentBody[]> => {
    const answer = await apiCall<{ payments: PaymentBody[] }>(server.base, 'GET', '/v1/payments?limit=100', server.demo.merchant.apiKey);
    expect(answer.status).toBe(200);
    return answer.body.payments;
  };
  const walletToken = async (): Promise<string> =>
    (JSON.parse((await wallet.evaluate(`localStorage.getItem('saoma.wallet.session')`)) as string) as { token: string }).token;
  /** Opens the scanner with `payload` in front of the camera and returns the verdict the wallet shows. */
  const scanInWallet = async (payload: string): Promise<string | null> => {
    camera.show(payload);
    const verdict = wallet.getByTestId('verdict');
    // The previous scan's verdict must go first, or it would be read as this one's.
    const previous = (await verdict.count()) > 0 ? await verdict.elementHandle() : null;
    await wallet.getByTestId('nav-scan').click();
    await previous?.waitForElementState('hidden', { timeout: 10_000 });
    try {
      await verdict.waitFor({ timeout: 30_000 });
    } catch (error) {
      // Say what the phone showed instead (a camera error, an alert, another screen).
      await screenshot(wallet, 'e2e-no-verdict');
      const shown = await wallet.evaluate(`(() => {
        const v = document.querySelector('video');
        return JSON.stringify({ url: location.pathname, alerts: [...document.querySelectorAll('[role=alert]')].map((a) => a.textContent),
          video: v ? { readyState: v.readyState, paused: v.paused, time: v.currentTime, width: v.videoWidth } : null,
          text: document.body.innerText.slice(0, 300) });
      })()`);
      throw new Error(`no verdict after showing the camera a code: ${String(shown)}`, { cause: error });
    }
    return verdict.getAttribute('data-verdict');
  };

  beforeAll(async () => {
    server = await startServer();
    camera = newCamera();
    browser = await launchBrowser(camera);
    phone = await newContext(browser, server.base, { phone: true });
    counter = await newContext(browser, server.base, { phone: false });
    wallet = await phone.newPage();
    shop = await counter.newPage();
    for (const page of [wallet, shop]) page.on('pageerror', (e) => pageErrors.push(String(e)));
    await addVirtualAuthenticator(wallet);

    // The shop opens its counter page with the demo owner key.
    await shop.goto('/merchant/');
    await shop.getByTestId('merchant-key').fill(server.demo.merchant.apiKey);
    await shop.getByTestId('merchant-login').click();
    await shop.getByTestId('static-code').waitFor();
    expect(await shop.getByTestId('static-code').getAttribute('data-payload')).toBe(server.demo.merchant.tillPayload);

    // A new customer signs up on the phone with a passkey and tops up.
    await wallet.goto('/wallet/');
    await wallet.getByTestId('signup-identifier').fill('+8613700001111');
    await wallet.getByTestId('signup-name').fill('韩梅梅');
    await wallet.getByTestId('signup-submit').click();
    await wallet.locator('[data-testid="balance"]:text-is("¥0.00")').waitFor({ timeout: 20_000 });
    await wallet.getByTestId('nav-topup').click();
    await wallet.getByTestId('topup-amount').fill('300');
    await wallet.getByTestId('topup-account').fill('6222020200114455');
    await wallet.getByTestId('topup-submit').click();
    await wallet.locator('[data-testid="topup-status"][data-status="succeeded"]').waitFor({ timeout: 20_000 });
    await wallet.getByTestId('nav-home').click();
    await wallet.locator('[data-testid="balance"]:text-is("¥300.00")').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  let paidId = '';

  it('the wallet scans the till code from the camera, pays 12.50 with the passkey, and the counter shows it large and says "收款 12.50 元"', async () => {
    await screenshot(wallet, 'wallet-home');
    expect(await scanInWallet(server.demo.merchant.tillPayload)).toBe('genuine');
    const registered = (await apiCall<{ merchant: { displayName: string; id: string } }>(server.base, 'GET', '/v1/merchant', server.demo.merchant.apiKey)).body.merchant;
    expect(await wallet.getByTestId('payee-name').textContent()).toBe(registered.displayName);
    await wallet.getByTestId('amount-input').fill('12.50');
    await screenshot(wallet, 'wallet-verified-payee');
    await wallet.getByTestId('pay-button').click();
    const result = wallet.getByTestId('payment-result');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-status')).toBe('succeeded');
    paidId = (await result.getAttribute('data-payment-id')) ?? '';
    expect(paidId).toMatch(/^pay_/);

    // The counter, in its own browser context, hears of it live.
    await shop.locator(`[data-testid="incoming-payment"][data-payment-id="${paidId}"]`).waitFor({ timeout: 20_000 });
    expect(await shop.getByTestId('latest-amount').textContent()).toContain('12.50');
    await expect.poll(() => spokenTexts(shop)).toContain('收款 12.50 元');
    await screenshot(shop, 'merchant-counter-live');
    const seen = (await merchantPayments()).find((p) => p.id === paidId);
    expect(seen).toMatchObject({ status: 'succeeded', amountMinor: 1250, channel: 'static_merchant_code', merchantId: registered.id });
  });

  it('a counterfeit code in the camera is red with no way to pay; a Pix code is amber; a link shows its domain and is not opened', async () => {
    const before = (await merchantPayments()).length;
    expect(await scanInWallet(counterfeitOf(server.demo.merchant.tillPayload))).toBe('counterfeit');
    expect(await wallet.getByTestId('pay-button').count()).toBe(0);
    expect(await wallet.getByTestId('amount-input').count()).toBe(0);
    await wallet.getByTestId('report-code').waitFor();
    await screenshot(wallet, 'wallet-counterfeit');

    expect(await scanInWallet(pixPayload())).toBe('foreign');
    expect(await wallet.getByTestId('pay-button').count()).toBe(0);
    await screenshot(wallet, 'wallet-foreign');

    const link = 'http://a1ipay.com-secure.example/pay?to=me';
    const requests: string[] = [];
    wallet.on('request', (r) => requests.push(r.url()));
    expect(await scanInWallet(link)).toBe('url');
    expect(await wallet.getByTestId('url-domain').textContent()).toContain('a1ipay.com-secure.example');
    expect(await wallet.getByTestId('pay-button').count()).toBe(0);
    expect(new URL(wallet.url()).origin).toBe(server.base);
    expect(phone.pages()).toHaveLength(1);
    expect(requests.filter((u) => u.includes('a1ipay'))).toEqual([]);
    await screenshot(wallet, 'wallet-url');
    expect((await merchantPayments()).length).toBe(before);
  });

  it("the counter scans the wallet's payment code from the camera and the payment completes", async () => {
    await wallet.getByTestId('nav-code').click();
    const digits = (await wallet.getByTestId('payment-code-digits').textContent()) ?? '';
    expect(digits).toMatch(/^[0-9]{18}$/);
    expect(await wallet.getByTestId('payment-code-qr').getAttribute('data-payload')).toBe(digits);
    await screenshot(wallet, 'wallet-payment-code');
    // The code on the phone's screen is what the counter's camera sees.
    camera.show(digits);
    await shop.getByTestId('nav-counter').click();
    await shop.getByTestId('mode-scan').click();
    await shop.getByTestId('scan-amount').fill('8.80');
    await shop.getByTestId('scan-start').click();
    // "Charging…" shows under the same test id while the request is out; wait for the answer.
    const result = shop.locator('[data-testid="scan-result"]:not([data-status="charging"])');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute('data-status')).toBe('succeeded');
    await screenshot(shop, 'merchant-scan');
    const paymentId = (await result.getAttribute('data-payment-id')) ?? '';
    expect((await merchantPayments()).find((p) => p.id === paymentId)).toMatchObject({ status: 'succeeded', amountMinor: 880, channel: 'payment_code' });
    const me = await apiCall<{ balance: { availableMinor: number } }>(server.base, 'GET', '/v1/wallet', await walletToken());
    expect(me.body.balance.availableMinor).toBe(30_000 - 1_250 - 880);
  });

  it('"this wasn\'t me" in the wallet history files a report that an operator sees in the console', async () => {
    await wallet.getByTestId('nav-history').click();
    await wallet.locator(`[data-testid="history-item"][data-payment-id="${paidId}"]`).click();
    await wallet.getByTestId('receipt').waitFor();
    await wallet.getByTestId('report-not-me').click();
    await wallet.getByTestId('report-description').fill('不是我付的 — my phone was lent to a stranger');
    await wallet.getByTestId('report-submit').click();
    await wallet.getByTestId('report-status').waitFor();
    await screenshot(wallet, 'wallet-report');

    const desk = await newContext(browser, server.base, { phone: false });
    const console = await desk.newPage();
    console.on('pageerror', (e) => pageErrors.push(String(e)));
    await console.goto('/console/');
    await console.getByTestId('staff-token').fill(server.adminToken);
    await console.getByTestId('staff-login').click();
    await console.getByTestId('dash-reserve').waitFor();
    expect(await console.getByTestId('dash-reserve').getAttribute('data-ok')).toBe('true');
    await screenshot(console, 'console-dashboard');
    await console.getByTestId('nav-reports').click();
    const row = console.locator(`[data-testid="fraud-report"][data-payment-id="${paidId}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.getAttribute('data-status')).toBe('open');
    await screenshot(console, 'console-reports');
    await desk.close();
    expect(pageErrors).toEqual([]);
  });
});
