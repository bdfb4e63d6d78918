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
