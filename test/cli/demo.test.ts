import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';
import { cli, startServer, stop } from './helpers.js';

// The first `npm start` seeds a demo merchant and two funded wallets and says how to use them;
// the `saoma demo` commands then pay as those phones against the running server.
describe.each(STORE_NAMES)('demo data on first start (%s)', (storeName) => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    env = { ...process.env, ...database.env };
  });
  afterAll(async () => database?.drop());

  it('seeds once, prints how to use it, and the demo wallets pay and get charged through the API', async () => {
    const server = await startServer(env);
    try {
      expect(server.output).toContain('Demo data (first start)');
      expect(server.output).toMatch(/demo merchant API key\s+sk_m_/);
      const port = new URL(server.base).port;
      const run = (args: string[]) => cli(['demo', ...args, ...(args[0] === 'code' ? [] : ['--url', server.base])], { ...env, PORT: port });
      const paid = await run(['pay', 'alice', '12.50']);
      expect(paid.out).toContain('paying Demo Noodle Bar 演示面馆 (verified payee) 12.50 CNY');
      expect(paid.out).toMatch(/succeeded: payment pay_\S+, level D/);
      const charged = await run(['charge', 'bob', '300']);
      expect(charged.out).toContain('till: awaiting_confirmation');
      expect(charged.out).toContain('phone confirmed with signature and PIN: succeeded, level A');
      const code = await run(['code', 'alice']);
      expect(code.out).toMatch(/^77\d{16} /);
      expect((await cli(['demo', 'pay', 'carol', '1', '--url', server.base], env)).code).toBe(1);
    } finally {
      expect(await stop(server.child)).toBe(0);
    }
    const again = await startServer(env);
    try {
      expect(again.output).not.toContain('Demo data');
    } finally {
      await stop(again.child);
    }
    const verify = await cli(['ledger', 'verify'], env);
    expect(verify.code).toBe(0);
    // 2 × 1,000 yuan topped up; 12.50 + 300 paid to the merchant; all inside the reserve.
    expect(verify.out).toMatch(/reserve 2000\.00 CNY = customer funds /);
  });
});
