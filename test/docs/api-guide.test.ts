import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import * as limits from '../../src/core/limits.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, openTestEnv, type TestEnv } from '../http/helpers.js';

// docs/api.md is the guide to the whole API. Its route index must list exactly the /v1 routes of
// the live OpenAPI document, with the credential each really takes; its curl examples must call
// routes that exist; and every error code it names must be in the catalogue. So the guide cannot
// fall behind the API without this test failing.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GUIDE = fs.readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');

type Audience = 'public' | 'wallet' | 'merchant' | 'staff';
const SCHEME_AUDIENCE: Record<string, Audience> = { consumerSession: 'wallet', merchantKey: 'merchant', staffToken: 'staff' };
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface IndexRow {
  readonly method: string;
  readonly path: string;
  readonly who: string;
}

interface Parsed<T> {
  readonly items: T[];
  readonly problems: string[];
}

/** `:id` (the prose style) and `{id}` (OpenAPI) name the same path parameter. */
function normalizePath(p: string): string {
  return p.replace(/:([A-Za-z][A-Za-z0-9]*)/g, '{$1}');
}

/** Splits markdown into the text outside fenced blocks and the fenced blocks with their info string. */
function splitFences(markdown: string): { prose: string; fences: Array<{ info: string; body: string }> } {
  const prose: string[] = [];
  const fences: Array<{ info: string; body: string }> = [];
  let open: { info: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    const fence = /^```(.*)$/.exec(line);
    if (fence && !open) open = { info: fence[1]!.trim(), lines: [] };
    else if (fence && open) {
      fences.push({ info: open.info, body: open.lines.join('\n') });
      open = undefined;
    } else if (open) open.lines.push(line);
    else prose.push(line);
  }
  if (open) throw new Error('docs/api.md has an unclosed code fence');
  return { prose: prose.join('\n'), fences };
}

/** The rows of the table under the "Route index" heading (level 2, optionally numbered). */
function routeIndex(markdown: string): Parsed<IndexRow> {
  const { prose } = splitFences(markdown);
  const lines = prose.split('\n');
  const start = lines.findIndex((l) => /^##\s+(?:\d+\.\s*)?Route index\s*$/i.test(l));
  if (start < 0) return { items: [], problems: ['no "## Route index" section'] };
  const end = lines.findIndex((l, i) => i > start && /^##\s/.test(l));
  const items: IndexRow[] = [];
  const problems: string[] = [];
  for (const line of lines.slice(start + 1, end < 0 ? undefined : end)) {
    if (!line.startsWith('|')) continue;
    const cells = line.replace(/^\|/, '').replace(/\|\s*$/, '').split('|').map((c) => c.trim());
    if (cells[0] === 'method' || /^-+$/.test(cells[0] ?? '')) continue;
    const [method, rawPath, who] = cells;
    const routePath = /^`([^`]+)`$/.exec(rawPath ?? '')?.[1];
    if (cells.length !== 4 || !METHODS.includes(method as (typeof METHODS)[number]) || !routePath || !who) {
      problems.push(`unreadable route index row: ${line}`);
      continue;
    }
    items.push({ method: method!, path: normalizePath(routePath), who });
  }
  return { items, problems };
}

/** The method and path of every curl call in the shell examples (continuation lines joined). */
function curlCalls(markdown: string): Parsed<{ method: string; path: string; command: string }> {
  const items: Array<{ method: string; path: string; command: string }> = [];
  const problems: string[] = [];
  for (const fence of splitFences(markdown).fences.filter((f) => f.info === 'sh')) {
    const commands = fence.body.replace(/\\\n/g, ' ').split('\n');
    for (const command of commands) {
      if (!/(^|\s)curl\s/.test(command)) continue;
      const url = /(?:\$B|https?:\/\/(?:localhost|127\.0\.0\.1):\d+|localhost:\d+)(\/[^\s"'?]*)/.exec(command);
      if (!url) {
        problems.push(`a curl example without a recognisable URL: ${command.trim()}`);
        continue;
      }
      const explicit = /\s-X\s+([A-Z]+)/.exec(command)?.[1];
      const method = explicit ?? (/\s(?:-d|--data(?:-raw|-binary)?)\s/.test(command) ? 'POST' : 'GET');
      items.push({ method, path: url[1]!, command: command.trim() });
    }
  }
  return { items, problems };
}

/** A concrete path (`/v1/orders/o6fb…/close`, `/v1/orders/$OID/close`) matches a template (`/v1/orders/{orderId}/close`). */
function matchesTemplate(concrete: string, template: string): boolean {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(concrete);
}

// Upper-case names in backticks that are not error codes: the numeric limits (named with units in
// core/limits.ts), the SDK's webhook-verifier codes (thrown in the receiver's process, not by the
// API), environment variables, and HTTP methods and currencies.
const LIMIT_NAMES = new Set(Object.keys(limits));
const WEBHOOK_VERIFIER_CODES = new Set(
  [...fs.readFileSync(path.join(ROOT, 'src/sdk/webhooks.ts'), 'utf8').matchAll(/\|\s*'(WEBHOOK_[A-Z_]+)'/g)].map((m) => m[1]!),
);
const OTHER_NAMES = new Set(['PORT', 'HOST', 'SAOMA_DATA_DIR', 'DATABASE_URL', 'SAOMA_PUBLIC_URL', 'SAOMA_MASTER_KEY', 'SAOMA_DEMO', 'GET', 'POST', 'CNY']);

/** Error codes the guide names: in inline code (`CODE` or `409 CODE`) and in examples (`"code":"CODE"`, `code === 'CODE'`). */
function mentionedCodes(markdown: string): Parsed<string> {
  const { prose, fences } = splitFences(markdown);
  const items: string[] = [];
  for (const span of prose.matchAll(/`([^`\n]+)`/g)) {
    const code = /^(?:[1-5][0-9]{2} )?([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)$/.exec(span[1]!)?.[1];
    if (code && !LIMIT_NAMES.has(code) && !WEBHOOK_VERIFIER_CODES.has(code) && !OTHER_NAMES.has(code)) items.push(code);
  }
  for (const fence of fences) {
    for (const m of fence.body.matchAll(/\bcode"?\s*(?:===|:)\s*["']([A-Z][A-Z0-9_]*)["']/g)) items.push(m[1]!);
  }
  const problems = [...new Set(items)].filter((c) => !(c in ERROR_CODES)).map((c) => `\`${c}\` is not in ERROR_CODES (src/core/errors.ts)`);
  return { items, problems };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
}

function operations(document: OpenApiDocument): Array<{ method: string; path: string; audience: Audience }> {
  const out: Array<{ method: string; path: string; audience: Audience }> = [];
  for (const [p, ops] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.includes(method.toUpperCase() as (typeof METHODS)[number])) continue;
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
      const audiences = [...new Set(schemes.map((s) => SCHEME_AUDIENCE[s] ?? `unknown scheme ${s}`))];
      if (audiences.length > 1) throw new Error(`${method} ${p} takes several credentials: ${audiences.join(', ')}`);
      out.push({ method: method.toUpperCase(), path: p, audience: (audiences[0] as Audience | undefined) ?? 'public' });
    }
  }
  return out;
}

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('the checks of the API guide', () => {
  // The same parsers on small made-up guides: each check can fail.
  const guide = (rows: string, extra = '') =>
    `# x\n\n${extra}\n\n## 5. Route index\n\n| method | path | who | what |\n| --- | --- | --- | --- |\n${rows}\n\n## After\n\n| GET | \`/v1/not-in-index\` | public | x |\n`;

  it('reads the route index rows of its own section only, and flags rows it cannot read', () => {
    const parsed = routeIndex(guide('| GET | `/v1/orders/:orderId` | merchant: any role | one order |\n| FETCH | `/v1/x` | public | ? |'));
    expect(parsed.items).toEqual([{ method: 'GET', path: '/v1/orders/{orderId}', who: 'merchant: any role' }]);
    expect(parsed.problems).toHaveLength(1);
    expect(routeIndex('# nothing here').problems).toEqual(['no "## Route index" section']);
  });

  it('finds unknown error codes in inline code and in example bodies, and ignores limits and other names', () => {
    const made = 'Use `409 ORDER_NOT_OPEN`, `NO_SUCH_CODE`, `HTTP_RATE_LIMIT_PER_MINUTE`, `WEBHOOK_SIGNATURE_MISMATCH`, `CNY`.\n\n```json\n{"error":{"code":"ALSO_MADE_UP"}}\n```\n\n```ts\nif (e.code === \'PIN_REQUIRED\') {}\n```\n';
    const parsed = mentionedCodes(made);
    expect(parsed.items.sort()).toEqual(['ALSO_MADE_UP', 'NO_SUCH_CODE', 'ORDER_NOT_OPEN', 'PIN_REQUIRED']);
    expect(parsed.problems).toHaveLength(2);
  });

  it('reads the method and path of curl examples, across continuation lines', () => {
    const parsed = curlCalls('```sh\ncurl -s $B/v1/orders -H "a: b" \\\n  -d \'{}\'\ncurl -s -X POST $B/v1/orders/o1/close\ncurl -s "$B/v1/payments?limit=2"\ncurl -s example.org\n```\n');
    expect(parsed.items.map(key)).toEqual(['POST /v1/orders', 'POST /v1/orders/o1/close', 'GET /v1/payments']);
    expect(parsed.problems).toHaveLength(1);
    expect(matchesTemplate('/v1/orders/o1/close', '/v1/orders/{orderId}/close')).toBe(true);
    expect(matchesTemplate('/v1/orders/o1/x/close', '/v1/orders/{orderId}/close')).toBe(false);
  });
});

describe('docs/api.md names only catalogued error codes', () => {
  it('every error code it mentions is in ERROR_CODES', () => {
    const parsed = mentionedCodes(GUIDE);
    expect(parsed.problems).toEqual([]);
    // The guide does discuss errors: an empty list would mean the parser stopped seeing them.
    expect(new Set(parsed.items).size).toBeGreaterThan(40);
    for (const code of ['IDEMPOTENCY_KEY_MISMATCH', 'IDEMPOTENCY_KEY_IN_USE', 'REFUND_NOT_COVERED', 'PIN_REQUIRED', 'QR_COUNTERFEIT', 'DEVICE_COOLING_OFF']) {
      expect(parsed.items).toContain(code);
    }
  });
});

describe('docs/api.md examples', () => {
  it('every JSON example parses: the whole block, or one document per line', () => {
    const bad: string[] = [];
    for (const fence of splitFences(GUIDE).fences.filter((f) => f.info === 'json')) {
      try {
        JSON.parse(fence.body);
      } catch {
        for (const line of fence.body.split('\n').filter((l) => l.trim() !== '')) {
          try {
            JSON.parse(line);
          } catch {
            bad.push(line);
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });
});

describe.each(STORE_NAMES)('docs/api.md against the live OpenAPI document (%s)', (storeName) => {
  let env: TestEnv;
  let live: Array<{ method: string; path: string; audience: Audience }>;

  beforeAll(async () => {
    env = await openTestEnv(storeName);
    const res = await call<OpenApiDocument>(env.base, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    live = operations(res.body);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('the route index lists every /v1 route of the OpenAPI document, and no other, once', () => {
    const index = routeIndex(GUIDE);
    expect(index.problems).toEqual([]);
    const documented = index.items.map(key);
    expect(documented.filter((k, i) => documented.indexOf(k) !== i), 'routes listed twice').toEqual([]);
    const served = live.filter((r) => r.path.startsWith('/v1/')).map(key);
    expect(served.length).toBeGreaterThan(50);
    expect(served.filter((k) => !documented.includes(k)), 'routes missing from the route index of docs/api.md').toEqual([]);
    expect(documented.filter((k) => !served.includes(k)), 'routes in docs/api.md that the API does not serve').toEqual([]);
  });

  it('the route index names the credential each route takes', () => {
    const byKey = new Map(live.map((r) => [key(r), r.audience]));
    const wrong = routeIndex(GUIDE)
      .items.filter((row) => byKey.has(key(row)))
      .map((row) => ({ route: key(row), documented: row.who.split(/[:\s]/)[0], served: byKey.get(key(row)) }))
      .filter((r) => r.documented !== r.served);
    expect(wrong).toEqual([]);
  });

  it('every curl example calls a route the API serves, with a method it takes', () => {
    const curls = curlCalls(GUIDE);
    expect(curls.problems).toEqual([]);
    expect(curls.items.length).toBeGreaterThan(40);
    const outsideV1 = ['GET /healthz', 'GET /openapi.json', 'GET /docs'];
    const unknown = curls.items
      .filter((c) => !outsideV1.includes(key(c)) && !live.some((r) => r.method === c.method && matchesTemplate(c.path, r.path)))
      .map((c) => `${key(c)}  ←  ${c.command}`);
    expect(unknown).toEqual([]);
  });
});
