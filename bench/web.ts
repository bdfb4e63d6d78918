// The web apps on a mid-range phone: bytes shipped, and the time to the first rendered screen in
// Debian Chromium with the CPU slowed 4× and a slow 4G link (150 ms RTT, 1.6 Mbit/s down). The
// baseline, measured the same way in the same run, is the server's tiny index page: the ratio
// says what the app itself costs over a page of nearly nothing.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { BenchOptions, emit, log, quantile, round } from './lib.js';

export const WEB_USAGE = `npm run bench -- web [--runs 7] [--apps wallet,merchant,console]
  --runs   page loads per app (and of the baseline), fresh cache each (default 7)
  --apps   which apps (default all three)`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APPS = ['wallet', 'merchant', 'console'] as const;
const CPU_SLOWDOWN = 4;
const NETWORK = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

/** Bytes of an app: what index.html loads at once (entry script, preloads, CSS), and everything. */
export function appBytes(app: string): { initialJs: number; initialJsGzip: number; totalJs: number; css: number } {
  const dir = path.join(ROOT, 'dist', 'web', app);
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  const initial = new Set<string>();
  for (const m of html.matchAll(/(?:src|href)="\/[a-z]+\/(assets\/[^"]+\.js)"/g)) initial.add(m[1]!);
  let initialJs = 0;
  let initialJsGzip = 0;
  for (const file of initial) {
    const bytes = fs.readFileSync(path.join(dir, file));
    initialJs += bytes.length;
    initialJsGzip += gzipSync(bytes, { level: 9 }).length;
  }
  let totalJs = 0;
  let css = 0;
  for (const file of fs.readdirSync(path.join(dir, 'assets'))) {
    const size = fs.statSync(path.join(dir, 'assets', file)).size;
    if (file.endsWith('.js')) totalJs += size;
    if (file.endsWith('.css')) css += size;
  }
  return { initialJs, initialJsGzip, totalJs, css };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function startServer(): Promise<{ base: string; stop: () => void }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-bench-web-'));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/index.js'), 'serve', '--quiet'], {
    env: { ...process.env, DATABASE_URL: '', PORT: String(port), SAOMA_DATA_DIR: dataDir, SAOMA_PUBLIC_URL: base },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  for (let i = 0; i < 300 && !output.includes('/healthz'); i++) await new Promise((r) => setTimeout(r, 100));
  if (!output.includes('/healthz')) throw new Error(`server did not start:\n${output}`);
  return {
    base,
    stop: () => {
      child.kill('SIGTERM');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Milliseconds from navigation start until the `ready` selector is in the page, on a throttled phone. */
async function firstScreenMs(browser: Browser, url: string, ready: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  await page.goto(url, { waitUntil: 'commit' });
  // A locator and a function (not a string): the pages' CSP forbids eval.
  await page.locator(ready).first().waitFor({ timeout: 60_000 });
  const ms = await page.evaluate(() => performance.now());
  await context.close();
  return ms;
}

export async function webBench(args: readonly string[]): Promise<number> {
  const o = new BenchOptions(args);
  const runs = o.number('runs', 7, { min: 1, max: 100, integer: true });
  const apps = o.list('apps', APPS);
  o.assertAllUsed(['runs', 'apps']);
  const chromiumPath = process.env.SAOMA_CHROMIUM ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath}: apt-get install -y chromium`);
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    log(`baseline: ${runs} loads of ${server.base}/ (CPU ${CPU_SLOWDOWN}× slower, ${NETWORK.latency} ms RTT, 1.6 Mbit/s)`);
    const baseline: number[] = [];
    for (let i = 0; i < runs; i++) baseline.push(await firstScreenMs(browser, `${server.base}/`, 'h1'));
    const baselineP50 = quantile([...baseline].sort((a, b) => a - b), 0.5);
    emit({ bench: 'web', page: 'baseline', runs, first_screen_p50_ms: round(baselineP50, 1) });
    for (const app of apps) {
      const bytes = appBytes(app);
      const loads: number[] = [];
      log(`${app}: ${runs} loads`);
      for (let i = 0; i < runs; i++) loads.push(await firstScreenMs(browser, `${server.base}/${app}/`, '#root > *'));
      const p50 = quantile([...loads].sort((a, b) => a - b), 0.5);
      emit({
        bench: 'web',
        app,
        initial_js_bytes: bytes.initialJs,
        initial_js_gzip_bytes: bytes.initialJsGzip,
        total_js_bytes: bytes.totalJs,
        css_bytes: bytes.css,
        runs,
        first_screen_p50_ms: round(p50, 1),
        first_screen_max_ms: round(Math.max(...loads), 1),
        ratio_to_baseline: round(p50 / baselineP50, 2),
      });
    }
  } finally {
    await browser.close();
    server.stop();
  }
  return 0;
}
