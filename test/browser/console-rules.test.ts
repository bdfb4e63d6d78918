// The risk rule editor of the console in Debian Chromium against the real server: real payments
// leave real decisions; a risk analyst edits the rule set (JSON, per-rule score and shadow
// controls) and dry-runs it over them, sees what would change, and cannot activate; mistakes are
// explained (a JSON syntax error in the browser, a rule set the server refuses with its paths);
// an admin activates a new version after a confirmation, and the API and the audit trail agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WalletClient } from '../../src/sdk/index.js';
import { audit } from './a11y-audit.js';
import { apiCall, cliStaffToken, fundedWallet, launchBrowser, newCamera, newContext, recordPageErrors, screenshot, startServer, type RunningServer } from './harness.js';

type Outcome = 'approve' | 'challenge' | 'review' | 'decline';
const OUTCOMES: readonly Outcome[] = ['approve', 'challenge', 'review', 'decline'];

interface RuleSet {
  version: string;
  thresholds: { challenge: number; review: number; decline: number };
  rules: { id: string; description: string; when: unknown; score: number; outcome?: string; shadow?: boolean }[];
  allow?: unknown[];
  block?: unknown[];
}

interface DryRun {
  candidateVersion: string;
  activeVersion: string;
  decisions: number;
  active: Record<Outcome, number>;
  candidate: Record<Outcome, number>;
  changed: { decisionId: string; paymentId: string | null; from: Outcome; to: Outcome; hits: string[] }[];
  shadowHits: Record<string, number>;
}

const EVERY_PAYMENT = {
  id: 'e2e.every-payment',
  description: 'Every payment of at least 0.01 yuan (browser test)',
  when: { feature: 'amount_minor', op: 'ge', value: 1 },
  score: 0,
};

describe('the risk rule editor in the console', () => {
  let server: RunningServer;
  let browser: Browser;
  let riskToken: string;
  const contexts: BrowserContext[] = [];
  const errorsOf = new WeakMap<Page, string[]>();
  const paymentIds: string[] = [];

  const staffToken = (role: string): string => cliStaffToken(server, role, `e2e rules ${role}`);

  async function signIn(token: string, options: { locale?: string } = {}): Promise<Page> {
    const context = await newContext(browser, server.base, { phone: false, ...options });
    contexts.push(context);
    const page = await context.newPage();
    errorsOf.set(page, recordPageErrors(page));
    await page.goto('/console/');
    await page.getByTestId('staff-token').fill(token);
    await page.getByTestId('staff-login').click();
    await page.getByTestId('staff-role').waitFor();
    return page;
  }

  async function openRules(page: Page): Promise<void> {
    await page.getByTestId('nav-rules').click();
    await page.waitForURL(/\/console\/rules$/);
    await page.getByTestId('rules-json').waitFor();
  }

  async function editorJson(page: Page): Promise<RuleSet> {
    return JSON.parse(await page.getByTestId('rules-json').inputValue()) as RuleSet;
  }

  async function activeRuleSet(): Promise<{ ruleSet: RuleSet; rules: number }> {
    const res = await apiCall<{ ruleSet: RuleSet; rules: number }>(server.base, 'GET', '/v1/ops/risk/rule-set', server.adminToken);
    expect(res.status).toBe(200);
    return res.body;
  }

  /** The dry run the page shows, read from the page, next to what the API answers for the same text. */
  async function expectDryRunShownAsApiSays(page: Page): Promise<DryRun> {
    const candidate = await editorJson(page);
    // Settled: no run in flight, and the result shown is for the text in the editor.
    await expect.poll(async () => (await page.getByTestId('rules-dry-run').isEnabled()) && (await page.getByTestId('dry-run-stale').count()) === 0).toBe(true);
    const section = page.locator(`[data-testid="dry-run"][data-candidate-version="${candidate.version}"]`);
    await section.waitFor();
    const api = await apiCall<DryRun>(server.base, 'POST', '/v1/ops/risk/rule-set/dry-run', riskToken, { ruleSet: candidate });
    expect(api.status, JSON.stringify(api.body)).toBe(200);
    expect(await section.getAttribute('data-decisions')).toBe(String(api.body.decisions));
    expect(await section.getAttribute('data-active-version')).toBe(api.body.activeVersion);
    for (const o of OUTCOMES) {
      const row = section.locator(`[data-testid="dry-run-outcome"][data-outcome="${o}"]`);
      expect(await row.locator('[data-col="active"]').innerText(), `active ${o}`).toBe(String(api.body.active[o]));
      expect(await row.locator('[data-col="candidate"]').innerText(), `candidate ${o}`).toBe(String(api.body.candidate[o]));
      const change = api.body.candidate[o] - api.body.active[o];
      expect(await row.locator('[data-col="change"]').innerText()).toBe(change > 0 ? `+${change}` : change < 0 ? `−${-change}` : '0');
    }
    const shown = await section.getByTestId('dry-run-changed').evaluateAll((rows) =>
      rows.map((r) => ({ decisionId: r.getAttribute('data-decision-id'), paymentId: r.getAttribute('data-payment-id'), from: r.getAttribute('data-from'), to: r.getAttribute('data-to') })),
    );
    expect(shown).toEqual(api.body.changed.map((c) => ({ decisionId: c.decisionId, paymentId: c.paymentId ?? '', from: c.from, to: c.to })));
    const shadow = await section.getByTestId('dry-run-shadow').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-rule-id'), Number(r.getAttribute('data-count'))])));
    expect(shadow).toEqual(api.body.shadowHits);
    return api.body;
  }

  function pageErrors(page: Page): string[] {
    return errorsOf.get(page) ?? ['no error recorder on this page'];
  }

  const payingWallet = (): Promise<WalletClient> => fundedWallet(server.base, { prefix: 'rules', displayName: 'Li Na', bankAccount: '6222020200116677' });

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(newCamera());
    riskToken = staffToken('risk');
    // Real decisions for the dry run to replay: two customers paying the demo till.
    for (const amounts of [[1250, 3680], [990, 2400]]) {
      const wallet = await payingWallet();
      for (const amountMinor of amounts) {
        const paid = await wallet.pay({ code: server.demo.merchant.tillPayload, amountMinor });
        expect(paid.status).toBe('succeeded');
        paymentIds.push(paid.id);
      }
    }
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('a risk analyst sees the active set, makes a rule stricter, dry-runs it and sees what the API says, tries a rule in shadow mode, and is offered no activation', async () => {
    const active = await activeRuleSet();
    const page = await signIn(riskToken, { locale: 'en-GB' });
    expect(await page.getByTestId('staff-role').getAttribute('data-role')).toBe('risk');
    await openRules(page);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Risk rules');

    // The active rule set, as the API has it.
    const view = page.getByTestId('rules-active');
    expect(await view.getAttribute('data-version')).toBe(active.ruleSet.version);
    expect(await page.getByTestId('rules-active-version').innerText()).toBe(active.ruleSet.version);
    const t = active.ruleSet.thresholds;
    expect(await page.getByTestId('rules-active-thresholds').innerText()).toBe(`score ≥ ${t.challenge} step-up, ≥ ${t.review} hold for review, ≥ ${t.decline} decline`);
    expect(await page.getByTestId('rules-active-lists').innerText()).toBe(`allow ${active.ruleSet.allow?.length ?? 0} entries, block ${active.ruleSet.block?.length ?? 0} entries`);
    const ids = await page.getByTestId('active-rule').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule-id')));
    expect(ids).toEqual(active.ruleSet.rules.map((r) => r.id));
    expect(ids).toHaveLength(active.rules);
    const first = active.ruleSet.rules[0]!;
    expect(await page.locator(`[data-testid="active-rule"][data-rule-id="${first.id}"]`).innerText()).toContain(first.description);

    // The editor starts from the active set; the version is the active one, and says so.
    expect(await editorJson(page)).toEqual(active.ruleSet);
    await page.getByTestId('rules-version-same').waitFor();
    // Analysts dry-run; activating is an admin's.
    expect(await page.getByTestId('rules-activate').count()).toBe(0);
    expect(await page.getByTestId('rules-activate-note').innerText()).toContain('Only an admin can activate');
    expect(await audit(page)).toEqual([]);

    // A new rule through the JSON: every payment, scoring nothing yet; and a new version.
    const candidate = await editorJson(page);
    candidate.rules.push({ ...EVERY_PAYMENT });
    await page.getByTestId('rules-json').fill(JSON.stringify(candidate, null, 2));
    await page.getByTestId('rules-version').fill('console-rules-e2e-2');
    await page.getByTestId('rules-version-same').waitFor({ state: 'detached' });
    expect((await editorJson(page)).version).toBe('console-rules-e2e-2');
    await page.getByTestId('rules-dry-run').click();
    let run = await expectDryRunShownAsApiSays(page);
    // The result, below the editor, takes the focus so that keyboard and reader users land on it.
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('dry-run-title');
    expect(run.decisions).toBeGreaterThanOrEqual(paymentIds.length);
    expect(run.changed).toEqual([]);
    await page.getByTestId('dry-run-unchanged').waitFor();

    // Stricter: its score up to the review threshold, with the rule's own score field.
    const toggle = page.locator(`[data-testid="rule-toggle"][data-rule-id="${EVERY_PAYMENT.id}"]`);
    await toggle.getByRole('spinbutton', { name: `Score of ${EVERY_PAYMENT.id}` }).fill(String(active.ruleSet.thresholds.review));
    expect((await editorJson(page)).rules.find((r) => r.id === EVERY_PAYMENT.id)?.score).toBe(active.ruleSet.thresholds.review);
    await page.getByTestId('dry-run-stale').waitFor();
    await page.getByTestId('rules-dry-run').click();
    await expect.poll(() => page.getByTestId('rules-notice').innerText()).toContain('Dry run done');
    run = await expectDryRunShownAsApiSays(page);
    // The payments of this test were approved; each is now held for review, with the new rule among the hits.
    expect(run.candidate.review).toBeGreaterThanOrEqual(run.active.review + paymentIds.length);
    const changedPayments = run.changed.filter((c) => c.paymentId !== null && paymentIds.includes(c.paymentId));
    expect(changedPayments.map((c) => c.paymentId).sort()).toEqual([...paymentIds].sort());
    for (const c of changedPayments) expect(c).toMatchObject({ from: 'approve', to: 'review' });
    const row = page.locator(`[data-testid="dry-run-changed"][data-payment-id="${paymentIds[0]}"]`);
    expect(await row.innerText()).toContain('Approve → Hold for review');
    expect(await row.innerText()).toContain(EVERY_PAYMENT.id);
    await screenshot(page, 'console-rules-dry-run');

    // The same rule on trial: shadow mode rewrites the JSON, changes no outcome, and counts where it fires.
    const shadow = toggle.getByRole('checkbox', { name: `Shadow mode for ${EVERY_PAYMENT.id}` });
    await shadow.check();
    expect((await editorJson(page)).rules.find((r) => r.id === EVERY_PAYMENT.id)?.shadow).toBe(true);
    expect((await editorJson(page)).rules.filter((r) => r.shadow === true).map((r) => r.id)).toEqual([EVERY_PAYMENT.id]);
    await page.getByTestId('rules-dry-run').click();
    await page.locator(`[data-testid="dry-run-shadow"][data-rule-id="${EVERY_PAYMENT.id}"]`).waitFor();
    run = await expectDryRunShownAsApiSays(page);
    expect(run.changed).toEqual([]);
    expect(run.shadowHits[EVERY_PAYMENT.id]).toBe(run.decisions);
    // Off again: the key goes, the rule is as it was.
    await shadow.uncheck();
    expect((await editorJson(page)).rules.find((r) => r.id === EVERY_PAYMENT.id)).toEqual({ ...EVERY_PAYMENT, score: active.ruleSet.thresholds.review });
    expect(await audit(page)).toEqual([]);

    // Nothing was activated by any of it, and the server refuses the analyst an activation too.
    expect((await activeRuleSet()).ruleSet.version).toBe(active.ruleSet.version);
    const refused = await apiCall(server.base, 'POST', '/v1/ops/risk/rule-set', riskToken, { ruleSet: await editorJson(page) });
    expect(refused.status).toBe(403);
    expect(await page.getByTestId('rules-activate').count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });

  it('a JSON syntax error is caught in the browser; a rule set the server refuses shows its problems with their paths', async () => {
    const page = await signIn(riskToken, { locale: 'en-GB' });
    await openRules(page);
    const dryRuns: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/v1/ops/risk/rule-set/dry-run')) dryRuns.push(r.method());
    });
    const good = await editorJson(page);

    // Broken JSON: said at once under the editor, and nothing is sent.
    await page.getByTestId('rules-json').fill(JSON.stringify(good, null, 2).slice(0, 200));
    await page.getByTestId('rules-json-error').waitFor();
    expect(await page.getByTestId('rules-json').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('rules-json-error').innerText()).toContain('The JSON does not parse');
    // The controls beside it wait for JSON they can rewrite.
    expect(await page.getByTestId('rule-shadow').first().isDisabled()).toBe(true);
    await page.getByTestId('rules-dry-run').click();
    const failure = page.getByTestId('rules-failure');
    await expect.poll(() => failure.innerText()).toContain('Nothing was sent. The JSON does not parse');
    expect(await failure.getAttribute('role')).toBe('alert');
    expect(await page.evaluate(`document.activeElement && document.activeElement.dataset.testid`)).toBe('rules-json');
    expect(dryRuns).toEqual([]);
    expect(await page.getByTestId('dry-run').count()).toBe(0);

    // Valid JSON, but a rule on a feature the engine does not have, and a threshold out of order.
    const bad = structuredClone(good);
    bad.version = 'console-rules-e2e-bad';
    bad.rules.push({ id: 'e2e.unknown-feature', description: 'Names a feature that does not exist', when: { feature: 'amount_yuan', op: 'ge', value: 100 }, score: 10 });
    bad.thresholds = { ...bad.thresholds, review: bad.thresholds.decline + 1 };
    await page.getByTestId('rules-json').fill(JSON.stringify(bad, null, 2));
    await page.getByTestId('rules-json-error').waitFor({ state: 'detached' });
    await page.getByTestId('rules-dry-run').click();
    const featurePath = `rules[${bad.rules.length - 1}].when.feature`;
    const problem = page.locator(`[data-testid="rules-problem"][data-path="${featurePath}"]`);
    await problem.waitFor();
    expect(await problem.innerText()).toContain('unknown feature "amount_yuan"');
    expect(await problem.innerText()).toContain('(rule e2e.unknown-feature)');
    await page.locator('[data-testid="rules-problem"][data-path="thresholds"]').waitFor();
    expect(await page.getByTestId('rules-failure').innerText()).toContain('RISK_RULE_SET_INVALID');
    expect(dryRuns).toEqual(['POST']);
    // The API says the same.
    const api = await apiCall<{ error: { code: string; message: string } }>(server.base, 'POST', '/v1/ops/risk/rule-set/dry-run', riskToken, { ruleSet: bad });
    expect(api.status).toBe(400);
    expect(api.body.error.code).toBe('RISK_RULE_SET_INVALID');
    expect(api.body.error.message).toContain(`${featurePath}: unknown feature "amount_yuan"`);
    const shownPaths = await page.getByTestId('rules-problem').evaluateAll((items) => items.map((i) => i.getAttribute('data-path')));
    expect(shownPaths.sort()).toEqual(['thresholds', featurePath].sort());
    expect(await page.getByTestId('dry-run').count()).toBe(0);
    expect(await audit(page)).toEqual([]);
    await screenshot(page, 'console-rules-invalid');

    // Back to the active set: the problems go with the next attempt.
    await page.getByTestId('rules-reset').click();
    expect(await editorJson(page)).toEqual(good);
    expect(await page.getByTestId('rules-failure').count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
  });

  it('an admin activates a new version after confirming it; the page, the API and the audit trail show it', async () => {
    const before = await activeRuleSet();
    const page = await signIn(server.adminToken);
    await openRules(page);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('风控规则');
    await page.getByTestId('rules-version-same').waitFor();

    // Same version as the active one: refused before any confirmation.
    await page.getByTestId('rules-activate').click();
    await expect.poll(() => page.getByTestId('rules-failure').innerText()).toContain('请先修改版本号');
    expect(await page.getByTestId('rules-confirm').count()).toBe(0);
    expect(await page.evaluate(`document.activeElement && document.activeElement.id`)).toBe('rules-version');

    // A new rule on trial (shadow), in a new version.
    const candidate = await editorJson(page);
    candidate.rules.push({ ...EVERY_PAYMENT, shadow: true });
    await page.getByTestId('rules-json').fill(JSON.stringify(candidate, null, 2));
    await page.getByTestId('rules-version').fill('console-rules-e2e-3');
    await page.getByTestId('rules-dry-run').click();
    await page.locator('[data-testid="dry-run"][data-candidate-version="console-rules-e2e-3"]').waitFor();

    // A confirmation first; cancelling it changes nothing.
    await page.getByTestId('rules-activate').click();
    const confirm = page.getByTestId('rules-confirm');
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain(`让规则集 console-rules-e2e-3 生效？`);
    expect(await confirm.innerText()).toContain(`取代 ${before.ruleSet.version}`);
    expect(await audit(page)).toEqual([]);
    await screenshot(page, 'console-rules-confirm');
    await page.getByTestId('rules-activate-cancel').click();
    await confirm.waitFor({ state: 'detached' });
    expect((await activeRuleSet()).ruleSet.version).toBe(before.ruleSet.version);

    const sent = await editorJson(page);
    expect(sent).toEqual({ ...candidate, version: 'console-rules-e2e-3' });
    await page.getByTestId('rules-activate').click();
    await page.getByTestId('rules-activate-confirm').click();
    await expect.poll(() => page.getByTestId('rules-notice').innerText()).toContain('规则集 console-rules-e2e-3 已生效');
    await page.locator('[data-testid="rules-active"][data-version="console-rules-e2e-3"]').waitFor();
    expect(await page.getByTestId('rules-active-version').innerText()).toBe('console-rules-e2e-3');
    const newRule = page.locator(`[data-testid="active-rule"][data-rule-id="${EVERY_PAYMENT.id}"]`);
    expect(await newRule.getAttribute('data-shadow')).toBe('true');
    expect(await page.getByTestId('rules-active-count').innerText()).toContain(`${before.rules + 1} 条`);
    // The editor now holds the active version, so the next change needs a new one again.
    await page.getByTestId('rules-version-same').waitFor();
    expect(await page.getByTestId('dry-run').count()).toBe(0);
    await screenshot(page, 'console-rules-activated');

    const after = await activeRuleSet();
    expect(after.ruleSet.version).toBe('console-rules-e2e-3');
    expect(after.rules).toBe(before.rules + 1);
    expect(after.ruleSet).toEqual(sent);

    const auditTrail = await apiCall<{ items: { action: string; objectId: string | null; actor: string; detail: { previous?: string } }[] }>(server.base, 'GET', '/v1/ops/audit?limit=20', server.adminToken);
    expect(auditTrail.status).toBe(200);
    const entry = auditTrail.body.items.find((i) => i.action === 'risk.rule_set.activate' && i.objectId === 'console-rules-e2e-3');
    expect(entry).toBeDefined();
    expect(entry!.actor).toMatch(/^staff:/);
    expect(entry!.detail.previous).toBe(before.ruleSet.version);

    // The new rule, in shadow, now runs on live payments and is counted in the next dry run.
    const wallet = await payingWallet();
    const paid = await wallet.pay({ code: server.demo.merchant.tillPayload, amountMinor: 1800 });
    expect(paid.status).toBe('succeeded');
    await page.getByTestId('rules-version').fill('console-rules-e2e-4');
    await page.getByTestId('rules-dry-run').click();
    await page.locator(`[data-testid="dry-run-shadow"][data-rule-id="${EVERY_PAYMENT.id}"]`).waitFor();
    expect(pageErrors(page)).toEqual([]);
  });
});
