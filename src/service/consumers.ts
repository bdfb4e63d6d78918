import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { approveDeviceMessage, loginChallengeMessage } from '../core/auth/index.js';
import { SaomaError } from '../core/errors.js';
import {
  CHALLENGE_NONCE_BYTES,
  CHALLENGE_TTL_MS,
  DEVICE_COOLING_OFF_MS,
  DEVICE_COOLING_OFF_PAYMENT_MINOR_MAX,
  DEVICES_PER_CONSUMER_MAX,
  PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX,
  PAYMENT_CODE_KEY_BYTES_MIN,
  PIN_ATTEMPTS_MAX,
  PIN_DIGITS,
  PIN_LOCK_MS,
  SESSION_TTL_MS,
} from '../core/limits.js';
import type { AccountClass } from '../core/policy/cn-pboc.js';
import { PAYMENT_CODE_DEVICE_INDEX_MAX } from '../core/qr/index.js';
import type { Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/errors.js';
import type { LedgerService } from './ledger.js';
import { hashPin, isP256PublicKey, newId, newSecret, nonce, pinMatches, randomDeviceIndex, secretHash, verifyDeviceSignature } from './crypto.js';
import type { IdentityProvider } from './identity.js';
import { outboxEventQuery, newEventId } from './outbox.js';
import { seal, unseal } from './secrets.js';
import { walletAccountId } from './accounts.js';
import type { RiskEvent } from '../core/risk/index.js';
import {
  paymentChallengeBytes,
  passkeyAssertionOptions,
  passkeyRegistrationOptions,
  verifyPasskeyAssertion,
  verifyPasskeyRegistration,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from './passkeys.js';

export interface ConsumerView {
  readonly id: string;
  readonly identifier: string;
  readonly displayName: string;
  readonly accountClass: AccountClass;
  readonly status: string;
  readonly identityVerified: boolean;
  readonly identityNumberMasked: string | null;
  readonly pinSet: boolean;
  readonly createdAtMs: number;
}

export interface DeviceView {
  readonly id: string;
  readonly label: string;
  readonly kind: string;
  readonly status: string;
  readonly deviceIndex: number;
  readonly trustedFromMs: number;
  readonly paymentCodeLocked: boolean;
  readonly createdAtMs: number;
}

export interface NewDevice {
  /** SPKI of a P-256 key (SDK devices), or the COSE key of a passkey, base64url. */
  readonly publicKey: string;
  readonly label: string;
  readonly kind?: 'p256' | 'passkey';
  readonly credentialId?: string;
  readonly signCount?: number;
}

/** The relying party of passkeys: the platform's public origin and its host name. */
export interface RelyingParty {
  readonly rpId: string;
  readonly rpName: string;
  readonly origin: string;
}

/** How a device proves it approved a text: a P-256 signature (SDK) or a passkey assertion (browser). */
export type DeviceProof = { readonly signature: string; readonly assertion?: undefined } | { readonly assertion: AuthenticationResponseJSON; readonly signature?: undefined };

export interface IssuedPasskeyRegistration {
  readonly challengeId: string;
  readonly options: PublicKeyCredentialCreationOptionsJSON;
  readonly expiresAtMs: number;
}

export interface BoundDevice {
  readonly device: DeviceView;
  /** The payment-code secret (base64url), shown once: the device keeps it (non-extractable in a browser). */
  readonly paymentCodeKey: string;
}

export interface Session {
  readonly token: string;
  readonly expiresAtMs: number;
}

export interface ConsumerAuth {
  readonly consumerId: string;
  readonly deviceId: string;
  readonly sessionId: string;
}

export interface IssuedChallenge {
  readonly challengeId: string;
  readonly message: string;
  readonly expiresAtMs: number;
  /** For a passkey device: the options of navigator.credentials.get, whose challenge is SHA-256(message). */
  readonly assertionOptions?: PublicKeyCredentialRequestOptionsJSON;
}

type DeviceRow = Database['devices'];
type ConsumerRow = Selectable<Database['consumers']>;

/** Phone numbers in E.164 and e-mail addresses in lower case; anything else is refused. */
export function normalizeIdentifier(raw: string): string {
  const text = raw.trim();
  const phone = text.replace(/[\s-]/g, '');
  if (/^\+[1-9][0-9]{7,14}$/.test(phone)) return phone;
  if (text.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return text.toLowerCase();
  throw new SaomaError('INVALID_REQUEST', 'identifier must be a phone number in E.164 form (+8613800138000) or an e-mail address', 'identifier');
}

function maskIdNumber(idNumber: string): string {
  return `${idNumber.slice(0, 3)}${'*'.repeat(idNumber.length - 7)}${idNumber.slice(-4)}`;
}

export function deviceView(row: DeviceRow, _nowMs: number): DeviceView {
  return {
    id: row.id,
    label: row.label,
    kind: row.kind,
    status: row.status,
    deviceIndex: Number(row.device_index),
    trustedFromMs: Number(row.trusted_from_ms),
    paymentCodeLocked: Number(row.pay_code_failed_consecutive) >= PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX,
    createdAtMs: Number(row.created_at_ms),
  };
}

/**
 * Consumers and their devices. A device is bound with a P-256 key (SDK) or a passkey; sessions are
 * bound to one device; money moves only with the device's signature over what the consumer saw.
 * No SMS codes anywhere: a new device is approved by a bound one, or by identity re-verification
 * followed by a cooling-off period.
 */
export class ConsumerService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ledger: LedgerService,
    private readonly masterKey: Buffer,
    private readonly identity: IdentityProvider,
    private readonly nowMs: () => number = Date.now,
    readonly relyingParty: RelyingParty = { rpId: 'localhost', rpName: 'saoma', origin: 'http://localhost:3000' },
    /** Told of accounts, devices and credential changes: the risk engine's features (decision 0015). */
    private readonly riskEvents: { observe(event: RiskEvent): void } = { observe: () => undefined },
  ) {}

  async signUp(input: { identifier: string; displayName: string; device: NewDevice; currency?: string }): Promise<{
    consumer: ConsumerView;
    bound: BoundDevice;
    session: Session;
  }> {
    const identifier = normalizeIdentifier(input.identifier);
    if ((input.device.kind ?? 'p256') === 'p256') checkPublicKey(input.device.publicKey);
    const currency = input.currency ?? 'CNY';
    const consumerId = newId('cus');
    const now = this.nowMs();
    // The wallet account exists before the consumer row refers to it; an orphan account from a
    // failed sign-up holds nothing and harms nothing.
    const [created] = await this.ledger.createAccounts([{ id: walletAccountId(consumerId, currency), type: 'wallet', currency }]);
    if (created !== 'ok' && created !== 'exists') throw new SaomaError('INVARIANT_VIOLATED', `wallet account: ${created}`);
    const bound = await this.db.transaction().execute(async (trx) => {
      try {
        await trx
          .insertInto('consumers')
          .values({
            id: consumerId,
            identifier,
            display_name: input.displayName,
            account_class: 'I',
            status: 'active',
            identity_name_sealed: null,
            identity_number_sealed: null,
            identity_number_masked: null,
            identity_verified_at_ms: null,
            pin_hash: null,
            pin_failed_attempts: 0,
            pin_locked_until_ms: null,
            created_at_ms: BigInt(now),
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new SaomaError('CONSUMER_EXISTS', undefined, 'identifier');
        throw error;
      }
      return this.insertDevice(trx, consumerId, input.device, 'active', now, now);
    });
    const session = await this.openSession(consumerId, bound.device.id);
    this.riskEvents.observe({ type: 'account_opened', accountId: consumerId, atMs: now });
    this.riskEvents.observe({ type: 'device_bound', payerId: consumerId, deviceId: bound.device.id, via: 'signup', atMs: now });
    return { consumer: await this.view(consumerId), bound, session };
  }

  /** A new phone asks to join an existing account; it stays pending until approved or re-verified. */
  async requestDevice(input: { identifier: string; device: NewDevice }): Promise<BoundDevice & { consumerId: string }> {
    const identifier = normalizeIdentifier(input.identifier);
    if ((input.device.kind ?? 'p256') === 'p256') checkPublicKey(input.device.publicKey);
    const consumer = await this.db.selectFrom('consumers').selectAll().where('identifier', '=', identifier).executeTakeFirst();
    // Unknown identifiers are refused like known ones would be for another reason: no enumeration
    // beyond what sign-up's CONSUMER_EXISTS already tells.
    if (!consumer) throw new SaomaError('NOT_FOUND', 'no account with this identifier', 'identifier');
    const now = this.nowMs();
    const bound = await this.db.transaction().execute(async (trx) => {
      const result = await this.insertDevice(trx, consumer.id, input.device, 'pending_approval', now, now);
      await outboxEventQuery(trx, {
        id: newEventId(),
        type: 'device.requested',
        merchantId: null,
        consumerId: consumer.id,
        data: { deviceId: result.device.id, label: result.device.label },
        createdAtMs: now,
      }).execute();
      return result;
    });
    return { ...bound, consumerId: consumer.id };
  }

  private async insertDevice(
    trx: Kysely<Database>,
    consumerId: string,
    device: NewDevice,
    status: 'active' | 'pending_approval',
    trustedFromMs: number,
    now: number,
  ): Promise<BoundDevice> {
    const count = await trx
      .selectFrom('devices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('consumer_id', '=', consumerId)
      .where('status', '!=', 'revoked')
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= DEVICES_PER_CONSUMER_MAX) throw new SaomaError('DEVICE_LIMIT_REACHED');
    const id = newId('dev');
    const payCodeKey = randomBytes(PAYMENT_CODE_KEY_BYTES_MIN);
    const deviceIndex = randomDeviceIndex(PAYMENT_CODE_DEVICE_INDEX_MAX);
    try {
      await trx
        .insertInto('devices')
        .values({
          id,
          consumer_id: consumerId,
          device_index: deviceIndex,
          kind: device.kind ?? 'p256',
          public_key: device.publicKey,
          credential_id: device.credentialId ?? null,
          sign_count: BigInt(device.signCount ?? 0),
          label: device.label,
          status,
          trusted_from_ms: BigInt(trustedFromMs),
          pay_code_key_sealed: seal(this.masterKey, payCodeKey, `device:${id}:paycode`),
          pay_code_last_step: null,
          pay_code_failed_consecutive: 0,
          created_at_ms: BigInt(now),
        })
        .execute();
    } catch (error) {
      // Two devices drew the same random index (about one in ten million per bound device): the
      // transaction is void, and the client's retry draws another.
      if (isUniqueViolation(error)) throw new SaomaError('CONCURRENT_UPDATE', 'device index clash; retry');
      throw error;
    }
    const row = await trx.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return { device: deviceView(row, now), paymentCodeKey: payCodeKey.toString('base64url') };
  }

  async view(consumerId: string): Promise<ConsumerView> {
    const c = await this.consumerRow(consumerId);
    return {
      id: c.id,
      identifier: c.identifier,
      displayName: c.display_name,
      accountClass: c.account_class as AccountClass,
      status: c.status,
      identityVerified: c.identity_verified_at_ms !== null,
      identityNumberMasked: c.identity_number_masked,
      pinSet: c.pin_hash !== null,
      createdAtMs: Number(c.created_at_ms),
    };
  }

  async consumerRow(consumerId: string): Promise<ConsumerRow> {
    const c = await this.db.selectFrom('consumers').selectAll().where('id', '=', consumerId).executeTakeFirst();
    if (!c) throw new SaomaError('NOT_FOUND', 'no such consumer');
    return c;
  }

  async devices(consumerId: string): Promise<DeviceView[]> {
    const rows = await this.db.selectFrom('devices').selectAll().where('consumer_id', '=', consumerId).orderBy('created_at_ms').execute();
    const now = this.nowMs();
    return rows.map((r) => deviceView(r, now));
  }

  async deviceRow(deviceId: string): Promise<DeviceRow | undefined> {
    return this.db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  }

  /** The payment-code secret of a device, unsealed for verification. */
  paymentCodeKey(device: DeviceRow): Uint8Array {
    return unseal(this.masterKey, device.pay_code_key_sealed, `device:${device.id}:paycode`);
  }

  // ---- challenges and sessions -------------------------------------------------------------

  async storeChallenge(input: {
    id: string;
    purpose: string;
    consumerId: string | null;
    deviceId: string | null;
    message: string;
    payload: unknown;
    expiresAtMs: number;
  }): Promise<IssuedChallenge> {
    await this.db
      .insertInto('challenges')
      .values({
        id: input.id,
        purpose: input.purpose,
        consumer_id: input.consumerId,
        device_id: input.deviceId,
        message: input.message,
        payload: JSON.stringify(input.payload, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
        expires_at_ms: BigInt(input.expiresAtMs),
        used_at_ms: null,
        created_at_ms: BigInt(this.nowMs()),
      })
      .execute();
    return { challengeId: input.id, message: input.message, expiresAtMs: input.expiresAtMs };
  }

  /**
   * Loads a challenge issued to this device for this purpose and checks the device's proof over its
   * stored text: a P-256 signature, or a passkey assertion whose challenge is SHA-256 of the text.
   * Does not mark it used: callers do that atomically with what it approves.
   */
  async checkSignedChallenge(input: {
    challengeId: string;
    purpose: string;
    deviceId: string;
    consumerId?: string;
    proof: DeviceProof;
  }): Promise<{ row: Database['challenges']; device: DeviceRow; userVerified: boolean }> {
    const row = await this.db.selectFrom('challenges').selectAll().where('id', '=', input.challengeId).executeTakeFirst();
    if (!row || row.purpose !== input.purpose || row.device_id !== input.deviceId || (input.consumerId !== undefined && row.consumer_id !== input.consumerId)) {
      throw new SaomaError('CHALLENGE_NOT_FOUND', undefined, 'challengeId');
    }
    if (row.used_at_ms !== null) throw new SaomaError('CHALLENGE_USED', undefined, 'challengeId');
    if (Number(row.expires_at_ms) <= this.nowMs()) throw new SaomaError('CHALLENGE_EXPIRED', undefined, 'challengeId');
    const device = await this.deviceRow(input.deviceId);
    if (!device || device.status !== 'active') throw new SaomaError('DEVICE_NOT_ACTIVE');
    if (device.kind === 'passkey') {
      if (!input.proof.assertion) throw new SaomaError('INVALID_REQUEST', 'this device is a passkey: send its assertion', 'assertion');
      const verified = await verifyPasskeyAssertion({
        response: input.proof.assertion,
        expectedChallenge: paymentChallengeBytes(row.message),
        origin: this.relyingParty.origin,
        rpId: this.relyingParty.rpId,
        credential: { id: device.credential_id!, publicKey: device.public_key, signCount: device.sign_count },
      });
      await this.db.updateTable('devices').set({ sign_count: BigInt(verified.newSignCount) }).where('id', '=', device.id).execute();
      return { row, device, userVerified: verified.userVerified };
    }
    if (input.proof.signature === undefined) throw new SaomaError('INVALID_REQUEST', 'sign the challenge message with the device key', 'signature');
    if (!verifyDeviceSignature(device.public_key, row.message, input.proof.signature)) throw new SaomaError('SIGNATURE_INVALID', undefined, 'signature');
    return { row, device, userVerified: false };
  }

  /** The assertion options a passkey device needs to approve this text (undefined for SDK devices). */
  async assertionOptionsFor(deviceId: string, message: string): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
    const device = await this.deviceRow(deviceId);
    if (!device || device.kind !== 'passkey' || device.credential_id === null) return undefined;
    return passkeyAssertionOptions({ rpId: this.relyingParty.rpId, challenge: paymentChallengeBytes(message), allowCredentialIds: [device.credential_id] });
  }

  /** Step one of binding a passkey (sign-up or a new device): the options for navigator.credentials.create. */
  async passkeyRegistration(input: { identifier: string; displayName?: string | undefined; forExistingAccount: boolean }): Promise<IssuedPasskeyRegistration> {
    const identifier = normalizeIdentifier(input.identifier);
    const existing = await this.db.selectFrom('consumers').select('id').where('identifier', '=', identifier).executeTakeFirst();
    if (input.forExistingAccount && !existing) throw new SaomaError('NOT_FOUND', 'no account with this identifier', 'identifier');
    if (!input.forExistingAccount && existing) throw new SaomaError('CONSUMER_EXISTS', undefined, 'identifier');
    const id = newId('chl');
    const challenge = randomBytes(32);
    const expiresAtMs = this.nowMs() + CHALLENGE_TTL_MS;
    const options = await passkeyRegistrationOptions({
      rpId: this.relyingParty.rpId,
      rpName: this.relyingParty.rpName,
      // An opaque handle, stable per account (passkey managers group by it), that reveals no id.
      userId: createHmac('sha256', this.masterKey).update(`webauthn-user:${existing?.id ?? id}`).digest('base64url').slice(0, 32),
      userName: identifier,
      challenge,
    });
    await this.storeChallenge({
      id,
      purpose: 'register_passkey',
      consumerId: existing?.id ?? null,
      deviceId: null,
      message: challenge.toString('base64url'),
      payload: { identifier, displayName: input.displayName ?? null, forExistingAccount: input.forExistingAccount },
      expiresAtMs,
    });
    return { challengeId: id, options, expiresAtMs };
  }

  /** Step two: the authenticator's answer verified, the passkey becomes the device's key. */
  async verifyPasskeyRegistration(challengeId: string, response: RegistrationResponseJSON): Promise<{ identifier: string; displayName: string | null; device: NewDevice & { kind: 'passkey' }; forExistingAccount: boolean }> {
    const row = await this.db.selectFrom('challenges').selectAll().where('id', '=', challengeId).where('purpose', '=', 'register_passkey').executeTakeFirst();
    if (!row) throw new SaomaError('CHALLENGE_NOT_FOUND', undefined, 'challengeId');
    if (row.used_at_ms !== null) throw new SaomaError('CHALLENGE_USED', undefined, 'challengeId');
    if (Number(row.expires_at_ms) <= this.nowMs()) throw new SaomaError('CHALLENGE_EXPIRED', undefined, 'challengeId');
    const verified = await verifyPasskeyRegistration({
      response,
      expectedChallenge: Buffer.from(row.message, 'base64url'),
      origin: this.relyingParty.origin,
      rpId: this.relyingParty.rpId,
    });
    if (!(await this.consumeChallenge(row.id))) throw new SaomaError('CHALLENGE_USED', undefined, 'challengeId');
    const payload = JSON.parse(row.payload) as { identifier: string; displayName: string | null; forExistingAccount: boolean };
    return {
      ...payload,
      device: { kind: 'passkey', publicKey: verified.publicKey, credentialId: verified.credentialId, signCount: verified.signCount, label: 'passkey' },
    };
  }

  async signUpWithPasskey(input: { challengeId: string; response: RegistrationResponseJSON; displayName?: string | undefined; label?: string | undefined }) {
    const registered = await this.verifyPasskeyRegistration(input.challengeId, input.response);
    if (registered.forExistingAccount) throw new SaomaError('CHALLENGE_NOT_FOUND', undefined, 'challengeId');
    return this.signUp({
      identifier: registered.identifier,
      displayName: input.displayName ?? registered.displayName ?? registered.identifier,
      device: { ...registered.device, label: input.label ?? 'passkey' },
    });
  }

  async requestDeviceWithPasskey(input: { challengeId: string; response: RegistrationResponseJSON; label?: string | undefined }) {
    const registered = await this.verifyPasskeyRegistration(input.challengeId, input.response);
    if (!registered.forExistingAccount) throw new SaomaError('CHALLENGE_NOT_FOUND', undefined, 'challengeId');
    return this.requestDevice({ identifier: registered.identifier, device: { ...registered.device, label: input.label ?? 'passkey' } });
  }

  private async withAssertion(deviceId: string, message: string): Promise<{ assertionOptions?: PublicKeyCredentialRequestOptionsJSON }> {
    const options = await this.assertionOptionsFor(deviceId, message);
    return options ? { assertionOptions: options } : {};
  }

  /** Marks a challenge used; false when another request used it first. */
  async consumeChallenge(challengeId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('challenges')
      .set({ used_at_ms: BigInt(this.nowMs()) })
      .where('id', '=', challengeId)
      .where('used_at_ms', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * A sign-in challenge for a device named by id, or by its public key (SPKI): a client that lost
   * the answer to its sign-up still holds its key, and can sign in and learn its device id.
   */
  async loginChallenge(deviceIdOrKey: { deviceId: string } | { publicKey: string }): Promise<IssuedChallenge & { deviceId: string }> {
    const device =
      'deviceId' in deviceIdOrKey
        ? await this.deviceRow(deviceIdOrKey.deviceId)
        : await this.db.selectFrom('devices').selectAll().where('public_key', '=', deviceIdOrKey.publicKey).where('kind', '=', 'p256').executeTakeFirst();
    if (!device) throw new SaomaError('NOT_FOUND', 'no such device', 'deviceId');
    const deviceId = device.id;
    if (!device) throw new SaomaError('NOT_FOUND', 'no such device', 'deviceId');
    if (device.status !== 'active') throw new SaomaError('DEVICE_NOT_ACTIVE');
    const id = newId('chl');
    const expiresAtMs = this.nowMs() + CHALLENGE_TTL_MS;
    const message = loginChallengeMessage({ challengeId: id, deviceId, nonce: nonce(CHALLENGE_NONCE_BYTES), expiresAtMs });
    const issued = await this.storeChallenge({ id, purpose: 'login', consumerId: device.consumer_id, deviceId, message, payload: {}, expiresAtMs });
    return { ...issued, deviceId, ...(await this.withAssertion(deviceId, message)) };
  }

  async login(input: { challengeId: string; deviceId: string; proof: DeviceProof }): Promise<Session & { consumerId: string }> {
    const { row } = await this.checkSignedChallenge({ challengeId: input.challengeId, purpose: 'login', deviceId: input.deviceId, proof: input.proof });
    if (!(await this.consumeChallenge(row.id))) throw new SaomaError('CHALLENGE_USED', undefined, 'challengeId');
    const session = await this.openSession(row.consumer_id!, input.deviceId);
    return { ...session, consumerId: row.consumer_id! };
  }

  private async openSession(consumerId: string, deviceId: string): Promise<Session> {
    const token = newSecret('ws');
    const now = this.nowMs();
    const expiresAtMs = now + SESSION_TTL_MS;
    await this.db
      .insertInto('sessions')
      .values({
        id: newId('ses'),
        token_hash: secretHash(token),
        consumer_id: consumerId,
        device_id: deviceId,
        created_at_ms: BigInt(now),
        expires_at_ms: BigInt(expiresAtMs),
        revoked_at_ms: null,
      })
      .execute();
    return { token, expiresAtMs };
  }

  /** The session behind a bearer token, if live and its device still active. */
  async authenticate(token: string): Promise<ConsumerAuth | undefined> {
    if (!token.startsWith('ws_') || token.length > 100) return undefined;
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('devices', 'devices.id', 'sessions.device_id')
      .innerJoin('consumers', 'consumers.id', 'sessions.consumer_id')
      .select(['sessions.id as session_id', 'sessions.consumer_id', 'sessions.device_id', 'sessions.expires_at_ms', 'sessions.revoked_at_ms', 'devices.status as device_status', 'consumers.status as consumer_status'])
      .where('sessions.token_hash', '=', secretHash(token))
      .executeTakeFirst();
    if (!row || row.revoked_at_ms !== null || Number(row.expires_at_ms) <= this.nowMs()) return undefined;
    if (row.device_status !== 'active' || row.consumer_status !== 'active') return undefined;
    return { consumerId: row.consumer_id, deviceId: row.device_id, sessionId: row.session_id };
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at_ms: BigInt(this.nowMs()) }).where('id', '=', sessionId).execute();
  }

  // ---- adding, approving and revoking devices ------------------------------------------------

  private async ownDevice(consumerId: string, deviceId: string): Promise<DeviceRow> {
    const device = await this.deviceRow(deviceId);
    if (!device || device.consumer_id !== consumerId) throw new SaomaError('NOT_FOUND', 'no such device', 'deviceId');
    return device;
  }

  async approveChallenge(auth: ConsumerAuth, newDeviceId: string): Promise<IssuedChallenge> {
    const target = await this.ownDevice(auth.consumerId, newDeviceId);
    if (target.status !== 'pending_approval') throw new SaomaError('INVALID_REQUEST', 'this device is not waiting for approval', 'deviceId');
    const id = newId('chl');
    const expiresAtMs = this.nowMs() + CHALLENGE_TTL_MS;
    const message = approveDeviceMessage({ challengeId: id, newDeviceId, newDeviceLabel: target.label, nonce: nonce(CHALLENGE_NONCE_BYTES), expiresAtMs });
    const issued = await this.storeChallenge({ id, purpose: 'approve_device', consumerId: auth.consumerId, deviceId: auth.deviceId, message, payload: { newDeviceId }, expiresAtMs });
    return { ...issued, ...(await this.withAssertion(auth.deviceId, message)) };
  }

  /** A bound device signs the approval: the new device is trusted at once. */
  async approveDevice(auth: ConsumerAuth, newDeviceId: string, input: { challengeId: string; proof: DeviceProof }): Promise<DeviceView> {
    const { row } = await this.checkSignedChallenge({ ...input, purpose: 'approve_device', deviceId: auth.deviceId, consumerId: auth.consumerId });
    if ((JSON.parse(row.payload) as { newDeviceId: string }).newDeviceId !== newDeviceId) throw new SaomaError('CHALLENGE_NOT_FOUND', undefined, 'challengeId');
    if (!(await this.consumeChallenge(row.id))) throw new SaomaError('CHALLENGE_USED', undefined, 'challengeId');
    const now = this.nowMs();
    // A device still cooling off cannot lend more trust than it has: the new one cools off as long.
    const approver = await this.ownDevice(auth.consumerId, auth.deviceId);
    const trustedFromMs = BigInt(Math.max(now, Number(approver.trusted_from_ms)));
    await this.db
      .updateTable('devices')
      .set({ status: 'active', trusted_from_ms: trustedFromMs })
      .where('id', '=', newDeviceId)
      .where('consumer_id', '=', auth.consumerId)
      .where('status', '=', 'pending_approval')
      .execute();
    this.riskEvents.observe({ type: 'device_bound', payerId: auth.consumerId, deviceId: newDeviceId, via: 'approval', atMs: now });
    return deviceView(await this.ownDevice(auth.consumerId, newDeviceId), now);
  }

  /**
   * No bound device at hand (lost phone): the identity verified before is checked again, the
   * device becomes active, and large payments wait out the cooling-off period.
   */
  async activateDeviceByIdentity(input: { deviceId: string; name: string; idNumber: string }): Promise<DeviceView> {
    const device = await this.deviceRow(input.deviceId);
    if (!device || device.status !== 'pending_approval') throw new SaomaError('NOT_FOUND', 'no device waiting for activation', 'deviceId');
    await this.checkKnownIdentity(device.consumer_id, input.name, input.idNumber);
    const now = this.nowMs();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('devices')
        .set({ status: 'active', trusted_from_ms: BigInt(now + DEVICE_COOLING_OFF_MS) })
        .where('id', '=', device.id)
        .where('status', '=', 'pending_approval')
        .execute();
      await trx.updateTable('consumers').set({ credentials_changed_at_ms: BigInt(now) }).where('id', '=', device.consumer_id).execute();
      await outboxEventQuery(trx, {
        id: newEventId(),
        type: 'device.activated',
        merchantId: null,
        consumerId: device.consumer_id,
        data: { deviceId: device.id, label: device.label, by: 'identity_reverification', trustedFromMs: now + DEVICE_COOLING_OFF_MS },
        createdAtMs: now,
      }).execute();
    });
    this.riskEvents.observe({ type: 'device_bound', payerId: device.consumer_id, deviceId: device.id, via: 'reverification', atMs: now });
    return deviceView((await this.deviceRow(device.id))!, now);
  }

  async revokeDevice(auth: ConsumerAuth, deviceId: string): Promise<DeviceView> {
    await this.ownDevice(auth.consumerId, deviceId);
    const now = this.nowMs();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('devices').set({ status: 'revoked' }).where('id', '=', deviceId).execute();
      await trx.updateTable('sessions').set({ revoked_at_ms: BigInt(now) }).where('device_id', '=', deviceId).where('revoked_at_ms', 'is', null).execute();
    });
    return deviceView(await this.ownDevice(auth.consumerId, deviceId), now);
  }

  /**
   * A new payment-code secret for a device (PIN needed): for a device that lost its secret, or one
   * whose codes may have been seen. Codes of the old secret stop working at once.
   */
  async rotatePaymentCodeKey(auth: ConsumerAuth, deviceId: string, pin: string): Promise<BoundDevice> {
    await this.ownDevice(auth.consumerId, deviceId);
    await this.verifyPin(auth.consumerId, pin);
    const key = randomBytes(PAYMENT_CODE_KEY_BYTES_MIN);
    await this.db
      .updateTable('devices')
      .set({ pay_code_key_sealed: seal(this.masterKey, key, `device:${deviceId}:paycode`), pay_code_failed_consecutive: 0 })
      .where('id', '=', deviceId)
      .execute();
    return { device: deviceView(await this.ownDevice(auth.consumerId, deviceId), this.nowMs()), paymentCodeKey: key.toString('base64url') };
  }

  /** The holder re-enables a payment code locked by failed attempts against it. */
  async enablePaymentCode(auth: ConsumerAuth, deviceId: string, pin: string | undefined): Promise<DeviceView> {
    await this.ownDevice(auth.consumerId, deviceId);
    // Someone who holds only the session (not the PIN) must not undo a lock guessers caused (decision 0007).
    if (pin === undefined) throw new SaomaError('PIN_REQUIRED', 're-enabling the payment code needs the PIN', 'pin');
    await this.verifyPin(auth.consumerId, pin);
    await this.db.updateTable('devices').set({ pay_code_failed_consecutive: 0 }).where('id', '=', deviceId).execute();
    return deviceView(await this.ownDevice(auth.consumerId, deviceId), this.nowMs());
  }

  /** A device added by re-verification may not move much money while it cools off (decision 0014). */
  checkCoolingOff(device: DeviceRow, amountMinor: bigint, now: number): void {
    if (Number(device.trusted_from_ms) > now && amountMinor > DEVICE_COOLING_OFF_PAYMENT_MINOR_MAX) {
      throw new SaomaError(
        'DEVICE_COOLING_OFF',
        `this device was added recently; until ${new Date(Number(device.trusted_from_ms)).toISOString()} one payment may not exceed ${DEVICE_COOLING_OFF_PAYMENT_MINOR_MAX / 100n} yuan`,
      );
    }
  }

  /** Money leaving to a bank account the caller names: the PIN, and no more than cooling-off allows. */
  async authorizeWithdrawal(auth: ConsumerAuth, amountMinor: bigint, pin: string | undefined): Promise<void> {
    const device = await this.deviceRow(auth.deviceId);
    if (!device || device.status !== 'active') throw new SaomaError('DEVICE_NOT_ACTIVE');
    this.checkCoolingOff(device, amountMinor, this.nowMs());
    if (pin === undefined) throw new SaomaError('PIN_REQUIRED', 'a withdrawal needs the payment PIN', 'pin');
    await this.verifyPin(auth.consumerId, pin);
  }

  // ---- identity ------------------------------------------------------------------------------

  async verifyIdentity(consumerId: string, input: { name: string; idNumber: string; bankAccount?: string | undefined }): Promise<ConsumerView> {
    const consumer = await this.consumerRow(consumerId);
    if (consumer.identity_number_sealed !== null) await this.checkKnownIdentity(consumerId, input.name, input.idNumber);
    const result = await this.identity.verify(input);
    if (!result.verified) throw new SaomaError('IDENTITY_VERIFICATION_FAILED', result.reason);
    const rank = { I: 1, II: 2, III: 3 } as const;
    const current = consumer.account_class as AccountClass;
    await this.db
      .updateTable('consumers')
      .set({
        identity_name_sealed: seal(this.masterKey, Buffer.from(input.name.trim()), `consumer:${consumerId}:name`),
        identity_number_sealed: seal(this.masterKey, Buffer.from(input.idNumber), `consumer:${consumerId}:idnumber`),
        identity_number_masked: maskIdNumber(input.idNumber),
        identity_verified_at_ms: BigInt(this.nowMs()),
        account_class: rank[result.accountClass] > rank[current] ? result.accountClass : current,
      })
      .where('id', '=', consumerId)
      .execute();
    return this.view(consumerId);
  }

  /** The same person as verified before: name and id number must match the sealed ones, and verify again. */
  private async checkKnownIdentity(consumerId: string, name: string, idNumber: string): Promise<void> {
    const consumer = await this.consumerRow(consumerId);
    if (consumer.identity_number_sealed === null || consumer.identity_name_sealed === null) {
      throw new SaomaError('IDENTITY_VERIFICATION_FAILED', 'this account has no verified identity; approve the device from a bound one');
    }
    const knownName = Buffer.from(unseal(this.masterKey, consumer.identity_name_sealed, `consumer:${consumerId}:name`)).toString();
    const knownNumber = Buffer.from(unseal(this.masterKey, consumer.identity_number_sealed, `consumer:${consumerId}:idnumber`)).toString();
    if (knownName !== name.trim() || knownNumber !== idNumber) throw new SaomaError('IDENTITY_VERIFICATION_FAILED', 'these details do not match the verified identity');
    const result = await this.identity.verify({ name, idNumber });
    if (!result.verified) throw new SaomaError('IDENTITY_VERIFICATION_FAILED', result.reason);
  }

  // ---- payment PIN ---------------------------------------------------------------------------

  async setPin(consumerId: string, input: { pin: string; currentPin?: string | undefined }): Promise<void> {
    checkPinFormat(input.pin);
    const consumer = await this.consumerRow(consumerId);
    if (consumer.pin_hash !== null) {
      if (input.currentPin === undefined) throw new SaomaError('PIN_REQUIRED', 'give currentPin to change the PIN', 'currentPin');
      await this.verifyPin(consumerId, input.currentPin);
    }
    await this.db.updateTable('consumers').set({ pin_hash: await hashPin(input.pin), pin_failed_attempts: 0, pin_locked_until_ms: null }).where('id', '=', consumerId).execute();
  }

  /** Reset from a bound device (the session) plus the identity check; clears the lock. */
  async resetPin(consumerId: string, input: { name: string; idNumber: string; newPin: string }): Promise<void> {
    checkPinFormat(input.newPin);
    await this.checkKnownIdentity(consumerId, input.name, input.idNumber);
    await this.db
      .updateTable('consumers')
      .set({ pin_hash: await hashPin(input.newPin), pin_failed_attempts: 0, pin_locked_until_ms: null, credentials_changed_at_ms: BigInt(this.nowMs()) })
      .where('id', '=', consumerId)
      .execute();
    this.riskEvents.observe({ type: 'credentials_changed', payerId: consumerId, what: 'pin_reset', atMs: this.nowMs() });
  }

  /**
   * Checks the PIN. The attempt is counted before the hash is compared, atomically, so parallel
   * guesses cannot all slip in before the lock: at most PIN_ATTEMPTS_MAX wrong PINs per lock period.
   */
  async verifyPin(consumerId: string, pin: string): Promise<void> {
    const consumer = await this.consumerRow(consumerId);
    if (consumer.pin_hash === null) throw new SaomaError('PIN_NOT_SET');
    const now = this.nowMs();
    if (consumer.pin_locked_until_ms !== null && Number(consumer.pin_locked_until_ms) > now) throw new SaomaError('PIN_LOCKED');
    if (consumer.pin_locked_until_ms !== null) {
      // The lock ran out: a fresh series of attempts.
      await this.db.updateTable('consumers').set({ pin_failed_attempts: 0, pin_locked_until_ms: null }).where('id', '=', consumerId).where('pin_locked_until_ms', '=', consumer.pin_locked_until_ms).execute();
    }
    const counted = await this.db
      .updateTable('consumers')
      .set((eb) => ({ pin_failed_attempts: eb('pin_failed_attempts', '+', 1) }))
      .where('id', '=', consumerId)
      .where('pin_failed_attempts', '<', PIN_ATTEMPTS_MAX)
      .where('pin_locked_until_ms', 'is', null)
      .executeTakeFirst();
    if (Number(counted.numUpdatedRows) !== 1) throw new SaomaError('PIN_LOCKED');
    if (typeof pin === 'string' && /^[0-9]+$/.test(pin) && (await pinMatches(pin, consumer.pin_hash))) {
      await this.db.updateTable('consumers').set({ pin_failed_attempts: 0 }).where('id', '=', consumerId).execute();
      return;
    }
    const after = await this.consumerRow(consumerId);
    const attempts = Number(after.pin_failed_attempts);
    if (attempts >= PIN_ATTEMPTS_MAX) {
      await this.db.updateTable('consumers').set({ pin_locked_until_ms: BigInt(now + PIN_LOCK_MS) }).where('id', '=', consumerId).execute();
      throw new SaomaError('PIN_LOCKED', `wrong PIN; the PIN is locked after ${PIN_ATTEMPTS_MAX} wrong attempts. Reset it from a bound device with an identity check.`);
    }
    throw new SaomaError('PIN_INVALID', `wrong PIN; ${PIN_ATTEMPTS_MAX - attempts} attempt(s) left before the PIN locks`, 'pin');
  }
}

function checkPublicKey(publicKey: string): void {
  if (!isP256PublicKey(publicKey)) throw new SaomaError('INVALID_REQUEST', 'publicKey must be a P-256 public key in SPKI DER, base64url', 'device.publicKey');
}

function checkPinFormat(pin: string): void {
  if (!new RegExp(`^[0-9]{${PIN_DIGITS}}$`).test(pin)) throw new SaomaError('INVALID_REQUEST', `the PIN is ${PIN_DIGITS} digits`, 'pin');
  if (/^(\d)\1+$/.test(pin) || '0123456789'.includes(pin) || '9876543210'.includes(pin)) {
    throw new SaomaError('INVALID_REQUEST', 'choose a PIN that is not all one digit or a run (123456)', 'pin');
  }
}
