import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export const STAFF_ROLES = ['admin', 'risk', 'support', 'compliance'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffPrincipal {
  readonly tokenId: string;
  readonly role: StaffRole;
  readonly label: string;
}

const TOKEN_PREFIX = 'sk_staff_';

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates a staff API token; the plaintext is returned once and only its hash is stored. */
export async function createStaffToken(db: Kysely<Database>, role: StaffRole, label: string, nowMs: number): Promise<string> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  await db
    .insertInto('staff_tokens')
    .values({ id: randomUUID(), token_hash: hashToken(token), role, label, created_at_ms: BigInt(nowMs), revoked_at_ms: null })
    .execute();
  return token;
}

/** On first start: an admin token, returned for printing once. Later starts return undefined. */
export async function ensureAdminToken(db: Kysely<Database>, nowMs: number): Promise<string | undefined> {
  const existing = await db.selectFrom('staff_tokens').select('id').where('role', '=', 'admin').where('revoked_at_ms', 'is', null).executeTakeFirst();
  if (existing) return undefined;
  return createStaffToken(db, 'admin', 'first-start admin', nowMs);
}

export async function authenticateStaff(db: Kysely<Database>, token: string): Promise<StaffPrincipal | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  // Looked up by a hash of a 256-bit random token: no timing signal about the stored value.
  const row = await db
    .selectFrom('staff_tokens')
    .select(['id', 'role', 'label'])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at_ms', 'is', null)
    .executeTakeFirst();
  return row ? { tokenId: row.id, role: row.role as StaffRole, label: row.label } : undefined;
}

export interface StaffTokenInfo {
  readonly id: string;
  readonly role: StaffRole;
  readonly label: string;
  readonly createdAtMs: number;
  readonly revokedAtMs: number | null;
}

/** Token ids, roles and labels: never the tokens themselves (only their hashes are stored). */
export async function listStaffTokens(db: Kysely<Database>): Promise<StaffTokenInfo[]> {
  const rows = await db.selectFrom('staff_tokens').select(['id', 'role', 'label', 'created_at_ms', 'revoked_at_ms']).orderBy('created_at_ms').execute();
  return rows.map((r) => ({
    id: r.id,
    role: r.role as StaffRole,
    label: r.label,
    createdAtMs: Number(r.created_at_ms),
    revokedAtMs: r.revoked_at_ms === null ? null : Number(r.revoked_at_ms),
  }));
}

/** Revokes a token at once; returns false when no active token has that id. */
export async function revokeStaffToken(db: Kysely<Database>, tokenId: string, nowMs: number): Promise<boolean> {
  const result = await db
    .updateTable('staff_tokens')
    .set({ revoked_at_ms: BigInt(nowMs) })
    .where('id', '=', tokenId)
    .where('revoked_at_ms', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
