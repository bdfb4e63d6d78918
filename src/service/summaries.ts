import { sql, type Kysely } from 'kysely';
import { CN_PBOC_UTC_OFFSET_MS } from '../core/limits.js';
import { policyDay } from '../core/policy/cn-pboc.js';
import type { Database } from '../store/schema.js';
import type { LedgerService } from './ledger.js';

// Read models for screens: a merchant's day at the counter, the operators' dashboard. Aggregated in
// SQL (GROUP BY), so a busy day costs the database a scan of one day's index range, not the server
// a loop over every payment.

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The ledger check is a full audit; the dashboard reuses its last verdict this long. */
const RESERVE_CHECK_CACHE_MS = 15_000;
export const DASHBOARD_WINDOW_MINUTES = 60;

export interface MerchantDaySummary {
  readonly day: string;
  readonly currency: string;
  readonly payments: number;
  readonly grossMinor: number;
  readonly refundedMinor: number;
  readonly feeMinor: number;
  readonly netMinor: number;
  readonly hourly: { hour: number; payments: number; amountMinor: number }[];
}

export interface OpsDashboard {
  readonly nowMs: number;
  readonly windowMinutes: number;
  readonly currency: string;
  readonly perMinute: { minuteMs: number; payments: number; amountMinor: number }[];
  readonly risk: { decisions: number; approved: number; challenged: number; held: number; declined: number };
  readonly reserve: { ok: boolean; message: string; checkedAtMs: number };
  readonly openCases: { riskReviews: number; fraudReports: number; pendingMerchants: number };
}

/** Start of the policy day (Asia/Shanghai, no daylight saving) that holds `nowMs`. */
export function policyDayStartMs(nowMs: number): number {
  return Math.floor((nowMs + CN_PBOC_UTC_OFFSET_MS) / DAY_MS) * DAY_MS - CN_PBOC_UTC_OFFSET_MS;
}

export class Summaries {
  private reserveCache: { ok: boolean; message: string; checkedAtMs: number } | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ledger: LedgerService,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async merchantDay(merchantId: string, currency: string): Promise<MerchantDaySummary> {
    const now = this.nowMs();
    const start = policyDayStartMs(now);
    // Payments that took money today: succeeded, or refunded later (the refunds are subtracted).
    // Literals, not parameters: PostgreSQL matches the GROUP BY expression to the SELECT one by text.
    const hour = sql<bigint>`(created_at_ms - ${sql.lit(start)}) / ${sql.lit(HOUR_MS)}`;
    const rows = await this.db
      .selectFrom('payments')
      .select([
        hour.as('hour'),
        (eb) => eb.fn.countAll<bigint>().as('n'),
        (eb) => eb.fn.sum<bigint>('amount_minor').as('amount'),
        (eb) => eb.fn.sum<bigint>('refunded_minor').as('refunded'),
        (eb) => eb.fn.sum<bigint>(sql`fee_minor - fee_refunded_minor`).as('fee'),
      ])
      .where('merchant_id', '=', merchantId)
      .where('status', 'in', ['succeeded', 'refunded'])
      .where('created_at_ms', '>=', BigInt(start))
      .where('created_at_ms', '<', BigInt(start + DAY_MS))
      .groupBy(hour)
      .execute();
    let payments = 0;
    let gross = 0n;
    let refunded = 0n;
    let fee = 0n;
    const hourly = Array.from({ length: 24 }, (_, h) => ({ hour: h, payments: 0, amountMinor: 0 }));
    for (const r of rows) {
      const h = Number(r.hour);
      const amount = BigInt(r.amount ?? 0);
      payments += Number(r.n);
      gross += amount;
      refunded += BigInt(r.refunded ?? 0);
      fee += BigInt(r.fee ?? 0);
      if (h >= 0 && h < 24) hourly[h] = { hour: h, payments: Number(r.n), amountMinor: Number(amount) };
    }
    return {
      day: policyDay(now),
      currency,
      payments,
      grossMinor: Number(gross),
      refundedMinor: Number(refunded),
      feeMinor: Number(fee),
      netMinor: Number(gross - refunded - fee),
      hourly,
    };
  }

  async dashboard(currency: string): Promise<OpsDashboard> {
    const now = this.nowMs();
    const firstMinute = Math.floor(now / MINUTE_MS) * MINUTE_MS - (DASHBOARD_WINDOW_MINUTES - 1) * MINUTE_MS;
    const minute = sql<bigint>`created_at_ms / ${sql.lit(MINUTE_MS)}`;
    const rows = await this.db
      .selectFrom('payments')
      .select([minute.as('minute'), (eb) => eb.fn.countAll<bigint>().as('n'), (eb) => eb.fn.sum<bigint>('amount_minor').as('amount')])
      .where('status', 'in', ['succeeded', 'refunded'])
      .where('currency', '=', currency)
      .where('created_at_ms', '>=', BigInt(firstMinute))
      .groupBy(minute)
      .execute();
    const perMinute = Array.from({ length: DASHBOARD_WINDOW_MINUTES }, (_, i) => ({ minuteMs: firstMinute + i * MINUTE_MS, payments: 0, amountMinor: 0 }));
    for (const r of rows) {
      const i = (Number(r.minute) * MINUTE_MS - firstMinute) / MINUTE_MS;
      if (i >= 0 && i < perMinute.length) perMinute[i] = { minuteMs: firstMinute + i * MINUTE_MS, payments: Number(r.n), amountMinor: Number(r.amount ?? 0) };
    }
    const effects = await this.db
      .selectFrom('risk_decisions')
      .select(['effect', (eb) => eb.fn.countAll<bigint>().as('n')])
      .where('created_at_ms', '>=', BigInt(firstMinute))
      .groupBy('effect')
      .execute();
    const count = (effect: string) => Number(effects.find((e) => e.effect === effect)?.n ?? 0);
    const risk = { approved: count('completed'), challenged: count('challenged'), held: count('held'), declined: count('declined') };
    const n = async (query: Promise<{ n: bigint | number | string }>) => Number((await query).n);
    const riskReviews = await n(
      this.db.selectFrom('payments').select((eb) => eb.fn.countAll<bigint>().as('n')).where('status', '=', 'held_for_review').executeTakeFirstOrThrow(),
    );
    const fraudReports = await n(
      this.db.selectFrom('fraud_reports').select((eb) => eb.fn.countAll<bigint>().as('n')).where('status', '!=', 'closed').executeTakeFirstOrThrow(),
    );
    const pendingMerchants = await n(this.db.selectFrom('merchants').select((eb) => eb.fn.countAll<bigint>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow());
    return {
      nowMs: now,
      windowMinutes: DASHBOARD_WINDOW_MINUTES,
      currency,
      perMinute,
      risk: { decisions: risk.approved + risk.challenged + risk.held + risk.declined, ...risk },
      reserve: await this.reserve(now),
      openCases: { riskReviews, fraudReports, pendingMerchants },
    };
  }

  private async reserve(now: number): Promise<{ ok: boolean; message: string; checkedAtMs: number }> {
    if (this.reserveCache && now - this.reserveCache.checkedAtMs < RESERVE_CHECK_CACHE_MS) return this.reserveCache;
    const verdict = await this.ledger.verify();
    const message = verdict.ok
      ? `books balance: ${verdict.accounts} accounts, customer funds covered 1:1 by the reserve`
      : `${verdict.violations.length} violation(s): ${verdict.violations
          .slice(0, 3)
          .map((v) => `${v.check}: ${v.detail}`)
          .join('; ')}`;
    this.reserveCache = { ok: verdict.ok, message, checkedAtMs: now };
    return this.reserveCache;
  }
}
