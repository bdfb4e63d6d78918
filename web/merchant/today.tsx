// Today's totals (the Asia/Shanghai day, as the server counts it) and the hourly chart.
import { useCallback, useEffect, useState } from 'react';
import { useT } from '../shared/i18n.js';
import { formatMoney } from '../shared/money.js';
import { ErrorMessage } from './errors.js';
import { HourlyChart, type HourBar } from './chart.js';
import { useLive } from './live.js';
import { useSession } from './session.js';

export interface DaySummary {
  readonly day: string;
  readonly currency: string;
  readonly payments: number;
  readonly grossMinor: number;
  readonly refundedMinor: number;
  readonly feeMinor: number;
  readonly netMinor: number;
  readonly hourly: readonly HourBar[];
}

export function TodayPage() {
  const { t } = useT();
  const { call } = useSession();
  const { changes } = useLive();
  const [summary, setSummary] = useState<DaySummary | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(async () => {
    try {
      setSummary(await call<DaySummary>('GET', '/v1/merchant/summary'));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, [call]);

  useEffect(() => {
    void load();
  }, [load, changes]);

  const hours: HourBar[] = Array.from({ length: 24 }, (_, hour) => summary?.hourly.find((h) => h.hour === hour) ?? { hour, payments: 0, amountMinor: 0 });
  return (
    <div>
      <h1 tabIndex={-1}>
        {t({ zh: '今日收款', en: 'Today' })} {summary ? <span className="muted small">{summary.day}</span> : null}
      </h1>
      {error !== undefined ? (
        <div>
          <ErrorMessage error={error} />
          <button type="button" onClick={() => void load()}>
            {t({ zh: '重试', en: 'Try again' })}
          </button>
        </div>
      ) : null}
      {!summary && error === undefined ? <p role="status">{t({ zh: '正在读取…', en: 'Loading…' })}</p> : null}
      {summary ? (
        <>
          <div className="totals" aria-live="polite">
            <div className="card total">
              <div className="muted">{t({ zh: '收款总额', en: 'Takings' })}</div>
              <div className="amount" data-testid="today-total" data-amount-minor={summary.grossMinor}>
                {formatMoney(summary.grossMinor, summary.currency)}
              </div>
            </div>
            <div className="card total">
              <div className="muted">{t({ zh: '笔数', en: 'Payments' })}</div>
              <div className="amount" data-testid="today-count">
                {summary.payments}
              </div>
            </div>
            <div className="card total">
              <div className="muted">{t({ zh: '退款', en: 'Refunded' })}</div>
              <div className="amount-sm" data-testid="today-refunded">
                {formatMoney(summary.refundedMinor, summary.currency)}
              </div>
            </div>
            <div className="card total">
              <div className="muted">{t({ zh: '手续费', en: 'Fees' })}</div>
              <div className="amount-sm" data-testid="today-fee">
                {formatMoney(summary.feeMinor, summary.currency)}
              </div>
            </div>
            <div className="card total">
              <div className="muted">{t({ zh: '净收入', en: 'Net' })}</div>
              <div className="amount-sm" data-testid="today-net">
                {formatMoney(summary.netMinor, summary.currency)}
              </div>
            </div>
          </div>
          <section className="card">
            <h2>{t({ zh: '每小时收款', en: 'Takings by hour' })}</h2>
            <HourlyChart
              hours={hours}
              currency={summary.currency}
              testId="today-chart"
              caption={t({
                zh: `${summary.day} 每小时收款金额（北京时间）：共 ${summary.payments} 笔，${formatMoney(summary.grossMinor, summary.currency)}`,
                en: `Takings per hour on ${summary.day} (Beijing time): ${summary.payments} payments, ${formatMoney(summary.grossMinor, summary.currency)}`,
              })}
            />
          </section>
        </>
      ) : null}
    </div>
  );
}
