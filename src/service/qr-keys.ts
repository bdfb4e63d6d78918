import type { Kysely } from 'kysely';
import { SaomaError } from '../core/errors.js';
import { base64UrlDecode, base64UrlEncode, type QrPublicKey, type Signer } from '../core/qr/index.js';
import type { Database } from '../store/schema.js';
import { ed25519Signer, generateEd25519KeyPair } from './qr-signing.js';
import { seal, unseal } from './secrets.js';

export interface QrKeyInfo extends QrPublicKey {
  readonly createdAtMs: number;
}

/** The platform's QR signing keys: one active, older ones retired (still verify), some revoked. */
export class QrKeyService {
  private signerCache: { keyId: string; sign: Signer } | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly masterKey: Buffer,
  ) {}

  async list(): Promise<QrKeyInfo[]> {
    const rows = await this.db.selectFrom('qr_signing_keys').select(['key_id', 'public_key', 'status', 'created_at_ms']).orderBy('created_at_ms').execute();
    return rows.map((r) => ({
      keyId: r.key_id,
      publicKey: base64UrlDecode(r.public_key)!,
      status: r.status as QrPublicKey['status'],
      createdAtMs: Number(r.created_at_ms),
    }));
  }

  /** The active key's signer, creating the first key when there is none. */
  async activeSigner(nowMs: number): Promise<{ keyId: string; sign: Signer }> {
    if (this.signerCache) return this.signerCache;
    let row = await this.db.selectFrom('qr_signing_keys').selectAll().where('status', '=', 'active').executeTakeFirst();
    if (!row) {
      await this.rotate(nowMs);
      row = await this.db.selectFrom('qr_signing_keys').selectAll().where('status', '=', 'active').executeTakeFirstOrThrow();
    }
    const seed = unseal(this.masterKey, row.private_key_sealed, `qr_signing_keys:${row.key_id}`);
    this.signerCache = { keyId: row.key_id, sign: ed25519Signer(seed) };
    return this.signerCache;
  }

  /** A new active key; the previous active key is retired (codes it signed stay valid). */
  async rotate(nowMs: number): Promise<string> {
    const pair = generateEd25519KeyPair();
    const existing = await this.db.selectFrom('qr_signing_keys').select('key_id').execute();
    const keyId = `k${existing.length + 1}`;
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('qr_signing_keys').set({ status: 'retired', retired_at_ms: BigInt(nowMs) }).where('status', '=', 'active').execute();
      await tx
        .insertInto('qr_signing_keys')
        .values({
          key_id: keyId,
          public_key: base64UrlEncode(pair.publicKey),
          private_key_sealed: seal(this.masterKey, pair.privateSeed, `qr_signing_keys:${keyId}`),
          status: 'active',
          created_at_ms: BigInt(nowMs),
          retired_at_ms: null,
          revoked_at_ms: null,
        })
        .execute();
    });
    this.signerCache = undefined;
    return keyId;
  }

  /** Every code signed with this key becomes counterfeit. Revoking the active key rotates first. */
  async revoke(keyId: string, nowMs: number): Promise<void> {
    const row = await this.db.selectFrom('qr_signing_keys').select(['status']).where('key_id', '=', keyId).executeTakeFirst();
    if (!row) throw new SaomaError('NOT_FOUND', `no QR signing key ${keyId}`, 'keyId');
    if (row.status === 'active') await this.rotate(nowMs);
    await this.db.updateTable('qr_signing_keys').set({ status: 'revoked', revoked_at_ms: BigInt(nowMs) }).where('key_id', '=', keyId).execute();
    this.signerCache = undefined;
  }
}
