import type { CompiledQuery, Kysely } from 'kysely';
import {
  DEFAULT_RULE_SET,
  InMemoryFeatureStore,
  decide,
  mustLoadRuleSet,
  type Decision,
  type FeatureStore,
  type LoadedRuleSet,
  type RiskEvent,
  type RiskPayment,
  type RuleSet,
  type Features,
  type Outcome,
  type Culprits,
  loadRuleSet,
} from '../core/risk/index.js';
import { assert, SaomaError } from '../core/errors.js';
import { RISK_DRY_RUN_DECISIONS_MAX, RISK_LABEL_REASON_CHARS_MAX, RISK_LABEL_REASON_CHARS_MIN, RISK_LABEL_WITHDRAW_IDS_MAX } from '../core/limits.js';
import { appendAudit } from './audit.js';
import { RISK_WARMUP_DAYS, RISK_WARMUP_PAYMENTS_MAX } from '../core/limits.js';
import type { Database } from '../store/schema.js';
import { newId } from './crypto.js';
import { culpritsOf, labelHistory, labelledKinds, labelledOf, labelView, latestLabelMs, lockLabelWithdrawals, type LabelView, type PartyKind } from './risk-labels.js';

/** What became of a decided payment. */
export type RiskEffect = 'completed' | 'challenged' | 'held' | 'declined';

export interface RiskVerdict {
  readonly decision: Decision;
  readonly decisionId: string;
  readonly features: Features;
}

export interface DryRun {
  readonly candidateVersion: string;
  readonly activeVersion: string;
  readonly decisions: number;
  /** How many of the recorded decisions each rule set gives each outcome. */
  readonly active: Record<Outcome, number>;
  readonly candidate: Record<Outcome, number>;
  /** Decisions whose outcome would change, newest first (at most 50). */
  readonly changed: ReadonlyArray<{ readonly decisionId: string; readonly paymentId: string | null; readonly from: Outcome; readonly to: Outcome; readonly hits: readonly string[] }>;
  /** Shadow rules of the candidate that would have fired, with how often. */
  readonly shadowHits: Record<string, number>;
}

const RULE_SET_SETTING = 'risk.rule_set';

/** What an analyst may find to be the fraudster's when declining a held payment. */
export type FraudParty = 'payee' | 'payer' | 'device' | 'code';
export const FRAUD_PARTIES: readonly FraudParty[] = ['payee', 'payer', 'device', 'code'];

/** An analyst's verdict on a payment, or a withdrawal of fraud labels, as stored and fed back. */
export type LabelInput =
  | { readonly verdict: 'legitimate'; readonly paymentId: string; readonly payerId: string; readonly payeeId: string }
  | { readonly verdict: 'fraud'; readonly paymentId: string | null; readonly payerId: string; readonly payeeId: string; readonly culprits: Culprits }
  /** Names what it clears; it is about parties, not a payment. */
  | { readonly verdict: 'withdrawn'; readonly culprits: Culprits };

/** One party as the label look-up answers it. */
export interface PartyLabels {
  /** The kinds it is labelled fraud as now (empty: not labelled). */
  readonly labelledAs: readonly PartyKind[];
  /** Label rows naming it, newest first (at most RISK_LABEL_HISTORY_ROWS_MAX). */
  readonly labels: readonly LabelView[];
}

/**
 * The risk engine inline in every payment (decision 0015): features kept incrementally in memory
 * (rebuilt from the last days of payments when the process starts), the rule set as data, and
 * every decision stored with its hits and score for analysts and as a label.
 */
export class RiskService {
  private features: FeatureStore = new InMemoryFeatureStore();
  private ruleSetLoaded: LoadedRuleSet;

  constructor(
    private readonly db: Kysely<Database>,
    ruleSet: RuleSet = DEFAULT_RULE_SET,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.ruleSetLoaded = mustLoadRuleSet(ruleSet);
  }

  get ruleSet(): LoadedRuleSet {
    return this.ruleSetLoaded;
  }

  /** Replaces the rule set (validated first: an invalid one throws and the old one stays). */
  useRuleSet(ruleSet: RuleSet): void {
    this.ruleSetLoaded = mustLoadRuleSet(ruleSet);
  }

  /** The rule set an admin activated (kept in settings), if any, replaces the one given at start. */
  async loadActiveRuleSet(): Promise<void> {
    const stored = await this.db.selectFrom('settings').select('value').where('key', '=', RULE_SET_SETTING).executeTakeFirst();
    if (stored) this.ruleSetLoaded = mustLoadRuleSet(JSON.parse(stored.value) as RuleSet);
  }

  private validate(candidate: unknown): LoadedRuleSet {
    const loaded = loadRuleSet(candidate);
    if (!loaded.ok) {
      throw new SaomaError('RISK_RULE_SET_INVALID', loaded.problems.slice(0, 10).map((p) => `${p.path}: ${p.message}`).join('; '), 'ruleSet');
    }
    return loaded.ruleSet;
  }

  /** Replays the most recent recorded decisions' features through a candidate rule set. */
  async dryRun(candidate: unknown, decisionsMax = RISK_DRY_RUN_DECISIONS_MAX): Promise<DryRun> {
    const ruleSet = this.validate(candidate);
    const rows = await this.db.selectFrom('risk_decisions').select(['id', 'payment_id', 'features', 'payer_consumer_id', 'payee_id']).orderBy('created_at_ms', 'desc').limit(decisionsMax).execute();
    const zero = (): Record<Outcome, number> => ({ approve: 0, challenge: 0, review: 0, decline: 0 });
    const active = zero();
    const proposed = zero();
    const shadowHits: Record<string, number> = {};
    const changed: DryRun['changed'][number][] = [];
    for (const row of rows) {
      const features = JSON.parse(row.features) as Features;
      const parties = { payer: row.payer_consumer_id, payee: row.payee_id };
      const before = decide(this.ruleSetLoaded, features, parties);
      const after = decide(ruleSet, features, parties);
      active[before.outcome]++;
      proposed[after.outcome]++;
      for (const id of after.shadowHits) shadowHits[id] = (shadowHits[id] ?? 0) + 1;
      if (before.outcome !== after.outcome && changed.length < 50) {
        changed.push({ decisionId: row.id, paymentId: row.payment_id, from: before.outcome, to: after.outcome, hits: after.hits.map((h) => h.ruleId) });
      }
    }
    return { candidateVersion: ruleSet.source.version, activeVersion: this.ruleSetLoaded.source.version, decisions: rows.length, active, candidate: proposed, changed, shadowHits };
  }

  /** Makes a rule set the active one, for this process and (through settings) every start after. */
  async activate(candidate: unknown, actor: string): Promise<LoadedRuleSet> {
    const ruleSet = this.validate(candidate);
    const now = this.nowMs();
    const previous = this.ruleSetLoaded.source.version;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('settings')
        .values({ key: RULE_SET_SETTING, value: JSON.stringify(candidate) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(candidate) }))
        .execute();
      await appendAudit(trx, { actor, action: 'risk.rule_set.activate', objectId: ruleSet.source.version, detail: { previous } }, now);
    });
    this.ruleSetLoaded = ruleSet;
    return ruleSet;
  }

  /** Rebuilds the features from what the database remembers: accounts, devices, recent payments. */
  async warmUp(): Promise<void> {
    const store = new InMemoryFeatureStore();
    const since = BigInt(this.nowMs() - RISK_WARMUP_DAYS * 24 * 60 * 60 * 1000);
    const events: RiskEvent[] = [];
    for (const c of await this.db.selectFrom('consumers').select(['id', 'created_at_ms']).execute()) {
      events.push({ type: 'account_opened', accountId: c.id, atMs: Number(c.created_at_ms) });
    }
    for (const m of await this.db.selectFrom('merchants').select(['id', 'created_at_ms']).execute()) {
      events.push({ type: 'account_opened', accountId: m.id, atMs: Number(m.created_at_ms) });
    }
    for (const d of await this.db.selectFrom('devices').select(['id', 'consumer_id', 'created_at_ms', 'trusted_from_ms']).execute()) {
      const via = Number(d.trusted_from_ms) > Number(d.created_at_ms) ? 'reverification' : 'approval';
      events.push({ type: 'device_bound', payerId: d.consumer_id, deviceId: d.id, via, atMs: Number(d.created_at_ms) });
    }
    const payments = await this.db
      .selectFrom('payments')
      .selectAll()
      .where('created_at_ms', '>=', since)
      .where('status', 'in', ['succeeded', 'refunded'])
      .orderBy('created_at_ms', 'desc')
      .limit(RISK_WARMUP_PAYMENTS_MAX)
      .execute();
    for (const p of payments) {
      events.push({
        type: 'payment',
        completed: true,
        atMs: Number(p.created_at_ms),
        payment: {
          kind: p.kind as RiskPayment['kind'],
          payerId: p.payer_consumer_id,
          deviceId: p.device_id ?? '',
          ip: undefined,
          payeeId: p.payee_consumer_id ?? p.merchant_id ?? '',
          payeeKind: p.kind === 'merchant' ? 'business' : 'person',
          merchantTier: p.kind === 'merchant' ? 'standard' : undefined,
          codeId: p.kind === 'p2p' ? undefined : (p.merchant_id ?? undefined),
          codeKind: p.channel === 'payment_code' ? 'payment_code' : p.channel === 'dynamic_merchant_code' ? 'dynamic' : p.kind === 'personal_code' ? 'personal' : p.kind === 'p2p' ? 'none' : 'static',
          codeVerdict: p.channel === 'transfer' || p.channel === 'payment_code' ? 'none' : 'genuine',
          amountMinor: BigInt(p.amount_minor),
          currency: p.currency,
          placeId: undefined,
        },
      });
    }
    // Analysts' labels (rules label.*), the newest RISK_WARMUP_PAYMENTS_MAX. Labels of the same
    // millisecond go in the order the label look-up reads them (by id), oldest first: the sort
    // below keeps it, so a replay and a look-up agree on which came last.
    const labels = await this.db.selectFrom('risk_labels').selectAll().orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(RISK_WARMUP_PAYMENTS_MAX).execute();
    for (const l of labels.reverse()) events.push(labelEvent(l));
    // Reports against payees and codes (rules report.*): every open or investigated one counts.
    for (const r of await this.db.selectFrom('fraud_reports').select(['kind', 'payee_id', 'created_at_ms']).where('payee_id', 'is not', null).execute()) {
      const id = r.payee_id ?? undefined;
      events.push(r.kind === 'code' ? { type: 'report', payeeId: undefined, codeId: id, atMs: Number(r.created_at_ms) } : { type: 'report', payeeId: id, codeId: undefined, atMs: Number(r.created_at_ms) });
    }
    events.sort((a, b) => a.atMs - b.atMs);
    for (const event of events) store.observe(event);
    this.features = store;
  }

  observe(event: RiskEvent): void {
    this.features.observe(event);
  }

  /** The row that records an analyst's verdict; write it with the decision, then call observeLabel. */
  labelRow(input: LabelInput, actor: string, now: number): Database['risk_labels'] {
    const culprits = input.verdict === 'legitimate' ? { accountIds: [], deviceIds: [], codeIds: [] } : input.culprits;
    const payment = input.verdict === 'withdrawn' ? { paymentId: null, payerId: null, payeeId: null } : input;
    return {
      id: newId('lbl'),
      verdict: input.verdict,
      payment_id: payment.paymentId,
      payer_id: payment.payerId,
      payee_id: payment.payeeId,
      culprit_accounts: JSON.stringify(culprits.accountIds),
      culprit_devices: JSON.stringify(culprits.deviceIds),
      culprit_codes: JSON.stringify(culprits.codeIds),
      actor,
      created_at_ms: BigInt(now),
    };
  }

  labelQuery(row: Database['risk_labels']): CompiledQuery {
    return this.db.insertInto('risk_labels').values(row).compile();
  }

  /** Feeds a stored label to the features: the next payment sees it. */
  observeLabel(row: Database['risk_labels']): void {
    this.features.observe(labelEvent(row));
  }

  /** Of the parties given, those labelled fraud now (the newest label naming each decides). */
  async labelled(parties: Culprits): Promise<Culprits> {
    return labelledOf(this.db, parties);
  }

  /** Whether a party is labelled fraud now, as what, and the labels naming it. */
  async partyLabels(partyId: string): Promise<PartyLabels> {
    const [kinds, rows] = await Promise.all([labelledKinds(this.db, partyId), labelHistory(this.db, partyId)]);
    return { labelledAs: [...kinds], labels: rows.map(labelView) };
  }

  /**
   * Withdraws fraud labels found to be mistaken (an appeal upheld): stored as a `withdrawn` label
   * with the audit entry, then fed to the features. Every party named must be labelled fraud now
   * as what it is named (RISK_LABEL_NOT_ACTIVE otherwise, and nothing is stored).
   */
  async withdrawLabels(parties: Culprits, reason: string, actor: string): Promise<LabelView> {
    const named = [...parties.accountIds, ...parties.deviceIds, ...parties.codeIds];
    if (named.length === 0 || named.length > RISK_LABEL_WITHDRAW_IDS_MAX) {
      throw new SaomaError('INVALID_REQUEST', `name 1 to ${RISK_LABEL_WITHDRAW_IDS_MAX} accounts, devices and codes together`, 'accountIds');
    }
    for (const field of ['accountIds', 'deviceIds', 'codeIds'] as const) {
      if (new Set(parties[field]).size !== parties[field].length) throw new SaomaError('INVALID_REQUEST', `${field} names an id twice`, field);
    }
    const trimmed = reason.trim();
    if (trimmed.length < RISK_LABEL_REASON_CHARS_MIN || reason.length > RISK_LABEL_REASON_CHARS_MAX) {
      throw new SaomaError('INVALID_REQUEST', `a reason is ${RISK_LABEL_REASON_CHARS_MIN} to ${RISK_LABEL_REASON_CHARS_MAX} characters`, 'reason');
    }
    const now = this.nowMs();
    const row = await this.db.transaction().execute(async (trx) => {
      await lockLabelWithdrawals(trx);
      const active = await labelledOf(trx, parties);
      for (const field of ['accountIds', 'deviceIds', 'codeIds'] as const) {
        const index = parties[field].findIndex((id) => !active[field].includes(id));
        if (index >= 0) throw new SaomaError('RISK_LABEL_NOT_ACTIVE', `${parties[field][index]} is not labelled fraud as ${field === 'accountIds' ? 'an account' : field === 'deviceIds' ? 'a device' : 'a code'} now`, `${field}.${index}`);
      }
      // Stored after every label it withdraws, even within the same millisecond: labels apply in
      // time order, at start-up as here, and a tie could replay the withdrawal first.
      const atMs = Math.max(now, (await latestLabelMs(trx, parties)) + 1);
      const label = this.labelRow({ verdict: 'withdrawn', culprits: parties }, actor, atMs);
      await trx.insertInto('risk_labels').values(label).execute();
      await appendAudit(trx, { actor, action: 'risk.label.withdraw', objectId: label.id, detail: { reason: trimmed, ...parties } }, now);
      return label;
    });
    this.observeLabel(row);
    return labelView(row);
  }

  /** Decides a payment about to be made. Pure in-memory work: well under a millisecond. */
  assess(payment: RiskPayment, now: number): RiskVerdict {
    const features = this.features.features(payment, now);
    const decision = decide(this.ruleSetLoaded, features, { payer: payment.payerId, device: payment.deviceId, payee: payment.payeeId, code: payment.codeId, ip: payment.ip });
    return { decision, decisionId: newId('rsk'), features };
  }

  /** The decision's row, to write with the payment (an effect) or on its own (a refusal). */
  decisionRow(
    verdict: RiskVerdict,
    payment: RiskPayment,
    effect: RiskEffect,
    ids: { paymentId: string | null; challengeId: string | null },
    now: number,
  ): Database['risk_decisions'] {
    const d = verdict.decision;
    return {
      id: verdict.decisionId,
      payment_id: ids.paymentId,
      challenge_id: ids.challengeId,
      payer_consumer_id: payment.payerId,
      payee_id: payment.payeeId,
      amount_minor: payment.amountMinor,
      currency: payment.currency,
      outcome: d.outcome,
      effect,
      score: Math.round(d.score),
      hits: JSON.stringify(d.hits),
      reasons: JSON.stringify(d.reasons),
      rule_set_version: d.ruleSetVersion,
      features: JSON.stringify(verdict.features),
      created_at_ms: BigInt(now),
      reviewed_by: null,
      review_outcome: null,
      reviewed_at_ms: null,
    };
  }

  insertQuery(row: Database['risk_decisions']): CompiledQuery {
    return this.db.insertInto('risk_decisions').values(row).onConflict((oc) => oc.column('id').doNothing()).compile();
  }

  async record(row: Database['risk_decisions']): Promise<void> {
    await this.db.insertInto('risk_decisions').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
  }
}

function labelEvent(row: Database['risk_labels']): RiskEvent {
  const atMs = Number(row.created_at_ms);
  if (row.verdict === 'legitimate') return { type: 'label', verdict: 'legitimate', payerId: row.payer_id ?? '', payeeId: row.payee_id ?? '', atMs };
  // Only this service writes labels: another verdict is a broken store, not one to read as fraud.
  assert(row.verdict === 'fraud' || row.verdict === 'withdrawn', `label ${row.id} has a known verdict, not ${row.verdict}`);
  return { type: 'label', verdict: row.verdict, culprits: culpritsOf(row), atMs };
}
