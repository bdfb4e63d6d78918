// Fraud reports from wallets ("this wasn't me", "report this code"): a list by status and a
// detail with the evidence captured when it was filed; roles that may move its status.
import { useState } from 'react';
import { Link, Route, Routes, useParams, useSearchParams } from 'react-router';
import { useT, type Text } from '../shared/i18n.js';
import { formatMoney } from '../shared/money.js';
import { can } from './permissions.js';
import { useSession, useStaffApi } from './session.js';
import type { FraudReport, ReportStatus } from './types.js';
import { ErrorNote, formatTime, Loading, ScreenHeading, useDocumentTitle, useIdempotency, useLoad } from './ui.js';

const FILTERS = ['all', 'open', 'investigating', 'closed'] as const;
type Filter = (typeof FILTERS)[number];

export const REPORT_STATUS_NAMES: Record<ReportStatus, Text> = {
  open: { zh: '待处理', en: 'Open' },
  investigating: { zh: '调查中', en: 'Investigating' },
  closed: { zh: '已结案', en: 'Closed' },
};

const REASON_NAMES: Record<string, Text> = {
  unauthorised: { zh: '非本人操作', en: 'Not authorised by the payer' },
  scam: { zh: '诈骗', en: 'Scam' },
  wrong_payee: { zh: '收款方不对', en: 'Wrong payee' },
  counterfeit_code: { zh: '伪造的二维码', en: 'Counterfeit code' },
  other: { zh: '其他', en: 'Other' },
};

function reasonText(reason: string, t: (text: Text) => string): string {
  const name = REASON_NAMES[reason];
  return name ? t(name) : reason;
}

function statusText(status: string, t: (text: Text) => string): string {
  const name = REPORT_STATUS_NAMES[status as ReportStatus];
  return name ? t(name) : status;
}

/** A single report comes back as the report or wrapped in {report}. */
function unwrap(body: FraudReport | { report: FraudReport }): FraudReport {
  return 'report' in body ? body.report : body;
}

export function ReportsScreen() {
  return (
    <Routes>
      <Route index element={<ReportList />} />
      <Route path=":reportId" element={<ReportDetail />} />
    </Routes>
  );
}

function ReportList() {
  const { t, lang } = useT();
  const call = useStaffApi();
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const filter: Filter = (FILTERS as readonly string[]).includes(raw ?? '') ? (raw as Filter) : 'all';
  useDocumentTitle(t({ zh: '欺诈举报', en: 'Fraud reports' }));
  const loaded = useLoad(
    () => call<{ items: FraudReport[] }>('GET', '/v1/ops/fraud-reports', { query: { status: filter === 'all' ? undefined : filter, limit: 100 } }),
    `reports:${filter}`,
  );

  return (
    <section>
      <div className="screen-head">
        <ScreenHeading>{t({ zh: '欺诈举报', en: 'Fraud reports' })}</ScreenHeading>
        <div className="filter">
          <label htmlFor="report-filter">{t({ zh: '状态', en: 'Status' })}</label>
          <select id="report-filter" data-testid="report-filter" value={filter} onChange={(e) => setParams(e.target.value === 'all' ? {} : { status: e.target.value })}>
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {f === 'all' ? t({ zh: '全部', en: 'All' }) : t(REPORT_STATUS_NAMES[f])}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote error={loaded.error} prefix={{ zh: '举报列表加载失败', en: 'The reports could not be loaded' }} />
      {!loaded.data ? (
        loaded.error ? null : <Loading />
      ) : loaded.data.items.length === 0 ? (
        <p className="card muted">{t({ zh: '没有这个状态的举报。', en: 'No reports with this status.' })}</p>
      ) : (
        <div className="table-wrap card">
          <table>
            <thead>
              <tr>
                <th scope="col">{t({ zh: '举报', en: 'Report' })}</th>
                <th scope="col">{t({ zh: '状态', en: 'Status' })}</th>
                <th scope="col">{t({ zh: '原因', en: 'Reason' })}</th>
                <th scope="col">{t({ zh: '支付 / 二维码', en: 'Payment / code' })}</th>
                <th scope="col">{t({ zh: '收款方', en: 'Payee' })}</th>
                <th scope="col">{t({ zh: '金额', en: 'Amount' })}</th>
                <th scope="col">{t({ zh: '举报时间', en: 'Filed' })}</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.items.map((r) => (
                <tr key={r.id} data-testid="fraud-report" data-report-id={r.id} data-payment-id={r.paymentId ?? ''} data-status={r.status}>
                  <td>
                    <Link to={r.id} aria-label={t({ zh: `打开举报 ${r.id}`, en: `Open report ${r.id}` })}>
                      <code>{r.id}</code>
                    </Link>
                  </td>
                  <td>
                    <span className={`pill status-${r.status}`}>{statusText(r.status, t)}</span>
                  </td>
                  <td>{reasonText(r.reason, t)}</td>
                  <td>
                    {r.paymentId ? (
                      <code>{r.paymentId}</code>
                    ) : (
                      <span>
                        {t({ zh: '二维码', en: 'Code' })}
                        {r.codeVerdict ? ` (${r.codeVerdict})` : ''}
                      </span>
                    )}
                  </td>
                  <td>{r.payeeName ?? '—'}</td>
                  <td className="num">{r.amountMinor !== null && r.currency ? formatMoney(r.amountMinor, r.currency) : '—'}</td>
                  <td>{formatTime(r.createdAtMs, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ReportDetail() {
  const { t, lang } = useT();
  const { reportId = '' } = useParams();
  const { staff } = useSession();
  const call = useStaffApi();
  useDocumentTitle(t({ zh: `举报 ${reportId}`, en: `Report ${reportId}` }));
  const loaded = useLoad(
    async () => unwrap(await call<FraudReport | { report: FraudReport }>('GET', `/v1/ops/fraud-reports/${encodeURIComponent(reportId)}`)),
    `report:${reportId}`,
  );
  const r = loaded.data;

  return (
    <section data-testid="report-detail" data-report-id={reportId} data-status={r?.status ?? ''}>
      <p>
        <Link to="..">{t({ zh: '← 返回举报列表', en: '← Back to the reports' })}</Link>
      </p>
      <ScreenHeading>{t({ zh: `举报 ${reportId}`, en: `Report ${reportId}` })}</ScreenHeading>
      <ErrorNote error={loaded.error} prefix={{ zh: '举报加载失败', en: 'The report could not be loaded' }} />
      {!r ? (
        loaded.error ? null : <Loading />
      ) : (
        <>
          <div className="card">
            <dl className="fields">
              <dt>{t({ zh: '状态', en: 'Status' })}</dt>
              <dd>
                <span className={`pill status-${r.status}`} data-testid="report-status">
                  {statusText(r.status, t)}
                </span>
              </dd>
              <dt>{t({ zh: '类型', en: 'Kind' })}</dt>
              <dd>{r.kind === 'payment' ? t({ zh: '支付举报', en: 'A payment' }) : t({ zh: '二维码举报', en: 'A code' })}</dd>
              <dt>{t({ zh: '原因', en: 'Reason' })}</dt>
              <dd>{reasonText(r.reason, t)}</dd>
              <dt>{t({ zh: '用户描述', en: 'What the customer said' })}</dt>
              <dd>{r.description || '—'}</dd>
              {r.paymentId ? (
                <>
                  <dt>{t({ zh: '支付', en: 'Payment' })}</dt>
                  <dd>
                    <code data-testid="report-payment-id">{r.paymentId}</code>
                  </dd>
                </>
              ) : null}
              <dt>{t({ zh: '收款方', en: 'Payee' })}</dt>
              <dd>
                {r.payeeName ?? '—'} {r.payeeId ?? r.merchantId ? <code>{r.payeeId ?? r.merchantId}</code> : null}
              </dd>
              <dt>{t({ zh: '金额', en: 'Amount' })}</dt>
              <dd>{r.amountMinor !== null && r.currency ? formatMoney(r.amountMinor, r.currency) : '—'}</dd>
              {r.reporterConsumerId ? (
                <>
                  <dt>{t({ zh: '举报人', en: 'Reported by' })}</dt>
                  <dd>
                    <code>{r.reporterConsumerId}</code>
                  </dd>
                </>
              ) : null}
              {r.codeVerdict ? (
                <>
                  <dt>{t({ zh: '二维码判定', en: 'Code verdict' })}</dt>
                  <dd>{r.codeVerdict}</dd>
                </>
              ) : null}
              {r.codePayload ? (
                <>
                  <dt>{t({ zh: '二维码内容', en: 'Code text' })}</dt>
                  <dd>
                    <code className="wrap">{r.codePayload}</code>
                  </dd>
                </>
              ) : null}
              <dt>{t({ zh: '举报时间', en: 'Filed' })}</dt>
              <dd>{formatTime(r.createdAtMs, lang)}</dd>
              <dt>{t({ zh: '更新时间', en: 'Updated' })}</dt>
              <dd>{formatTime(r.updatedAtMs, lang)}</dd>
              <dt>{t({ zh: '处理记录', en: 'Resolution note' })}</dt>
              <dd data-testid="report-resolution">{r.resolution ?? '—'}</dd>
              {r.handledBy ? (
                <>
                  <dt>{t({ zh: '处理人', en: 'Handled by' })}</dt>
                  <dd>
                    <code>{r.handledBy}</code>
                  </dd>
                </>
              ) : null}
            </dl>
          </div>
          {can(staff.role, 'changeFraudReportStatus') ? <StatusForm report={r} onSaved={() => loaded.reload()} /> : null}
          <div className="card">
            <h2>{t({ zh: '证据（举报时记录）', en: 'Evidence (captured when filed)' })}</h2>
            <p className="muted">{t({ zh: '支付、风控决策、设备等，原样显示。', en: 'The payment, risk decisions, device and the rest, as recorded.' })}</p>
            <pre className="evidence" data-testid="report-evidence" tabIndex={0} aria-label={t({ zh: '证据 JSON', en: 'Evidence JSON' })}>
              {JSON.stringify(r.evidence ?? {}, null, 2)}
            </pre>
          </div>
        </>
      )}
    </section>
  );
}

function StatusForm({ report, onSaved }: { report: FraudReport; onSaved: () => void }) {
  const { t } = useT();
  const call = useStaffApi();
  const idempotency = useIdempotency();
  const choices: ReportStatus[] = ['investigating', 'closed'];
  const [status, setStatus] = useState<ReportStatus>(report.status === 'investigating' ? 'closed' : 'investigating');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [missingNote, setMissingNote] = useState(false);
  const [notice, setNotice] = useState('');

  const save = async () => {
    setError(undefined);
    setNotice('');
    const text = note.trim();
    if (status === 'closed' && text === '') {
      setMissingNote(true);
      document.getElementById('report-note')?.focus();
      return;
    }
    setMissingNote(false);
    const action = `${report.id}:${status}:${text}`;
    setBusy(true);
    try {
      const saved = unwrap(
        await call<FraudReport | { report: FraudReport }>('POST', `/v1/ops/fraud-reports/${encodeURIComponent(report.id)}/status`, {
          body: { status, note: text },
          idempotencyKey: idempotency.keyFor(action),
        }),
      );
      idempotency.settle(action);
      setNote('');
      setNotice(t({ zh: `已保存：${statusText(saved.status, t)}。`, en: `Saved: ${statusText(saved.status, t)}.` }));
      onSaved();
    } catch (e) {
      idempotency.settle(action, e);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{t({ zh: '更改状态', en: 'Change the status' })}</h2>
      <label htmlFor="report-status-select">{t({ zh: '新状态', en: 'New status' })}</label>
      <select id="report-status-select" data-testid="report-status-select" value={status} onChange={(e) => setStatus(e.target.value as ReportStatus)}>
        {choices.map((c) => (
          <option key={c} value={c}>
            {t(REPORT_STATUS_NAMES[c])}
          </option>
        ))}
      </select>
      <label htmlFor="report-note">{t({ zh: '处理记录（结案时必填）', en: 'Note (required to close)' })}</label>
      <textarea
        id="report-note"
        data-testid="report-note"
        rows={3}
        maxLength={500}
        value={note}
        aria-invalid={missingNote || undefined}
        aria-describedby={missingNote ? 'report-note-missing' : undefined}
        onChange={(e) => setNote(e.target.value)}
      />
      {missingNote ? (
        <p id="report-note-missing" role="alert" className="error">
          {t({ zh: '结案需要填写处理记录。', en: 'Write a note to close the report.' })}
        </p>
      ) : null}
      <div className="row actions">
        <button type="submit" data-testid="report-status-save" disabled={busy}>
          {t({ zh: '保存状态', en: 'Save status' })}
        </button>
      </div>
      <p role="status" aria-live="polite" className="notice">
        {notice}
      </p>
      <ErrorNote error={error} prefix={{ zh: '状态未保存', en: 'The status was not saved' }} />
    </form>
  );
}
