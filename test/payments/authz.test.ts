import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERCHANT_ROLES, type MerchantRole } from '../../src/service/merchants.js';
import { STAFF_ROLES, type StaffRole } from '../../src/service/staff.js';
import { WalletClient, createDeviceKey, signMessage, type Merchant, type MerchantClient } from '../../src/sdk/index.js';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, registeredRoutes, revokeStaffToken, staffToken, type Res } from '../http/helpers.js';
import { APPROVE_ALL_RULES, SETTLEMENT_ACCOUNT, dbSnapshot, expectSameSnapshot, openWorld, residentIdNumber, uniqueIdentifier, type Identity, type World } from './world.js';

// The authorisation matrix of the wallet, merchant and ops APIs (the ledger and QR-key routes have
// theirs in test/http/auth.test.ts). Every route is called by every actor that must not reach the
// object it names: nobody (no or a bad credential), a credential of another audience, a merchant key
// or staff token of a role without the right, another consumer, another merchant. Each is refused
// with its stable code, writes nothing, and shows nothing of anyone else. Then the rightful caller
// sends the very same request and is served: the refusals were about who asked, not what.

const ORIGIN = 'http://localhost:3000'; // the platform's default public URL: the passkeys' relying party
const PIN = '135790';

type Audience =
  | { readonly kind: 'public' }
  | { readonly kind: 'consumer' }
  /** Roles admitted besides the owner, who may do everything. */
  | { readonly kind: 'merchant'; readonly roles: readonly MerchantRole[] }
  | { readonly kind: 'staff'; readonly roles: readonly StaffRole[] };

interface Req {
  readonly path: string;
  readonly json?: unknown;
  /** The rightful caller, when not the victim's usual credential (e.g. the session a logout ends). */
  readonly token?: string;
  /** Ids the rightful caller's answer shows and nobody else's may. */
  readonly shows?: readonly string[];
  /** A live event stream (SSE): only its status and content type are read, then it is closed. */
  readonly stream?: boolean;
}

/** The people on stage. Alice and the Shop own things; Bob and the Rival try to reach them. */
interface Cast {
  readonly world: World;
  readonly alice: WalletClient;
  readonly aliceIdentifier: string;
  readonly aliceIdentity: Identity;
  readonly bob: WalletClient;
  readonly bobIdentity: Identity;
  readonly shop: { client: MerchantClient; merchant: Merchant; apiKey: string };
  readonly keys: Record<MerchantRole, string>;
  readonly rival: { client: MerchantClient; merchant: Merchant; apiKey: string };
  readonly staff: Record<StaffRole, string>;
  /** Credentials that were good once: a logged-out session, a session of a revoked device, a revoked merchant key, a revoked staff token. */
  readonly dead: { session: string; revokedDeviceSession: string; merchantKey: string; staffToken: string };
  readonly authenticator: SoftAuthenticator;
}

interface Row {
  readonly method: 'GET' | 'POST';
  /** As Fastify knows it. */
  readonly template: string;
  readonly audience: Audience;
  /** A request the rightful caller may make, naming a fresh object of Alice's or the Shop's. */
  readonly make: (c: Cast) => Promise<Req>;
  /** What Bob (consumer routes) or the Rival (merchant routes) gets for that same request; absent when the route names no one's object. */
  readonly foreign?: { readonly status: number; readonly code: string };
  /** The rightful caller's status. */
  readonly ok: number;
  /** Public routes: the attacks that fit them, in place of the credential matrix. */
  readonly attack?: (c: Cast, t: Tools) => Promise<void>;
}

interface Tools {
  /** Everything the caller must not see, from the database and the cast's secrets. */
  secrets(caller?: { consumerId?: string; merchantId?: string }): Promise<string[]>;
  expectNoLeak(res: Res, secrets: readonly string[], sent?: string): void;
}

let seq = 0;
const next = () => ++seq;

// ---- objects the rows name --------------------------------------------------------------------

/** A new device asking to join Alice's account; with `tidy`, her earlier extra devices go first, to stay under the device cap. */
async function pendingDevice(c: Cast, tidy = true): Promise<WalletClient> {
  if (tidy) {
    for (const d of await c.alice.devices()) {
      if (d.id !== c.alice.device!.deviceId && d.status !== 'revoked') await c.alice.revokeDevice(d.id);
    }
  }
  const phone = new WalletClient({ baseUrl: c.world.base });
  await phone.requestDevice({ identifier: c.aliceIdentifier, label: 'new phone' });
  return phone;
}

/** Alice pays the Shop's till: a succeeded payment of both. */
async function alicePays(c: Cast, amountMinor: number): Promise<string> {
  const till = (await c.shop.client.tills())[0]!;
  return (await c.alice.pay({ code: till.payload, amountMinor })).id;
}

/** The Shop scans Alice's payment code above the password-free limit: a payment waiting for her. */
async function awaiting(c: Cast, amountMinor: number): Promise<string> {
  c.world.clock.advance(20_000); // one payment code per 20-second step
  const payment = await c.shop.client.scan({ code: (await c.alice.paymentCode(c.world.clock.now())).digits, amountMinor });
  expect(payment.status).toBe('awaiting_confirmation');
  return payment.id;
}

async function aliceTopUp(c: Cast): Promise<string> {
  const res = await call(c.world.base, 'POST', '/v1/wallet/topups', { token: c.alice.sessionToken, json: { amountMinor: 1_000 + next(), currency: 'CNY', bankAccount: '6222020200001234' } });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

/** A webhook endpoint of the Shop's (to a closed port: deliveries fail, which these tests ignore). */
async function shopEndpoint(c: Cast): Promise<string> {
  return (await c.shop.client.createWebhookEndpoint(`http://127.0.0.1:9/hook-${next()}`)).id;
}

/** Alice pays the Shop and reports the payment: a fresh fraud report of hers. */
async function aliceReport(c: Cast): Promise<string> {
  const paymentId = await alicePays(c, 300 + next());
  const res = await call(c.world.base, 'POST', `/v1/wallet/payments/${paymentId}/report`, { token: c.alice.sessionToken, json: { reason: 'unauthorised' } });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}
/** A device id an analyst labelled fraud (stored as a confirmed report stores it): a label to withdraw. */
async function labelledDevice(c: Cast): Promise<string> {
  const platform = c.world.env.platform;
  const deviceId = `dev_authz${next()}`;
  const culprits = { accountIds: [], deviceIds: [deviceId], codeIds: [] };
  const label = platform.risk.labelRow({ verdict: 'fraud', paymentId: null, payerId: c.alice.consumerId!, payeeId: c.shop.merchant.id, culprits }, 'staff:authz', c.world.clock.now());
  await platform.store.db.insertInto('risk_labels').values(label).execute();
  platform.risk.observeLabel(label);
  return deviceId;
}
async function applicant(c: Cast): Promise<Merchant> {
  return (await c.world.merchant(`Applicant ${next()}`, { approve: false })).merchant;
}

const application = () => ({
  legalName: `Newcomer ${next()} Ltd`,
  displayName: `Newcomer ${seq}`,
  licenceNumber: '91310000MA1FL0000X',
  mcc: '5812',
  address: '9 Huaihai Rd',
  city: 'Shanghai',
  settlementAccount: SETTLEMENT_ACCOUNT,
});

// ---- the table --------------------------------------------------------------------------------

const ANY: Audience = { kind: 'merchant', roles: ['owner', 'manager', 'cashier'] };
const MANAGERS: Audience = { kind: 'merchant', roles: ['owner', 'manager'] };
const OWNERS: Audience = { kind: 'merchant', roles: ['owner'] };
const CONSUMER: Audience = { kind: 'consumer' };
const PUBLIC: Audience = { kind: 'public' };

const ROUTES: readonly Row[] = [
  {
    method: 'POST',
    template: '/v1/merchant/webhook-endpoints',
    audience: MANAGERS,
    ok: 201,
    make: async () => ({ path: '/v1/merchant/webhook-endpoints', json: { url: `http://127.0.0.1:9/hook-${next()}` } }),
  },
  { method: 'GET', template: '/v1/merchant/webhook-endpoints', audience: MANAGERS, ok: 200, make: async (c) => ({ path: '/v1/merchant/webhook-endpoints', shows: [await shopEndpoint(c)] }) },
  {
    method: 'POST',
    template: '/v1/merchant/webhook-endpoints/:endpointId/disable',
    audience: MANAGERS,
    ok: 200,
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => ({ path: `/v1/merchant/webhook-endpoints/${await shopEndpoint(c)}/disable` }),
  },
  {
    method: 'GET',
    template: '/v1/merchant/webhook-endpoints/:endpointId/attempts',
    audience: MANAGERS,
    ok: 200,
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => ({ path: `/v1/merchant/webhook-endpoints/${await shopEndpoint(c)}/attempts` }),
  },
  { method: 'GET', template: '/v1/merchant/events', audience: ANY, ok: 200, make: async () => ({ path: '/v1/merchant/events', stream: true }) },
  { method: 'GET', template: '/v1/wallet/events', audience: CONSUMER, ok: 200, make: async () => ({ path: '/v1/wallet/events', stream: true }) },
  // ---- public entry points of the wallet ----
  {
    method: 'POST',
    template: '/v1/consumers',
    audience: PUBLIC,
    ok: 201,
    make: async () => ({ path: '/v1/consumers', json: { identifier: uniqueIdentifier('new'), displayName: 'Newcomer', device: { publicKey: (await createDeviceKey()).publicKeySpki, label: 'phone' } } }),
    attack: async (c, t) => {
      // Signing up with Alice's identifier says only that it is taken.
      const res = await call(c.world.base, 'POST', '/v1/consumers', { json: { identifier: c.aliceIdentifier, displayName: 'Mallory', device: { publicKey: (await createDeviceKey()).publicKeySpki, label: 'phone' } } });
      expectError(res, 409, 'CONSUMER_EXISTS', 'identifier');
      t.expectNoLeak(res, await t.secrets(), c.aliceIdentifier);
    },
  },
  {
    method: 'POST',
    template: '/v1/consumers/devices',
    audience: PUBLIC,
    ok: 201,
    make: async (c) => {
      await pendingDevice(c); // clears earlier extra devices
      return { path: '/v1/consumers/devices', json: { identifier: c.aliceIdentifier, device: { publicKey: (await createDeviceKey()).publicKeySpki, label: 'stranger' } } };
    },
    attack: async (c, t) => {
      const unknown = await call(c.world.base, 'POST', '/v1/consumers/devices', { json: { identifier: uniqueIdentifier('nobody'), device: { publicKey: (await createDeviceKey()).publicKeySpki, label: 'x' } } });
      expectError(unknown, 404, 'NOT_FOUND', 'identifier');
      // Anyone may ask to join Alice's account (the device stays pending, see attacks.test.ts), and learns nothing of it.
      const asked = await call(c.world.base, 'POST', '/v1/consumers/devices', { json: { identifier: c.aliceIdentifier, device: { publicKey: (await createDeviceKey()).publicKeySpki, label: 'stranger' } } });
      expect(asked.status, asked.text).toBe(201);
      expect(asked.body.device.status).toBe('pending_approval');
      const secrets = (await t.secrets()).filter((s) => s !== asked.body.device.id);
      t.expectNoLeak(asked, secrets, c.aliceIdentifier);
    },
  },
  {
    method: 'POST',
    template: '/v1/consumers/devices/:deviceId/verify-identity',
    audience: PUBLIC,
    ok: 200,
    make: async (c) => ({ path: `/v1/consumers/devices/${(await pendingDevice(c)).device!.deviceId}/verify-identity`, json: c.aliceIdentity }),
    attack: async (c, t) => {
      const pending = (await pendingDevice(c, false)).device!.deviceId;
      const before = await dbSnapshot(c.world.env.platform);
      const secrets = await t.secrets();
      // Bob's identity does not open Alice's pending device; Alice's own identity does not re-trust an active one.
      const wrong = await call(c.world.base, 'POST', `/v1/consumers/devices/${pending}/verify-identity`, { json: c.bobIdentity });
      expectError(wrong, 422, 'IDENTITY_VERIFICATION_FAILED');
      t.expectNoLeak(wrong, secrets, `${pending} ${JSON.stringify(c.bobIdentity)}`);
      const main = c.alice.device!.deviceId;
      const active = await call(c.world.base, 'POST', `/v1/consumers/devices/${main}/verify-identity`, { json: c.aliceIdentity });
      expectError(active, 404, 'NOT_FOUND', 'deviceId');
      t.expectNoLeak(active, secrets, `${main} ${JSON.stringify(c.aliceIdentity)}`);
      expectSameSnapshot(await dbSnapshot(c.world.env.platform), before);
    },
  },
  {
    method: 'POST',
    template: '/v1/consumers/passkey/options',
    audience: PUBLIC,
    ok: 201,
    make: async () => ({ path: '/v1/consumers/passkey/options', json: { identifier: uniqueIdentifier('pk'), displayName: 'Passkey Newcomer' } }),
    attack: async (c, t) => {
      const before = await dbSnapshot(c.world.env.platform);
      const taken = await call(c.world.base, 'POST', '/v1/consumers/passkey/options', { json: { identifier: c.aliceIdentifier, displayName: 'Mallory' } });
      expectError(taken, 409, 'CONSUMER_EXISTS', 'identifier');
      t.expectNoLeak(taken, await t.secrets(), c.aliceIdentifier);
      expectSameSnapshot(await dbSnapshot(c.world.env.platform), before);
    },
  },
  {
    method: 'POST',
    template: '/v1/consumers/passkey',
    audience: PUBLIC,
    ok: 201,
    make: async (c) => {
      const options = await call(c.world.base, 'POST', '/v1/consumers/passkey/options', { json: { identifier: uniqueIdentifier('pk'), displayName: 'Passkey Newcomer' } });
      expect(options.status, options.text).toBe(201);
      return { path: '/v1/consumers/passkey', json: { challengeId: options.body.challengeId, response: c.authenticator.create(options.body.options, ORIGIN) } };
    },
    attack: async (c, t) => {
      // A registration made to join Alice's account cannot open a new account in her name.
      const options = await call(c.world.base, 'POST', '/v1/consumers/devices/passkey/options', { json: { identifier: c.aliceIdentifier } });
      expect(options.status, options.text).toBe(201);
      const db = c.world.env.platform.store.db;
      const count = async () => Promise.all(['consumers', 'devices', 'sessions'].map(async (table) => (await db.selectFrom(table as 'devices').select('id').execute()).length));
      const before = await count();
      const res = await call(c.world.base, 'POST', '/v1/consumers/passkey', { json: { challengeId: options.body.challengeId, response: c.authenticator.create(options.body.options, ORIGIN) } });
      expectError(res, 404, 'CHALLENGE_NOT_FOUND', 'challengeId');
      t.expectNoLeak(res, await t.secrets(), c.aliceIdentifier + options.body.challengeId);
      expect(await count()).toEqual(before);
    },
  },
  {
    method: 'POST',
    template: '/v1/consumers/devices/passkey/options',
    audience: PUBLIC,
    ok: 201,
    make: async (c) => ({ path: '/v1/consumers/devices/passkey/options', json: { identifier: c.aliceIdentifier } }),
    attack: async (c, t) => {
      const unknown = await call(c.world.base, 'POST', '/v1/consumers/devices/passkey/options', { json: { identifier: uniqueIdentifier('nobody') } });
      expectError(unknown, 404, 'NOT_FOUND', 'identifier');
      // Anyone may start adding a passkey device to Alice's account; the options must not tell them
      // her account's internal id (WebAuthn's user handle is opaque to everyone but the platform).
      const options = await call(c.world.base, 'POST', '/v1/consumers/devices/passkey/options', { json: { identifier: c.aliceIdentifier } });
      expect(options.status, options.text).toBe(201);
      t.expectNoLeak(options, (await t.secrets()).filter((s) => s !== options.body.challengeId), c.aliceIdentifier);
    },
  },
  {
    method: 'POST',
    template: '/v1/consumers/devices/passkey',
    audience: PUBLIC,
    ok: 201,
    make: async (c) => {
      await pendingDevice(c);
      const options = await call(c.world.base, 'POST', '/v1/consumers/devices/passkey/options', { json: { identifier: c.aliceIdentifier } });
      expect(options.status, options.text).toBe(201);
      return { path: '/v1/consumers/devices/passkey', json: { challengeId: options.body.challengeId, response: c.authenticator.create(options.body.options, ORIGIN) } };
    },
    attack: async (c, t) => {
      // A sign-up registration cannot be used to add a device to an existing account.
      const options = await call(c.world.base, 'POST', '/v1/consumers/passkey/options', { json: { identifier: uniqueIdentifier('pk'), displayName: 'Mallory' } });
      const devices = async () => (await c.world.env.platform.store.db.selectFrom('devices').select('id').execute()).length;
      const before = await devices();
      const res = await call(c.world.base, 'POST', '/v1/consumers/devices/passkey', { json: { challengeId: options.body.challengeId, response: c.authenticator.create(options.body.options, ORIGIN) } });
      expectError(res, 404, 'CHALLENGE_NOT_FOUND', 'challengeId');
      t.expectNoLeak(res, await t.secrets(), options.body.challengeId);
      expect(await devices()).toBe(before);
    },
  },
  {
    method: 'POST',
    template: '/v1/sessions/challenge',
    audience: PUBLIC,
    ok: 201,
    make: async (c) => ({ path: '/v1/sessions/challenge', json: { deviceId: c.alice.device!.deviceId } }),
    attack: async (c, t) => {
      const pending = (await pendingDevice(c, false)).device!.deviceId;
      const before = await dbSnapshot(c.world.env.platform);
      const secrets = await t.secrets();
      const notActive = await call(c.world.base, 'POST', '/v1/sessions/challenge', { json: { deviceId: pending } });
      expectError(notActive, 403, 'DEVICE_NOT_ACTIVE');
      t.expectNoLeak(notActive, secrets, pending);
      const unknown = await call(c.world.base, 'POST', '/v1/sessions/challenge', { json: { deviceId: 'dev_nosuchdevice' } });
      expectError(unknown, 404, 'NOT_FOUND', 'deviceId');
      expectSameSnapshot(await dbSnapshot(c.world.env.platform), before);
      // Anyone may ask to sign in as Alice's device (only its key can answer); the text names the device, nothing else of hers.
      const issued = await call(c.world.base, 'POST', '/v1/sessions/challenge', { json: { deviceId: c.alice.device!.deviceId } });
      expect(issued.status).toBe(201);
      t.expectNoLeak(issued, (await t.secrets()).filter((s) => s !== issued.body.challengeId), c.alice.device!.deviceId);
    },
  },
  {
    method: 'POST',
    template: '/v1/sessions',
    audience: PUBLIC,
    ok: 201,
    make: async (c) => {
      const challenge = await call(c.world.base, 'POST', '/v1/sessions/challenge', { json: { deviceId: c.alice.device!.deviceId } });
      return { path: '/v1/sessions', json: { deviceId: c.alice.device!.deviceId, challengeId: challenge.body.challengeId, signature: await signMessage(c.alice.device!.key, challenge.body.message) } };
    },
    attack: async (c, t) => {
      const deviceId = c.alice.device!.deviceId;
      const challenge = await call(c.world.base, 'POST', '/v1/sessions/challenge', { json: { deviceId } });
      const bobs = await call(c.world.base, 'POST', '/v1/sessions/challenge', { json: { deviceId: c.bob.device!.deviceId } });
      const before = await dbSnapshot(c.world.env.platform);
      const secrets = await t.secrets();
      // Alice's challenge signed by another key; Bob's own challenge, signed by Bob, offered for Alice's device.
      const forged = { deviceId, challengeId: challenge.body.challengeId, signature: await signMessage(c.bob.device!.key, challenge.body.message) };
      const res1 = await call(c.world.base, 'POST', '/v1/sessions', { json: forged });
      expectError(res1, 401, 'SIGNATURE_INVALID', 'signature');
      t.expectNoLeak(res1, secrets, JSON.stringify(forged));
      const swapped = { deviceId, challengeId: bobs.body.challengeId, signature: await signMessage(c.bob.device!.key, bobs.body.message) };
      const res2 = await call(c.world.base, 'POST', '/v1/sessions', { json: swapped });
      expectError(res2, 404, 'CHALLENGE_NOT_FOUND', 'challengeId');
      t.expectNoLeak(res2, secrets, JSON.stringify(swapped));
      expectSameSnapshot(await dbSnapshot(c.world.env.platform), before);
    },
  },

  // ---- the signed-in wallet ----
  {
    method: 'POST',
    template: '/v1/sessions/logout',
    audience: CONSUMER,
    ok: 204,
    make: async (c) => {
      const second = new WalletClient({ baseUrl: c.world.base, device: c.alice.device! });
      await second.signIn();
      return { path: '/v1/sessions/logout', token: second.sessionToken! };
    },
  },
  { method: 'GET', template: '/v1/wallet', audience: CONSUMER, ok: 200, make: async (c) => ({ path: '/v1/wallet', shows: [c.alice.consumerId!] }) },
  { method: 'GET', template: '/v1/wallet/devices', audience: CONSUMER, ok: 200, make: async (c) => ({ path: '/v1/wallet/devices', shows: [c.alice.device!.deviceId] }) },
  {
    method: 'POST',
    template: '/v1/wallet/devices/:deviceId/approve-challenge',
    audience: CONSUMER,
    ok: 201,
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => ({ path: `/v1/wallet/devices/${(await pendingDevice(c)).device!.deviceId}/approve-challenge` }),
  },
  {
    method: 'POST',
    template: '/v1/wallet/devices/:deviceId/approve',
    audience: CONSUMER,
    ok: 200,
    foreign: { status: 404, code: 'CHALLENGE_NOT_FOUND' },
    make: async (c) => {
      const deviceId = (await pendingDevice(c)).device!.deviceId;
      const challenge = await call(c.world.base, 'POST', `/v1/wallet/devices/${deviceId}/approve-challenge`, { token: c.alice.sessionToken });
      expect(challenge.status, challenge.text).toBe(201);
      return { path: `/v1/wallet/devices/${deviceId}/approve`, json: { challengeId: challenge.body.challengeId, signature: await signMessage(c.alice.device!.key, challenge.body.message) } };
    },
  },
  {
    method: 'POST',
    template: '/v1/wallet/devices/:deviceId/revoke',
    audience: CONSUMER,
    ok: 200,
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => ({ path: `/v1/wallet/devices/${(await pendingDevice(c)).device!.deviceId}/revoke` }),
  },
  {
    method: 'POST',
    template: '/v1/wallet/devices/:deviceId/payment-code/enable',
    audience: CONSUMER,
    ok: 200,
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => ({ path: `/v1/wallet/devices/${c.alice.device!.deviceId}/payment-code/enable`, json: { pin: PIN } }),
  },
  {
    method: 'POST',
    template: '/v1/wallet/devices/:deviceId/payment-code/rotate',
    audience: CONSUMER,
    ok: 200,
    foreign: { status: 404, code: 'NOT_FOUND' },
    // A second, approved device of Alice's: rotating her main device's secret would break the rows that charge its codes.
    make: async (c) => {
      const phone = await pendingDevice(c);
      await c.alice.approveDevice(phone.device!.deviceId);
      return { path: `/v1/wallet/devices/${phone.device!.deviceId}/payment-code/rotate`, json: { pin: PIN } };
    },
  },
  { method: 'POST', template: '/v1/wallet/identity', audience: CONSUMER, ok: 200, make: async (c) => ({ path: '/v1/wallet/identity', json: c.aliceIdentity }) },
  { method: 'POST', template: '/v1/wallet/pin', audience: CONSUMER, ok: 204, make: async () => ({ path: '/v1/wallet/pin', json: { pin: PIN, currentPin: PIN } }) },
  {
    method: 'POST',
    template: '/v1/wallet/pin/reset',
    audience: CONSUMER,
    ok: 204,
    // Bob, from his own bound device, with Alice's identity: the identity on file is his.
    foreign: { status: 422, code: 'IDENTITY_VERIFICATION_FAILED' },
    make: async (c) => ({ path: '/v1/wallet/pin/reset', json: { ...c.aliceIdentity, newPin: PIN } }),
  },
  {
    method: 'POST',
    template: '/v1/wallet/codes/resolve',
    audience: CONSUMER,
    ok: 200,
    make: async (c) => ({ path: '/v1/wallet/codes/resolve', json: { code: (await c.shop.client.tills())[0]!.payload } }),
  },
  {
    method: 'POST',
    template: '/v1/wallet/payments/:paymentId/report',
    audience: CONSUMER,
    ok: 201,
    // Bob reports Alice's payment: it is not his to report, nor to know of.
    foreign: { status: 404, code: 'PAYMENT_NOT_FOUND' },
    make: async (c) => ({ path: `/v1/wallet/payments/${await alicePays(c, 200 + next())}/report`, json: { reason: 'unauthorised', description: 'not me' } }),
  },
  {
    method: 'POST',
    template: '/v1/wallet/code-reports',
    audience: CONSUMER,
    ok: 201,
    make: async (c) => ({ path: '/v1/wallet/code-reports', json: { code: `https://pay.example.com/${next()}` } }),
  },
  { method: 'GET', template: '/v1/wallet/reports', audience: CONSUMER, ok: 200, make: async (c) => ({ path: '/v1/wallet/reports', shows: [await aliceReport(c)] }) },
  {
    method: 'POST',
    template: '/v1/wallet/payments/prepare',
    audience: CONSUMER,
    ok: 201,
    make: async (c) => ({ path: '/v1/wallet/payments/prepare', json: { code: (await c.shop.client.tills())[0]!.payload, amountMinor: 1_100 + next() } }),
  },
  {
    method: 'POST',
    template: '/v1/wallet/payments',
    audience: CONSUMER,
    ok: 201,
    // Bob replays Alice's signed challenge from his own session.
    foreign: { status: 404, code: 'CHALLENGE_NOT_FOUND' },
    make: async (c) => {
      const prepared = await c.alice.prepare({ code: (await c.shop.client.tills())[0]!.payload, amountMinor: 1_200 + next() });
      return { path: '/v1/wallet/payments', json: { challengeId: prepared.challengeId, signature: await signMessage(c.alice.device!.key, prepared.message) } };
    },
  },
  { method: 'GET', template: '/v1/wallet/payments', audience: CONSUMER, ok: 200, make: async (c) => ({ path: '/v1/wallet/payments?limit=100', shows: [await alicePays(c, 1_300 + next())] }) },
  {
    method: 'GET',
    template: '/v1/wallet/payments/:paymentId',
    audience: CONSUMER,
    ok: 200,
    foreign: { status: 404, code: 'PAYMENT_NOT_FOUND' },
    make: async (c) => ({ path: `/v1/wallet/payments/${await alicePays(c, 1_400 + next())}` }),
  },
  { method: 'GET', template: '/v1/wallet/confirmations', audience: CONSUMER, ok: 200, make: async (c) => ({ path: '/v1/wallet/confirmations', shows: [await awaiting(c, 25_000 + next())] }) },
  {
    method: 'POST',
    template: '/v1/wallet/confirmations/:paymentId/challenge',
    audience: CONSUMER,
    ok: 201,
    foreign: { status: 404, code: 'PAYMENT_NOT_FOUND' },
    make: async (c) => ({ path: `/v1/wallet/confirmations/${await awaiting(c, 25_100 + next())}/challenge` }),
  },
  {
    method: 'POST',
    template: '/v1/wallet/confirmations/:paymentId',
    audience: CONSUMER,
    ok: 200,
    foreign: { status: 404, code: 'PAYMENT_NOT_FOUND' },
    make: async (c) => {
      const paymentId = await awaiting(c, 25_200 + next());
      const challenge = await call(c.world.base, 'POST', `/v1/wallet/confirmations/${paymentId}/challenge`, { token: c.alice.sessionToken });
      expect(challenge.status, challenge.text).toBe(201);
      return { path: `/v1/wallet/confirmations/${paymentId}`, json: { challengeId: challenge.body.challengeId, signature: await signMessage(c.alice.device!.key, challenge.body.message), pin: PIN } };
    },
  },
  {
    method: 'POST',
    template: '/v1/wallet/confirmations/:paymentId/decline',
    audience: CONSUMER,
    ok: 200,
    foreign: { status: 404, code: 'PAYMENT_NOT_FOUND' },
    make: async (c) => ({ path: `/v1/wallet/confirmations/${await awaiting(c, 25_300 + next())}/decline` }),
  },
  { method: 'POST', template: '/v1/wallet/receiving-code', audience: CONSUMER, ok: 200, make: async () => ({ path: '/v1/wallet/receiving-code', json: {} }) },
  {
    method: 'POST',
    template: '/v1/wallet/topups',
    audience: CONSUMER,
    ok: 201,
    make: async () => ({ path: '/v1/wallet/topups', json: { amountMinor: 1_500 + next(), currency: 'CNY', bankAccount: '6222020200001234' } }),
  },
  {
    method: 'POST',
    template: '/v1/wallet/withdrawals',
    audience: CONSUMER,
    ok: 201,
    make: async () => ({ path: '/v1/wallet/withdrawals', json: { amountMinor: 1_600 + next(), currency: 'CNY', bankAccount: '6222020200005678', pin: PIN } }),
  },
  { method: 'GET', template: '/v1/wallet/bank-transfers', audience: CONSUMER, ok: 200, make: async (c) => ({ path: '/v1/wallet/bank-transfers?limit=100', shows: [await aliceTopUp(c)] }) },
  {
    method: 'GET',
    template: '/v1/wallet/bank-transfers/:id',
    audience: CONSUMER,
    ok: 200,
    foreign: { status: 404, code: 'BANK_TRANSFER_NOT_FOUND' },
    make: async (c) => ({ path: `/v1/wallet/bank-transfers/${await aliceTopUp(c)}` }),
  },

  // ---- merchants ----
  { method: 'POST', template: '/v1/merchants', audience: PUBLIC, ok: 201, make: async () => ({ path: '/v1/merchants', json: application() }) },
  { method: 'GET', template: '/v1/merchant', audience: ANY, ok: 200, make: async (c) => ({ path: '/v1/merchant', shows: [c.shop.merchant.id] }) },
  {
    method: 'GET',
    template: '/v1/merchant/api-keys',
    audience: OWNERS,
    ok: 200,
    make: async (c) => ({ path: '/v1/merchant/api-keys', shows: [(await c.shop.client.createApiKey('cashier', `listed ${next()}`)).key.id] }),
  },
  { method: 'POST', template: '/v1/merchant/api-keys', audience: OWNERS, ok: 201, make: async () => ({ path: '/v1/merchant/api-keys', json: { role: 'cashier', label: `till ${next()}` } }) },
  {
    method: 'POST',
    template: '/v1/merchant/api-keys/:keyId/revoke',
    audience: OWNERS,
    ok: 200,
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => ({ path: `/v1/merchant/api-keys/${(await c.shop.client.createApiKey('cashier', `to revoke ${next()}`)).key.id}/revoke` }),
  },
  { method: 'GET', template: '/v1/merchant/summary', audience: ANY, ok: 200, make: async () => ({ path: '/v1/merchant/summary' }) },
  { method: 'GET', template: '/v1/merchant/tills', audience: ANY, ok: 200, make: async (c) => ({ path: '/v1/merchant/tills', shows: [(await c.shop.client.tills())[0]!.id] }) },
  { method: 'POST', template: '/v1/merchant/tills', audience: MANAGERS, ok: 201, make: async () => ({ path: '/v1/merchant/tills', json: { label: `counter ${next()}` } }) },
  {
    method: 'GET',
    template: '/v1/merchant/tills/:tillId/poster.svg',
    audience: ANY,
    ok: 200,
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => ({ path: `/v1/merchant/tills/${(await c.shop.client.tills())[0]!.id}/poster.svg` }),
  },
  { method: 'POST', template: '/v1/orders', audience: ANY, ok: 201, make: async () => ({ path: '/v1/orders', json: { amountMinor: 1_700 + next(), reference: `authz-${seq}` } }) },
  {
    method: 'GET',
    template: '/v1/orders/:orderId',
    audience: ANY,
    ok: 200,
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => ({ path: `/v1/orders/${(await c.shop.client.createOrder({ amountMinor: 1_800 + next(), reference: `authz-${seq}` })).id}` }),
  },
  {
    method: 'GET',
    template: '/v1/orders',
    audience: ANY,
    ok: 200,
    // The Rival asks for the Shop's reference.
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => {
      const order = await c.shop.client.createOrder({ amountMinor: 1_900 + next(), reference: `authz-${seq}` });
      return { path: `/v1/orders?reference=${order.reference}`, shows: [order.id] };
    },
  },
  {
    method: 'POST',
    template: '/v1/orders/:orderId/close',
    audience: ANY,
    ok: 200,
    foreign: { status: 404, code: 'NOT_FOUND' },
    make: async (c) => ({ path: `/v1/orders/${(await c.shop.client.createOrder({ amountMinor: 2_000 + next(), reference: `authz-${seq}` })).id}/close` }),
  },
  {
    method: 'POST',
    template: '/v1/payments/scan',
    audience: ANY,
    ok: 201,
    make: async (c) => {
      c.world.clock.advance(20_000);
      return { path: '/v1/payments/scan', json: { code: (await c.alice.paymentCode(c.world.clock.now())).digits, amountMinor: 2_100 + next() } };
    },
  },
  { method: 'GET', template: '/v1/payments', audience: ANY, ok: 200, make: async (c) => ({ path: '/v1/payments?limit=100', shows: [await alicePays(c, 2_200 + next())] }) },
  {
    method: 'GET',
    template: '/v1/payments/:paymentId',
    audience: ANY,
    ok: 200,
    foreign: { status: 404, code: 'PAYMENT_NOT_FOUND' },
    make: async (c) => ({ path: `/v1/payments/${await alicePays(c, 2_300 + next())}` }),
  },
  {
    method: 'POST',
    template: '/v1/payments/:paymentId/refunds',
    audience: MANAGERS,
    ok: 201,
    foreign: { status: 404, code: 'PAYMENT_NOT_FOUND' },
    make: async (c) => ({ path: `/v1/payments/${await alicePays(c, 2_400 + next())}/refunds`, json: { amountMinor: 1_000 } }),
  },
  {
    method: 'POST',
    template: '/v1/payments/:paymentId/cancel',
    audience: MANAGERS,
    ok: 200,
    foreign: { status: 404, code: 'PAYMENT_NOT_FOUND' },
    make: async (c) => ({ path: `/v1/payments/${await alicePays(c, 2_500 + next())}/cancel` }),
  },

  // ---- staff ----
  { method: 'GET', template: '/v1/ops/merchants', audience: { kind: 'staff', roles: ['admin', 'risk', 'compliance', 'support'] }, ok: 200, make: async (c) => ({ path: '/v1/ops/merchants', shows: [c.shop.merchant.id] }) },
  {
    method: 'POST',
    template: '/v1/ops/merchants/:merchantId/review',
    audience: { kind: 'staff', roles: ['admin', 'risk', 'compliance'] },
    ok: 200,
    make: async (c) => ({ path: `/v1/ops/merchants/${(await applicant(c)).id}/review`, json: { decision: 'approve', note: 'checked' } }),
  },
  {
    method: 'POST',
    template: '/v1/ops/merchants/:merchantId/fee-rate',
    audience: { kind: 'staff', roles: ['admin'] },
    ok: 200,
    make: async (c) => ({ path: `/v1/ops/merchants/${(await applicant(c)).id}/fee-rate`, json: { feeRateBp: 55 } }),
  },
  // Last: its rightful run pays every merchant's balance out.
  { method: 'GET', template: '/v1/ops/risk/rule-set', audience: { kind: 'staff', roles: ['admin', 'risk'] }, ok: 200, make: async () => ({ path: '/v1/ops/risk/rule-set' }) },
  {
    method: 'POST',
    template: '/v1/ops/risk/rule-set/dry-run',
    audience: { kind: 'staff', roles: ['admin', 'risk'] },
    ok: 200,
    make: async () => ({ path: '/v1/ops/risk/rule-set/dry-run', json: { ruleSet: APPROVE_ALL_RULES } }),
  },
  {
    method: 'POST',
    template: '/v1/ops/risk/rule-set',
    audience: { kind: 'staff', roles: ['admin'] },
    ok: 200,
    make: async () => ({ path: '/v1/ops/risk/rule-set', json: { ruleSet: APPROVE_ALL_RULES } }),
  },
  { method: 'GET', template: '/v1/ops/risk/reviews', audience: { kind: 'staff', roles: ['admin', 'risk'] }, ok: 200, make: async () => ({ path: '/v1/ops/risk/reviews' }) },
  // The rule set of these tests holds nothing, so the rightful analyst reaches the payment and is told it is not held.
  {
    method: 'POST',
    template: '/v1/ops/risk/reviews/:paymentId/approve',
    audience: { kind: 'staff', roles: ['admin', 'risk'] },
    ok: 409,
    make: async (c) => ({ path: `/v1/ops/risk/reviews/${await alicePays(c, 100 + next())}/approve` }),
  },
  {
    method: 'POST',
    template: '/v1/ops/risk/reviews/:paymentId/decline',
    audience: { kind: 'staff', roles: ['admin', 'risk'] },
    ok: 409,
    make: async (c) => ({ path: `/v1/ops/risk/reviews/${await alicePays(c, 100 + next())}/decline` }),
  },
  { method: 'GET', template: '/v1/ops/risk/labels', audience: { kind: 'staff', roles: ['admin', 'risk'] }, ok: 200, make: async (c) => ({ path: `/v1/ops/risk/labels?party=${c.shop.merchant.id}` }) },
  {
    method: 'POST',
    template: '/v1/ops/risk/labels/withdraw',
    audience: { kind: 'staff', roles: ['admin', 'risk'] },
    ok: 200,
    make: async (c) => ({ path: '/v1/ops/risk/labels/withdraw', json: { deviceIds: [await labelledDevice(c)], reason: 'appeal upheld' } }),
  },
  { method: 'GET', template: '/v1/ops/me', audience: { kind: 'staff', roles: ['admin', 'risk', 'compliance', 'support'] }, ok: 200, make: async () => ({ path: '/v1/ops/me' }) },
  { method: 'GET', template: '/v1/ops/dashboard', audience: { kind: 'staff', roles: ['admin', 'risk', 'compliance', 'support'] }, ok: 200, make: async () => ({ path: '/v1/ops/dashboard' }) },
  { method: 'GET', template: '/v1/ops/audit', audience: { kind: 'staff', roles: ['admin', 'risk', 'compliance'] }, ok: 200, make: async () => ({ path: '/v1/ops/audit' }) },
  {
    method: 'GET',
    template: '/v1/ops/fraud-reports',
    audience: { kind: 'staff', roles: ['admin', 'risk', 'compliance', 'support'] },
    ok: 200,
    make: async (c) => ({ path: '/v1/ops/fraud-reports', shows: [await aliceReport(c)] }),
  },
  {
    method: 'GET',
    template: '/v1/ops/fraud-reports/:reportId',
    audience: { kind: 'staff', roles: ['admin', 'risk', 'compliance', 'support'] },
    ok: 200,
    make: async (c) => {
      const id = await aliceReport(c);
      return { path: `/v1/ops/fraud-reports/${id}`, shows: [id] };
    },
  },
  {
    method: 'POST',
    template: '/v1/ops/fraud-reports/:reportId/status',
    audience: { kind: 'staff', roles: ['admin', 'risk', 'support'] },
    ok: 200,
    make: async (c) => ({ path: `/v1/ops/fraud-reports/${await aliceReport(c)}/status`, json: { status: 'investigating', note: 'looking' } }),
  },
  { method: 'POST', template: '/v1/ops/settlements/run', audience: { kind: 'staff', roles: ['admin'] }, ok: 200, make: async () => ({ path: '/v1/ops/settlements/run', json: {} }) },
];

// The least privileged caller that may use a route: it is the one whose success proves the route admits the role.
const STAFF_LEAST_FIRST: readonly StaffRole[] = ['support', 'compliance', 'risk', 'admin'];
const MERCHANT_LEAST_FIRST: readonly MerchantRole[] = ['cashier', 'manager', 'owner'];

describe.each(STORE_NAMES)('authorisation matrix of the wallet, merchant and ops APIs (%s)', (store) => {
  let world: World;
  let c: Cast;

  beforeAll(async () => {
    world = await openWorld(store);
    const shop = await world.merchant('Victim Noodle House');
    const rival = await world.merchant('Rival Dumpling Bar');
    await shop.client.createTill('front counter');
    await rival.client.createTill('rival counter');
    const keys: Record<MerchantRole, string> = {
      owner: shop.apiKey,
      manager: (await shop.client.createApiKey('manager', 'floor manager')).secret,
      cashier: (await shop.client.createApiKey('cashier', 'cashier 1')).secret,
    };
    const aliceV = await world.verifiedWallet('Alice Victimsdottir', 2_000_000n);
    const bobV = await world.verifiedWallet('Bob Othermann', 500_000n);
    await aliceV.wallet.setPin(PIN);
    await bobV.wallet.setPin('246801');
    const staff = {} as Record<StaffRole, string>;
    for (const role of STAFF_ROLES) staff[role] = await staffToken(world.env.platform, role);

    // Credentials that no longer open anything.
    const loggedOut = new WalletClient({ baseUrl: world.base, device: aliceV.wallet.device! });
    await loggedOut.signIn();
    expect((await call(world.base, 'POST', '/v1/sessions/logout', { token: loggedOut.sessionToken })).status).toBe(204);
    const lost = new WalletClient({ baseUrl: world.base });
    await lost.requestDevice({ identifier: aliceV.identifier, label: 'lost phone' });
    await aliceV.wallet.approveDevice(lost.device!.deviceId);
    await lost.signIn();
    await aliceV.wallet.revokeDevice(lost.device!.deviceId);
    const gone = await shop.client.createApiKey('owner', 'departed owner');
    await shop.client.revokeApiKey(gone.key.id);
    const revokedStaff = await staffToken(world.env.platform, 'admin', 'revoked admin');
    await revokeStaffToken(world.env.platform, revokedStaff);

    c = {
      world,
      alice: aliceV.wallet,
      aliceIdentifier: aliceV.identifier,
      aliceIdentity: aliceV.identity,
      bob: bobV.wallet,
      bobIdentity: bobV.identity,
      shop,
      keys,
      rival,
      staff,
      dead: { session: loggedOut.sessionToken!, revokedDeviceSession: lost.sessionToken!, merchantKey: gone.secret, staffToken: revokedStaff },
      authenticator: new SoftAuthenticator(),
    };
  });
  afterAll(async () => world?.close());

  /** What the caller must not see: every id, name and secret that is not the caller's own. */
  async function secrets(caller: { consumerId?: string; merchantId?: string } = {}): Promise<string[]> {
    const db = world.env.platform.store.db;
    const notConsumer = (v: string | null) => v === null || v !== caller.consumerId;
    const notMerchant = (v: string | null) => v === null || v !== caller.merchantId;
    const out: string[] = [];
    for (const r of await db.selectFrom('consumers').selectAll().execute()) {
      if (notConsumer(r.id)) out.push(r.id, r.identifier, r.display_name, ...(r.identity_number_masked ? [r.identity_number_masked] : []));
    }
    for (const r of await db.selectFrom('devices').select(['id', 'consumer_id']).execute()) if (notConsumer(r.consumer_id)) out.push(r.id);
    for (const r of await db.selectFrom('challenges').select(['id', 'consumer_id']).execute()) if (notConsumer(r.consumer_id)) out.push(r.id);
    for (const r of await db.selectFrom('merchants').selectAll().execute()) {
      if (notMerchant(r.id) && notConsumer(r.owner_consumer_id)) out.push(r.id, r.legal_name, r.display_name);
    }
    for (const r of await db.selectFrom('merchant_api_keys').select(['id', 'merchant_id']).execute()) if (notMerchant(r.merchant_id)) out.push(r.id);
    for (const r of await db.selectFrom('tills').select(['id', 'merchant_id']).execute()) if (notMerchant(r.merchant_id)) out.push(r.id);
    for (const r of await db.selectFrom('orders').select(['id', 'reference', 'merchant_id']).execute()) if (notMerchant(r.merchant_id)) out.push(r.id, r.reference);
    for (const r of await db.selectFrom('payments').select(['id', 'merchant_id', 'payer_consumer_id', 'payee_consumer_id', 'amount_minor']).execute()) {
      if (notMerchant(r.merchant_id) && notConsumer(r.payer_consumer_id) && notConsumer(r.payee_consumer_id)) out.push(r.id, `"amountMinor":${r.amount_minor}`);
    }
    for (const r of await db.selectFrom('bank_transfers').select(['id', 'owner_id']).execute()) if (notConsumer(r.owner_id) && notMerchant(r.owner_id)) out.push(r.id);
    if (caller.consumerId !== c.alice.consumerId) out.push(c.alice.sessionToken!, c.aliceIdentity.idNumber, c.aliceIdentity.name);
    if (caller.consumerId !== c.bob.consumerId) out.push(c.bob.sessionToken!, c.bobIdentity.idNumber);
    if (caller.merchantId !== c.shop.merchant.id) out.push(...Object.values(c.keys));
    if (caller.merchantId !== c.rival.merchant.id) out.push(c.rival.apiKey);
    out.push(...Object.values(c.staff), ...Object.values(c.dead));
    // Short strings (a six-letter name) could turn up by chance in random ids; everything above is longer.
    return [...new Set(out)].filter((s) => s.length >= 8);
  }

  /** Neither a secret nor its base64url form (ids travel that way, e.g. as a WebAuthn user handle); what the caller sent may come back. */
  function expectNoLeak(res: Res, list: readonly string[], sent = ''): void {
    for (const s of list) {
      if (sent.includes(s)) continue;
      expect(res.text, `the answer shows ${s}`).not.toContain(s);
      expect(res.text, `the answer shows ${s} in base64url`).not.toContain(Buffer.from(s).toString('base64url'));
    }
  }
  const tools: Tools = { secrets, expectNoLeak };

  it('the table covers exactly the wallet, merchant and ops routes the app registers', () => {
    const registered = registeredRoutes(world.env.server.app)
      .filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD' && !/^\/v1\/(ledger|qr|ops\/qr)\//.test(r.url))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(registered).toEqual(ROUTES.map((r) => `${r.method} ${r.template}`).sort());
  });

  const send = (row: Row, req: Req, headers: Record<string, string>) =>
    req.stream ? openStream(req.path, headers) : call(world.base, row.method, req.path, { headers, ...(req.json === undefined ? {} : { json: req.json }) });

  /** A live event stream never ends: read the status, and the body only when it is not a stream. */
  async function openStream(path: string, headers: Record<string, string>): Promise<Res> {
    const abort = new AbortController();
    const response = await fetch(world.base + path, { headers, signal: abort.signal });
    if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      abort.abort();
      return { status: response.status, headers: response.headers, text: '', body: undefined };
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, text, body };
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it.each(ROUTES.map((r) => [`${r.method} ${r.template}`, r] as const))('%s', async (_name, row) => {
    const req = await row.make(c);
    const sent = req.path + JSON.stringify(req.json ?? null);
    const audience = row.audience;

    if (audience.kind === 'public') {
      await row.attack?.(c, tools);
      const res = await send(row, req, {});
      expect(res.status, res.text).toBe(row.ok);
      return;
    }

    // Everything below is refused, and nothing of it may be written.
    const before = await dbSnapshot(world.env.platform);
    const hidden = await secrets();

    // Nobody, and credentials of another audience or no longer valid.
    const strangers: Array<[string, Record<string, string>]> = [
      ['no Authorization header', {}],
      ['an empty bearer token', { authorization: 'Bearer ' }],
      ['another scheme', { authorization: `Basic ${Buffer.from('alice:135790').toString('base64')}` }],
      ['a made-up wallet session', bearer(`ws_${'A'.repeat(43)}`)],
      ['a made-up merchant key', bearer(`sk_m_${'A'.repeat(43)}`)],
      ['a made-up staff token', bearer(`sk_staff_${'A'.repeat(43)}`)],
    ];
    if (audience.kind === 'consumer') {
      strangers.push(
        ['a logged-out session', bearer(c.dead.session)],
        ['a session of a revoked device', bearer(c.dead.revokedDeviceSession)],
        ['the Shop’s owner key', bearer(c.keys.owner)],
        ['an admin staff token', bearer(c.staff.admin)],
      );
    } else if (audience.kind === 'merchant') {
      strangers.push(
        ['a revoked owner key', bearer(c.dead.merchantKey)],
        ['Alice’s wallet session', bearer(c.alice.sessionToken!)],
        ['an admin staff token', bearer(c.staff.admin)],
      );
    } else {
      strangers.push(
        ['a revoked admin token', bearer(c.dead.staffToken)],
        ['the Shop’s owner key', bearer(c.keys.owner)],
        ['Alice’s wallet session', bearer(c.alice.sessionToken!)],
      );
    }
    for (const [who, headers] of strangers) {
      const res = await send(row, req, headers);
      expect({ who, status: res.status, code: res.body?.error?.code }, res.text).toEqual({ who, status: 401, code: 'UNAUTHENTICATED' });
      expectError(res, 401, 'UNAUTHENTICATED');
      expectNoLeak(res, hidden, sent);
    }

    // Valid credentials of a role without the right.
    const refusedRoles: Array<[string, string]> =
      audience.kind === 'merchant'
        ? MERCHANT_ROLES.filter((r) => !audience.roles.includes(r)).map((r) => [`the Shop’s ${r} key`, c.keys[r]])
        : audience.kind === 'staff'
          ? STAFF_ROLES.filter((r) => !audience.roles.includes(r)).map((r) => [`a ${r} staff token`, c.staff[r]])
          : [];
    for (const [who, token] of refusedRoles) {
      const res = await send(row, req, bearer(token));
      expect({ who, status: res.status, code: res.body?.error?.code }, res.text).toEqual({ who, status: 403, code: 'FORBIDDEN' });
      expectError(res, 403, 'FORBIDDEN');
      expectNoLeak(res, hidden, sent);
    }

    // Another consumer, another merchant.
    const other = audience.kind === 'consumer' ? { token: c.bob.sessionToken!, consumerId: c.bob.consumerId! } : audience.kind === 'merchant' ? { token: c.rival.apiKey, merchantId: c.rival.merchant.id } : undefined;
    if (row.foreign && other) {
      const res = await send(row, req, bearer(other.token));
      expectError(res, row.foreign.status, row.foreign.code);
      expectNoLeak(res, await secrets(other), sent);
    }
    expectSameSnapshot(await dbSnapshot(world.env.platform), before);

    // A list of one's own shows nothing of anyone else's.
    if (row.method === 'GET' && !row.foreign && other) {
      const res = await send(row, req, bearer(other.token));
      expect(res.status, res.text).toBe(200);
      expectNoLeak(res, await secrets(other), sent);
      for (const id of req.shows ?? []) expect(res.text).not.toContain(id);
    }

    // The rightful caller, with the least privileged role admitted, is served the very same request.
    const rightful =
      req.token ??
      (audience.kind === 'consumer'
        ? c.alice.sessionToken!
        : audience.kind === 'merchant'
          ? c.keys[MERCHANT_LEAST_FIRST.find((r) => audience.roles.includes(r))!]
          : c.staff[STAFF_LEAST_FIRST.find((r) => audience.roles.includes(r))!]);
    const res = await send(row, req, bearer(rightful));
    expect(res.status, res.text).toBe(row.ok);
    for (const id of req.shows ?? []) expect(res.text).toContain(id);
  });

  it('leaves the ledger consistent', async () => {
    await world.verifyLedger();
  });
});
