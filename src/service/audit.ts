import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly objectId?: string | null;
  readonly detail?: Record<string, unknown>;
}

/** Appends to the audit trail (the database refuses updates and deletes of it). Never pass secrets. */
export async function appendAudit(db: Kysely<Database>, entry: AuditEntry, nowMs: number): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at_ms: BigInt(nowMs),
      actor: entry.actor,
      action: entry.action,
      object_id: entry.objectId ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}
