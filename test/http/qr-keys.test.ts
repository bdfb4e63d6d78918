import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64UrlDecode, buildMerchantCode, scanVerdict, type QrPublicKey } from '../../src/core/qr/index.js';
import { nodeEd25519Verifier } from '../../src/service/qr-signing.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, staffToken, type TestEnv } from './helpers.js';

describe.each(STORE_NAMES)('QR signing keys over HTTP on %s', (storeName) => {
  let env: TestEnv;
  let admin: string;
  let risk: string;

  beforeAll(async () => {
    env = await openTestEnv(storeName);
    admin = await staffToken(env.platform, 'admin');
    risk = await staffToken(env.platform, 'risk');
  });
  afterAll(async () => env?.close());

  async function publishedKeys(): Promise<QrPublicKey[]> {
    const res = await call(env.base, 'GET', '/v1/qr/keys');
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    return (res.body.keys as Array<{ keyId: string; publicKey: string; status: QrPublicKey['status'] }>).map((k) => ({ keyId: k.keyId, publicKey: base64UrlDecode(k.publicKey)!, status: k.status }));
  }

  it('publishes the key set without authentication; private keys are sealed in the database', async () => {
    const signer = await env.platform.qrKeys.activeSigner(Date.now());
    const keys = await publishedKeys();
    expect(keys.map((k) => [k.keyId, k.status])).toEqual([[signer.keyId, 'active']]);
    const row = await env.platform.store.db.selectFrom('qr_signing_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.private_key_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(await call(env.base, 'GET', '/v1/qr/keys'))).not.toContain(row.private_key_sealed.split('.')[3]!);
  });

  it('rotation keeps printed codes genuine; revocation makes them counterfeit for wallets that refresh', async () => {
    const first = await env.platform.qrKeys.activeSigner(Date.now());
    const stall = { merchantId: 'm1', merchantName: 'Stall', city: 'Hangzhou', countryCode: 'CN', mcc: '5814', currency: 'CNY' };
    const printed = buildMerchantCode(stall, first.keyId, first.sign);
    const verdict = async () => scanVerdict(printed, { keys: await publishedKeys(), verify: nodeEd25519Verifier, nowMs: Date.now() }).kind;
    expect(await verdict()).toBe('genuine');

    expectError(await call(env.base, 'POST', '/v1/ops/qr/keys/rotate', { token: risk }), 403, 'FORBIDDEN');
    expectError(await call(env.base, 'POST', '/v1/ops/qr/keys/rotate'), 401, 'UNAUTHENTICATED');
    const rotated = await call(env.base, 'POST', '/v1/ops/qr/keys/rotate', { token: admin });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.keyId).not.toBe(first.keyId);
    expect((await publishedKeys()).find((k) => k.keyId === first.keyId)?.status).toBe('retired');
    expect(await verdict()).toBe('genuine');
    const next = await env.platform.qrKeys.activeSigner(Date.now());
    expect(next.keyId).toBe(rotated.body.keyId);

    expectError(await call(env.base, 'POST', `/v1/ops/qr/keys/${first.keyId}/revoke`, { token: risk }), 403, 'FORBIDDEN');
    expectError(await call(env.base, 'POST', '/v1/ops/qr/keys/nope/revoke', { token: admin }), 404, 'NOT_FOUND');
    const revoked = await call(env.base, 'POST', `/v1/ops/qr/keys/${first.keyId}/revoke`, { token: admin });
    expect(revoked.status, revoked.text).toBe(200);
    expect(await verdict()).toBe('counterfeit');
    const audit = await env.platform.store.db.selectFrom('audit_log').select(['action', 'object_id']).where('action', 'like', 'qr.keys.%').execute();
    expect(audit.map((a) => a.action)).toEqual(['qr.keys.rotate', 'qr.keys.revoke']);
  });
});

describe.each(STORE_NAMES)('QR signing keys under concurrency on %s', (storeName) => {
  it('concurrent rotations all succeed and leave exactly one active key; a revocation elsewhere stops signing at once', async () => {
    const env = await openTestEnv(storeName);
    try {
      const admin = await staffToken(env.platform, 'admin');
      const results = await Promise.all(Array.from({ length: 4 }, () => call(env.base, 'POST', '/v1/ops/qr/keys/rotate', { token: admin })));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const keys = await env.platform.qrKeys.list();
      expect(keys.filter((k) => k.status === 'active')).toHaveLength(1);
      expect(new Set(keys.map((k) => k.keyId)).size).toBe(keys.length);

      // Another process (here: another service over the same database) revokes the active key.
      const { QrKeyService } = await import('../../src/service/qr-keys.js');
      const { loadMasterKey } = await import('../../src/service/secrets.js');
      const signing = await env.platform.qrKeys.activeSigner(Date.now());
      const other = new QrKeyService(env.platform.store.db, loadMasterKey(env.dataDir));
      await other.revoke(signing.keyId, Date.now());
      const next = await env.platform.qrKeys.activeSigner(Date.now());
      expect(next.keyId).not.toBe(signing.keyId);
      expect((await env.platform.qrKeys.list()).find((k) => k.keyId === signing.keyId)?.status).toBe('revoked');
    } finally {
      await env.close();
    }
  });
});

describe('framework errors', () => {
  it('a malformed URL gets the error format, not Fastify\'s', async () => {
    const env = await openTestEnv('sqlite');
    try {
      const res = await call(env.base, 'GET', '/v1/ledger/accounts/%ZZ');
      expectError(res, 400, 'INVALID_REQUEST');
    } finally {
      await env.close();
    }
  });
});
