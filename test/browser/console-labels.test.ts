// An appeal against a fraud label, in the console in Debian Chromium against the real server: an
// analyst declined a held payment naming the demo shop as the fraudster's, so its next customer
// was refused. Another analyst looks the shop up on the risk screen, sees the label and where it
// came from, withdraws it with a reason after a confirmation, and sees it gone; the API, the audit
// trail and a customer's next payment agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SaomaApiError, type WalletClient } from '../../src/sdk/index.js';
import { audit } from './a11y-audit.js';
import { apiCall, cliStaffToken, fundedWallet, launchBrowser, newCamera, newContext, recordPageErrors, screenshot, startServer, type RunningServer } from './harness.js';
import type { LabelLookup, RiskLabel } from '../../web/console/types.js';

const HELD_MINOR = 8888;
const SMALL_MINOR = 1234;

describe('withdrawing a fraud label in the console', () => {
  let server: RunningServer;
  let browser: Browser;
  let riskToken: string;
  let customer: WalletClient;
  let heldId: string;
  const contexts: BrowserContext[] = [];

  const shopId = (): string => server.demo.merchant.id;
  const lookup = async (): Promise<LabelLookup> => {
    const res = await apiCall<LabelLookup>(server.base, 'GET', `/v1/ops/risk/labels?party=${shopId()}`, riskToken);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** A small payment to the demo till: its status, or the error code that refused it. */
  const paySmall = async (): Promise<string> => {
    try {
      return (await customer.pay({ code: server.demo.merchant.tillPayload, amountMinor: SMALL_MINOR })).status;
    } catch (error) {
      if (error instanceof SaomaApiError) return error.code;
      throw error;
    }
  };

  beforeAll(async () => {
    server = await startServer();
    // Rules that decide by amount and label alone: 88.88 yuan waits for an analyst; a payee an
    // analyst labelled is declined. Activated by an admin.
    const active = await apiCall<{ ruleSet: { thresholds: unknown } }>(server.base, 'GET', '/v1/ops/risk/rule-set', server.adminToken);
    const ruleSet = {
      version: 'browser-labels-1',
      thresholds: active.body.ruleSet.thresholds,
      rules: [
        { id: 'e2e.hold-8888', description: 'A payment of exactly 88.88 yuan waits for an analyst', when: { feature: 'amount_minor', op: 'eq', value: HELD_MINOR }, score: 1, outcome: 'review' },
        { id: 'e2e.label-payee', description: 'An analyst found the payee to be a fraudster', when: { feature: 'payee_confirmed_fraud', op: 'eq', value: true }, score: 1, outcome: 'decline' },
      ],
    };
    const activated = await apiCall(server.base, 'POST', '/v1/ops/risk/rule-set', server.adminToken, { ruleSet });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    riskToken = cliStaffToken(server, 'risk', 'e2e labels risk');

    // The mistaken label: a held payment to the demo shop, declined naming the payee.
    const payer = await fundedWallet(server.base, { prefix: 'labels-payer', displayName: 'Zhao Lei', bankAccount: '6222020200118899' });
    const held = await payer.pay({ code: server.demo.merchant.tillPayload, amountMinor: HELD_MINOR });
    expect(held.status).toBe('held_for_review');
    heldId = held.id;
    const declined = await apiCall(server.base, 'POST', `/v1/ops/risk/reviews/${held.id}/decline`, riskToken, { confirmedFraud: ['payee'] });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    customer = await fundedWallet(server.base, { prefix: 'labels-customer', displayName: 'Sun Li', bankAccount: '6222020200119900' });
    expect(await paySmall()).toBe('RISK_DECLINED');

    browser = await launchBrowser(newCamera());
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  async function signIn(token: string, locale: string): Promise<{ page: Page; errors: string[] }> {
    const context = await newContext(browser, server.base, { phone: false, locale });
    contexts.push(context);
    const page = await context.newPage();
    const errors = recordPageErrors(page);
    await page.goto('/console/');
    await page.getByTestId('staff-token').fill(token);
    await page.getByTestId('staff-login').click();
    await page.getByTestId('staff-role').waitFor();
    await page.getByTestId('nav-risk').click();
    await page.waitForURL(/\/console\/risk$/);
    await page.getByTestId('labels-party').waitFor();
    return { page, errors };
  }

  it('an analyst looks the labelled shop up, sees its label, withdraws it with a reason after confirming, and the shop is paid again', async () => {
    const { page, errors } = await signIn(riskToken, 'en-GB');
    const withdrawals: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/v1/ops/risk/labels/withdraw')) withdrawals.push(r.method());
    });

    // An id the API would refuse is explained at the field; nothing is asked.
    await page.getByTestId('labels-party').fill('mer shop');
    await page.getByTestId('labels-lookup').click();
    const partyProblem = page.getByTestId('labels-party-problem');
    await partyProblem.waitFor();
    expect(await partyProblem.getAttribute('role')).toBe('alert');
    expect(await page.getByTestId('labels-party').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('labels-result').count()).toBe(0);

    // The shop: labelled fraud as an account, by the decline of the held payment.
    await page.getByTestId('labels-party').fill(shopId());
    await page.getByTestId('labels-lookup').click();
    const state = page.locator('[data-testid="labels-state"][data-labelled="true"]');
    await state.waitFor();
    expect(await state.innerText()).toBe(`${shopId()} is labelled fraud now (as an account): its payments with strangers are stopped.`);
    const api = await lookup();
    expect(api).toMatchObject({ labelled: true, labelledAs: ['account'] });
    const rows = page.getByTestId('labels-row');
    expect(await rows.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-label-id'), r.getAttribute('data-verdict')]))).toEqual(api.labels.map((l) => [l.id, l.verdict]));
    const fraudRow = page.locator(`[data-testid="labels-row"][data-label-id="${api.labels[0]!.id}"]`);
    expect(await fraudRow.locator('[data-col="verdict"]').innerText()).toBe('Fraud');
    expect(await fraudRow.locator('[data-col="payment"]').innerText()).toBe(heldId);
    expect(await fraudRow.locator('[data-col="actor"]').innerText()).toBe(api.labels[0]!.actor);
    expect(await fraudRow.locator('[data-col="names"]').innerText()).toBe(`Account ${shopId()}`);
    expect(await audit(page)).toEqual([]);
    await screenshot(page, 'console-labels-labelled');

    // No reason: said at the field, the field takes the focus, nothing is sent.
    await page.getByTestId('labels-withdraw').click();
    const reasonProblem = page.getByTestId('labels-reason-problem');
    await reasonProblem.waitFor();
    expect(await reasonProblem.getAttribute('role')).toBe('alert');
    expect(await page.evaluate(`document.activeElement && document.activeElement.dataset.testid`)).toBe('labels-reason');
    expect(await page.getByTestId('labels-confirm-box').count()).toBe(0);

    // A reason, then a confirmation that repeats it; cancelling changes nothing.
    const reason = 'Appeal upheld: the shop is genuine; the held payment was a customer mistake.';
    await page.getByTestId('labels-reason').fill(reason);
    await page.getByTestId('labels-withdraw').click();
    const confirm = page.getByTestId('labels-confirm-box');
    await confirm.waitFor();
    await expect.poll(() => page.evaluate(`document.activeElement && document.activeElement.dataset.testid`)).toBe('labels-confirm-box');
    expect(await confirm.getAttribute('role')).toBe('group');
    expect(await confirm.innerText()).toContain(`Withdraw the fraud label on ${shopId()}?`);
    expect(await page.getByTestId('labels-confirm-reason').innerText()).toBe(reason);
    expect(await audit(page)).toEqual([]);
    await screenshot(page, 'console-labels-confirm');
    await page.getByTestId('labels-cancel').click();
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(`document.activeElement && document.activeElement.dataset.testid`)).toBe('labels-withdraw');
    expect(withdrawals).toEqual([]);
    expect((await lookup()).labelled).toBe(true);

    await page.getByTestId('labels-withdraw').click();
    await page.getByTestId('labels-confirm').click();
    await expect.poll(() => page.getByTestId('labels-notice').innerText()).toBe(`The fraud label on ${shopId()} (as an account) is withdrawn, from its next payment on.`);
    expect(await page.getByTestId('labels-notice').getAttribute('role')).toBe('status');
    await page.locator('[data-testid="labels-state"][data-labelled="false"]').waitFor();
    await expect.poll(() => page.evaluate(`document.activeElement && document.activeElement.dataset.testid`)).toBe('labels-state');
    expect(await page.getByTestId('labels-state').innerText()).toBe(`${shopId()} is not labelled fraud now.`);
    expect(await page.getByTestId('labels-withdraw').count()).toBe(0);
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-verdict')))).toEqual(['withdrawn', 'fraud']);
    expect(await rows.first().locator('[data-col="verdict"]').innerText()).toBe('Withdrawn');
    expect(await rows.first().locator('[data-col="payment"]').innerText()).toBe('—');
    expect(withdrawals).toEqual(['POST']);
    expect(await audit(page)).toEqual([]);
    await screenshot(page, 'console-labels-withdrawn');

    // The API and the audit trail say the same; the shop's next customer is served.
    const after = await lookup();
    expect(after).toMatchObject({ labelled: false, labelledAs: [] });
    expect(after.labels.map((l) => l.verdict)).toEqual(['withdrawn', 'fraud']);
    const trail = await apiCall<{ items: { action: string; objectId: string | null; detail: { reason?: string; accountIds?: string[] } }[] }>(server.base, 'GET', '/v1/ops/audit?limit=20', server.adminToken);
    const entry = trail.body.items.find((i) => i.action === 'risk.label.withdraw');
    expect(entry).toMatchObject({ objectId: after.labels[0]!.id, detail: { reason, accountIds: [shopId()] } });
    expect(await paySmall()).toBe('succeeded');
    expect(errors).toEqual([]);
  });

  it('in Chinese, a party never labelled shows as not labelled, with no history and nothing to withdraw', async () => {
    const { page, errors } = await signIn(riskToken, 'zh-CN');
    await page.getByTestId('labels-party').fill(customer.consumerId!);
    await page.getByTestId('labels-lookup').click();
    await page.locator(`[data-testid="labels-result"][data-party="${customer.consumerId}"]`).waitFor();
    expect(await page.getByTestId('labels-state').innerText()).toBe(`${customer.consumerId} 目前没有欺诈标记。`);
    expect(await page.getByTestId('labels-empty').innerText()).toBe('没有标记记录。');
    expect(await page.getByTestId('labels-withdraw').count()).toBe(0);
    expect(await audit(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
