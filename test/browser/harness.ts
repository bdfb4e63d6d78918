// Browser end-to-end harness: the real server (built CLI, SQLite under a temp dir, demo data),
// Debian's Chromium through playwright-core, a fake camera fed a Y4M file that shows a QR code,
// the CDP virtual authenticator for passkeys, and a recorder of speechSynthesis.speak().

import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import QRCode from 'qrcode';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { DemoData } from '../../src/cli/demo.js';
import { WalletClient } from '../../src/sdk/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.SAOMA_CHROMIUM ?? '/usr/bin/chromium';
const CLI = path.join(ROOT, 'dist/src/cli/index.js');

export function requireChromium(): void {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}; install it with: apt-get update && apt-get install -y chromium fonts-noto-cjk`);
  }
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

export interface RunningServer {
  readonly base: string;
  readonly dataDir: string;
  readonly adminToken: string;
  readonly demo: DemoData;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** `saoma serve` on http://localhost:PORT (WebAuthn refuses 127.0.0.1 as a relying party). */
export async function startServer(env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-e2e-'));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, 'serve', '--quiet'], {
    env: { ...process.env, DATABASE_URL: '', ...env, PORT: String(port), SAOMA_DATA_DIR: dataDir, SAOMA_PUBLIC_URL: base },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const check = setInterval(() => {
      if (/sk_staff_\S+/.test(output) && output.includes('/healthz')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const adminToken = /(sk_staff_\S+)/.exec(output)![1]!;
  const demo = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo.json'), 'utf8')) as DemoData;
  return {
    base,
    dataDir,
    adminToken,
    demo,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => {
          fs.rmSync(dataDir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A Y4M file (one 640×480 frame; Chromium loops it) showing `payload` as a QR code. */
export function writeCameraFile(file: string, payload: string | undefined): void {
  const width = 640;
  const height = 480;
  const y = Buffer.alloc(width * height, 235);
  if (payload !== undefined) {
    const qr = QRCode.create(payload, { errorCorrectionLevel: 'M' });
    const modules = qr.modules.size;
    const scale = Math.floor(400 / (modules + 8));
    const side = (modules + 8) * scale;
    const left = Math.floor((width - side) / 2);
    const top = Math.floor((height - side) / 2);
    for (let row = 0; row < side; row++) {
      for (let col = 0; col < side; col++) {
        const mx = Math.floor(col / scale) - 4;
        const my = Math.floor(row / scale) - 4;
        const dark = mx >= 0 && my >= 0 && mx < modules && my < modules && qr.modules.get(mx, my);
        y[(top + row) * width + left + col] = dark ? 16 : 235;
      }
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), y, chroma]));
}

export interface Camera {
  readonly file: string;
  show(payload: string | undefined): void;
}

export function newCamera(): Camera {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-cam-')), 'camera.y4m');
  writeCameraFile(file, undefined);
  return { file, show: (payload) => writeCameraFile(file, payload) };
}

/** Headless Debian Chromium with the fake camera reading `camera.file` (read when a capture starts). */
export async function launchBrowser(camera: Camera): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${camera.file}`,
    ],
  });
}

/** A phone-sized context (or a desk-sized one) that records what is handed to speechSynthesis. */
export async function newContext(browser: Browser, base: string, options: { phone?: boolean; locale?: string } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: base,
    locale: options.locale ?? 'zh-CN',
    viewport: options.phone === false ? { width: 1280, height: 860 } : { width: 390, height: 844 },
    deviceScaleFactor: 1,
    permissions: ['camera'],
  });
  // A string, not a function: this file is type-checked without the DOM library.
  await context.addInitScript(`
    window.__spoken = [];
    if ('speechSynthesis' in window) {
      const original = window.speechSynthesis.speak.bind(window.speechSynthesis);
      window.speechSynthesis.speak = (utterance) => { window.__spoken.push(utterance.text); original(utterance); };
    }
  `);
  return context;
}

export async function spokenTexts(page: Page): Promise<string[]> {
  return page.evaluate('[...window.__spoken]');
}

/**
 * The CDP virtual authenticator: a platform passkey that verifies the user at once, or, with
 * `userVerification: false`, one of a phone without a fingerprint or face check (presence only).
 */
export async function addVirtualAuthenticator(page: Page, options: { userVerification?: boolean } = {}): Promise<string> {
  const verifies = options.userVerification ?? true;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: verifies, isUserVerified: verifies, automaticPresenceSimulation: true },
  });
  return authenticatorId;
}

const SHOTS = path.join(ROOT, 'test-results', 'screenshots');

/** A screenshot under test-results/screenshots/ (and docs/screenshots/ with SAOMA_DOC_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  if (process.env.SAOMA_DOC_SCREENSHOTS === '1') {
    const docs = path.join(ROOT, 'docs', 'screenshots');
    fs.mkdirSync(docs, { recursive: true });
    fs.copyFileSync(path.join(SHOTS, `${name}.png`), path.join(docs, `${name}.png`));
  }
}

/** Calls the API as a test's own client (setup, and checks in the database's terms). */
export async function apiCall<T>(base: string, method: 'GET' | 'POST', route: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + route, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/**
 * A wallet made with the SDK (a new identity each call) and topped up from its bank. The sandbox
 * bank answers asynchronously, so this waits, polling and bounded, for the money to arrive.
 */
export async function fundedWallet(base: string, who: { prefix: string; displayName: string; bankAccount: string }, amountMinor = 100_000): Promise<WalletClient> {
  const w = new WalletClient({ baseUrl: base });
  await w.signUp({ identifier: `${who.prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@e2e.saoma`, displayName: who.displayName });
  await w.topUp({ amountMinor, bankAccount: who.bankAccount });
  const deadline = Date.now() + 15_000;
  while ((await w.me()).balance.availableMinor < amountMinor) {
    if (Date.now() > deadline) throw new Error('the top-up did not arrive within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return w;
}

/** `saoma …` on the running server's database, the way an operator runs it; its output. */
export function runCli(server: RunningServer, ...args: string[]): string {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/index.js'), ...args], {
    env: { ...process.env, DATABASE_URL: '', SAOMA_DATA_DIR: server.dataDir },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`saoma ${args.join(' ')} exited with ${String(run.status)}: ${run.stderr}`);
  return run.stdout;
}

/** A new staff token of the role, made with the CLI as an operator makes one. */
export function cliStaffToken(server: RunningServer, role: string, label: string): string {
  const token = /(sk_staff_\S+)/.exec(runCli(server, 'staff', 'token', '--role', role, '--label', label))?.[1];
  if (token === undefined) throw new Error(`saoma staff token printed no token for ${role}`);
  return token;
}

/**
 * Records the page's uncaught errors and console errors, live, in the array returned. A refused
 * request (a 400 the test provokes) is logged by the browser itself and is not counted.
 */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  return errors;
}
