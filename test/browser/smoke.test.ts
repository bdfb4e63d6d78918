import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, newCamera, newContext, startServer, type RunningServer } from './harness.js';

describe('web apps are served', () => {
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

  it.each(['wallet', 'merchant', 'console'])('/%s/ renders its app under the content security policy', async (name) => {
    const context = await newContext(browser, server.base);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    const response = await page.goto(`/${name}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#root *').first().waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('serves index.html for deep links, 404 for missing assets, and never a file outside the app', async () => {
    const deep = await fetch(`${server.base}/wallet/history/pay_x`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    expect((await fetch(`${server.base}/wallet/assets/nope.js`)).status).toBe(404);
    const escape = await fetch(`${server.base}/wallet/..%2F..%2Fsrc%2Fcli%2Findex.js`);
    expect([400, 404]).toContain(escape.status);
    expect(await escape.text()).not.toContain('import');
    // Odd bytes are a plain "not found" or "bad request", never a server error.
    for (const odd of ['/wallet/assets/%00', '/wallet/x%00.js', '/wallet/%E0%A4%A', '/wallet/%252e%252e/%252e%252e/package.json', '/console/..%5c..%5cpackage.json']) {
      const res = await fetch(`${server.base}${odd}`);
      expect([400, 404], odd).toContain(res.status);
      expect(await res.text(), odd).not.toContain('"name": "saoma"');
    }
  });

  it('sends the pre-compressed copy to clients that take gzip, and the plain file to others, byte for byte the same', async () => {
    const html = await (await fetch(`${server.base}/wallet/`)).text();
    const script = /src="(\/wallet\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    // node:http hands over the bytes as sent (fetch would inflate them).
    const sent = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http.get(`${server.base}${script}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject);
    });
    expect(sent.headers['content-encoding']).toBe('gzip');
    expect(sent.headers['cache-control']).toContain('immutable');
    const plain = await fetch(`${server.base}${script}`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const raw = Buffer.from(await plain.arrayBuffer());
    expect(gunzipSync(sent.body).equals(raw)).toBe(true);
    expect(sent.body.length).toBeLessThan(raw.length / 2);
    const refused = await fetch(`${server.base}${script}`, { headers: { 'accept-encoding': 'gzip;q=0, br' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
  });
});
