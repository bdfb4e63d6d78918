import { randomBytes } from 'node:crypto';
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { confirmChallengeMessage, paymentChallengeMessage, type PaymentChallengeFields } from '../core/auth/index.js';
import { SaomaError, type ErrorCode } from '../core/errors.js';
import { TRANSFER_FLAGS, platformAccountId, type TransferInput, type TransferResult } from '../core/ledger/index.js';
import {
  AMOUNT_MINOR_MAX,
  CHALLENGE_NONCE_BYTES,
  CHALLENGE_TTL_MS,
  CN_PBOC_PASSWORD_FREE_MINOR_MAX,
  DEVICE_COOLING_OFF_PAYMENT_MINOR_MAX,
  ORDER_TTL_MS_DEFAULT,
  PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX,
  PAYMENT_CONFIRM_TIMEOUT_MS,
  PERSONAL_CODE_RECEIPTS_PER_DAY_MAX,
  PERSONAL_CODE_RECEIVED_DAILY_MINOR_MAX,
  RISK_REVIEW_TIMEOUT_MS,
  RISK_STEP_UP_DISTRUST_AFTER_CREDENTIAL_CHANGE_MS,
} from '../core/limits.js';
import { feeMinor, feeRefundMinor } from '../core/payments/fees.js';
import {
  checkPayment,
  dailyCapMinor,
  policyDay,
  policyYear,
  type AccountClass,
  type FactorKind,
  type Level,
  type PaymentChannel,
} from '../core/policy/cn-pboc.js';
import {
  CN_PBOC_CLASS_III_YEARLY_MINOR_MAX,
  CN_PBOC_CLASS_II_YEARLY_MINOR_MAX,
  CN_PBOC_CLASS_I_SINCE_OPENING_MINOR_MAX,
} from '../core/limits.js';
import {
  decidePaymentCodeAttempt,
  isFailedPaymentCodeAttempt,
  parsePaymentCode,
  scanVerdict,
  verifyPaymentCode,
  type QrPublicKey,
} from '../core/qr/index.js';
import type { Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/errors.js';
import { merchantAccountId, walletAccountId } from './accounts.js';
import { normalizeIdentifier, type ConsumerAuth, type ConsumerService, type DeviceProof } from './consumers.js';
import type { PublicKeyCredentialRequestOptionsJSON } from './passkeys.js';
import { newId, nonce } from './crypto.js';
import type { LedgerService } from './ledger.js';
import type { MerchantAuth, MerchantService } from './merchants.js';
import { newEventId, outboxEventQuery } from './outbox.js';
import { nodeEd25519Verifier } from './qr-signing.js';
import type { QrKeyService } from './qr-keys.js';
import type { FraudParty, LabelInput, RiskService, RiskVerdict } from './risk.js';
import { appendAudit } from './audit.js';
import { enqueueJobsQuery } from '../store/jobs/runner.js';
import type { RiskPayment } from '../core/risk/index.js';

export const PAYMENT_CONFIRM_TIMEOUT_JOB = 'payment.confirm_timeout';

export type PaymentStatus = 'awaiting_confirmation' | 'held_for_review' | 'succeeded' | 'voided' | 'expired' | 'refunded' | 'declined';

export interface PaymentView {
  readonly id: string;
  readonly kind: 'merchant' | 'personal_code' | 'p2p';
  readonly channel: PaymentChannel;
  readonly status: PaymentStatus;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly feeMinor: bigint;
  readonly refundedMinor: bigint;
  readonly level: Level;
  readonly compensationPromise: boolean;
  readonly merchantId: string | null;
  readonly payeeName: string;
  readonly orderId: string | null;
  readonly description: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** Only in the consumer's own view: whether they paid or received. */
  readonly direction?: 'sent' | 'received';
}

export interface OrderView {
  readonly id: string;
  readonly reference: string;
  readonly description: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** `held`: paid by a payment held for review (an analyst posts or releases it). */
  readonly status: 'open' | 'held' | 'paid' | 'closed' | 'expired';
  /** The signed dynamic code to show (EMVCo payload). */
  readonly payload: string;
  readonly expiresAtMs: number;
  readonly paymentId: string | null;
  readonly createdAtMs: number;
}

export interface PreparedPayment {
  readonly challengeId: string;
  /** The exact text the device signs: payee, amount, currency, nonce. */
  readonly message: string;
  readonly expiresAtMs: number;
  readonly payee: { readonly kind: 'merchant' | 'consumer'; readonly id: string; readonly name: string; readonly verified: true };
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly channel: PaymentChannel;
  /** Above the password-free limit a second factor is needed: the PIN, or a passkey's user verification. */
  readonly pinRequired: boolean;
  /** For a passkey device: the options of navigator.credentials.get over SHA-256 of the message. */
  readonly assertionOptions?: PublicKeyCredentialRequestOptionsJSON;
}

/** What a payment challenge stands for (stored with it; the device signed its text). */
interface PaymentIntent {
  kind: 'merchant' | 'personal_code' | 'p2p';
  channel: PaymentChannel;
  merchantId: string | null;
  payeeConsumerId: string | null;
  payeeName: string;
  orderId: string | null;
  amountMinor: string;
  currency: string;
  description: string;
}

interface CounterCharge {
  readonly key: string;
  readonly capMinor: bigint | null;
  readonly countCap: number | null;
  readonly limit: string;
  readonly message: string;
}

type PaymentRow = Database['payments'];

const OK: TransferResult = 'ok';

/**
 * The pending transfer that holds a payment under review: the payment's own for wallet payments;
 * for a merchant-scanned code, the longer hold that replaced its confirmation hold.
 */
function heldTransferId(row: Pick<PaymentRow, 'id' | 'channel'>): string {
  return row.channel === 'payment_code' ? `${row.id}:hold` : row.id;
}

function allOk(results: readonly TransferResult[]): boolean {
  return results.every((r) => r === OK);
}

/** The first result that explains a failed request (linked partners only echo it). */
function failureOf(results: readonly TransferResult[]): TransferResult | undefined {
  return results.find((r) => r !== OK && r !== 'linked_event_failed') ?? results.find((r) => r !== OK);
}

function yuan(minor: bigint): string {
  return `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
}

export function checkAmount(amountMinor: bigint, param = 'amountMinor'): void {
  if (amountMinor <= 0n || amountMinor > BigInt(AMOUNT_MINOR_MAX)) throw new SaomaError('INVALID_REQUEST', `${param} must be a positive integer of minor units`, param);
}

/** A scanned code resolved for the wallet's screen (green, red, amber, link, text). */
export interface CodeResolution {
  readonly verdict: 'genuine' | 'counterfeit' | 'expired' | 'used' | 'foreign' | 'url' | 'text';
  readonly message: string;
  readonly reason?: string;
  readonly payee?: { kind: 'merchant' | 'personal'; id: string; name: string; city: string; verified: true; status: string };
  readonly initiation?: 'static' | 'dynamic';
  readonly amountMinor?: number;
  readonly currency?: string;
  readonly description?: string;
  readonly expiresAtMs?: number;
  readonly scheme?: string;
  readonly nameInCode?: string;
  readonly url?: { href: string; domain: string; scheme: string; warnings: string[]; imitates?: string };
  readonly text?: string;
}

/**
 * The payment flows. Each one: load and check (outside any transaction), then one ledger writer
 * request whose guards re-check what may have changed meanwhile (challenge unused, order open,
 * payment code unused, caps not reached) in the writer's transaction, and whose effects write the
 * payment, its counters and its events in that same transaction. Money and its record commit
 * together, once.
 */
export class PaymentService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ledger: LedgerService,
    private readonly consumers: ConsumerService,
    private readonly merchants: MerchantService,
    private readonly qrKeys: QrKeyService,
    private readonly nowMs: () => number = Date.now,
    private readonly risk?: RiskService,
  ) {}

  // ---- building blocks -----------------------------------------------------------------------

  private event(type: string, merchantId: string | null, consumerId: string | null, data: Record<string, unknown>, now: number): CompiledQuery {
    return outboxEventQuery(this.db, { id: newEventId(), type, merchantId, consumerId, data, createdAtMs: now }).compile();
  }

  /** A guard: the SELECT must return a row, or the request is refused with this error. */
  private guard(query: ReturnType<typeof sql>, code: ErrorCode, message?: string, param?: string) {
    return { query: query.compile(this.db), error: new SaomaError(code, message, param) };
  }

  private async publicKeys(): Promise<QrPublicKey[]> {
    return (await this.qrKeys.list()).map((k) => ({ keyId: k.keyId, publicKey: k.publicKey, status: k.status }));
  }

  /**
   * What a scanned code is, in the wallet's terms, before any amount: the verdict of the code and,
   * for a genuine one, the payee as registered (never the name printed in the code). Never throws
   * for a bad code: a counterfeit is an answer, not an error.
   */
  async resolveCode(code: string): Promise<CodeResolution> {
    const now = this.nowMs();
    const verdict = scanVerdict(code, { keys: await this.publicKeys(), verify: nodeEd25519Verifier, nowMs: now });
    switch (verdict.kind) {
      case 'counterfeit':
        return { verdict: 'counterfeit', reason: verdict.reason, message: `This is not a genuine saoma code (${verdict.message}). Do not pay; report it.` };
      case 'expired':
        return { verdict: 'expired', message: 'This order code has expired. Ask the merchant for a new one.' };
      case 'used':
        return { verdict: 'used', message: 'This order code was already paid or closed. Ask the merchant for a new one.' };
      case 'foreign':
        return {
          verdict: 'foreign',
          scheme: verdict.scheme,
          ...(verdict.nameInCode !== undefined ? { nameInCode: verdict.nameInCode } : {}),
          message: 'A payment code of another scheme. saoma cannot verify who it pays, and cannot pay it.',
        };
      case 'url':
        return {
          verdict: 'url',
          url: { href: verdict.url, domain: verdict.domain, scheme: verdict.scheme, warnings: [...verdict.warnings], ...(verdict.imitates ? { imitates: verdict.imitates } : {}) },
          message: 'A web link, not a payment code. It was not opened.',
        };
      case 'text':
        return { verdict: 'text', text: verdict.text.slice(0, 500), message: 'Plain text, not a payment code.' };
      case 'genuine':
        break;
    }
    const merchant = await this.merchants.row(verdict.merchantId).catch(() => undefined);
    if (!merchant) {
      // Signed by saoma for a merchant saoma does not know: cannot be honest.
      return { verdict: 'counterfeit', reason: 'unknown_merchant', message: 'This code names no saoma merchant. Do not pay; report it.' };
    }
    const payee = {
      kind: merchant.kind === 'personal' ? ('personal' as const) : ('merchant' as const),
      id: merchant.id,
      name: merchant.display_name,
      city: merchant.city,
      verified: true as const,
      status: merchant.status,
    };
    if (verdict.initiation === 'dynamic') {
      const order = await this.db.selectFrom('orders').selectAll().where('id', '=', verdict.reference ?? '').where('merchant_id', '=', merchant.id).executeTakeFirst();
      if (!order) return { verdict: 'counterfeit', reason: 'unknown_order', message: 'This order code names no order of this merchant. Do not pay; report it.' };
      if (order.status !== 'open') return { verdict: 'used', payee, message: 'This order code was already paid or closed. Ask the merchant for a new one.' };
      if (Number(order.expires_at_ms) <= now) return { verdict: 'expired', payee, message: 'This order code has expired. Ask the merchant for a new one.' };
      return {
        verdict: 'genuine',
        initiation: 'dynamic',
        payee,
        amountMinor: Number(order.amount_minor),
        currency: merchant.currency,
        description: order.description,
        expiresAtMs: Number(order.expires_at_ms),
        message: `A verified saoma order of ${merchant.display_name}.`,
      };
    }
    return { verdict: 'genuine', initiation: 'static', payee, currency: merchant.currency, message: `A verified saoma code of ${merchant.display_name}.` };
  }

  /** The policy counters a payment charges, with their caps (cn-pboc), and the pre-check. */
  private async policyCharges(input: {
    payerId: string;
    accountClass: AccountClass;
    channel: PaymentChannel;
    factors: Set<FactorKind>;
    signed: boolean;
    amountMinor: bigint;
    currency: string;
    personalMerchantId: string | null;
    now: number;
  }): Promise<{ level: Level; compensationPromise: boolean; charges: CounterCharge[] }> {
    const day = policyDay(input.now);
    const year = policyYear(input.now);
    const keys = {
      A: `lvl:${input.payerId}:${day}:A`,
      B: `lvl:${input.payerId}:${day}:B`,
      C: `lvl:${input.payerId}:${day}:C`,
      D: `lvl:${input.payerId}:${day}:D`,
      open: `open:${input.payerId}`,
      year: `year:${input.payerId}:${year}`,
    };
    const rows = await this.db.selectFrom('spend_counters').selectAll().where('key', 'in', Object.values(keys)).execute();
    const used = (key: string) => BigInt(rows.find((r) => r.key === key)?.used_minor ?? 0n);
    const decision = checkPayment(
      {
        channel: input.channel,
        verification: { signed: input.signed, factors: input.factors },
        amountMinor: input.amountMinor,
        currency: input.currency,
        accountClass: input.accountClass,
        fromBalance: true,
      },
      {
        todayByLevelMinor: { A: used(keys.A), B: used(keys.B), C: used(keys.C), D: used(keys.D) },
        balanceSinceOpeningMinor: used(keys.open),
        balanceThisYearMinor: used(keys.year),
      },
    );
    if (!decision.ok) throw new SaomaError(decision.code, decision.message, decision.limit);
    const level = decision.level;
    const levelCap = dailyCapMinor(level);
    const charges: CounterCharge[] = [
      { key: keys[level], capMinor: levelCap, countCap: null, limit: 'level_daily', message: `level ${level} payments are capped at ${yuan(levelCap)} yuan a day` },
      {
        key: keys.open,
        capMinor: input.accountClass === 'I' ? CN_PBOC_CLASS_I_SINCE_OPENING_MINOR_MAX : null,
        countCap: null,
        limit: 'class_since_opening',
        message: `a class I account may pay ${yuan(CN_PBOC_CLASS_I_SINCE_OPENING_MINOR_MAX)} yuan from its balance in all`,
      },
      {
        key: keys.year,
        capMinor: input.accountClass === 'II' ? CN_PBOC_CLASS_II_YEARLY_MINOR_MAX : input.accountClass === 'III' ? CN_PBOC_CLASS_III_YEARLY_MINOR_MAX : null,
        countCap: null,
        limit: 'class_yearly',
        message: `a class ${input.accountClass} account's yearly cap on balance payments`,
      },
    ];
    if (input.personalMerchantId !== null) {
      const key = `pcode:${input.personalMerchantId}:${day}`;
      const row = await this.db.selectFrom('spend_counters').selectAll().where('key', '=', key).executeTakeFirst();
      const message = `a personal receiving code takes at most ${PERSONAL_CODE_RECEIPTS_PER_DAY_MAX} payments and ${yuan(PERSONAL_CODE_RECEIVED_DAILY_MINOR_MAX)} yuan a day; businesses need a merchant code`;
      if (row && (BigInt(row.used_minor) + input.amountMinor > PERSONAL_CODE_RECEIVED_DAILY_MINOR_MAX || Number(row.count) + 1 > PERSONAL_CODE_RECEIPTS_PER_DAY_MAX)) {
        throw new SaomaError('POLICY_LIMIT_EXCEEDED', message, 'personal_code_daily');
      }
      if (input.amountMinor > PERSONAL_CODE_RECEIVED_DAILY_MINOR_MAX) throw new SaomaError('POLICY_LIMIT_EXCEEDED', message, 'personal_code_daily');
      charges.push({ key, capMinor: PERSONAL_CODE_RECEIVED_DAILY_MINOR_MAX, countCap: PERSONAL_CODE_RECEIPTS_PER_DAY_MAX, limit: 'personal_code_daily', message });
    }
    return { level, compensationPromise: decision.compensationPromise, charges };
  }

  /** Guards that re-check each cap in the writer's transaction, and effects that add the payment. */
  private chargeGuards(charges: readonly CounterCharge[], amountMinor: bigint) {
    const guards = [];
    for (const c of charges) {
      if (c.capMinor !== null) {
        guards.push(
          this.guard(
            sql`SELECT 1 AS ok WHERE COALESCE((SELECT used_minor FROM spend_counters WHERE key = ${c.key}), 0) + ${amountMinor} <= ${c.capMinor}`,
            'POLICY_LIMIT_EXCEEDED',
            c.message,
            c.limit,
          ),
        );
      }
      if (c.countCap !== null) {
        guards.push(
          this.guard(sql`SELECT 1 AS ok WHERE COALESCE((SELECT count FROM spend_counters WHERE key = ${c.key}), 0) + 1 <= ${c.countCap}`, 'POLICY_LIMIT_EXCEEDED', c.message, c.limit),
        );
      }
    }
    return guards;
  }

  private chargeEffects(charges: readonly CounterCharge[], amountMinor: bigint): CompiledQuery[] {
    return charges.map((c) =>
      this.db
        .insertInto('spend_counters')
        .values({ key: c.key, used_minor: amountMinor, count: 1 })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            used_minor: eb('spend_counters.used_minor', '+', eb.ref('excluded.used_minor')),
            count: eb('spend_counters.count', '+', 1),
          })),
        )
        .compile(),
    );
  }

  /** The factor kinds of a signed approval: the device (possession), the PIN if given and right, user verification. */
  private async factors(consumerId: string, device: Database['devices'], amountMinor: bigint, pin: string | undefined, userVerified: boolean, now: number): Promise<Set<FactorKind>> {
    this.consumers.checkCoolingOff(device, amountMinor, now);
    if (pin !== undefined) await this.consumers.verifyPin(consumerId, pin);
    const factors = new Set<FactorKind>(['possession']);
    if (pin !== undefined) factors.add('knowledge');
    if (userVerified) factors.add('inherence');
    return factors;
  }

  private async merchantReady(merchantId: string) {
    const m = await this.merchants.row(merchantId);
    if (m.status !== 'approved') throw new SaomaError('MERCHANT_NOT_ACTIVE', `this merchant is ${m.status} and cannot take payments`);
    return m;
  }

  private ledgerError(results: readonly TransferResult[], context: 'pay' | 'refund'): SaomaError {
    const failure = failureOf(results);
    if (failure === 'exceeds_credits') {
      return context === 'refund' ? new SaomaError('REFUND_NOT_COVERED') : new SaomaError('INSUFFICIENT_FUNDS');
    }
    if (failure === 'exists' || (failure !== undefined && failure.startsWith('exists_with_different'))) return new SaomaError('CHALLENGE_USED', 'this payment was already made');
    if (failure === 'pending_transfer_expired' || failure === 'pending_transfer_already_voided' || failure === 'pending_transfer_already_posted') {
      return new SaomaError('PAYMENT_NOT_AWAITING_CONFIRMATION');
    }
    return new SaomaError('INVARIANT_VIOLATED', `the ledger refused a payment transfer: ${failure ?? 'unknown'}`);
  }

  // ---- consumer-presented flows: the wallet scans a code, or pays a person ----------------------

  /** Resolves a scanned code or a person, and issues the challenge the device signs. */
  async prepare(
    auth: ConsumerAuth,
    input: { code?: string | undefined; payeeIdentifier?: string | undefined; amountMinor?: bigint | undefined; currency?: string | undefined; description?: string | undefined },
  ): Promise<PreparedPayment> {
    const now = this.nowMs();
    let intent: PaymentIntent;
    if (input.code !== undefined) {
      intent = await this.intentFromCode(auth, input.code, input.amountMinor, input.currency, now);
    } else if (input.payeeIdentifier !== undefined) {
      const payee = await this.db.selectFrom('consumers').selectAll().where('identifier', '=', normalizeIdentifier(input.payeeIdentifier)).executeTakeFirst();
      if (!payee || payee.status !== 'active') throw new SaomaError('NOT_FOUND', 'no wallet with this identifier', 'payeeIdentifier');
      if (payee.id === auth.consumerId) throw new SaomaError('SELF_PAYMENT');
      if (input.amountMinor === undefined) throw new SaomaError('INVALID_REQUEST', 'amountMinor is required', 'amountMinor');
      checkAmount(input.amountMinor);
      intent = {
        kind: 'p2p',
        channel: 'transfer',
        merchantId: null,
        payeeConsumerId: payee.id,
        payeeName: payee.display_name,
        orderId: null,
        amountMinor: input.amountMinor.toString(),
        currency: input.currency ?? 'CNY',
        description: '',
      };
    } else {
      throw new SaomaError('INVALID_REQUEST', 'give the scanned code or the payee identifier', 'code');
    }
    if (input.description !== undefined) intent.description = input.description;
    const challengeId = newId('chl');
    const expiresAtMs = now + CHALLENGE_TTL_MS;
    const payeeKind = intent.kind === 'p2p' ? 'consumer' : 'merchant';
    const payeeId = intent.kind === 'p2p' ? intent.payeeConsumerId! : intent.merchantId!;
    const amountMinor = BigInt(intent.amountMinor);
    const fields: PaymentChallengeFields = {
      challengeId,
      payeeKind,
      payeeId,
      payeeName: intent.payeeName,
      amountMinor,
      currency: intent.currency,
      nonce: nonce(CHALLENGE_NONCE_BYTES),
      expiresAtMs,
    };
    const message = paymentChallengeMessage(fields);
    await this.consumers.storeChallenge({ id: challengeId, purpose: 'payment', consumerId: auth.consumerId, deviceId: auth.deviceId, message, payload: intent, expiresAtMs });
    return {
      challengeId,
      message,
      expiresAtMs,
      payee: { kind: payeeKind, id: payeeId, name: intent.payeeName, verified: true },
      amountMinor,
      currency: intent.currency,
      channel: intent.channel,
      pinRequired: amountMinor > CN_PBOC_PASSWORD_FREE_MINOR_MAX,
      ...(await this.assertion(auth.deviceId, message)),
    };
  }

  private async assertion(deviceId: string, message: string): Promise<{ assertionOptions?: PublicKeyCredentialRequestOptionsJSON }> {
    const options = await this.consumers.assertionOptionsFor(deviceId, message);
    return options ? { assertionOptions: options } : {};
  }

  private async intentFromCode(auth: ConsumerAuth, code: string, amountMinor: bigint | undefined, currency: string | undefined, now: number): Promise<PaymentIntent> {
    const verdict = scanVerdict(code, { keys: await this.publicKeys(), verify: nodeEd25519Verifier, nowMs: now });
    switch (verdict.kind) {
      case 'counterfeit':
        throw new SaomaError('QR_COUNTERFEIT', `this code is not a genuine saoma code (${verdict.reason}): do not pay. ${verdict.message}`, 'code');
      case 'expired':
        throw new SaomaError('ORDER_EXPIRED', undefined, 'code');
      case 'used':
        throw new SaomaError('ORDER_NOT_OPEN', undefined, 'code');
      case 'genuine':
        break;
      default:
        throw new SaomaError('QR_NOT_PAYABLE', `this code is ${verdict.kind === 'foreign' ? `a foreign payment code (${verdict.scheme})` : `a ${verdict.kind}`}, not a saoma code`, 'code');
    }
    const merchant = await this.merchantReady(verdict.merchantId);
    if (currency !== undefined && currency !== merchant.currency) throw new SaomaError('INVALID_REQUEST', `this merchant takes ${merchant.currency}`, 'currency');
    if (verdict.initiation === 'dynamic') {
      const order = await this.db.selectFrom('orders').selectAll().where('id', '=', verdict.reference ?? '').where('merchant_id', '=', merchant.id).executeTakeFirst();
      if (!order) throw new SaomaError('QR_COUNTERFEIT', 'this order code names no order of this merchant: do not pay', 'code');
      if (order.status !== 'open') throw new SaomaError('ORDER_NOT_OPEN', undefined, 'code');
      if (Number(order.expires_at_ms) <= now) throw new SaomaError('ORDER_EXPIRED', undefined, 'code');
      if (amountMinor !== undefined && amountMinor !== BigInt(order.amount_minor)) throw new SaomaError('INVALID_REQUEST', 'the order fixes the amount', 'amountMinor');
      return {
        kind: 'merchant',
        channel: 'dynamic_merchant_code',
        merchantId: merchant.id,
        payeeConsumerId: null,
        payeeName: merchant.display_name,
        orderId: order.id,
        amountMinor: String(order.amount_minor),
        currency: merchant.currency,
        description: order.description,
      };
    }
    if (amountMinor === undefined) throw new SaomaError('INVALID_REQUEST', 'enter the amount to pay', 'amountMinor');
    checkAmount(amountMinor);
    if (merchant.kind === 'personal' && merchant.owner_consumer_id === auth.consumerId) throw new SaomaError('SELF_PAYMENT');
    return {
      kind: merchant.kind === 'personal' ? 'personal_code' : 'merchant',
      channel: 'static_merchant_code',
      merchantId: merchant.id,
      payeeConsumerId: merchant.kind === 'personal' ? merchant.owner_consumer_id : null,
      payeeName: merchant.display_name,
      orderId: null,
      amountMinor: amountMinor.toString(),
      currency: merchant.currency,
      description: '',
    };
  }

  /** The device signed the challenge: check factors and policy, then move the money once. */
  async pay(auth: ConsumerAuth, input: { challengeId: string; proof: DeviceProof; pin?: string | undefined; ip?: string | undefined }): Promise<PaymentView> {
    const { row: challenge, device, userVerified } = await this.consumers.checkSignedChallenge({
      challengeId: input.challengeId,
      purpose: 'payment',
      deviceId: auth.deviceId,
      consumerId: auth.consumerId,
      proof: input.proof,
    });
    const intent = JSON.parse(challenge.payload) as PaymentIntent;
    const amountMinor = BigInt(intent.amountMinor);
    const now = this.nowMs();
    const payer = await this.consumers.consumerRow(auth.consumerId);
    const merchant = intent.merchantId ? await this.merchantReady(intent.merchantId) : undefined;
    if (amountMinor > CN_PBOC_PASSWORD_FREE_MINOR_MAX && input.pin === undefined && !userVerified) throw new SaomaError('PIN_REQUIRED', undefined, 'pin');
    const factors = await this.factors(auth.consumerId, device, amountMinor, input.pin, userVerified, now);
    const policy = await this.policyCharges({
      payerId: auth.consumerId,
      accountClass: payer.account_class as AccountClass,
      channel: intent.channel,
      factors,
      signed: true,
      amountMinor,
      currency: intent.currency,
      personalMerchantId: intent.kind === 'personal_code' ? intent.merchantId : null,
      now,
    });

    const paymentId = `pay_${challenge.id.slice(4)}`;
    const riskPayment: RiskPayment = {
      kind: intent.kind,
      payerId: auth.consumerId,
      deviceId: auth.deviceId,
      ip: input.ip,
      payeeId: intent.payeeConsumerId ?? intent.merchantId!,
      payeeKind: intent.kind === 'merchant' ? 'business' : 'person',
      merchantTier: intent.kind === 'merchant' ? 'standard' : undefined,
      codeId: intent.kind === 'p2p' || intent.orderId ? undefined : intent.merchantId!,
      codeKind: intent.kind === 'p2p' ? 'none' : intent.orderId ? 'dynamic' : intent.kind === 'personal_code' ? 'personal' : 'static',
      codeVerdict: intent.kind === 'p2p' ? 'none' : 'genuine',
      amountMinor,
      currency: intent.currency,
      placeId: undefined,
    };
    const risk = await this.assessRisk(riskPayment, factors, { paymentId, challengeId: challenge.id }, now, payer.credentials_changed_at_ms);
    const held = risk?.outcome === 'review';
    const fee = intent.kind === 'merchant' && merchant ? feeMinor(amountMinor, Number(merchant.fee_rate_bp)) : 0n;
    const payeeAccount = intent.kind === 'merchant' ? merchantAccountId(intent.merchantId!, intent.currency) : walletAccountId(intent.payeeConsumerId!, intent.currency);
    const transfers: TransferInput[] = held
      ? [
          // Held for an analyst: the amount is reserved (pending) until they post or void it.
          { id: paymentId, debitAccountId: walletAccountId(auth.consumerId, intent.currency), creditAccountId: payeeAccount, amountMinor, currency: intent.currency, flags: TRANSFER_FLAGS.PENDING, timeoutMs: RISK_REVIEW_TIMEOUT_MS + 60_000 },
        ]
      : [
          { id: paymentId, debitAccountId: walletAccountId(auth.consumerId, intent.currency), creditAccountId: payeeAccount, amountMinor, currency: intent.currency, flags: fee > 0n ? TRANSFER_FLAGS.LINKED : 0 },
          ...(fee > 0n ? [{ id: `${paymentId}:fee`, debitAccountId: payeeAccount, creditAccountId: platformAccountId('fees', intent.currency), amountMinor: fee, currency: intent.currency }] : []),
        ];
    const guards = [
      this.guard(sql`SELECT 1 AS ok FROM challenges WHERE id = ${challenge.id} AND used_at_ms IS NULL`, 'CHALLENGE_USED', undefined, 'challengeId'),
      ...(intent.orderId
        ? [
            this.guard(sql`SELECT 1 AS ok FROM orders WHERE id = ${intent.orderId} AND status = 'open'`, 'ORDER_NOT_OPEN', undefined, 'challengeId'),
            this.guard(sql`SELECT 1 AS ok FROM orders WHERE id = ${intent.orderId} AND expires_at_ms > ${BigInt(now)}`, 'ORDER_EXPIRED', undefined, 'challengeId'),
          ]
        : []),
      ...this.chargeGuards(policy.charges, amountMinor),
    ];
    const row: PaymentRow = {
      id: paymentId,
      kind: intent.kind,
      channel: intent.channel,
      merchant_id: intent.merchantId,
      payer_consumer_id: auth.consumerId,
      payee_consumer_id: intent.payeeConsumerId,
      device_id: auth.deviceId,
      order_id: intent.orderId,
      challenge_id: challenge.id,
      amount_minor: amountMinor,
      currency: intent.currency,
      fee_minor: fee,
      refunded_minor: 0n,
      fee_refunded_minor: 0n,
      status: held ? 'held_for_review' : 'succeeded',
      level: policy.level,
      compensation_promise: policy.compensationPromise ? 1 : 0,
      description: intent.description,
      counters: toJson(policy.charges.map((c) => c.key)),
      created_at_ms: BigInt(now),
      updated_at_ms: BigInt(now),
    };
    const view = this.view(row, intent.payeeName, auth.consumerId);
    const results = await this.ledger.createTransfers(transfers, {
      guards,
      effects: (r) => {
        if (!allOk(r)) return [];
        return [
          this.db.updateTable('challenges').set({ used_at_ms: BigInt(now) }).where('id', '=', challenge.id).compile(),
          this.db.insertInto('payments').values(row).onConflict((oc) => oc.column('id').doNothing()).compile(),
          ...(intent.orderId
            ? [this.db.updateTable('orders').set({ status: held ? 'held' : 'paid', payment_id: paymentId, updated_at_ms: BigInt(now) }).where('id', '=', intent.orderId).compile()]
            : []),
          ...this.chargeEffects(policy.charges, amountMinor),
          ...(risk ? [this.risk!.insertQuery(this.risk!.decisionRow(risk.verdict, riskPayment, held ? 'held' : 'completed', { paymentId, challengeId: challenge.id }, now))] : []),
          ...(held ? this.heldEffects(row, intent.payeeName, now) : this.successEvents(row, intent.payeeName, now)),
        ];
      },
    });
    if (!allOk(results)) throw this.ledgerError(results, 'pay');
    this.risk?.observe({ type: 'payment', payment: riskPayment, completed: !held, atMs: now });
    return view;
  }

  /**
   * The risk engine's outcome, after the step-up the payment already carries: a challenge is met
   * by a second factor (PIN or passkey user verification). A decline or an unmet challenge is
   * recorded and refused here; a review or an approval is recorded with the payment.
   */
  private async assessRisk(
    payment: RiskPayment,
    factors: ReadonlySet<FactorKind>,
    ids: { paymentId: string; challengeId: string | null },
    now: number,
    credentialsChangedAtMs: bigint | null,
  ): Promise<{ verdict: RiskVerdict; outcome: 'approve' | 'review' } | undefined> {
    if (!this.risk) return undefined;
    const verdict = this.risk.assess(payment, now);
    const steppedUp = factors.has('knowledge') || factors.has('inherence');
    // Soon after a credential change, the PIN or passkey at hand may be the thief's own: no step-up
    // on this device proves the holder, so the payment is held for an analyst (decision 0015).
    const changedAt = credentialsChangedAtMs === null ? undefined : Number(credentialsChangedAtMs);
    const distrusted = changedAt !== undefined && now - changedAt < RISK_STEP_UP_DISTRUST_AFTER_CREDENTIAL_CHANGE_MS;
    let outcome = verdict.decision.outcome;
    if (outcome === 'challenge' && steppedUp) outcome = distrusted ? 'review' : 'approve';
    // A hold that a rule also wanted stepped up asks for the step-up first (Decision.stepUpFirst).
    if (outcome === 'review' && verdict.decision.stepUpFirst && !steppedUp) outcome = 'challenge';
    if (outcome === 'decline' || outcome === 'challenge') {
      await this.risk.record(this.risk.decisionRow(verdict, payment, outcome === 'decline' ? 'declined' : 'challenged', ids, now));
      this.risk.observe({ type: 'payment', payment, completed: false, atMs: now });
      const why = verdict.decision.reasons.length > 0 ? ` ${verdict.decision.reasons.join(' ')}` : '';
      if (outcome === 'decline') throw new SaomaError('RISK_DECLINED', `this payment was declined to protect your account.${why}`);
      throw new SaomaError('RISK_CHALLENGE', `confirm this payment with your PIN or your passkey's fingerprint or face check.${why}`, 'pin');
    }
    return { verdict, outcome };
  }

  /**
   * The durable timer that releases a payment still waiting when it fires: one per wait (the
   * confirmation, then possibly the review), each naming the state it ends.
   */
  private timeoutJob(paymentId: string, waiting: 'awaiting_confirmation' | 'held_for_review', runAtMs: number, now: number): CompiledQuery {
    const id = `${PAYMENT_CONFIRM_TIMEOUT_JOB}:${paymentId}${waiting === 'held_for_review' ? ':review' : ''}`;
    return enqueueJobsQuery(this.db, [{ id, kind: PAYMENT_CONFIRM_TIMEOUT_JOB, payload: { paymentId, waiting }, runAtMs }], now).compile();
  }

  private heldEffects(row: PaymentRow, payeeName: string, now: number): CompiledQuery[] {
    const data = this.eventData(row, payeeName);
    return [
      this.timeoutJob(row.id, 'held_for_review', now + RISK_REVIEW_TIMEOUT_MS, now),
      this.event('payment.held', row.kind === 'merchant' ? row.merchant_id : null, row.payer_consumer_id, data, now),
    ];
  }

  // ---- the review queue: an analyst posts or releases a held payment ------------------------

  async heldPayments(limit: number): Promise<Array<PaymentView & { payerConsumerId: string; risk: { score: number; hits: unknown; reasons: unknown; ruleSetVersion: string } | null }>> {
    const rows = await this.db.selectFrom('payments').selectAll().where('status', '=', 'held_for_review').orderBy('created_at_ms').limit(limit).execute();
    const out = [];
    for (const r of rows) {
      const d = await this.db.selectFrom('risk_decisions').selectAll().where('payment_id', '=', r.id).orderBy('created_at_ms', 'desc').executeTakeFirst();
      out.push({
        ...this.view(r, await this.payeeName(r)),
        payerConsumerId: r.payer_consumer_id,
        risk: d ? { score: Number(d.score), hits: JSON.parse(d.hits) as unknown, reasons: JSON.parse(d.reasons) as unknown, ruleSetVersion: d.rule_set_version } : null,
      });
    }
    return out;
  }

  /**
   * An analyst posts a held payment (the pair is labelled legitimate) or releases it; a release may
   * name what the analyst found to be the fraudster's, which is labelled fraud. Labels are stored
   * with the decision and fed to the risk engine at once (decisions feed back).
   */
  async review(paymentId: string, decision: 'approve' | 'decline', actor: string, confirmedFraud: readonly FraudParty[] = []): Promise<PaymentView> {
    const row = await this.db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
    if (!row) throw new SaomaError('PAYMENT_NOT_FOUND', undefined, 'paymentId');
    if (row.status !== 'held_for_review') throw new SaomaError('PAYMENT_NOT_HELD');
    if (decision === 'approve' && confirmedFraud.length > 0) throw new SaomaError('INVALID_REQUEST', 'a payment confirmed as fraud is declined, not approved', 'confirmedFraud');
    const now = this.nowMs();
    const verdict = reviewLabel(row, decision, confirmedFraud);
    const label = this.risk && verdict ? this.risk.labelRow(verdict, actor, now) : undefined;
    const labelQueries = label ? [this.risk!.labelQuery(label)] : [];
    const reviewed = this.db
      .updateTable('risk_decisions')
      .set({ reviewed_by: actor, review_outcome: decision, reviewed_at_ms: BigInt(now) })
      .where('payment_id', '=', paymentId)
      .where('effect', '=', 'held')
      .compile();
    const payeeName = await this.payeeName(row);
    if (decision === 'decline') {
      const released = await this.release(row, 'declined', [reviewed, ...labelQueries]);
      if (labelQueries.length > 0) this.risk!.observeLabel(label!);
      await appendAudit(this.db, { actor, action: 'risk.review.decline', objectId: paymentId, detail: { confirmedFraud: [...confirmedFraud] } }, now);
      return this.view(released, payeeName);
    }
    const fee = BigInt(row.fee_minor);
    const payeeAccount = row.kind === 'merchant' ? merchantAccountId(row.merchant_id!, row.currency) : walletAccountId(row.payee_consumer_id!, row.currency);
    const done: PaymentRow = { ...row, status: 'succeeded', updated_at_ms: BigInt(now) };
    const results = await this.ledger.createTransfers(
      [
        { id: `${paymentId}:post`, pendingId: heldTransferId(row), flags: TRANSFER_FLAGS.POST_PENDING | (fee > 0n ? TRANSFER_FLAGS.LINKED : 0) },
        ...(fee > 0n ? [{ id: `${paymentId}:fee`, debitAccountId: payeeAccount, creditAccountId: platformAccountId('fees', row.currency), amountMinor: fee, currency: row.currency }] : []),
      ],
      {
        audit: { actor, action: 'risk.review.approve', objectId: paymentId },
        guards: [this.guard(sql`SELECT 1 AS ok FROM payments WHERE id = ${paymentId} AND status = 'held_for_review'`, 'PAYMENT_NOT_HELD')],
        effects: (r) =>
          allOk(r)
            ? [
                this.db.updateTable('payments').set({ status: 'succeeded', updated_at_ms: BigInt(now) }).where('id', '=', paymentId).compile(),
                ...(row.order_id ? [this.db.updateTable('orders').set({ status: 'paid', updated_at_ms: BigInt(now) }).where('id', '=', row.order_id).compile()] : []),
                reviewed,
                ...labelQueries,
                ...this.successEvents(done, payeeName, now),
              ]
            : [],
      },
    );
    if (!allOk(results)) throw this.ledgerError(results, 'pay');
    if (labelQueries.length > 0) this.risk!.observeLabel(label!);
    return this.view(done, payeeName);
  }

  private successEvents(row: PaymentRow, payeeName: string, now: number): CompiledQuery[] {
    const data = this.eventData(row, payeeName);
    const events = [this.event('payment.succeeded', row.kind === 'merchant' ? row.merchant_id : null, row.payer_consumer_id, data, now)];
    if (row.payee_consumer_id) events.push(this.event('payment.received', null, row.payee_consumer_id, data, now));
    if (row.order_id) events.push(this.event('order.paid', row.merchant_id, null, { orderId: row.order_id, paymentId: row.id }, now));
    return events;
  }

  private eventData(row: PaymentRow, payeeName: string): Record<string, unknown> {
    const v = this.view(row, payeeName);
    return {
      paymentId: v.id,
      status: v.status,
      amountMinor: Number(v.amountMinor),
      currency: v.currency,
      feeMinor: Number(v.feeMinor),
      refundedMinor: Number(v.refundedMinor),
      channel: v.channel,
      level: v.level,
      merchantId: v.merchantId,
      payeeName: v.payeeName,
      orderId: v.orderId,
    };
  }

  // ---- merchant-presented flows: dynamic order codes ---------------------------------------

  async createOrder(
    auth: MerchantAuth,
    input: { amountMinor: bigint; currency?: string | undefined; reference: string; description?: string | undefined; ttlMs?: number | undefined },
  ): Promise<OrderView> {
    checkAmount(input.amountMinor);
    const merchant = await this.merchantReady(auth.merchantId);
    if (input.currency !== undefined && input.currency !== merchant.currency) throw new SaomaError('INVALID_REQUEST', `this merchant takes ${merchant.currency}`, 'currency');
    const existing = await this.db.selectFrom('orders').selectAll().where('merchant_id', '=', merchant.id).where('reference', '=', input.reference).executeTakeFirst();
    if (existing) return this.sameOrderOrConflict(existing, input);
    const now = this.nowMs();
    const id = `o${randomBytes(12).toString('hex')}`;
    const expiresAtMs = now + (input.ttlMs ?? ORDER_TTL_MS_DEFAULT);
    const payload = await this.merchants.signCode(merchant, undefined, { amountMinor: input.amountMinor, reference: id, expiresAtMs });
    try {
      await this.db
        .insertInto('orders')
        .values({
          id,
          merchant_id: merchant.id,
          reference: input.reference,
          description: input.description ?? '',
          amount_minor: input.amountMinor,
          currency: merchant.currency,
          status: 'open',
          payload,
          expires_at_ms: BigInt(expiresAtMs),
          payment_id: null,
          created_at_ms: BigInt(now),
          updated_at_ms: BigInt(now),
        })
        .execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const raced = await this.db.selectFrom('orders').selectAll().where('merchant_id', '=', merchant.id).where('reference', '=', input.reference).executeTakeFirstOrThrow();
      return this.sameOrderOrConflict(raced, input);
    }
    return this.order(auth, id);
  }

  /** The merchant's reference is its idempotency key for orders: the same order again is returned as it is. */
  private sameOrderOrConflict(existing: Database['orders'], input: { amountMinor: bigint; description?: string | undefined }): OrderView {
    if (BigInt(existing.amount_minor) !== input.amountMinor || existing.description !== (input.description ?? '')) {
      throw new SaomaError('ORDER_REFERENCE_EXISTS', undefined, 'reference');
    }
    return this.orderView(existing);
  }

  private orderView(o: Database['orders']): OrderView {
    const expired = o.status === 'open' && Number(o.expires_at_ms) <= this.nowMs();
    return {
      id: o.id,
      reference: o.reference,
      description: o.description,
      amountMinor: BigInt(o.amount_minor),
      currency: o.currency,
      status: expired ? 'expired' : (o.status as OrderView['status']),
      payload: o.payload,
      expiresAtMs: Number(o.expires_at_ms),
      paymentId: o.payment_id,
      createdAtMs: Number(o.created_at_ms),
    };
  }

  async order(auth: MerchantAuth, orderId: string): Promise<OrderView> {
    const o = await this.db.selectFrom('orders').selectAll().where('id', '=', orderId).where('merchant_id', '=', auth.merchantId).executeTakeFirst();
    if (!o) throw new SaomaError('NOT_FOUND', 'no such order', 'orderId');
    return this.orderView(o);
  }

  async orderByReference(auth: MerchantAuth, reference: string): Promise<OrderView> {
    const o = await this.db.selectFrom('orders').selectAll().where('reference', '=', reference).where('merchant_id', '=', auth.merchantId).executeTakeFirst();
    if (!o) throw new SaomaError('NOT_FOUND', 'no such order', 'reference');
    return this.orderView(o);
  }

  /** Closing races paying: both go through the ledger writer, whose guards let exactly one win. */
  async closeOrder(auth: MerchantAuth, orderId: string): Promise<OrderView> {
    await this.order(auth, orderId);
    const now = this.nowMs();
    await this.ledger.createTransfers([], {
      guards: [this.guard(sql`SELECT 1 AS ok FROM orders WHERE id = ${orderId} AND status = 'open'`, 'ORDER_NOT_OPEN', undefined, 'orderId')],
      effects: () => [
        this.db.updateTable('orders').set({ status: 'closed', updated_at_ms: BigInt(now) }).where('id', '=', orderId).compile(),
        this.event('order.closed', auth.merchantId, null, { orderId }, now),
      ],
    });
    return this.order(auth, orderId);
  }

  // ---- merchant scans the consumer's payment code ------------------------------------------

  private async attemptCounts(merchantId: string, now: number) {
    const count = async (q: ReturnType<Kysely<Database>['selectFrom']>) => Number((await (q as any).select((eb: any) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const [minuteAll, minuteFailed, dayFailed, globalHourFailed] = await Promise.all([
      count(this.db.selectFrom('payment_code_attempts').where('merchant_id', '=', merchantId).where('at_ms', '>', BigInt(now - 60_000))),
      count(this.db.selectFrom('payment_code_attempts').where('merchant_id', '=', merchantId).where('failed', '=', 1).where('at_ms', '>', BigInt(now - 60_000))),
      count(this.db.selectFrom('payment_code_attempts').where('merchant_id', '=', merchantId).where('failed', '=', 1).where('at_ms', '>', BigInt(now - 86_400_000))),
      count(this.db.selectFrom('payment_code_attempts').where('failed', '=', 1).where('at_ms', '>', BigInt(now - 3_600_000))),
    ]);
    return { merchantAttemptsLastMinute: minuteAll, merchantFailedAttemptsLastMinute: minuteFailed, merchantFailedAttemptsLastDay: dayFailed, globalFailedAttemptsLastHour: globalHourFailed };
  }

  /**
   * Verifies a scanned payment code under the attempt limits of decision 0007. Each attempt is
   * recorded as a presumed failure before anything is decided, and the device's failure count is
   * raised before its key is tried (atomically, below the cap): parallel guesses see each other,
   * so no window ever holds more failures than its cap. Non-failures are corrected afterwards.
   */
  private async verifyScannedCode(merchantId: string, code: string, now: number): Promise<{ device: Database['devices']; stepIndex: number }> {
    const attempt = await this.db
      .insertInto('payment_code_attempts')
      .values({ merchant_id: merchantId, failed: 1, at_ms: BigInt(now) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const notFailed = () => this.db.updateTable('payment_code_attempts').set({ failed: 0 }).where('id', '=', attempt.id).execute();
    const counts = await this.attemptCounts(merchantId, now);
    // The counts include this attempt (a presumed failure); the decision wants them as they stood before it.
    const before = {
      merchantAttemptsLastMinute: counts.merchantAttemptsLastMinute - 1,
      merchantFailedAttemptsLastMinute: counts.merchantFailedAttemptsLastMinute - 1,
      merchantFailedAttemptsLastDay: counts.merchantFailedAttemptsLastDay - 1,
      globalFailedAttemptsLastHour: counts.globalFailedAttemptsLastHour - 1,
    };
    const decision = decidePaymentCodeAttempt(before);
    if (!decision.ok) {
      await notFailed();
      throw new SaomaError(decision.code, decision.message, 'code');
    }
    const parsed = parsePaymentCode(code);
    if (!parsed.ok) {
      await notFailed();
      throw new SaomaError(parsed.code, parsed.message, 'code');
    }
    const invalid = new SaomaError('PAYMENT_CODE_INVALID', 'this payment code is not valid', 'code');
    const device = await this.db.selectFrom('devices').selectAll().where('device_index', '=', parsed.deviceIndex).executeTakeFirst();
    if (!device || device.status !== 'active') throw invalid;
    const counted = await this.db
      .updateTable('devices')
      .set((eb) => ({ pay_code_failed_consecutive: eb('pay_code_failed_consecutive', '+', 1) }))
      .where('id', '=', device.id)
      .where('pay_code_failed_consecutive', '<', PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX)
      .executeTakeFirst();
    if (Number(counted.numUpdatedRows) !== 1) {
      await notFailed();
      const locked = decidePaymentCodeAttempt({ ...before, deviceFailedAttemptsConsecutive: PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX });
      throw new SaomaError(locked.ok ? 'PAYMENT_CODE_DEVICE_LOCKED' : locked.code, locked.ok ? undefined : locked.message, 'code');
    }
    const verified = await verifyPaymentCode({
      digits: code,
      key: this.consumers.paymentCodeKey(device),
      nowMs: now,
      lastUsedStep: device.pay_code_last_step === null ? undefined : Number(device.pay_code_last_step),
    });
    if (!verified.ok && isFailedPaymentCodeAttempt(verified)) throw invalid;
    await notFailed();
    if (!verified.ok) {
      // Expired or used: the key was known, so not a guess; this attempt's count is taken back.
      await this.db
        .updateTable('devices')
        .set((eb) => ({ pay_code_failed_consecutive: eb('pay_code_failed_consecutive', '-', 1) }))
        .where('id', '=', device.id)
        .where('pay_code_failed_consecutive', '>', 0)
        .execute();
      throw new SaomaError(verified.code, verified.message, 'code');
    }
    // A genuine code: the holder is present; failures against the device start again from zero.
    await this.db.updateTable('devices').set({ pay_code_failed_consecutive: 0 }).where('id', '=', device.id).execute();
    return { device, stepIndex: verified.stepIndex };
  }

  async scan(auth: MerchantAuth, input: { code: string; amountMinor: bigint; currency?: string | undefined; description?: string | undefined; ip?: string | undefined }): Promise<PaymentView> {
    checkAmount(input.amountMinor);
    const merchant = await this.merchantReady(auth.merchantId);
    if (merchant.kind !== 'business') throw new SaomaError('FORBIDDEN', 'personal receiving codes do not scan payment codes');
    if (input.currency !== undefined && input.currency !== merchant.currency) throw new SaomaError('INVALID_REQUEST', `this merchant takes ${merchant.currency}`, 'currency');
    const now = this.nowMs();
    const { device, stepIndex } = await this.verifyScannedCode(merchant.id, input.code, now);
    const step = BigInt(stepIndex);
    const payerId = device.consumer_id;
    const payer = await this.consumers.consumerRow(payerId);
    if (payer.status !== 'active') throw new SaomaError('PAYMENT_CODE_INVALID', 'this payment code is not valid', 'code');
    this.consumers.checkCoolingOff(device, input.amountMinor, now);

    const paymentId = newId('pay');
    const fee = feeMinor(input.amountMinor, Number(merchant.fee_rate_bp));
    const currency = merchant.currency;
    const claimStep = this.db
      .updateTable('devices')
      .set({ pay_code_last_step: step, pay_code_failed_consecutive: 0 })
      .where('id', '=', device.id)
      .compile();
    const stepGuard = this.guard(
      sql`SELECT 1 AS ok FROM devices WHERE id = ${device.id} AND (pay_code_last_step IS NULL OR pay_code_last_step < ${step})`,
      'PAYMENT_CODE_USED',
      'this payment code has already been used; show a new one',
      'code',
    );
    const base: PaymentRow = {
      id: paymentId,
      kind: 'merchant',
      channel: 'payment_code',
      merchant_id: merchant.id,
      payer_consumer_id: payerId,
      payee_consumer_id: null,
      device_id: device.id,
      order_id: null,
      challenge_id: null,
      amount_minor: input.amountMinor,
      currency,
      fee_minor: fee,
      refunded_minor: 0n,
      fee_refunded_minor: 0n,
      status: 'succeeded',
      level: 'C',
      compensation_promise: 1,
      description: input.description ?? '',
      counters: '[]',
      created_at_ms: BigInt(now),
      updated_at_ms: BigInt(now),
    };
    const merchantAccount = merchantAccountId(merchant.id, currency);
    const wallet = walletAccountId(payerId, currency);

    // The risk engine sees the charge first: a decline refuses it (the code's step is spent, so a
    // photo of it is worth nothing); a challenge or a review sends it to the consumer's device for
    // a signed confirmation with the PIN, where it is assessed again.
    const riskPayment: RiskPayment = {
      kind: 'merchant',
      payerId,
      deviceId: device.id,
      ip: input.ip,
      payeeId: merchant.id,
      payeeKind: 'business',
      merchantTier: 'standard',
      codeId: undefined,
      codeKind: 'payment_code',
      codeVerdict: 'none',
      amountMinor: input.amountMinor,
      currency,
      placeId: undefined,
    };
    const verdict = this.risk?.assess(riskPayment, now);
    if (verdict && verdict.decision.outcome === 'decline') {
      await this.db.updateTable('devices').set({ pay_code_last_step: step }).where('id', '=', device.id).where((eb) => eb.or([eb('pay_code_last_step', 'is', null), eb('pay_code_last_step', '<', step)])).execute();
      await this.risk!.record(this.risk!.decisionRow(verdict, riskPayment, 'declined', { paymentId, challengeId: null }, now));
      this.risk!.observe({ type: 'payment', payment: riskPayment, completed: false, atMs: now });
      throw new SaomaError('RISK_DECLINED', `this payment was declined to protect the customer's account. ${verdict.decision.reasons.join(' ')}`.trim());
    }
    const stepUp = verdict !== undefined && verdict.decision.outcome !== 'approve';

    if (input.amountMinor <= CN_PBOC_PASSWORD_FREE_MINOR_MAX && !stepUp) {
      // The code alone: one factor (possession), level C, with the compensation promise.
      const policy = await this.policyCharges({
        payerId,
        accountClass: payer.account_class as AccountClass,
        channel: 'payment_code',
        factors: new Set(['possession']),
        signed: false,
        amountMinor: input.amountMinor,
        currency,
        personalMerchantId: null,
        now,
      });
      const row: PaymentRow = { ...base, level: policy.level, compensation_promise: policy.compensationPromise ? 1 : 0, counters: toJson(policy.charges.map((c) => c.key)) };
      const transfers: TransferInput[] = [
        { id: paymentId, debitAccountId: wallet, creditAccountId: merchantAccount, amountMinor: input.amountMinor, currency, flags: fee > 0n ? TRANSFER_FLAGS.LINKED : 0 },
        ...(fee > 0n ? [{ id: `${paymentId}:fee`, debitAccountId: merchantAccount, creditAccountId: platformAccountId('fees', currency), amountMinor: fee, currency }] : []),
      ];
      const results = await this.ledger.createTransfers(transfers, {
        guards: [stepGuard, ...this.chargeGuards(policy.charges, input.amountMinor)],
        effects: (r) =>
          allOk(r)
            ? [
                claimStep,
                this.db.insertInto('payments').values(row).compile(),
                ...this.chargeEffects(policy.charges, input.amountMinor),
                ...(verdict ? [this.risk!.insertQuery(this.risk!.decisionRow(verdict, riskPayment, 'completed', { paymentId, challengeId: null }, now))] : []),
                ...this.successEvents(row, merchant.display_name, now),
              ]
            : [claimStep],
      });
      if (!allOk(results)) throw this.ledgerError(results, 'pay');
      this.risk?.observe({ type: 'payment', payment: riskPayment, completed: true, atMs: now });
      return this.view(row, merchant.display_name);
    }

    // Above the password-free limit: the amount is held (pending) until the consumer confirms on
    // their device with signature and PIN, or declines, or the wait runs out.
    const row: PaymentRow = { ...base, status: 'awaiting_confirmation', level: 'A', compensation_promise: 0 };
    const job = this.timeoutJob(paymentId, 'awaiting_confirmation', now + PAYMENT_CONFIRM_TIMEOUT_MS, now);
    const results = await this.ledger.createTransfers(
      // The ledger's own timeout backs up the job by a minute, so held money is released even if jobs stall.
      [{ id: paymentId, debitAccountId: wallet, creditAccountId: merchantAccount, amountMinor: input.amountMinor, currency, flags: TRANSFER_FLAGS.PENDING, timeoutMs: PAYMENT_CONFIRM_TIMEOUT_MS + 60_000 }],
      {
        guards: [stepGuard],
        effects: (r) =>
          allOk(r)
            ? [
                claimStep,
                this.db.insertInto('payments').values(row).compile(),
                job,
                ...(verdict && stepUp ? [this.risk!.insertQuery(this.risk!.decisionRow(verdict, riskPayment, 'challenged', { paymentId, challengeId: null }, now))] : []),
                this.event('payment.awaiting_confirmation', merchant.id, payerId, this.eventData(row, merchant.display_name), now),
              ]
            : [claimStep],
      },
    );
    if (!allOk(results)) throw this.ledgerError(results, 'pay');
    return this.view(row, merchant.display_name);
  }

  /** Payments waiting for this consumer's confirmation. */
  async awaitingConfirmation(auth: ConsumerAuth): Promise<PaymentView[]> {
    const rows = await this.db
      .selectFrom('payments')
      .selectAll()
      .where('payer_consumer_id', '=', auth.consumerId)
      .where('status', '=', 'awaiting_confirmation')
      .orderBy('created_at_ms', 'desc')
      .limit(50)
      .execute();
    return Promise.all(rows.map(async (r) => this.view(r, await this.payeeName(r), auth.consumerId)));
  }

  private async ownAwaiting(auth: ConsumerAuth, paymentId: string): Promise<PaymentRow> {
    const row = await this.db.selectFrom('payments').selectAll().where('id', '=', paymentId).where('payer_consumer_id', '=', auth.consumerId).executeTakeFirst();
    if (!row) throw new SaomaError('PAYMENT_NOT_FOUND', undefined, 'paymentId');
    if (row.status !== 'awaiting_confirmation') throw new SaomaError('PAYMENT_NOT_AWAITING_CONFIRMATION');
    return row;
  }

  async confirmChallenge(auth: ConsumerAuth, paymentId: string): Promise<PreparedPayment> {
    const row = await this.ownAwaiting(auth, paymentId);
    const merchant = await this.merchants.row(row.merchant_id!);
    const challengeId = newId('chl');
    const expiresAtMs = Math.min(this.nowMs() + CHALLENGE_TTL_MS, Number(row.created_at_ms) + PAYMENT_CONFIRM_TIMEOUT_MS);
    const amountMinor = BigInt(row.amount_minor);
    const message = confirmChallengeMessage({
      challengeId,
      paymentId,
      payeeKind: 'merchant',
      payeeId: merchant.id,
      payeeName: merchant.display_name,
      amountMinor,
      currency: row.currency,
      nonce: nonce(CHALLENGE_NONCE_BYTES),
      expiresAtMs,
    });
    await this.consumers.storeChallenge({ id: challengeId, purpose: 'confirm', consumerId: auth.consumerId, deviceId: auth.deviceId, message, payload: { paymentId }, expiresAtMs });
    return {
      challengeId,
      message,
      expiresAtMs,
      payee: { kind: 'merchant', id: merchant.id, name: merchant.display_name, verified: true },
      amountMinor,
      currency: row.currency,
      channel: 'payment_code',
      pinRequired: true,
      ...(await this.assertion(auth.deviceId, message)),
    };
  }

  async confirm(auth: ConsumerAuth, paymentId: string, input: { challengeId: string; proof: DeviceProof; pin?: string | undefined; ip?: string | undefined }): Promise<PaymentView> {
    const row = await this.ownAwaiting(auth, paymentId);
    const { row: challenge, device, userVerified } = await this.consumers.checkSignedChallenge({
      challengeId: input.challengeId,
      purpose: 'confirm',
      deviceId: auth.deviceId,
      consumerId: auth.consumerId,
      proof: input.proof,
    });
    if ((JSON.parse(challenge.payload) as { paymentId: string }).paymentId !== paymentId) throw new SaomaError('CHALLENGE_NOT_FOUND', undefined, 'challengeId');
    if (input.pin === undefined && !userVerified) throw new SaomaError('PIN_REQUIRED', undefined, 'pin');
    const now = this.nowMs();
    const amountMinor = BigInt(row.amount_minor);
    const factors = await this.factors(auth.consumerId, device, amountMinor, input.pin, userVerified, now);
    const payer = await this.consumers.consumerRow(auth.consumerId);
    const policy = await this.policyCharges({
      payerId: auth.consumerId,
      accountClass: payer.account_class as AccountClass,
      channel: 'payment_code',
      factors,
      signed: true,
      amountMinor,
      currency: row.currency,
      personalMerchantId: null,
      now,
    });
    const merchant = await this.merchants.row(row.merchant_id!);
    const riskPayment: RiskPayment = {
      kind: 'merchant',
      payerId: auth.consumerId,
      deviceId: auth.deviceId,
      ip: input.ip,
      payeeId: merchant.id,
      payeeKind: 'business',
      merchantTier: 'standard',
      codeId: undefined,
      codeKind: 'payment_code',
      codeVerdict: 'none',
      amountMinor,
      currency: row.currency,
      placeId: undefined,
    };
    let risk: Awaited<ReturnType<PaymentService['assessRisk']>>;
    try {
      risk = await this.assessRisk(riskPayment, factors, { paymentId, challengeId: challenge.id }, now, payer.credentials_changed_at_ms);
    } catch (error) {
      // Declined: the held amount goes back at once.
      if (error instanceof SaomaError && error.code === 'RISK_DECLINED') await this.release(row, 'declined');
      throw error;
    }
    const riskGuards = [
      this.guard(sql`SELECT 1 AS ok FROM challenges WHERE id = ${challenge.id} AND used_at_ms IS NULL`, 'CHALLENGE_USED', undefined, 'challengeId'),
      this.guard(sql`SELECT 1 AS ok FROM payments WHERE id = ${paymentId} AND status = 'awaiting_confirmation'`, 'PAYMENT_NOT_AWAITING_CONFIRMATION'),
      ...this.chargeGuards(policy.charges, amountMinor),
    ];
    if (risk?.outcome === 'review') {
      // Held for an analyst: the short confirmation hold is swapped for one that lasts the review.
      const heldRow: PaymentRow = { ...row, status: 'held_for_review', level: policy.level, compensation_promise: policy.compensationPromise ? 1 : 0, counters: toJson(policy.charges.map((c) => c.key)), updated_at_ms: BigInt(now) };
      const results = await this.ledger.createTransfers(
        [
          { id: `${paymentId}:void`, pendingId: paymentId, flags: TRANSFER_FLAGS.VOID_PENDING | TRANSFER_FLAGS.LINKED },
          {
            id: heldTransferId(heldRow),
            debitAccountId: walletAccountId(auth.consumerId, row.currency),
            creditAccountId: merchantAccountId(merchant.id, row.currency),
            amountMinor,
            currency: row.currency,
            flags: TRANSFER_FLAGS.PENDING,
            timeoutMs: RISK_REVIEW_TIMEOUT_MS + 60_000,
          },
        ],
        {
          guards: riskGuards,
          effects: (r) =>
            allOk(r)
              ? [
                  this.db.updateTable('challenges').set({ used_at_ms: BigInt(now) }).where('id', '=', challenge.id).compile(),
                  this.db
                    .updateTable('payments')
                    .set({ status: 'held_for_review', level: heldRow.level, compensation_promise: heldRow.compensation_promise, counters: heldRow.counters, updated_at_ms: BigInt(now) })
                    .where('id', '=', paymentId)
                    .compile(),
                  ...this.chargeEffects(policy.charges, amountMinor),
                  this.risk!.insertQuery(this.risk!.decisionRow(risk.verdict, riskPayment, 'held', { paymentId, challengeId: challenge.id }, now)),
                  ...this.heldEffects(heldRow, merchant.display_name, now),
                ]
              : [],
        },
      );
      if (!allOk(results)) throw this.ledgerError(results, 'pay');
      this.risk?.observe({ type: 'payment', payment: riskPayment, completed: false, atMs: now });
      return this.view(heldRow, merchant.display_name, auth.consumerId);
    }
    const merchantAccount = merchantAccountId(merchant.id, row.currency);
    const fee = BigInt(row.fee_minor);
    const transfers: TransferInput[] = [
      { id: `${paymentId}:post`, pendingId: paymentId, flags: TRANSFER_FLAGS.POST_PENDING | (fee > 0n ? TRANSFER_FLAGS.LINKED : 0) },
      ...(fee > 0n ? [{ id: `${paymentId}:fee`, debitAccountId: merchantAccount, creditAccountId: platformAccountId('fees', row.currency), amountMinor: fee, currency: row.currency }] : []),
    ];
    const done: PaymentRow = {
      ...row,
      status: 'succeeded',
      level: policy.level,
      compensation_promise: policy.compensationPromise ? 1 : 0,
      counters: toJson(policy.charges.map((c) => c.key)),
      updated_at_ms: BigInt(now),
    };
    const results = await this.ledger.createTransfers(transfers, {
      guards: riskGuards,
      effects: (r) =>
        allOk(r)
          ? [
              ...(risk ? [this.risk!.insertQuery(this.risk!.decisionRow(risk.verdict, riskPayment, 'completed', { paymentId, challengeId: challenge.id }, now))] : []),
              this.db.updateTable('challenges').set({ used_at_ms: BigInt(now) }).where('id', '=', challenge.id).compile(),
              this.db
                .updateTable('payments')
                .set({ status: 'succeeded', level: done.level, compensation_promise: done.compensation_promise, counters: done.counters, updated_at_ms: BigInt(now) })
                .where('id', '=', paymentId)
                .compile(),
              ...this.chargeEffects(policy.charges, amountMinor),
              ...this.successEvents(done, merchant.display_name, now),
            ]
          : [],
    });
    if (!allOk(results)) throw this.ledgerError(results, 'pay');
    this.risk?.observe({ type: 'payment', payment: riskPayment, completed: true, atMs: now });
    return this.view(done, merchant.display_name, auth.consumerId);
  }

  /** The consumer declines, the merchant cancels, or the wait runs out: the held amount is released. */
  private async release(row: PaymentRow, status: 'voided' | 'expired' | 'declined', extra: readonly CompiledQuery[] = []): Promise<PaymentRow> {
    const now = this.nowMs();
    const from = row.status as 'awaiting_confirmation' | 'held_for_review';
    // A held payment had charged its caps and taken its order: both are given back.
    const giveBack: CompiledQuery[] =
      from === 'held_for_review'
        ? [
            ...(JSON.parse(row.counters) as string[]).map((key) =>
              this.db
                .updateTable('spend_counters')
                .set((eb) => ({ used_minor: eb('used_minor', '-', BigInt(row.amount_minor)), count: eb('count', '-', 1) }))
                .where('key', '=', key)
                .compile(),
            ),
            ...(row.order_id ? [this.db.updateTable('orders').set({ status: 'open', payment_id: null, updated_at_ms: BigInt(now) }).where('id', '=', row.order_id).compile()] : []),
          ]
        : [];
    const notWaiting = from === 'held_for_review' ? 'PAYMENT_NOT_HELD' : 'PAYMENT_NOT_AWAITING_CONFIRMATION';
    const pendingId = from === 'held_for_review' ? heldTransferId(row) : row.id;
    const results = await this.ledger.createTransfers([{ id: `${pendingId}:release`, pendingId, flags: TRANSFER_FLAGS.VOID_PENDING }], {
      guards: [this.guard(sql`SELECT 1 AS ok FROM payments WHERE id = ${row.id} AND status = ${from}`, notWaiting)],
      effects: (r) => {
        // Already released by the ledger's own timeout: the record follows.
        const released = allOk(r) || r[0] === 'pending_transfer_expired';
        if (!released) return [];
        return [
          this.db.updateTable('payments').set({ status, updated_at_ms: BigInt(now) }).where('id', '=', row.id).compile(),
          ...giveBack,
          ...extra,
          this.event(`payment.${status}`, row.merchant_id, row.payer_consumer_id, { paymentId: row.id, amountMinor: Number(row.amount_minor), currency: row.currency }, now),
        ];
      },
    });
    if (!allOk(results) && results[0] !== 'pending_transfer_expired') throw this.ledgerError(results, 'pay');
    return { ...row, status, updated_at_ms: BigInt(now) };
  }

  async decline(auth: ConsumerAuth, paymentId: string): Promise<PaymentView> {
    const row = await this.ownAwaiting(auth, paymentId);
    return this.view(await this.release(row, 'voided'), await this.payeeName(row), auth.consumerId);
  }

  /** Job handler: the confirmation window or the review period passed (idempotent: a decided payment is left alone). */
  async confirmTimeout(paymentId: string, waiting: 'awaiting_confirmation' | 'held_for_review' = 'awaiting_confirmation'): Promise<void> {
    const row = await this.db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
    // Only the wait this timer was set for: a confirmation timer must not end a review.
    if (!row || row.status !== waiting) return;
    try {
      await this.release(row, 'expired');
    } catch (error) {
      if (error instanceof SaomaError && (error.code === 'PAYMENT_NOT_AWAITING_CONFIRMATION' || error.code === 'PAYMENT_NOT_HELD')) return;
      throw error;
    }
  }

  // ---- refunds and cancel ------------------------------------------------------------------

  async refund(auth: MerchantAuth, paymentId: string, input: { amountMinor: bigint; reason?: string | undefined }): Promise<PaymentView & { refundId: string }> {
    checkAmount(input.amountMinor);
    const row = await this.merchantPaymentRow(auth, paymentId);
    if (row.kind !== 'merchant' || row.status !== 'succeeded') throw new SaomaError('PAYMENT_NOT_REFUNDABLE');
    const amount = BigInt(row.amount_minor);
    const refundedBefore = BigInt(row.refunded_minor);
    if (refundedBefore + input.amountMinor > amount) {
      throw new SaomaError('REFUND_EXCEEDS_PAYMENT', `at most ${amount - refundedBefore} minor units are left to refund`, 'amountMinor');
    }
    const feeBefore = BigInt(row.fee_refunded_minor);
    const feeShare = feeRefundMinor({ amountMinor: amount, feeMinor: BigInt(row.fee_minor), refundedBeforeMinor: refundedBefore, feeRefundedBeforeMinor: feeBefore, refundMinor: input.amountMinor });
    const seqRow = await this.db.selectFrom('refunds').select((eb) => eb.fn.countAll<number>().as('n')).where('payment_id', '=', paymentId).executeTakeFirstOrThrow();
    const seq = Number(seqRow.n) + 1;
    const refundId = `${paymentId}:refund:${seq}`;
    const merchantAccount = merchantAccountId(row.merchant_id!, row.currency);
    const now = this.nowMs();
    // The platform returns the fee share first, so the merchant needs to cover only the rest.
    const transfers: TransferInput[] = [
      ...(feeShare > 0n
        ? [{ id: `${refundId}:fee`, debitAccountId: platformAccountId('fees', row.currency), creditAccountId: merchantAccount, amountMinor: feeShare, currency: row.currency, flags: TRANSFER_FLAGS.LINKED }]
        : []),
      { id: refundId, debitAccountId: merchantAccount, creditAccountId: walletAccountId(row.payer_consumer_id, row.currency), amountMinor: input.amountMinor, currency: row.currency },
    ];
    const refundedAfter = refundedBefore + input.amountMinor;
    const status = refundedAfter === amount ? 'refunded' : 'succeeded';
    const results = await this.ledger.createTransfers(transfers, {
      // Refunds of one payment apply one after the other: each is priced on the state it read.
      guards: [
        this.guard(
          sql`SELECT 1 AS ok FROM payments WHERE id = ${paymentId} AND status = 'succeeded' AND refunded_minor = ${refundedBefore} AND fee_refunded_minor = ${feeBefore}`,
          'CONCURRENT_UPDATE',
        ),
      ],
      effects: (r) =>
        allOk(r)
          ? [
              this.db
                .insertInto('refunds')
                .values({ id: refundId, payment_id: paymentId, merchant_id: row.merchant_id!, seq, amount_minor: input.amountMinor, fee_refund_minor: feeShare, reason: input.reason ?? '', created_at_ms: BigInt(now) })
                .compile(),
              this.db
                .updateTable('payments')
                .set({ refunded_minor: refundedAfter, fee_refunded_minor: feeBefore + feeShare, status, updated_at_ms: BigInt(now) })
                .where('id', '=', paymentId)
                .compile(),
              this.event(
                'payment.refunded',
                row.merchant_id,
                row.payer_consumer_id,
                { paymentId, refundId, amountMinor: Number(input.amountMinor), feeRefundMinor: Number(feeShare), refundedMinor: Number(refundedAfter), currency: row.currency },
                now,
              ),
            ]
          : [],
    });
    if (!allOk(results)) throw this.ledgerError(results, 'refund');
    this.risk?.observe({ type: 'refund', payerId: row.payer_consumer_id, payeeId: row.merchant_id!, amountMinor: input.amountMinor, atMs: now });
    const updated = await this.merchantPaymentRow(auth, paymentId);
    return { ...this.view(updated, await this.payeeName(updated)), refundId };
  }

  /** Cancel: release a held payment, or refund a captured one in full (before any partial refund). */
  async cancel(auth: MerchantAuth, paymentId: string): Promise<PaymentView> {
    const row = await this.merchantPaymentRow(auth, paymentId);
    if (row.status === 'awaiting_confirmation') return this.view(await this.release(row, 'voided'), await this.payeeName(row));
    if (row.status === 'succeeded' && BigInt(row.refunded_minor) === 0n) {
      const refunded = await this.refund(auth, paymentId, { amountMinor: BigInt(row.amount_minor), reason: 'cancelled' });
      const { refundId: _refundId, ...view } = refunded;
      return view;
    }
    throw new SaomaError('PAYMENT_NOT_REFUNDABLE', 'only a held payment or a captured one without refunds can be cancelled');
  }

  // ---- reading -----------------------------------------------------------------------------

  private async merchantPaymentRow(auth: MerchantAuth, paymentId: string): Promise<PaymentRow> {
    const row = await this.db.selectFrom('payments').selectAll().where('id', '=', paymentId).where('merchant_id', '=', auth.merchantId).executeTakeFirst();
    if (!row) throw new SaomaError('PAYMENT_NOT_FOUND', undefined, 'paymentId');
    return row;
  }

  async merchantPayment(auth: MerchantAuth, paymentId: string): Promise<PaymentView> {
    const row = await this.merchantPaymentRow(auth, paymentId);
    return this.view(row, await this.payeeName(row));
  }

  async merchantPayments(auth: MerchantAuth, limit: number, beforeMs: number | undefined): Promise<PaymentView[]> {
    let q = this.db.selectFrom('payments').selectAll().where('merchant_id', '=', auth.merchantId).orderBy('created_at_ms', 'desc').orderBy('id').limit(limit);
    if (beforeMs !== undefined) q = q.where('created_at_ms', '<', BigInt(beforeMs));
    const m = await this.merchants.row(auth.merchantId);
    return (await q.execute()).map((r) => this.view(r, m.display_name));
  }

  async consumerPayment(auth: ConsumerAuth, paymentId: string): Promise<PaymentView> {
    const row = await this.db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
    if (!row || (row.payer_consumer_id !== auth.consumerId && row.payee_consumer_id !== auth.consumerId)) throw new SaomaError('PAYMENT_NOT_FOUND', undefined, 'paymentId');
    return this.view(row, await this.payeeName(row), auth.consumerId);
  }

  async consumerPayments(auth: ConsumerAuth, limit: number, beforeMs: number | undefined): Promise<PaymentView[]> {
    let q = this.db
      .selectFrom('payments')
      .selectAll()
      .where((eb) => eb.or([eb('payer_consumer_id', '=', auth.consumerId), eb('payee_consumer_id', '=', auth.consumerId)]))
      .orderBy('created_at_ms', 'desc')
      .orderBy('id')
      .limit(limit);
    if (beforeMs !== undefined) q = q.where('created_at_ms', '<', BigInt(beforeMs));
    const rows = await q.execute();
    return Promise.all(rows.map(async (r) => this.view(r, await this.payeeName(r), auth.consumerId)));
  }

  private async payeeName(row: PaymentRow): Promise<string> {
    if (row.merchant_id) return (await this.merchants.row(row.merchant_id)).display_name;
    if (row.payee_consumer_id) return (await this.consumers.consumerRow(row.payee_consumer_id)).display_name;
    return '';
  }

  view(row: PaymentRow, payeeName: string, viewerConsumerId?: string): PaymentView {
    return {
      id: row.id,
      kind: row.kind as PaymentView['kind'],
      channel: row.channel as PaymentChannel,
      status: row.status as PaymentStatus,
      amountMinor: BigInt(row.amount_minor),
      currency: row.currency,
      feeMinor: BigInt(row.fee_minor),
      refundedMinor: BigInt(row.refunded_minor),
      level: row.level as Level,
      compensationPromise: Number(row.compensation_promise) === 1,
      merchantId: row.merchant_id,
      payeeName,
      orderId: row.order_id,
      description: row.description,
      createdAtMs: Number(row.created_at_ms),
      updatedAtMs: Number(row.updated_at_ms),
      ...(viewerConsumerId !== undefined ? { direction: row.payer_consumer_id === viewerConsumerId ? ('sent' as const) : ('received' as const) } : {}),
    };
  }
}

/** The label an analyst's review gives, or none (a release that names no fraudster). */
function reviewLabel(row: PaymentRow, decision: 'approve' | 'decline', confirmedFraud: readonly FraudParty[]): LabelInput | undefined {
  const payeeId = row.payee_consumer_id ?? row.merchant_id ?? '';
  const base = { paymentId: row.id, payerId: row.payer_consumer_id, payeeId };
  if (decision === 'approve') return { verdict: 'legitimate', ...base };
  if (confirmedFraud.length === 0) return undefined;
  // The code the payer scanned, as the risk engine keys it: the merchant or personal code's id.
  const codeId = row.kind !== 'p2p' && row.order_id === null && row.channel !== 'payment_code' ? row.merchant_id : null;
  const has = (party: FraudParty) => confirmedFraud.includes(party);
  return {
    verdict: 'fraud',
    ...base,
    culprits: {
      accountIds: [...(has('payee') ? [payeeId] : []), ...(has('payer') ? [row.payer_consumer_id] : [])],
      deviceIds: has('device') && row.device_id ? [row.device_id] : [],
      codeIds: has('code') && codeId ? [codeId] : [],
    },
  };
}
