// The dashboard: payments per minute, the risk engine's outcome rates, the reserve invariant and
// the open cases, refreshed every 10 seconds.
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useT } from '../shared/i18n.js';
import { formatMoney } from '../shared/money.js';
import { BarChart, type ChartPoint } from './chart.js';
import { can } from './permissions.js';
import { useSession, useStaffApi } from './session.js';
import type { Dashboard } from './types.js';
import { ErrorNote, formatClock, formatTime, Loading, percent, ScreenHeading, useDocumentTitle, useLoad } from './ui.js';

export const DASHBOARD_REFRESH_MS = 10_000;
const MINUTE_MS = 60_000;

/** One point per minute of the window, oldest first, whether or not the server sent the empty ones. */
export function minuteSeries(d: Dashboard): { minuteMs: number; payments: number; amountMinor: number }[] {
  const minutes = Math.max(1, d.windowMinutes);
  const last = Math.floor(d.nowMs / MINUTE_MS) * MINUTE_MS;
  const byMinute = new Map(d.perMinute.map((p) => [Math.floor(p.minuteMs / MINUTE_MS) * MINUTE_MS, p]));
  const series = [];
  for (let i = minutes - 1; i >= 0; i--) {
    const minuteMs = last - i * MINUTE_MS;
    const p = byMinute.get(minuteMs);
    series.push({ minuteMs, payments: p?.payments ?? 0, amountMinor: p?.amountMinor ?? 0 });
  }
  return series;
}

export function DashboardScreen() {
  const { t, lang } = useT();
  const { staff } = useSession();
  const call = useStaffApi();
  useDocumentTitle(t({ zh: '概览', en: 'Dashboard' }));
  const loaded = useLoad(() => call<Dashboard>('GET', '/v1/ops/dashboard'), 'dashboard', DASHBOARD_REFRESH_MS);
  const d = loaded.data;

  return (
    <section aria-labelledby="dash-title">
      <div className="screen-head">
        <ScreenHeading>
          <span id="dash-title">{t({ zh: '概览', en: 'Dashboard' })}</span>
        </ScreenHeading>
        <p className="muted">
          {loaded.updatedAtMs
            ? t({ zh: `更新于 ${formatTime(loaded.updatedAtMs, lang)}，每 10 秒刷新`, en: `Updated ${formatTime(loaded.updatedAtMs, lang)}; refreshes every 10 s` })
            : null}
        </p>
      </div>
      <ErrorNote error={loaded.error} prefix={{ zh: '概览数据加载失败', en: 'The dashboard could not be loaded' }} />
      {!d ? (
        loaded.error ? null : <Loading />
      ) : (
        <div className="dash-grid">
          <Reserve d={d} />
          <div className="card dash-chart">
            <PaymentsChart d={d} />
          </div>
          <Rates d={d} />
          <div className="card" data-testid="dash-open-cases" aria-live="polite">
            <h2>{t({ zh: '待处理事项', en: 'Open cases' })}</h2>
            <ul className="case-list">
              <li>
                <CaseLink to={can(staff.role, 'viewRiskReviews') ? '/risk' : undefined} count={d.openCases.riskReviews} testId="case-risk">
                  {t({ zh: '风控待审支付', en: 'Payments held for risk review' })}
                </CaseLink>
              </li>
              <li>
                <CaseLink to={can(staff.role, 'viewFraudReports') ? '/reports?status=open' : undefined} count={d.openCases.fraudReports} testId="case-reports">
                  {t({ zh: '未处理的欺诈举报', en: 'Open fraud reports' })}
                </CaseLink>
              </li>
              <li>
                <CaseLink to={can(staff.role, 'viewMerchants') ? '/merchants?status=pending' : undefined} count={d.openCases.pendingMerchants} testId="case-merchants">
                  {t({ zh: '待审核商户', en: 'Merchants awaiting review' })}
                </CaseLink>
              </li>
            </ul>
          </div>
        </div>
      )}
    </section>
  );
}

function CaseLink({ to, count, children, testId }: { to: string | undefined; count: number; children: ReactNode; testId: string }) {
  const body = (
    <>
      <span className="case-count" data-testid={testId} data-count={count}>
        {count}
      </span>{' '}
      <span>{children}</span>
    </>
  );
  return to ? (
    <Link to={to} className="case-link">
      {body}
    </Link>
  ) : (
    <span className="case-link">{body}</span>
  );
}

function Reserve({ d }: { d: Dashboard }) {
  const { t, lang } = useT();
  const ok = d.reserve.ok;
  return (
    <div className={`banner ${ok ? 'ok' : 'bad'} dash-reserve`} data-testid="dash-reserve" data-ok={String(ok)} role={ok ? 'status' : 'alert'}>
      <strong>
        {ok
          ? t({ zh: '✓ 备付金不变量成立：账本平衡', en: '✓ Reserve invariant holds: the books balance' })
          : t({ zh: '✗ 备付金不变量被破坏', en: '✗ Reserve invariant violated' })}
      </strong>
      {d.reserve.message ? <span> — {d.reserve.message}</span> : null}
      <div className="small">{t({ zh: `检查于 ${formatTime(d.reserve.checkedAtMs, lang)}`, en: `Checked ${formatTime(d.reserve.checkedAtMs, lang)}` })}</div>
    </div>
  );
}

function PaymentsChart({ d }: { d: Dashboard }) {
  const { t, lang } = useT();
  const series = minuteSeries(d);
  const points: ChartPoint[] = series.map((p) => ({
    label: formatClock(p.minuteMs, lang),
    value: p.payments,
    detail: p.payments > 0 ? formatMoney(p.amountMinor, d.currency) : undefined,
  }));
  const total = series.reduce((sum, p) => sum + p.payments, 0);
  const amount = series.reduce((sum, p) => sum + BigInt(p.amountMinor), 0n);
  let peak = series[0];
  for (const p of series) if (peak === undefined || p.payments > peak.payments) peak = p;
  const minutes = series.length;
  const summary =
    total === 0 || !peak
      ? t({ zh: `最近 ${minutes} 分钟没有支付。`, en: `No payments in the last ${minutes} minutes.` })
      : t({
          zh: `最近 ${minutes} 分钟共 ${total} 笔支付，金额 ${formatMoney(amount, d.currency)}；最繁忙的一分钟是 ${formatClock(peak.minuteMs, lang)}，${peak.payments} 笔。`,
          en: `${total} payment${total === 1 ? '' : 's'} in the last ${minutes} minutes, ${formatMoney(amount, d.currency)} in total; the busiest minute was ${formatClock(peak.minuteMs, lang)} with ${peak.payments}.`,
        });
  return (
    <BarChart
      testId="dash-ppm-chart"
      points={points}
      title={{ zh: `每分钟支付笔数（最近 ${minutes} 分钟）`, en: `Payments per minute (last ${minutes} minutes)` }}
      valueHeading={{ zh: '支付笔数', en: 'Payments' }}
      summary={summary}
    />
  );
}

function Rates({ d }: { d: Dashboard }) {
  const { t } = useT();
  const r = d.risk;
  const rows = [
    { key: 'approved', label: t({ zh: '通过', en: 'Approved' }), count: r.approved },
    { key: 'challenged', label: t({ zh: '加强验证', en: 'Step-up (challenge)' }), count: r.challenged },
    { key: 'held', label: t({ zh: '人工审核', en: 'Held for review' }), count: r.held },
    { key: 'declined', label: t({ zh: '拒绝', en: 'Declined' }), count: r.declined },
  ];
  return (
    <div className="card" data-testid="dash-rates" data-decisions={r.decisions}>
      <h2>{t({ zh: '风控决策', en: 'Risk decisions' })}</h2>
      <p className="muted">{t({ zh: `最近 ${d.windowMinutes} 分钟共 ${r.decisions} 次决策`, en: `${r.decisions} decision${r.decisions === 1 ? '' : 's'} in the last ${d.windowMinutes} minutes` })}</p>
      <table className="rates">
        <thead>
          <tr>
            <th scope="col">{t({ zh: '结果', en: 'Outcome' })}</th>
            <th scope="col" className="num">{t({ zh: '比例', en: 'Rate' })}</th>
            <th scope="col" className="num">{t({ zh: '次数', en: 'Count' })}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} data-outcome={row.key}>
              <th scope="row">{row.label}</th>
              <td className="num">{percent(row.count, r.decisions)}</td>
              <td className="num">{row.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
