// The operator console in Debian Chromium against the real server: sign-in by staff token and
// role, the dashboard, merchant review, the risk queue, fraud reports and the audit log. What the
// operator sees is checked in the page, and the outcome through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WalletClient } from '../../src/sdk/index.js';
import { apiCall, cliStaffToken, fundedWallet, launchBrowser, newCamera, newContext, recordPageErrors, runCli, screenshot, startServer, type RunningServer } from './harness.js';

interface Dashboard {
  perMinute: { minuteMs: number; payments: number; amountMinor: number }[];
  risk: { decisions: number; approved: number; challenged: number; held: number; declined: number };
  reserve: { ok: boolean; message: string };
  openCases: { riskReviews: number; fraudReports: number; pendingMerchants: number };
}

let applications = 0;
function application(name: string) {
  applications += 1;
  return {
    legalName: `${name} Ltd`,
    displayName: name,
    licenceNumber: `91310000MA1FL${String(applications).padStart(4, '0')}X`,
    mcc: '5812',
    address: `${applications} Fuxing Road`,
    city: 'Shanghai',
    settlementAccount: '6222020200112233',
  };
}

describe('the operator console', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errorsOf = new WeakMap<Page, string[]>();
  let wallet: WalletClient;
  let paymentId: string;

  /** Applies as a merchant through the public API; the merchant and its owner key. */
  async function apply(name: string): Promise<{ id: string; apiKey: string }> {
    const res = await apiCall<{ merchant: { id: string; status: string }; apiKey: string }>(server.base, 'POST', '/v1/merchants', undefined, application(name));
    expect(res.status).toBe(201);
    expect(res.body.merchant.status).toBe('pending');
    return { id: res.body.merchant.id, apiKey: res.body.apiKey };
  }

  async function merchantStatus(apiKey: string): Promise<string> {
    const res = await apiCall<{ merchant: { status: string } }>(server.base, 'GET', '/v1/merchant', apiKey);
    expect(res.status).toBe(200);
    return res.body.merchant.status;
  }

  /** A staff token of another role, made the way an operator makes one. */
  const staffToken = (role: string): string => cliStaffToken(server, role, `e2e ${role}`);

  async function openConsole(options: { locale?: string } = {}): Promise<Page> {
    const context = await newContext(browser, server.base, { phone: false, ...options });
    contexts.push(context);
    const page = await context.newPage();
    errorsOf.set(page, recordPageErrors(page));
    await page.goto('/console/');
    return page;
  }

  async function signIn(token: string, options: { locale?: string } = {}): Promise<Page> {
    const page = await openConsole(options);
    await page.getByTestId('staff-token').fill(token);
    await page.getByTestId('staff-login').click();
    await page.getByTestId('staff-role').waitFor();
    return page;
  }

  function pageErrors(page: Page): string[] {
    return errorsOf.get(page) ?? ['no error recorder on this page'];
  }

  const payingWallet = (): Promise<WalletClient> => fundedWallet(server.base, { prefix: 'console', displayName: 'Zhou Xun', bankAccount: '6222020200114455' });

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(newCamera());
    wallet = await payingWallet();
    const paid = await wallet.pay({ code: server.demo.merchant.tillPayload, amountMinor: 1250 });
    expect(paid.status).toBe('succeeded');
    paymentId = paid.id;
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('signs in with a staff token, shows the dashboard (reserve ok, payments chart, rates, open cases) and signs out', async () => {
    const page = await openConsole();
    // Not a staff token at all, then a well-formed one the server does not know.
    await page.getByTestId('staff-token').fill('hello');
    await page.getByTestId('staff-login').click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('sk_staff_');
    await page.getByTestId('staff-token').fill('sk_staff_not-a-real-token');
    await page.getByTestId('staff-login').click();
    await expect.poll(() => page.getByTestId('staff-login-error').innerText()).toContain('令牌无效或已被吊销');
    await expect(page.getByTestId('staff-role').count()).resolves.toBe(0);

    await page.getByTestId('staff-token').fill(server.adminToken);
    await page.getByTestId('staff-login').click();
    await page.getByTestId('staff-role').waitFor();
    expect(await page.getByTestId('staff-role').getAttribute('data-role')).toBe('admin');
    expect(await page.getByTestId('staff-role').innerText()).toBe('管理员');
    for (const nav of ['dashboard', 'merchants', 'risk', 'reports', 'audit']) await page.getByTestId(`nav-${nav}`).waitFor();

    // The dashboard, against what the API says.
    const api = await apiCall<Dashboard>(server.base, 'GET', '/v1/ops/dashboard', server.adminToken);
    expect(api.status).toBe(200);
    const total = api.body.perMinute.reduce((n, p) => n + p.payments, 0);
    expect(total).toBeGreaterThanOrEqual(1);
    const reserve = page.getByTestId('dash-reserve');
    await reserve.waitFor();
    expect(await reserve.getAttribute('data-ok')).toBe('true');
    expect(await reserve.innerText()).toContain('备付金不变量成立');
    const chart = page.getByTestId('dash-ppm-chart');
    expect(await chart.locator('svg[role="img"]').count()).toBe(1);
    const bars = chart.locator('rect.chart-bar');
    expect(await bars.count()).toBeGreaterThanOrEqual(1);
    const barTotal = (await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))))).reduce((a, b) => a + b, 0);
    expect(barTotal).toBe(total);
    expect(await chart.locator('.chart-summary').innerText()).toContain(`共 ${total} 笔支付`);
    const rates = page.getByTestId('dash-rates');
    expect(await rates.getAttribute('data-decisions')).toBe(String(api.body.risk.decisions));
    expect(await rates.locator('tr[data-outcome="approved"] td').last().innerText()).toBe(String(api.body.risk.approved));
    expect(await rates.locator('tr[data-outcome="approved"] td').first().innerText()).toMatch(/^\d+\.\d%$/);
    const cases = page.getByTestId('dash-open-cases');
    expect(await cases.getByTestId('case-merchants').getAttribute('data-count')).toBe(String(api.body.openCases.pendingMerchants));
    expect(await cases.getByTestId('case-reports').getAttribute('data-count')).toBe(String(api.body.openCases.fraudReports));
    expect(await cases.getByTestId('case-risk').getAttribute('data-count')).toBe(String(api.body.openCases.riskReviews));
    await screenshot(page, 'console-dashboard');

    // On a tablet: the same screen, without sideways scrolling of the page.
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.getByTestId('nav-reports').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(820);
    await screenshot(page, 'console-dashboard-tablet');
    await page.setViewportSize({ width: 1280, height: 860 });

    // The dashboard refreshes by itself: a new pending merchant shows up within a refresh.
    const before = Number(await cases.getByTestId('case-merchants').getAttribute('data-count'));
    await apply('Refresh Noodles');
    await expect.poll(async () => Number(await cases.getByTestId('case-merchants').getAttribute('data-count')), { timeout: 15_000 }).toBe(before + 1);

    // English, for everything on the screen.
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.getByTestId('nav-dashboard').innerText()).toBe('Dashboard');
    expect(await chart.locator('.chart-summary').innerText()).toMatch(new RegExp(`^${total} payments? in the last 60 minutes`));
    expect(await page.getByTestId('staff-role').innerText()).toBe('Admin');

    // An open case links to its screen.
    await cases.getByRole('link', { name: /Merchants awaiting review/ }).click();
    await page.waitForURL(/\/console\/merchants\?status=pending$/);
    await page.getByTestId('merchant-row').first().waitFor();

    // The session survives a reload of the tab, and ends with sign-out.
    await page.reload();
    await page.getByTestId('staff-role').waitFor();
    await page.getByTestId('staff-logout').click();
    await page.getByTestId('staff-token').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("saoma.console.token")')).toBeNull();
    await page.reload();
    await page.getByTestId('staff-token').waitFor();
    expect(await page.getByTestId('staff-role').count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });

  it('approves a merchant that applied through the API, refuses a suspension without a reason, and the audit log shows both reviews', async () => {
    const approved = await apply('Lanzhou Noodles 兰州拉面');
    const suspended = await apply('Sticker Swap Stall');
    const page = await signIn(server.adminToken);
    await page.getByTestId('nav-merchants').click();
    const row = page.locator(`[data-testid="merchant-row"][data-merchant-id="${approved.id}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('Lanzhou Noodles 兰州拉面 Ltd');
    expect(await row.innerText()).toContain('****2233');
    await screenshot(page, 'console-merchants');

    await row.getByLabel(/审核理由/).fill('licence checked');
    await row.getByTestId('merchant-approve').click();
    await expect.poll(() => page.getByTestId('merchant-notice').innerText()).toContain('已批准商户「Lanzhou Noodles 兰州拉面」');
    await row.waitFor({ state: 'detached' });
    expect(await merchantStatus(approved.apiKey)).toBe('approved');

    // A suspension needs a reason: nothing is sent without one.
    const other = page.locator(`[data-testid="merchant-row"][data-merchant-id="${suspended.id}"]`);
    await other.getByTestId('merchant-suspend').click();
    await expect.poll(() => other.getByRole('alert').innerText()).toContain('暂停商户需要填写理由');
    expect(await merchantStatus(suspended.apiKey)).toBe('pending');
    await other.getByLabel(/审核理由/).fill('code swapped over another shop');
    await other.getByTestId('merchant-suspend').click();
    await other.waitFor({ state: 'detached' });
    expect(await merchantStatus(suspended.apiKey)).toBe('suspended');

    // It is listed under its new status, where it can be approved again but not suspended twice.
    await page.getByLabel('状态').selectOption('suspended');
    const listed = page.locator(`[data-testid="merchant-row"][data-merchant-id="${suspended.id}"]`);
    await listed.waitFor();
    expect(await listed.getByTestId('merchant-suspend').count()).toBe(0);
    expect(await listed.getByTestId('merchant-approve').count()).toBe(1);

    // The audit log: both reviews with who made them.
    await page.getByTestId('nav-audit').click();
    const approval = page.locator(`[data-testid="audit-row"][data-action="merchant.approve"][data-object-id="${approved.id}"]`);
    await approval.waitFor();
    expect(await approval.innerText()).toContain('licence checked');
    expect(await approval.innerText()).toMatch(/staff:/);
    const suspension = page.locator(`[data-testid="audit-row"][data-action="merchant.suspend"][data-object-id="${suspended.id}"]`);
    await suspension.waitFor();
    await page.getByTestId('audit-filter').fill('suspend');
    await approval.waitFor({ state: 'detached' });
    const actions = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    expect(actions.length).toBeGreaterThanOrEqual(1);
    expect(actions.every((a) => a === 'merchant.suspend')).toBe(true);
    await page.getByTestId('audit-filter').fill('');
    await approval.waitFor();
    await screenshot(page, 'console-audit');
    expect(pageErrors(page)).toEqual([]);
  });

  it('pages back through the audit log to its oldest entries', async () => {
    // Enough audited changes for more than one page (50): fee rates on the approved demo merchant.
    for (let i = 0; i < 55; i++) {
      const res = await apiCall(server.base, 'POST', `/v1/ops/merchants/${server.demo.merchant.id}/fee-rate`, server.adminToken, { feeRateBp: 30 + (i % 10) });
      expect(res.status).toBe(200);
    }
    const page = await signIn(server.adminToken);
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-row').first().waitFor();
    expect(await page.getByTestId('audit-row').count()).toBe(50);
    // The demo merchant's approval at the first start is among the oldest entries, not on page one.
    const seeded = page.locator(`[data-testid="audit-row"][data-action="merchant.approve"][data-object-id="${server.demo.merchant.id}"]`);
    expect(await seeded.count()).toBe(0);
    await page.getByTestId('audit-more').click();
    await seeded.waitFor();
    expect(await seeded.innerText()).toContain('system:demo-seed');
    expect(await page.getByTestId('audit-row').count()).toBeGreaterThan(50);
    const seqs = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('a support token reads merchants and reports but is offered no review, no risk queue and no audit log', async () => {
    const pending = await apply('Waiting Dumplings');
    const support = staffToken('support');
    const page = await signIn(support);
    expect(await page.getByTestId('staff-role').getAttribute('data-role')).toBe('support');
    expect(await page.getByTestId('staff-role').innerText()).toBe('客服');
    await page.getByTestId('dash-reserve').waitFor();
    expect(await page.getByTestId('nav-risk').count()).toBe(0);
    expect(await page.getByTestId('nav-audit').count()).toBe(0);
    await page.getByTestId('nav-reports').waitFor();
    // The held-payments count is shown, but not as a link to a screen support may not open.
    expect(await page.getByTestId('dash-open-cases').getByRole('link', { name: /风控待审/ }).count()).toBe(0);

    await page.getByTestId('nav-merchants').click();
    const row = page.locator(`[data-testid="merchant-row"][data-merchant-id="${pending.id}"]`);
    await row.waitFor();
    expect(await page.getByTestId('merchant-row').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('merchant-approve').count()).toBe(0);
    expect(await page.getByTestId('merchant-suspend').count()).toBe(0);
    expect(await row.getByRole('textbox').count()).toBe(0);
    // The server agrees: support may not review.
    const refused = await apiCall<{ error: { code: string } }>(server.base, 'POST', `/v1/ops/merchants/${pending.id}/review`, support, { decision: 'approve' });
    expect(refused.status).toBe(403);
    expect(await merchantStatus(pending.apiKey)).toBe('pending');

    // A screen outside the role, opened by its address, says so and offers nothing.
    await page.goto('/console/risk');
    await page.getByTestId('not-allowed').waitFor();
    expect(await page.getByTestId('review-approve').count()).toBe(0);

    // A revoked token ends the session at the next request, with a message, and the token is forgotten.
    const me = await apiCall<{ id: string }>(server.base, 'GET', '/v1/ops/me', support);
    expect(me.status).toBe(200);
    runCli(server, 'staff', 'revoke', me.body.id);
    await page.getByTestId('nav-merchants').click();
    await page.getByTestId('staff-token').waitFor();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toContain('登录已失效');
    expect(await page.evaluate('sessionStorage.getItem("saoma.console.token")')).toBeNull();
    expect(pageErrors(page)).toEqual([]);
  });

  it('a payment held by the risk engine is shown with its decision trail and approved or declined from the queue', async () => {
    // A rule set that holds payments of exactly 43.21 yuan, activated by an admin through the API.
    // (Only that rule, so that nothing else in the default set decides these payments.)
    const active = await apiCall<{ ruleSet: { thresholds: unknown } }>(server.base, 'GET', '/v1/ops/risk/rule-set', server.adminToken);
    expect(active.status).toBe(200);
    const ruleSet = {
      version: 'console-e2e-1',
      thresholds: active.body.ruleSet.thresholds,
      rules: [
        { id: 'e2e.hold-4321', description: 'A payment of exactly 43.21 yuan is held (browser test)', when: { feature: 'amount_minor', op: 'eq', value: 4321 }, score: 1, outcome: 'review' },
      ],
    };
    const activated = await apiCall(server.base, 'POST', '/v1/ops/risk/rule-set', server.adminToken, { ruleSet });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);

    const payer = await payingWallet();
    const held = await payer.pay({ code: server.demo.merchant.tillPayload, amountMinor: 4321 });
    expect(held.status).toBe('held_for_review');
    const heldAgain = await payer.pay({ code: server.demo.merchant.tillPayload, amountMinor: 4321 });
    expect(heldAgain.status).toBe('held_for_review');

    const page = await signIn(server.adminToken);
    await page.getByTestId('nav-risk').click();
    const row = page.locator(`[data-testid="review-row"][data-payment-id="${held.id}"]`);
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('¥43.21');
    expect(text).toContain(payer.consumerId!);
    expect(text).toContain(server.demo.merchant.name);
    const hit = row.locator('[data-testid="review-hit"][data-rule-id="e2e.hold-4321"]');
    await hit.waitFor();
    await expect.poll(() => hit.innerText()).toContain('A payment of exactly 43.21 yuan is held');
    await screenshot(page, 'console-risk');

    await row.getByTestId('review-approve').click();
    await row.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('review-notice').innerText()).toContain(`已批准 ¥43.21`);
    const posted = await apiCall<{ status: string }>(server.base, 'GET', `/v1/payments/${held.id}`, server.demo.merchant.apiKey);
    expect(posted.body.status).toBe('succeeded');

    const second = page.locator(`[data-testid="review-row"][data-payment-id="${heldAgain.id}"]`);
    const balanceBefore = (await payer.me()).balance.availableMinor;
    await second.getByTestId('review-decline').click();
    await second.waitFor({ state: 'detached' });
    const released = await apiCall<{ status: string }>(server.base, 'GET', `/v1/payments/${heldAgain.id}`, server.demo.merchant.apiKey);
    expect(released.body.status).toBe('declined');
    expect((await payer.me()).balance.availableMinor).toBe(balanceBefore + 4321);
    expect(pageErrors(page)).toEqual([]);
  });

  it('a fraud report filed from a wallet is listed with its payment, shows its evidence, and its status is changed with a note', async () => {
    const filed = await apiCall<{ id: string; status: string }>(server.base, 'POST', `/v1/wallet/payments/${paymentId}/report`, wallet.sessionToken, {
      reason: 'unauthorised',
      description: 'I was asleep when this was paid',
    });
    expect(filed.status, JSON.stringify(filed.body)).toBe(201);
    const reportId = filed.body.id;

    const page = await signIn(server.adminToken);
    await page.getByTestId('nav-reports').click();
    const row = page.locator(`[data-testid="fraud-report"][data-report-id="${reportId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-payment-id')).toBe(paymentId);
    expect(await row.getAttribute('data-status')).toBe('open');
    expect(await row.innerText()).toContain('非本人操作');
    expect(await row.innerText()).toContain('¥12.50');
    await screenshot(page, 'console-reports');

    await row.getByRole('link').click();
    const detail = page.getByTestId('report-detail');
    await detail.waitFor();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('open');
    expect(await page.getByTestId('report-payment-id').innerText()).toBe(paymentId);
    expect(await detail.innerText()).toContain('I was asleep when this was paid');
    const evidence = JSON.parse(await page.getByTestId('report-evidence').innerText()) as { payment: { id: string; amountMinor: number } };
    expect(evidence.payment).toMatchObject({ id: paymentId, amountMinor: 1250 });

    // Closing needs a note; then it is saved and shown.
    await page.getByTestId('report-status-select').selectOption('closed');
    await page.getByTestId('report-status-save').click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toContain('结案需要填写处理记录');
    expect((await apiCall<{ status: string }>(server.base, 'GET', `/v1/ops/fraud-reports/${reportId}`, server.adminToken)).body.status).toBe('open');
    await page.getByLabel(/处理记录/).fill('confirmed with the customer; claim opened');
    await page.getByTestId('report-status-save').click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('closed');
    await expect.poll(() => page.getByTestId('report-resolution').innerText()).toBe('confirmed with the customer; claim opened');
    await screenshot(page, 'console-report-detail');

    const ops = await apiCall<{ status: string; resolution: string }>(server.base, 'GET', `/v1/ops/fraud-reports/${reportId}`, server.adminToken);
    expect(ops.body).toMatchObject({ status: 'closed', resolution: 'confirmed with the customer; claim opened' });
    const mine = await apiCall<{ items: { id: string; status: string }[] }>(server.base, 'GET', '/v1/wallet/reports', wallet.sessionToken);
    expect(mine.body.items.find((r) => r.id === reportId)?.status).toBe('closed');

    // Back in the list, under "closed".
    await page.getByRole('link', { name: /返回举报列表/ }).click();
    await page.getByTestId('report-filter').selectOption('closed');
    await page.waitForURL(/status=closed/);
    await expect.poll(() => page.locator(`[data-testid="fraud-report"][data-report-id="${reportId}"]`).getAttribute('data-status')).toBe('closed');
    await page.getByTestId('report-filter').selectOption('open');
    await page.locator(`[data-testid="fraud-report"][data-report-id="${reportId}"]`).waitFor({ state: 'detached' });
    expect(pageErrors(page)).toEqual([]);
  });
});
