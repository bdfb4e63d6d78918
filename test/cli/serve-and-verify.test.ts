import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';

import { cli, startServer, stop } from './helpers.js';

describe.each(STORE_NAMES)('saoma serve and saoma ledger verify on %s', (storeName) => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    // Without the demo data, so the books hold exactly what this test puts in them.
    env = { ...process.env, ...database.env, SAOMA_DEMO: '0' };
  });
  afterAll(async () => database?.drop());

  it('starts, prints where to go and an admin token once, serves the API, and stops cleanly', async () => {
    const first = await startServer(env);
    expect(first.output).toContain(`/docs`);
    const token = /sk_staff_[A-Za-z0-9_-]+/.exec(first.output)?.[0];
    expect(token).toBeDefined();
    const health = await fetch(`${first.base}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', store: storeName });
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${first.base}/v1/ledger/accounts`, { method: 'POST', headers: auth, body: JSON.stringify({ accounts: [{ id: 'alice', type: 'wallet', currency: 'CNY' }] }) });
    expect(await created.json()).toEqual({ results: [{ id: 'alice', result: 'ok' }] });
    const topUp = await fetch(`${first.base}/v1/ledger/transfers`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ transfers: [{ id: 'topup-1', debitAccountId: 'platform:reserve:CNY', creditAccountId: 'alice', amountMinor: 1250, currency: 'CNY' }] }),
    });
    expect(await topUp.json()).toEqual({ results: [{ id: 'topup-1', result: 'ok' }] });
    expect(await stop(first.child)).toBe(0);

    const second = await startServer(env);
    expect(second.output).not.toMatch(/sk_staff_/);
    const alice = await fetch(`${second.base}/v1/ledger/accounts/alice`, { headers: auth });
    expect(((await alice.json()) as { balances: { creditsPostedMinor: number } }).balances.creditsPostedMinor).toBe(1250);
    expect(await stop(second.child)).toBe(0);
  });

  it('verify prints one line and exits 0 on sound books, names the violation and exits 1 on tampered ones', async () => {
    const ok = await cli(['ledger', 'verify'], env);
    expect(ok.code).toBe(0);
    expect(ok.out.trim().split('\n')).toHaveLength(1);
    expect(ok.out).toMatch(/^ledger ok: \d+ accounts .*CNY: reserve 12\.50 CNY = customer funds 12\.50 CNY \+ platform claims 0\.00 CNY/);

    // Someone edits a balance behind the ledger's back: money appears from nowhere.
    const store = await openStore(database.options);
    await sql`UPDATE ledger_accounts SET credits_posted = credits_posted + 100 WHERE id = 'alice'`.execute(store.db);
    // Transfers themselves cannot be edited at all.
    await expect(sql`UPDATE ledger_transfers SET amount_minor = 1 WHERE id = 'topup-1'`.execute(store.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM ledger_transfers WHERE id = 'topup-1'`.execute(store.db)).rejects.toThrow(/append-only/);
    await store.close();

    const bad = await cli(['ledger', 'verify'], env);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^ledger VIOLATED/);
    expect(bad.out).toContain('[account_matches_transfers] alice');
    expect(bad.out).toContain('[balanced] CNY: posted debits 1250 ≠ posted credits 1350');
  });
});

describe('saoma staff', () => {
  it('creates, lists and revokes tokens; a revoked token is refused at once', async () => {
    const database = await createTestDatabase('sqlite');
    const env = { ...process.env, ...database.env };
    try {
      const created = await cli(['staff', 'token', '--role', 'risk', '--label', 'night shift'], env);
      expect(created.code).toBe(0);
      const token = created.out.trim();
      expect(token).toMatch(/^sk_staff_/);
      const listed = await cli(['staff', 'tokens'], env);
      expect(listed.out).not.toContain(token);
      const line = listed.out.split('\n').find((l) => l.includes('night shift'))!;
      expect(line).toContain('active');
      const id = line.split(/\s+/)[0]!;
      const { authenticateStaff } = await import('../../src/service/staff.js');
      const store = await openStore(database.options);
      expect(await authenticateStaff(store.db, token)).toMatchObject({ role: 'risk', tokenId: id });
      expect((await cli(['staff', 'revoke', id], env)).code).toBe(0);
      expect(await authenticateStaff(store.db, token)).toBeUndefined();
      expect((await cli(['staff', 'revoke', id], env)).code).toBe(1);
      expect((await cli(['staff', 'token', '--role', 'king'], env)).code).toBe(2);
      await store.close();
    } finally {
      await database.drop();
    }
  });
});
