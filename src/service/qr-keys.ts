import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SaomaError } from '../core/errors.js';
import { base64UrlDecode, base64UrlEncode, type QrPublicKey, type Signer } from '../core/qr/index.js';
import type { Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/errors.js';
import { ed25519Signer, generateEd25519KeyPair } from './qr-signing.js';
import { seal, unseal } from './secrets.js';

const ROTATE_ATTEMPTS_MAX = 5;


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

  /**
   * The active key's signer, creating the first key when there is none. The active key id is read
   * every time (one indexed row), so a rotation or revocation by another process takes effect at
   * once; only the unsealed key is cached.
   */
  async activeSigner(nowMs: number): Promise<{ keyId: string; sign: Signer }> {
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS_MAX; attempt++) {
      const row = await this.db.selectFrom('qr_signing_keys').selectAll().where('status', '=', 'active').executeTakeFirst();
      if (row) {
        if (this.signerCache?.keyId !== row.key_id) {
          const seed = unseal(this.masterKey, row.private_key_sealed, `qr_signing_keys:${row.key_id}`);
          this.signerCache = { keyId: row.key_id, sign: ed25519Signer(seed) };
        }
        return this.signerCache!;
      }
      // None yet: create one; if another process just did, the next read finds it.
      await this.insertActive(nowMs).catch((error: unknown) => {
        if (!isUniqueViolation(error)) throw error;
      });
    }
    throw new SaomaError('LEDGER_UNAVAILABLE', 'no active QR signing key could be established');
  }

  /** A new active key; the previous active key is retired (codes it signed stay valid). */
  async rotate(nowMs: number): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.insertActive(nowMs);
      } catch (error) {
        // Another rotation won the race for the one active slot: rotate again after it.
        if (!isUniqueViolation(error) || attempt + 1 >= ROTATE_ATTEMPTS_MAX) throw error;
      }
    }
  }

  private async insertActive(nowMs: number): Promise<string> {
    const pair = generateEd25519KeyPair();
    // Random ids: no counting, so concurrent rotations never pick the same id.
    const keyId = `k${randomBytes(6).toString('base64url')}`;
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
    return keyId;
  }

  /** Every code signed with this key becomes counterfeit. Revoking the active key rotates first. */
  async revoke(keyId: string, nowMs: number): Promise<void> {
    const row = await this.db.selectFrom('qr_signing_keys').select(['status']).where('key_id', '=', keyId).executeTakeFirst();
    if (!row) throw new SaomaError('NOT_FOUND', `no QR signing key ${keyId}`, 'keyId');
    if (row.status === 'active') await this.rotate(nowMs);
    await this.db.updateTable('qr_signing_keys').set({ status: 'revoked', revoked_at_ms: BigInt(nowMs) }).where('key_id', '=', keyId).execute();
  }
}
