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
} from '../core/risk/index.js';
import { RISK_WARMUP_DAYS, RISK_WARMUP_PAYMENTS_MAX } from '../core/limits.js';
import type { Database } from '../store/schema.js';
import { newId } from './crypto.js';

/** What became of a decided payment. */
export type RiskEffect = 'completed' | 'challenged' | 'held' | 'declined';

export interface RiskVerdict {
  readonly decision: Decision;
  readonly decisionId: string;
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
    events.sort((a, b) => a.atMs - b.atMs);
    for (const event of events) store.observe(event);
    this.features = store;
  }

  observe(event: RiskEvent): void {
    this.features.observe(event);
  }

  /** Decides a payment about to be made. Pure in-memory work: well under a millisecond. */
  assess(payment: RiskPayment, now: number): RiskVerdict {
    const decision = decide(
      this.ruleSetLoaded,
      this.features.features(payment, now),
      { payer: payment.payerId, device: payment.deviceId, payee: payment.payeeId, code: payment.codeId, ip: payment.ip },
    );
    return { decision, decisionId: newId('rsk') };
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
