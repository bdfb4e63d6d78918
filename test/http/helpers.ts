import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createHash } from 'node:crypto';
import { buildApp, type AppOptions } from '../../src/http/app.js';
import { openPlatform, type Platform, type PlatformOptions } from '../../src/service/platform.js';
import { createStaffToken, type StaffRole } from '../../src/service/staff.js';
import { createTestDatabase, type StoreName, type TestDatabase } from '../helpers/stores.js';

export interface Running {
  readonly app: FastifyInstance;
  readonly base: string;
  close(): Promise<void>;
}

/** Builds the app as `saoma serve` does and listens on an ephemeral port of the loopback interface. */
export async function startApp(options: AppOptions): Promise<Running> {
  const app = await buildApp(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export interface Res<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: T;
}

export interface CallOptions {
  readonly token?: string | undefined;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent verbatim (with content-type application/json unless headers say otherwise). */
  readonly raw?: string | Uint8Array;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
}

export async function call<T = any>(base: string, method: string, path: string, options: CallOptions = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined;
  if (options.json !== undefined) body = JSON.stringify(options.json);
  if (options.raw !== undefined) body = options.raw;
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed as T };
}

/** Asserts the one error format: `{"error": {type, code, message, param?}}` and nothing else. */
export function expectError(res: Res, status: number, code: string, param?: string): void {
  expect({ status: res.status, code: res.body?.error?.code }, res.text).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  const error = res.body.error as Record<string, unknown>;
  for (const key of Object.keys(error)) expect(['type', 'code', 'message', 'param']).toContain(key);
  expect(typeof error.type).toBe('string');
  expect(typeof error.message).toBe('string');
  expect((error.message as string).length).toBeGreaterThan(0);
  if ('param' in error) expect(typeof error.param).toBe('string');
  if (param !== undefined) expect(error.param).toBe(param);
}

export interface TestEnv {
  readonly platform: Platform;
  readonly server: Running;
  readonly base: string;
  /** Where the platform keeps its files (the master key). */
  readonly dataDir: string;
  close(): Promise<void>;
}

/** A fresh database of the given engine, a platform over it, and the app listening on it. */
export async function openTestEnv(
  storeName: StoreName,
  options: { platform?: Omit<PlatformOptions, keyof TestDatabase['options']>; app?: Omit<AppOptions, 'platform'> } = {},
): Promise<TestEnv> {
  const database = await createTestDatabase(storeName);
  let platform: Platform | undefined;
  try {
    platform = await openPlatform({ ...database.options, ...(options.platform ?? {}) });
    const server = await startApp({ ...(options.app ?? {}), platform });
    const opened = platform;
    return {
      platform: opened,
      server,
      base: server.base,
      dataDir: database.options.dataDir!,
      async close() {
        try {
          await server.close();
          await opened.close();
        } finally {
          await database.drop();
        }
      },
    };
  } catch (error) {
    await platform?.close();
    await database.drop();
    throw error;
  }
}

export function staffToken(platform: Platform, role: StaffRole, label = `${role} for tests`): Promise<string> {
  return createStaffToken(platform.store.db, role, label, Date.now());
}

/** Revokes a staff token the way an operator would: by marking its row (staff.ts has no revoke yet). */
export async function revokeStaffToken(platform: Platform, token: string): Promise<void> {
  const hash = createHash('sha256').update(token).digest('hex');
  const result = await platform.store.db.updateTable('staff_tokens').set({ revoked_at_ms: BigInt(Date.now()) }).where('token_hash', '=', hash).executeTakeFirst();
  expect(Number(result.numUpdatedRows)).toBe(1);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The routes Fastify knows, read from its own route tree (`printRoutes`), as method + URL.
 * The tree prints one node per line, indented by four columns per level, with the methods of
 * the node's handlers in parentheses; a node's URL is its ancestors' segments joined.
 */
export function registeredRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const text = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: Array<{ method: string; url: string }> = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) throw new Error(`cannot read route tree line: ${JSON.stringify(line)}`);
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    if (!m[3] || m[3] === '-') continue;
    for (const method of m[3].split(',').map((s) => s.trim())) routes.push({ method, url: stack.join('') });
  }
  return routes;
}
