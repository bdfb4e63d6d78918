import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_BODY_BYTES_MAX } from '../../src/core/limits.js';
import { STAFF_ROLES, type StaffRole } from '../../src/service/staff.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, registeredRoutes, revokeStaffToken, staffToken, type Res, type TestEnv } from './helpers.js';

interface Route {
  readonly method: 'GET' | 'POST';
  /** As Fastify knows it. */
  readonly template: string;
  readonly path: () => string;
  readonly body?: (n: number) => unknown;
}

// Covered by test/http/qr-keys.test.ts: admin-only rotate/revoke, and the public key set.
const QR_KEY_ROUTES = ['POST /v1/ops/qr/keys/rotate', 'POST /v1/ops/qr/keys/:keyId/revoke', 'GET /v1/qr/keys'];

let unique = 0;
const ROUTES: readonly Route[] = [
  { method: 'POST', template: '/v1/ledger/accounts', path: () => '/v1/ledger/accounts', body: (n) => ({ accounts: [{ id: `new-${n}`, type: 'wallet', currency: 'CNY' }] }) },
  {
    method: 'POST',
    template: '/v1/ledger/transfers',
    path: () => '/v1/ledger/transfers',
    body: (n) => ({ transfers: [{ id: `t-${n}`, debitAccountId: 'platform:reserve:CNY', creditAccountId: 'secret-wallet', amountMinor: 1, currency: 'CNY' }] }),
  },
  { method: 'GET', template: '/v1/ledger/accounts/:id', path: () => '/v1/ledger/accounts/secret-wallet' },
  { method: 'GET', template: '/v1/ledger/accounts/:id/transfers', path: () => '/v1/ledger/accounts/secret-wallet/transfers?limit=10' },
  { method: 'GET', template: '/v1/ledger/accounts/:id/balances', path: () => `/v1/ledger/accounts/secret-wallet/balances?atMs=${Date.now()}` },
  { method: 'GET', template: '/v1/ledger/transfers/:id', path: () => '/v1/ledger/transfers/secret-topup' },
  { method: 'GET', template: '/v1/ledger/verify', path: () => '/v1/ledger/verify' },
];
const WRITERS: readonly StaffRole[] = ['admin'];

// Who may do what on the staff ledger API, route by route, and what refusals show.
describe.each(STORE_NAMES)('staff ledger API authorisation on %s', (storeName) => {
  let env: TestEnv;
  const tokens = {} as Record<StaffRole, string>;
  let revoked: string;

  beforeAll(async () => {
    env = await openTestEnv(storeName);
    for (const role of STAFF_ROLES) tokens[role] = await staffToken(env.platform, role);
    revoked = await staffToken(env.platform, 'admin', 'revoked admin');
    await revokeStaffToken(env.platform, revoked);
    await env.platform.ledger.ensurePlatformAccounts('CNY');
    expect(await env.platform.ledger.createAccounts([{ id: 'secret-wallet', type: 'wallet', currency: 'CNY', userData: 'SECRET-USER-DATA' }])).toEqual(['ok']);
    expect(
      await env.platform.ledger.createTransfers([{ id: 'secret-topup', debitAccountId: 'platform:reserve:CNY', creditAccountId: 'secret-wallet', amountMinor: 777_777n, currency: 'CNY', userData: 'SECRET-TRANSFER' }]),
    ).toEqual(['ok']);
  });
  afterAll(async () => {
    await env?.close();
  });

  function send(route: Route, headers: Record<string, string>): Promise<Res> {
    const body = route.body?.(++unique);
    return call(env.base, route.method, route.path(), { headers, ...(body === undefined ? {} : { json: body }) });
  }
  /** A refusal shows the error object and nothing of the ledger. */
  function expectNoLeak(res: Res) {
    for (const secret of ['secret-wallet', 'SECRET', '777777', 'secret-topup', 'balances', ...Object.values(tokens).map((t) => t.slice('sk_staff_'.length)), revoked.slice('sk_staff_'.length)]) {
      expect(res.text).not.toContain(secret);
    }
  }
  async function accountCount() {
    const rows = await env.platform.store.db.selectFrom('ledger_accounts').select('id').execute();
    return rows.length;
  }

  // Wallet, merchant and other ops routes have their own matrix in test/payments/authz.test.ts.
  it('the table above, with the QR key routes (test/http/qr-keys.test.ts), covers every ledger and QR key route the app registers', () => {
    const registered = registeredRoutes(env.server.app)
      .filter((r) => (r.url.startsWith('/v1/ledger/') || r.url.startsWith('/v1/qr/') || r.url.startsWith('/v1/ops/qr/')) && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(registered).toEqual([...ROUTES.map((r) => `${r.method} ${r.template}`), ...QR_KEY_ROUTES].sort());
  });

  const badCredentials: Array<[string, () => Record<string, string>]> = [
    ['no Authorization header', () => ({})],
    ['an empty bearer token', () => ({ authorization: 'Bearer ' })],
    ['another scheme', () => ({ authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` })],
    ['the token without a scheme', () => ({ authorization: tokens.admin })],
    ['a malformed token', () => ({ authorization: 'Bearer not-a-token' })],
    ['an unknown token of the right shape', () => ({ authorization: `Bearer sk_staff_${'A'.repeat(43)}` })],
    ['an admin token with one character changed', () => ({ authorization: `Bearer ${tokens.admin.slice(0, -1)}${tokens.admin.endsWith('A') ? 'B' : 'A'}` })],
    ['an oversized token', () => ({ authorization: `Bearer sk_staff_${'A'.repeat(5_000)}` })],
    ['a revoked admin token', () => ({ authorization: `Bearer ${revoked}` })],
  ];
  describe.each(ROUTES.map((r) => [`${r.method} ${r.template}`, r] as const))('%s', (_name, route) => {
    it.each(badCredentials)('refuses %s with 401 UNAUTHENTICATED', async (_what, headers) => {
      const count = await accountCount();
      const res = await send(route, headers());
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expectNoLeak(res);
      expect(await accountCount()).toBe(count);
    });

    if (route.method === 'POST') {
      it.each(STAFF_ROLES.filter((r) => !WRITERS.includes(r)))('refuses a %s token with 403 FORBIDDEN and writes nothing', async (role) => {
        const n = ++unique;
        const res = await call(env.base, 'POST', route.path(), { token: tokens[role], json: route.body!(n) });
        expectError(res, 403, 'FORBIDDEN');
        expectNoLeak(res);
        expectError(await call(env.base, 'GET', `/v1/ledger/accounts/new-${n}`, { token: tokens.admin }), 404, 'ACCOUNT_NOT_FOUND');
        expectError(await call(env.base, 'GET', `/v1/ledger/transfers/t-${n}`, { token: tokens.admin }), 404, 'TRANSFER_NOT_FOUND');
      });
      it('admits an admin token', async () => {
        const res = await send(route, { authorization: `Bearer ${tokens.admin}` });
        expect(res.status, res.text).toBe(200);
        expect(res.body.results[0].result).toBe('ok');
      });
    } else {
      it.each(STAFF_ROLES)('admits a %s token', async (role) => {
        const res = await send(route, { authorization: `Bearer ${tokens[role]}` });
        expect(res.status, res.text).toBe(200);
        expect(res.text).toMatch(/secret-wallet|secret-topup|"ok":true/);
      });
      it('refuses HEAD without a token too', async () => {
        const res = await fetch(env.base + route.path(), { method: 'HEAD' });
        expect(res.status).toBe(401);
        const ok = await fetch(env.base + route.path(), { method: 'HEAD', headers: { authorization: `Bearer ${tokens.support}` } });
        expect(ok.status).toBe(200);
      });
    }
  });

  it('authenticates before it validates: an anonymous caller learns nothing about the schema', async () => {
    for (const [method, path, json] of [
      ['POST', '/v1/ledger/transfers', { transfers: [{ id: 'x y', amountMinor: -1 }] }],
      ['POST', '/v1/ledger/accounts', { nonsense: true }],
      ['GET', `/v1/ledger/accounts/${'a'.repeat(65)}`, undefined],
      ['GET', '/v1/ledger/accounts/secret-wallet/transfers?cursor=garbage', undefined],
      ['GET', '/v1/ledger/accounts/secret-wallet/balances', undefined],
    ] as const) {
      const res = await call(env.base, method, path, json === undefined ? {} : { json });
      expectError(res, 401, 'UNAUTHENTICATED');
    }
    // Nor does a caller without the role.
    expectError(await call(env.base, 'POST', '/v1/ledger/transfers', { token: tokens.risk, json: { transfers: 'nope' } }), 403, 'FORBIDDEN');
    // An anonymous oversized body is refused for the missing credentials, not read.
    const big = '{"pad":"' + 'p'.repeat(HTTP_BODY_BYTES_MAX) + '"}';
    expectError(await call(env.base, 'POST', '/v1/ledger/transfers', { raw: big }), 401, 'UNAUTHENTICATED');
  });

  it('takes the Bearer scheme in any letter case (RFC 7235)', async () => {
    const res = await call(env.base, 'GET', '/v1/ledger/verify', { headers: { authorization: `bearer ${tokens.compliance}` } });
    expect(res.status, res.text).toBe(200);
  });

  it('records who wrote in the audit trail, never the token', async () => {
    const rows = await env.platform.store.db.selectFrom('audit_log').selectAll().execute();
    const writes = rows.filter((r) => r.action === 'ledger.accounts.create' || r.action === 'ledger.transfers.create');
    // One per admitted admin write above, and none for the refused ones.
    expect(writes.map((w) => w.action).sort()).toEqual(['ledger.accounts.create', 'ledger.transfers.create']);
    const adminId = await env.platform.store.db.selectFrom('staff_tokens').select('id').where('label', '=', 'admin for tests').executeTakeFirstOrThrow();
    for (const row of writes) {
      expect(row.actor).toBe(`staff:${adminId.id}`);
      for (const token of [...Object.values(tokens), revoked]) expect(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(token.slice('sk_staff_'.length));
    }
  });
});
