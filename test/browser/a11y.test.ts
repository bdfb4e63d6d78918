// Accessibility checks on the apps' screens as rendered in Chromium: the page language, a label
// for every field, a name for every button, link and image, and text contrast of at least WCAG AA
// (4.5:1, 3:1 for large text), computed from the styles the browser actually applied. Then the
// wallet's sign-up and the counter's sign-in done with the keyboard alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { audit } from './a11y-audit.js';
import { addVirtualAuthenticator, launchBrowser, newCamera, newContext, startServer, type RunningServer } from './harness.js';

describe('accessibility of the web apps', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser(newCamera());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the audit finds what it looks for: a field without a label, a nameless button, an image without text, grey on white', async () => {
    const page = await (await newContext(browser, server.base)).newPage();
    await page.goto('/console/');
    await page.getByTestId('staff-token').waitFor();
    await page.evaluate(`(() => {
      const box = document.createElement('div');
      box.innerHTML = '<input id="bare"><button id="empty"></button><img src="data:," id="pic"><p id="faint" style="color:#bbb;background:#fff">faint text</p>';
      document.body.appendChild(box);
    })()`);
    const problems = await audit(page);
    expect(problems.some((p) => p.startsWith('field without a label: input#bare'))).toBe(true);
    expect(problems.some((p) => p.startsWith('control without a name: button#empty'))).toBe(true);
    expect(problems.some((p) => p.startsWith('image without a text: img#pic'))).toBe(true);
    expect(problems.some((p) => /^contrast 1\.[0-9]+ < 4\.5: p#faint/.test(p))).toBe(true);
    expect(problems).toHaveLength(4);
  });

  it('the wallet: signed up with the keyboard alone; the sign-up, home, payment-code and history screens pass the audit', async () => {
    const page = await (await newContext(browser, server.base)).newPage();
    await addVirtualAuthenticator(page);
    await page.goto('/wallet/');
    await page.getByTestId('signup-identifier').waitFor();
    expect(await audit(page)).toEqual([]);
    await page.getByTestId('signup-identifier').focus();
    await page.keyboard.type('+8613600002222');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(`document.activeElement.dataset.testid`)).toBe('signup-name');
    await page.keyboard.type('Keyboard User');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="balance"]:text-is("¥0.00")').waitFor({ timeout: 20_000 });
    expect(await audit(page)).toEqual([]);
    await page.getByTestId('nav-code').click();
    await page.getByTestId('payment-code-digits').waitFor();
    expect(await audit(page)).toEqual([]);
    await page.getByTestId('nav-history').click();
    await screenLoaded(page, 'nav-history');
    await page.getByText(/还没有付款记录|No payments yet/).waitFor();
    expect(await audit(page)).toEqual([]);
  });

  it('the merchant counter: signed in with the keyboard; counter, payments, today and settings pass the audit', async () => {
    const page = await (await newContext(browser, server.base, { phone: false })).newPage();
    await page.goto('/merchant/');
    await page.getByTestId('merchant-key').waitFor();
    expect(await audit(page)).toEqual([]);
    await page.getByTestId('merchant-key').focus();
    await page.keyboard.type(server.demo.merchant.apiKey);
    await page.keyboard.press('Enter');
    await page.getByTestId('static-code').waitFor();
    expect(await audit(page)).toEqual([]);
    for (const tab of ['nav-payments', 'nav-today', 'nav-settings']) {
      await page.getByTestId(tab).click();
      await screenLoaded(page, tab);
      expect(await audit(page), tab).toEqual([]);
    }
  });

  it('the console: signed in with the keyboard; every screen of an admin passes the audit', async () => {
    const page = await (await newContext(browser, server.base, { phone: false })).newPage();
    await page.goto('/console/');
    await page.getByTestId('staff-token').waitFor();
    expect(await audit(page)).toEqual([]);
    await page.getByTestId('staff-token').focus();
    await page.keyboard.type(server.adminToken);
    await page.keyboard.press('Enter');
    await page.getByTestId('dash-reserve').waitFor();
    expect(await audit(page)).toEqual([]);
    for (const tab of ['nav-merchants', 'nav-risk', 'nav-rules', 'nav-reports', 'nav-audit']) {
      await page.getByTestId(tab).click();
      await screenLoaded(page, tab);
      expect(await audit(page), tab).toEqual([]);
    }
  });
});

/**
 * The screen of a navigation tab is shown and has finished loading. Not the network going idle:
 * in a single-page app that state was reached at the first load, so waiting for it returns at
 * once, and the counter keeps a live payment stream open besides.
 */
async function screenLoaded(page: Page, tab: string): Promise<void> {
  await page.locator(`[data-testid="${tab}"][aria-current="page"]`).waitFor();
  await expect.poll(() => page.locator('[role=status]').filter({ hasText: /加载中|正在读取|Loading/ }).count()).toBe(0);
}
