// Reading analysts' labels back from `risk_labels` (append-only): which parties are labelled fraud
// now, and the history of labels naming one. The features in memory say the same thing (they are
// fed the same rows in the same order); this answers from the database, so that it holds for every
// process and across restarts, and it is what a withdrawal is checked against.

import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { assert } from '../core/errors.js';
import { RISK_LABEL_HISTORY_ROWS_MAX } from '../core/limits.js';
import type { Culprits } from '../core/risk/index.js';
import type { Database } from '../store/schema.js';

export type LabelRow = Database['risk_labels'];
export type LabelVerdict = 'fraud' | 'legitimate' | 'withdrawn';
export const LABEL_VERDICTS: readonly LabelVerdict[] = ['fraud', 'legitimate', 'withdrawn'];

/** What a label may name a party as; the features keep one flag per kind. */
export type PartyKind = 'account' | 'device' | 'code';
export const PARTY_KINDS: readonly PartyKind[] = ['account', 'device', 'code'];
const CULPRIT_FIELD: Record<PartyKind, keyof Culprits> = { account: 'accountIds', device: 'deviceIds', code: 'codeIds' };

export interface LabelView {
  readonly id: string;
  readonly verdict: LabelVerdict;
  readonly paymentId: string | null;
  readonly culprits: Culprits;
  readonly actor: string;
  readonly createdAtMs: number;
}

export function isLabelVerdict(v: string): v is LabelVerdict {
  return (LABEL_VERDICTS as readonly string[]).includes(v);
}

export function culpritsOf(row: LabelRow): Culprits {
  const ids = (json: string): string[] => {
    const parsed: unknown = JSON.parse(json);
    assert(Array.isArray(parsed) && parsed.every((x) => typeof x === 'string'), `label ${row.id} stores its culprits as arrays of ids`);
    return parsed as string[];
  };
  return { accountIds: ids(row.culprit_accounts), deviceIds: ids(row.culprit_devices), codeIds: ids(row.culprit_codes) };
}

export function labelView(row: LabelRow): LabelView {
  assert(isLabelVerdict(row.verdict), `label ${row.id} has a known verdict, not ${row.verdict}`);
  return { id: row.id, verdict: row.verdict, paymentId: row.payment_id, culprits: culpritsOf(row), actor: row.actor, createdAtMs: Number(row.created_at_ms) };
}

/**
 * What one row says about a party as one kind: `true` labelled fraud, `false` cleared (withdrawn,
 * or a legitimate label on it as a payee, as the features treat it), `undefined` silent.
 */
export function rowSays(row: LabelRow, kind: PartyKind, partyId: string): boolean | undefined {
  if (row.verdict === 'legitimate') return kind === 'account' && row.payee_id === partyId ? false : undefined;
  if (!culpritsOf(row)[CULPRIT_FIELD[kind]].includes(partyId)) return undefined;
  assert(row.verdict === 'fraud' || row.verdict === 'withdrawn', `label ${row.id} has a known verdict, not ${row.verdict}`);
  return row.verdict === 'fraud';
}

/** `%`, `_` and the escape character itself are literal in the pattern (ids contain `_`). */
function likeContaining(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * The rows naming a party (as a culprit, or as the payee of a legitimate label), newest first,
 * a page at a time. LIKE only narrows the scan (SQLite's ignores case); the exact test is here.
 * Labels are analysts' decisions, a small table: a scan of it is cheap next to a person's work.
 */
export async function* labelsNaming(db: Kysely<Database>, partyId: string, pageRows = RISK_LABEL_HISTORY_ROWS_MAX): AsyncGenerator<LabelRow> {
  const pattern = likeContaining(JSON.stringify(partyId));
  let after: { atMs: bigint; id: string } | undefined;
  for (;;) {
    let query = db
      .selectFrom('risk_labels')
      .selectAll()
      .where(
        sql<boolean>`(culprit_accounts LIKE ${pattern} ESCAPE '!' OR culprit_devices LIKE ${pattern} ESCAPE '!' OR culprit_codes LIKE ${pattern} ESCAPE '!' OR (verdict = 'legitimate' AND payee_id = ${partyId}))`,
      );
    if (after) {
      const { atMs, id } = after;
      query = query.where((eb) => eb.or([eb('created_at_ms', '<', atMs), eb.and([eb('created_at_ms', '=', atMs), eb('id', '<', id)])]));
    }
    const page = await query.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(pageRows).execute();
    for (const row of page) {
      if (PARTY_KINDS.some((kind) => rowSays(row, kind, partyId) !== undefined)) yield row;
    }
    if (page.length < pageRows) return;
    const last = page[page.length - 1]!;
    after = { atMs: BigInt(last.created_at_ms), id: last.id };
  }
}

/** The kinds a party is labelled fraud as now: the newest row that speaks about each decides. */
export async function labelledKinds(db: Kysely<Database>, partyId: string): Promise<Set<PartyKind>> {
  const decided = new Map<PartyKind, boolean>();
  for await (const row of labelsNaming(db, partyId)) {
    for (const kind of PARTY_KINDS) {
      const says = decided.has(kind) ? undefined : rowSays(row, kind, partyId);
      if (says !== undefined) decided.set(kind, says);
    }
    if (decided.size === PARTY_KINDS.length) break;
  }
  return new Set(PARTY_KINDS.filter((kind) => decided.get(kind) === true));
}

/** Of the parties given, those labelled fraud now, each under the kind it was given as. */
export async function labelledOf(db: Kysely<Database>, parties: Culprits): Promise<Culprits> {
  const known = new Map<string, Set<PartyKind>>();
  const kindsOf = async (id: string) => {
    let kinds = known.get(id);
    if (!kinds) known.set(id, (kinds = await labelledKinds(db, id)));
    return kinds;
  };
  const pick = async (kind: PartyKind): Promise<string[]> => {
    const out: string[] = [];
    for (const id of parties[CULPRIT_FIELD[kind]]) if ((await kindsOf(id)).has(kind)) out.push(id);
    return out;
  };
  return { accountIds: await pick('account'), deviceIds: await pick('device'), codeIds: await pick('code') };
}

/** The newest label rows naming a party (at most RISK_LABEL_HISTORY_ROWS_MAX). */
export async function labelHistory(db: Kysely<Database>, partyId: string): Promise<LabelRow[]> {
  const rows: LabelRow[] = [];
  for await (const row of labelsNaming(db, partyId)) {
    rows.push(row);
    if (rows.length >= RISK_LABEL_HISTORY_ROWS_MAX) break;
  }
  return rows;
}

/** The newest time of any label naming these parties; a withdrawal is stored after it. */
export async function latestLabelMs(db: Kysely<Database>, parties: Culprits): Promise<number> {
  let latest = Number.NEGATIVE_INFINITY;
  for (const id of new Set([...parties.accountIds, ...parties.deviceIds, ...parties.codeIds])) {
    for await (const row of labelsNaming(db, id, 1)) {
      latest = Math.max(latest, Number(row.created_at_ms));
      break;
    }
  }
  return latest;
}

/** The advisory lock that keeps two withdrawals from both passing the check on PostgreSQL ("saomlb"). */
const LABEL_WITHDRAW_LOCK_KEY = 0x7361_6f6d_6c62n;

/**
 * Serialises label withdrawals inside a transaction: on PostgreSQL by an advisory lock held until
 * it ends; SQLite has one writer and Kysely's driver runs one transaction at a time already.
 */
export async function lockLabelWithdrawals(trx: Kysely<Database>): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) await sql`SELECT pg_advisory_xact_lock(CAST(${LABEL_WITHDRAW_LOCK_KEY} AS bigint))`.execute(trx);
}
