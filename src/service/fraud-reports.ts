import type { Kysely } from 'kysely';
import { SaomaError } from '../core/errors.js';
import { FRAUD_CODE_REPORTS_PER_DAY_MAX } from '../core/limits.js';
import type { Database, FraudReportsTable } from '../store/schema.js';
import { isUniqueViolation } from '../store/errors.js';
import { appendAudit } from './audit.js';
import { newId } from './crypto.js';
import type { PaymentService } from './payments.js';
import type { RiskService } from './risk.js';

export type FraudReportReason = 'unauthorised' | 'scam' | 'wrong_payee' | 'counterfeit_code' | 'other';
export type FraudReportStatus = 'open' | 'investigating' | 'closed';
export const FRAUD_REPORT_STATUSES: readonly FraudReportStatus[] = ['open', 'investigating', 'closed'];

export interface FraudReportView {
  readonly id: string;
  readonly kind: 'payment' | 'code';
  readonly reason: FraudReportReason;
  readonly status: FraudReportStatus;
  readonly description: string;
  readonly paymentId: string | null;
  readonly merchantId: string | null;
  readonly payeeName: string | null;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly codeVerdict: string | null;
  readonly resolution: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface OpsFraudReportView extends FraudReportView {
  readonly reporterConsumerId: string;
  readonly payeeId: string | null;
  readonly codePayload: string | null;
  readonly handledBy: string | null;
  readonly evidence: Record<string, unknown>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Fraud reports from the wallet: "this wasn't me" on a payment and "report this code". Each is a
 * record with the evidence known when it was filed and a status an analyst moves on; the claims
 * and compensation process builds on it later. A report also tells the risk engine at once, so the
 * next payment to a reported payee or code is held (rules report.*).
 */
export class FraudReportService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly payments: PaymentService,
    private readonly nowMs: () => number = Date.now,
    private readonly risk?: RiskService,
  ) {}

  async reportPayment(consumerId: string, paymentId: string, input: { reason: FraudReportReason; description: string }): Promise<FraudReportView> {
    const payment = await this.db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
    // Only the payer reports a payment; anyone else learns nothing about it.
    if (!payment || payment.payer_consumer_id !== consumerId) throw new SaomaError('PAYMENT_NOT_FOUND', undefined, 'paymentId');
    const existing = await this.db.selectFrom('fraud_reports').select('id').where('payment_id', '=', paymentId).where('reporter_consumer_id', '=', consumerId).executeTakeFirst();
    if (existing) throw new SaomaError('FRAUD_REPORT_EXISTS', `this payment was already reported (${existing.id})`);
    const now = this.nowMs();
    const decisions = await this.db
      .selectFrom('risk_decisions')
      .select(['id', 'outcome', 'effect', 'score', 'hits', 'reasons', 'rule_set_version', 'created_at_ms', 'review_outcome', 'reviewed_by'])
      .where('payment_id', '=', paymentId)
      .orderBy('created_at_ms')
      .execute();
    const device = payment.device_id
      ? await this.db.selectFrom('devices').select(['id', 'kind', 'label', 'status', 'created_at_ms', 'trusted_from_ms']).where('id', '=', payment.device_id).executeTakeFirst()
      : undefined;
    const payeeId = payment.payee_consumer_id ?? payment.merchant_id;
    const payeeName = await this.payeeName(payment.merchant_id, payment.payee_consumer_id);
    const evidence = {
      payment: {
        id: payment.id,
        kind: payment.kind,
        channel: payment.channel,
        status: payment.status,
        level: payment.level,
        amountMinor: Number(payment.amount_minor),
        refundedMinor: Number(payment.refunded_minor),
        currency: payment.currency,
        orderId: payment.order_id,
        createdAtMs: Number(payment.created_at_ms),
        compensationPromise: payment.compensation_promise === 1,
      },
      device: device
        ? { id: device.id, kind: device.kind, label: device.label, status: device.status, createdAtMs: Number(device.created_at_ms), trustedFromMs: Number(device.trusted_from_ms) }
        : null,
      riskDecisions: decisions.map((d) => ({
        id: d.id,
        outcome: d.outcome,
        effect: d.effect,
        score: Number(d.score),
        hits: JSON.parse(d.hits) as unknown,
        reasons: JSON.parse(d.reasons) as unknown,
        ruleSetVersion: d.rule_set_version,
        createdAtMs: Number(d.created_at_ms),
        reviewOutcome: d.review_outcome,
      })),
      minutesFromPaymentToReport: Math.floor((now - Number(payment.created_at_ms)) / 60_000),
    };
    const row: FraudReportsTable = {
      id: newId('frp'),
      kind: 'payment',
      reason: input.reason,
      status: 'open',
      description: input.description,
      reporter_consumer_id: consumerId,
      payment_id: payment.id,
      merchant_id: payment.merchant_id,
      payee_id: payeeId,
      payee_name: payeeName,
      amount_minor: BigInt(payment.amount_minor),
      currency: payment.currency,
      code_payload: null,
      code_verdict: null,
      evidence: JSON.stringify(evidence),
      resolution: null,
      handled_by: null,
      created_at_ms: BigInt(now),
      updated_at_ms: BigInt(now),
    };
    await this.insert(row);
    this.risk?.observe({ type: 'report', payeeId: payeeId ?? undefined, codeId: undefined, atMs: now });
    return this.view(row);
  }

  async reportCode(consumerId: string, code: string, description: string): Promise<FraudReportView> {
    const now = this.nowMs();
    const recent = await this.db
      .selectFrom('fraud_reports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('reporter_consumer_id', '=', consumerId)
      .where('kind', '=', 'code')
      .where('created_at_ms', '>', BigInt(now - DAY_MS))
      .executeTakeFirstOrThrow();
    if (Number(recent.n) >= FRAUD_CODE_REPORTS_PER_DAY_MAX) throw new SaomaError('RATE_LIMITED', `at most ${FRAUD_CODE_REPORTS_PER_DAY_MAX} code reports a day; our team is looking at the ones you sent`);
    const resolution = await this.payments.resolveCode(code);
    // A genuine code someone reports (a personal code stuck on a shop's counter) names a payee;
    // a counterfeit names nobody we can trust, so it holds no honest merchant's payments.
    const payee = resolution.verdict === 'counterfeit' ? undefined : resolution.payee;
    const row: FraudReportsTable = {
      id: newId('frp'),
      kind: 'code',
      reason: resolution.verdict === 'counterfeit' ? 'counterfeit_code' : 'scam',
      status: 'open',
      description,
      reporter_consumer_id: consumerId,
      payment_id: null,
      merchant_id: payee?.id ?? null,
      payee_id: payee?.id ?? null,
      payee_name: payee?.name ?? null,
      amount_minor: null,
      currency: null,
      code_payload: code,
      code_verdict: resolution.verdict,
      evidence: JSON.stringify({ resolution }),
      resolution: null,
      handled_by: null,
      created_at_ms: BigInt(now),
      updated_at_ms: BigInt(now),
    };
    await this.insert(row);
    if (payee) this.risk?.observe({ type: 'report', payeeId: undefined, codeId: payee.id, atMs: now });
    return this.view(row);
  }

  async listForConsumer(consumerId: string, limit: number): Promise<FraudReportView[]> {
    const rows = await this.db.selectFrom('fraud_reports').selectAll().where('reporter_consumer_id', '=', consumerId).orderBy('created_at_ms', 'desc').limit(limit).execute();
    return rows.map((r) => this.view(r));
  }

  async list(input: { status?: FraudReportStatus | undefined; limit: number; beforeMs?: number | undefined }): Promise<OpsFraudReportView[]> {
    let query = this.db.selectFrom('fraud_reports').selectAll().orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(input.limit);
    if (input.status) query = query.where('status', '=', input.status);
    if (input.beforeMs !== undefined) query = query.where('created_at_ms', '<', BigInt(input.beforeMs));
    return (await query.execute()).map((r) => this.opsView(r));
  }

  async get(reportId: string): Promise<OpsFraudReportView> {
    const row = await this.db.selectFrom('fraud_reports').selectAll().where('id', '=', reportId).executeTakeFirst();
    if (!row) throw new SaomaError('FRAUD_REPORT_NOT_FOUND', undefined, 'reportId');
    return this.opsView(row);
  }

  /**
   * Moves a report on. `confirmedFraud`: the investigation found the reported payee (and, for a
   * code report, the code) to be a fraudster's; that is stored as a label and stops its next
   * payments from anyone new (risk rules label.*).
   */
  async setStatus(reportId: string, status: FraudReportStatus, note: string, actor: string, confirmedFraud = false): Promise<OpsFraudReportView> {
    const now = this.nowMs();
    const report = await this.db.selectFrom('fraud_reports').select(['id', 'kind', 'payee_id', 'payment_id', 'reporter_consumer_id']).where('id', '=', reportId).executeTakeFirst();
    if (!report) throw new SaomaError('FRAUD_REPORT_NOT_FOUND', undefined, 'reportId');
    if (confirmedFraud && report.payee_id === null) throw new SaomaError('INVALID_REQUEST', 'this report names no payee to mark as fraud', 'confirmedFraud');
    const label =
      confirmedFraud && this.risk && report.payee_id !== null
        ? this.risk.labelRow(
            {
              verdict: 'fraud',
              paymentId: report.payment_id,
              payerId: report.reporter_consumer_id,
              payeeId: report.payee_id,
              // A code report's payee is the code's own id, as the risk engine keys codes.
              culprits: { accountIds: [report.payee_id], deviceIds: [], codeIds: report.kind === 'code' ? [report.payee_id] : [] },
            },
            actor,
            now,
          )
        : undefined;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('fraud_reports').set({ status, resolution: note === '' ? null : note, handled_by: actor, updated_at_ms: BigInt(now) }).where('id', '=', reportId).execute();
      if (label) await trx.insertInto('risk_labels').values(label).execute();
      await appendAudit(trx, { actor, action: 'fraud_report.status', objectId: reportId, detail: { status, confirmedFraud } }, now);
    });
    if (label) this.risk!.observeLabel(label);
    return this.get(reportId);
  }

  async openCount(): Promise<number> {
    const r = await this.db
      .selectFrom('fraud_reports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '!=', 'closed')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private async insert(row: FraudReportsTable): Promise<void> {
    try {
      await this.db.insertInto('fraud_reports').values(row).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new SaomaError('FRAUD_REPORT_EXISTS');
      throw error;
    }
    await appendAudit(this.db, { actor: `consumer:${row.reporter_consumer_id}`, action: `fraud_report.filed.${row.kind}`, objectId: row.id, detail: { paymentId: row.payment_id, reason: row.reason } }, Number(row.created_at_ms));
  }

  private async payeeName(merchantId: string | null, payeeConsumerId: string | null): Promise<string | null> {
    if (merchantId) return (await this.db.selectFrom('merchants').select('display_name').where('id', '=', merchantId).executeTakeFirst())?.display_name ?? null;
    if (payeeConsumerId) return (await this.db.selectFrom('consumers').select('display_name').where('id', '=', payeeConsumerId).executeTakeFirst())?.display_name ?? null;
    return null;
  }

  private view(r: FraudReportsTable): FraudReportView {
    return {
      id: r.id,
      kind: r.kind as FraudReportView['kind'],
      reason: r.reason as FraudReportReason,
      status: r.status as FraudReportStatus,
      description: r.description,
      paymentId: r.payment_id,
      merchantId: r.merchant_id,
      payeeName: r.payee_name,
      amountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
      currency: r.currency,
      codeVerdict: r.code_verdict,
      resolution: r.resolution,
      createdAtMs: Number(r.created_at_ms),
      updatedAtMs: Number(r.updated_at_ms),
    };
  }

  private opsView(r: FraudReportsTable): OpsFraudReportView {
    return {
      ...this.view(r),
      reporterConsumerId: r.reporter_consumer_id,
      payeeId: r.payee_id,
      codePayload: r.code_payload,
      handledBy: r.handled_by,
      evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    };
  }
}
