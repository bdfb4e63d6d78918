import type { Kysely } from 'kysely';
import { SaomaError } from '../core/errors.js';
import { MERCHANT_API_KEYS_MAX, MERCHANT_FEE_RATE_BP_DEFAULT, MERCHANT_TILLS_MAX } from '../core/limits.js';
import { buildMerchantCode } from '../core/qr/index.js';
import { merchantAccountId } from './accounts.js';
import type { Database } from '../store/schema.js';
import type { LedgerService } from './ledger.js';
import { newId, newSecret, secretHash } from './crypto.js';
import type { QrKeyService } from './qr-keys.js';
import { seal } from './secrets.js';
import { appendAudit } from './audit.js';
import type { RiskEvent } from '../core/risk/index.js';
import { checkBankAccount, maskBankAccount } from './bank/account.js';

export type MerchantRole = 'owner' | 'manager' | 'cashier';
export const MERCHANT_ROLES: readonly MerchantRole[] = ['owner', 'manager', 'cashier'];

export interface MerchantAuth {
  readonly merchantId: string;
  readonly keyId: string;
  readonly role: MerchantRole;
}

export interface MerchantView {
  readonly id: string;
  readonly kind: 'business' | 'personal';
  readonly legalName: string;
  readonly displayName: string;
  readonly licenceNumber: string | null;
  readonly mcc: string;
  readonly address: string;
  readonly city: string;
  readonly countryCode: string;
  readonly currency: string;
  readonly settlementAccountMasked: string | null;
  readonly status: 'pending' | 'approved' | 'suspended';
  readonly feeRateBp: number;
  readonly createdAtMs: number;
}

export interface ApiKeyView {
  readonly id: string;
  readonly role: MerchantRole;
  readonly label: string;
  readonly last4: string;
  readonly createdAtMs: number;
  readonly revokedAtMs: number | null;
}

export interface TillView {
  readonly id: string;
  readonly label: string;
  /** The signed static code (EMVCo payload) to print. */
  readonly payload: string;
  readonly createdAtMs: number;
}

export interface MerchantApplication {
  readonly legalName: string;
  readonly displayName: string;
  readonly licenceNumber: string;
  readonly mcc: string;
  readonly address: string;
  readonly city: string;
  readonly countryCode?: string;
  readonly currency?: string;
  readonly settlementAccount: string;
}

type MerchantRow = Database['merchants'];

export function merchantView(m: MerchantRow): MerchantView {
  return {
    id: m.id,
    kind: m.kind as MerchantView['kind'],
    legalName: m.legal_name,
    displayName: m.display_name,
    licenceNumber: m.licence_number,
    mcc: m.mcc,
    address: m.address,
    city: m.city,
    countryCode: m.country_code,
    currency: m.currency,
    settlementAccountMasked: m.settlement_account_masked,
    status: m.status as MerchantView['status'],
    feeRateBp: Number(m.fee_rate_bp),
    createdAtMs: Number(m.created_at_ms),
  };
}

function apiKeyView(k: Database['merchant_api_keys']): ApiKeyView {
  return {
    id: k.id,
    role: k.role as MerchantRole,
    label: k.label,
    last4: k.last4,
    createdAtMs: Number(k.created_at_ms),
    revokedAtMs: k.revoked_at_ms === null ? null : Number(k.revoked_at_ms),
  };
}

/** Merchants: onboarding and review, secret API keys with roles, signed static codes per till. */
export class MerchantService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly ledger: LedgerService,
    private readonly qrKeys: QrKeyService,
    private readonly masterKey: Buffer,
    private readonly nowMs: () => number = Date.now,
    /** Told of new accounts: the risk engine's features (decision 0015). */
    private readonly riskEvents: { observe(event: RiskEvent): void } = { observe: () => undefined },
  ) {}

  /** A business applies; it can sign in at once (to see its review state) but takes payments only once approved. */
  async apply(input: MerchantApplication): Promise<{ merchant: MerchantView; apiKey: string; apiKeyId: string }> {
    checkBankAccount(input.settlementAccount, 'settlementAccount');
    const id = newId('mer');
    const currency = input.currency ?? 'CNY';
    const [created] = await this.ledger.createAccounts([{ id: merchantAccountId(id, currency), type: 'merchant', currency }]);
    if (created !== 'ok' && created !== 'exists') throw new SaomaError('INVARIANT_VIOLATED', `merchant account: ${created}`);
    const now = this.nowMs();
    const apiKey = await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('merchants')
        .values({
          id,
          kind: 'business',
          legal_name: input.legalName,
          display_name: input.displayName,
          licence_number: input.licenceNumber,
          mcc: input.mcc,
          address: input.address,
          city: input.city,
          country_code: input.countryCode ?? 'CN',
          currency,
          settlement_account_sealed: seal(this.masterKey, Buffer.from(input.settlementAccount), `merchant:${id}:settlement`),
          settlement_account_masked: maskBankAccount(input.settlementAccount),
          status: 'pending',
          owner_consumer_id: null,
          fee_rate_bp: MERCHANT_FEE_RATE_BP_DEFAULT,
          created_at_ms: BigInt(now),
          reviewed_at_ms: null,
        })
        .execute();
      return this.insertApiKey(trx, id, 'owner', 'owner key (onboarding)', now);
    });
    this.riskEvents.observe({ type: 'account_opened', accountId: id, atMs: now });
    return { merchant: merchantView(await this.row(id)), apiKey: apiKey.secret, apiKeyId: apiKey.id };
  }

  /**
   * A consumer's personal receiving code: a "merchant" of kind personal that pays into the owner's
   * wallet, approved at once, without fees, and capped by policy (no business on a personal code).
   */
  async personal(consumerId: string, displayName: string, currency = 'CNY'): Promise<MerchantView> {
    const existing = await this.db.selectFrom('merchants').selectAll().where('owner_consumer_id', '=', consumerId).executeTakeFirst();
    if (existing) return merchantView(existing);
    const id = newId('per');
    const now = this.nowMs();
    await this.db
      .insertInto('merchants')
      .values({
        id,
        kind: 'personal',
        legal_name: displayName,
        display_name: displayName,
        licence_number: null,
        mcc: '6540',
        address: '',
        city: 'NA',
        country_code: 'CN',
        currency,
        settlement_account_sealed: null,
        settlement_account_masked: null,
        status: 'approved',
        owner_consumer_id: consumerId,
        fee_rate_bp: 0,
        created_at_ms: BigInt(now),
        reviewed_at_ms: BigInt(now),
      })
      .onConflict((oc) => oc.column('owner_consumer_id').doNothing())
      .execute();
    const row = await this.db.selectFrom('merchants').selectAll().where('owner_consumer_id', '=', consumerId).executeTakeFirstOrThrow();
    this.riskEvents.observe({ type: 'account_opened', accountId: row.id, atMs: Number(row.created_at_ms) });
    return merchantView(row);
  }

  async row(merchantId: string): Promise<MerchantRow> {
    const m = await this.db.selectFrom('merchants').selectAll().where('id', '=', merchantId).executeTakeFirst();
    if (!m) throw new SaomaError('NOT_FOUND', 'no such merchant', 'merchantId');
    return m;
  }

  async view(merchantId: string): Promise<MerchantView> {
    return merchantView(await this.row(merchantId));
  }

  async list(status?: string): Promise<MerchantView[]> {
    let q = this.db.selectFrom('merchants').selectAll().where('kind', '=', 'business').orderBy('created_at_ms', 'desc').limit(500);
    if (status) q = q.where('status', '=', status);
    return (await q.execute()).map(merchantView);
  }

  /** Staff decision; written to the audit trail with who decided. */
  async review(merchantId: string, decision: 'approve' | 'suspend', actor: string, note: string | undefined): Promise<MerchantView> {
    const m = await this.row(merchantId);
    if (m.kind !== 'business') throw new SaomaError('INVALID_REQUEST', 'personal receiving codes are not reviewed', 'merchantId');
    const status = decision === 'approve' ? 'approved' : 'suspended';
    const now = this.nowMs();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('merchants').set({ status, reviewed_at_ms: BigInt(now) }).where('id', '=', merchantId).execute();
      await appendAudit(trx, { actor, action: `merchant.${decision}`, objectId: merchantId, detail: { from: m.status, to: status, note: note ?? null } }, now);
    });
    return this.view(merchantId);
  }

  async setFeeRate(merchantId: string, feeRateBp: number, actor: string): Promise<MerchantView> {
    const m = await this.row(merchantId);
    const now = this.nowMs();
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('merchants').set({ fee_rate_bp: feeRateBp }).where('id', '=', merchantId).execute();
      await appendAudit(trx, { actor, action: 'merchant.fee_rate', objectId: merchantId, detail: { from: Number(m.fee_rate_bp), to: feeRateBp } }, now);
    });
    return this.view(merchantId);
  }

  // ---- API keys ------------------------------------------------------------------------------

  private async insertApiKey(trx: Kysely<Database>, merchantId: string, role: MerchantRole, label: string, now: number): Promise<{ id: string; secret: string }> {
    const secret = newSecret('sk_m');
    const id = newId('key');
    await trx
      .insertInto('merchant_api_keys')
      .values({ id, merchant_id: merchantId, key_hash: secretHash(secret), role, label, last4: secret.slice(-4), created_at_ms: BigInt(now), revoked_at_ms: null })
      .execute();
    return { id, secret };
  }

  async authenticate(secret: string): Promise<MerchantAuth | undefined> {
    if (!secret.startsWith('sk_m_') || secret.length > 100) return undefined;
    const row = await this.db.selectFrom('merchant_api_keys').selectAll().where('key_hash', '=', secretHash(secret)).executeTakeFirst();
    if (!row || row.revoked_at_ms !== null) return undefined;
    return { merchantId: row.merchant_id, keyId: row.id, role: row.role as MerchantRole };
  }

  async createApiKey(merchantId: string, role: MerchantRole, label: string): Promise<{ key: ApiKeyView; secret: string }> {
    const now = this.nowMs();
    return this.db.transaction().execute(async (trx) => {
      const count = await trx
        .selectFrom('merchant_api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('merchant_id', '=', merchantId)
        .where('revoked_at_ms', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(count.n) >= MERCHANT_API_KEYS_MAX) throw new SaomaError('INVALID_REQUEST', `at most ${MERCHANT_API_KEYS_MAX} active keys`);
      const created = await this.insertApiKey(trx, merchantId, role, label, now);
      const row = await trx.selectFrom('merchant_api_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      return { key: apiKeyView(row), secret: created.secret };
    });
  }

  async apiKeys(merchantId: string): Promise<ApiKeyView[]> {
    const rows = await this.db.selectFrom('merchant_api_keys').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at_ms').execute();
    return rows.map(apiKeyView);
  }

  async revokeApiKey(merchantId: string, keyId: string): Promise<ApiKeyView> {
    const key = await this.db.selectFrom('merchant_api_keys').selectAll().where('id', '=', keyId).where('merchant_id', '=', merchantId).executeTakeFirst();
    if (!key) throw new SaomaError('NOT_FOUND', 'no such API key', 'keyId');
    if (key.role === 'owner' && key.revoked_at_ms === null) {
      const owners = await this.db
        .selectFrom('merchant_api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('merchant_id', '=', merchantId)
        .where('role', '=', 'owner')
        .where('revoked_at_ms', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(owners.n) <= 1) throw new SaomaError('INVALID_REQUEST', 'create another owner key before revoking the last one', 'keyId');
    }
    await this.db.updateTable('merchant_api_keys').set({ revoked_at_ms: BigInt(this.nowMs()) }).where('id', '=', keyId).where('revoked_at_ms', 'is', null).execute();
    const row = await this.db.selectFrom('merchant_api_keys').selectAll().where('id', '=', keyId).executeTakeFirstOrThrow();
    return apiKeyView(row);
  }

  // ---- tills and their signed static codes ---------------------------------------------------

  async signCode(m: MerchantRow, tillId: string | undefined, dynamic?: { amountMinor: bigint; reference: string; expiresAtMs: number }): Promise<string> {
    const signer = await this.qrKeys.activeSigner(this.nowMs());
    return buildMerchantCode(
      {
        merchantId: m.id,
        tillId,
        // EMV's name field holds 25 characters; wallets show the registered name from the directory.
        merchantName: [...m.display_name].slice(0, 25).join(''),
        city: [...m.city].slice(0, 15).join('') || 'NA',
        countryCode: m.country_code,
        mcc: m.mcc,
        currency: m.currency,
        dynamic,
      },
      signer.keyId,
      signer.sign,
    );
  }

  async createTill(merchantId: string, label: string): Promise<TillView> {
    const m = await this.row(merchantId);
    if (m.status !== 'approved') throw new SaomaError('MERCHANT_NOT_ACTIVE', `this merchant is ${m.status}; codes are issued once it is approved`);
    const count = await this.db.selectFrom('tills').select((eb) => eb.fn.countAll<number>().as('n')).where('merchant_id', '=', merchantId).executeTakeFirstOrThrow();
    if (Number(count.n) >= MERCHANT_TILLS_MAX) throw new SaomaError('INVALID_REQUEST', `at most ${MERCHANT_TILLS_MAX} tills`);
    const id = newId('till').slice(0, 20);
    const payload = await this.signCode(m, id);
    const now = this.nowMs();
    await this.db.insertInto('tills').values({ id, merchant_id: merchantId, label, payload, created_at_ms: BigInt(now) }).execute();
    return { id, label, payload, createdAtMs: now };
  }

  async tills(merchantId: string): Promise<TillView[]> {
    const rows = await this.db.selectFrom('tills').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at_ms').execute();
    return rows.map((t) => ({ id: t.id, label: t.label, payload: t.payload, createdAtMs: Number(t.created_at_ms) }));
  }

  async till(merchantId: string, tillId: string): Promise<TillView> {
    const t = await this.db.selectFrom('tills').selectAll().where('id', '=', tillId).where('merchant_id', '=', merchantId).executeTakeFirst();
    if (!t) throw new SaomaError('NOT_FOUND', 'no such till', 'tillId');
    return { id: t.id, label: t.label, payload: t.payload, createdAtMs: Number(t.created_at_ms) };
  }
}
