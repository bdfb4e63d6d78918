// History (sent and received, newest first) and the receipt of one payment, where "this wasn't me"
// files a fraud report with the payment as evidence and then shows the report's status.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useT, type Text } from '../../shared/i18n.js';
import { formatMoney } from '../../shared/money.js';
import { STATUS_TEXT } from '../approval.js';
import { shownError, type ShownError } from '../errors.js';
import { useWallet } from '../session.js';
import type { FraudReport, Payment } from '../types.js';
import { ErrorBox, formatTime, useAction, useIdempotencyKey } from '../ui.js';

const PAGE = 20;

function signed(p: Payment): string {
  return `${p.direction === 'received' ? '+' : '−'}${formatMoney(p.amountMinor, p.currency)}`;
}

export function History() {
  const { t, lang } = useT();
  const wallet = useWallet();
  const [items, setItems] = useState<Payment[] | undefined>();
  const [more, setMore] = useState(false);
  const action = useAction();
  const { run } = action;

  const load = useCallback(
    (beforeMs?: number) =>
      run(async () => {
        const answer = await wallet.call<{ payments: Payment[] }>('GET', '/v1/wallet/payments', { query: { limit: PAGE, beforeMs } });
        setItems((old) => (beforeMs === undefined ? answer.payments : [...(old ?? []), ...answer.payments]));
        setMore(answer.payments.length === PAGE);
      }),
    [run, wallet.call],
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="stack" aria-labelledby="history-title">
      <h1 id="history-title">{t({ zh: '账单', en: 'History' })}</h1>
      <ErrorBox error={action.error} />
      {items === undefined ? <p role="status">{t({ zh: '加载中…', en: 'Loading…' })}</p> : null}
      {items?.length === 0 ? <p className="muted">{t({ zh: '还没有付款记录。', en: 'No payments yet.' })}</p> : null}
      <ul className="list">
        {items?.map((p) => (
          <li key={p.id}>
            <Link to={`/history/${encodeURIComponent(p.id)}`} className="history-item" data-testid="history-item" data-payment-id={p.id}>
              <span className="who">
                <strong>{p.direction === 'received' ? t({ zh: '收款', en: 'Received' }) : p.payeeName}</strong>
                <span className="small muted">
                  {formatTime(p.createdAtMs, lang)} · {t(STATUS_TEXT[p.status])}
                </span>
              </span>
              <span className={`sum ${p.direction === 'received' ? 'in' : ''}`}>{signed(p)}</span>
            </Link>
          </li>
        ))}
      </ul>
      {more ? (
        <button type="button" className="secondary" onClick={() => void load(items?.at(-1)?.createdAtMs)} disabled={action.busy}>
          {t({ zh: '更早的记录', en: 'Older payments' })}
        </button>
      ) : null}
    </section>
  );
}

const REPORT_STATUS: Record<FraudReport['status'], Text> = {
  open: { zh: '已受理，等待调查', en: 'Received, waiting for investigation' },
  investigating: { zh: '调查中', en: 'Being investigated' },
  closed: { zh: '已结案', en: 'Closed' },
};

const CHANNEL: Record<string, Text> = {
  static_merchant_code: { zh: '扫商户码', en: 'Scanned merchant code' },
  dynamic_merchant_code: { zh: '扫订单码', en: 'Scanned order code' },
  payment_code: { zh: '付款码', en: 'Payment code' },
  transfer: { zh: '转账', en: 'Transfer' },
};

export function Receipt() {
  const { t, lang } = useT();
  const wallet = useWallet();
  const { paymentId = '' } = useParams();
  const [payment, setPayment] = useState<Payment | undefined>();
  const [report, setReport] = useState<FraudReport | undefined>();
  const action = useAction();
  const { run } = action;

  const load = useCallback(
    () =>
      run(async () => {
        const [p, reports] = await Promise.all([
          wallet.call<Payment>('GET', `/v1/wallet/payments/${encodeURIComponent(paymentId)}`),
          wallet.call<{ items: FraudReport[] }>('GET', '/v1/wallet/reports', { query: { limit: 100 } }).catch(() => ({ items: [] as FraudReport[] })),
        ]);
        setPayment(p);
        setReport(reports.items.find((r) => r.kind === 'payment' && r.paymentId === p.id));
      }),
    [run, wallet.call, paymentId],
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="stack" aria-labelledby="receipt-title">
      <h1 id="receipt-title">{t({ zh: '付款详情', en: 'Receipt' })}</h1>
      <ErrorBox error={action.error} />
      {payment ? (
        <>
          <dl className="card receipt" data-testid="receipt" data-payment-id={payment.id} data-status={payment.status}>
            <dt>{payment.direction === 'received' ? t({ zh: '收款账户', en: 'Received by' }) : t({ zh: '收款方', en: 'Payee' })}</dt>
            <dd data-testid="receipt-payee">{payment.payeeName}</dd>
            <dt>{t({ zh: '金额', en: 'Amount' })}</dt>
            <dd className="amount" data-testid="receipt-amount">
              {signed(payment)}
            </dd>
            {payment.refundedMinor > 0 ? (
              <>
                <dt>{t({ zh: '已退款', en: 'Refunded' })}</dt>
                <dd>{formatMoney(payment.refundedMinor, payment.currency)}</dd>
              </>
            ) : null}
            <dt>{t({ zh: '状态', en: 'Status' })}</dt>
            <dd data-testid="receipt-status">{t(STATUS_TEXT[payment.status])}</dd>
            <dt>{t({ zh: '方式', en: 'How' })}</dt>
            <dd>{CHANNEL[payment.channel] ? t(CHANNEL[payment.channel]!) : payment.channel}</dd>
            <dt>{t({ zh: '验证等级', en: 'Verification level' })}</dt>
            <dd data-testid="receipt-level">
              {payment.level}
              {payment.compensationPromise ? ` · ${t({ zh: '损失无条件全额赔付', en: 'losses compensated in full' })}` : ''}
            </dd>
            {payment.description ? (
              <>
                <dt>{t({ zh: '说明', en: 'Description' })}</dt>
                <dd>{payment.description}</dd>
              </>
            ) : null}
            <dt>{t({ zh: '时间', en: 'Time' })}</dt>
            <dd>{formatTime(payment.createdAtMs, lang)}</dd>
            <dt>{t({ zh: '交易号', en: 'Payment id' })}</dt>
            <dd className="id">{payment.id}</dd>
          </dl>
          {/* Only the payer can say "this wasn't me" (money that came in is not theirs to dispute). */}
          {payment.direction !== 'received' ? <NotMe payment={payment} report={report} onReported={setReport} /> : null}
        </>
      ) : null}
      <Link className="button secondary" to="/history">
        {t({ zh: '返回账单', en: 'Back to history' })}
      </Link>
    </section>
  );
}

function NotMe(props: { payment: Payment; report: FraudReport | undefined; onReported: (r: FraudReport) => void }) {
  const { t, lang } = useT();
  const wallet = useWallet();
  const [open, setOpen] = useState(false);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<ShownError | undefined>();
  const [busy, setBusy] = useState(false);
  const idem = useIdempotencyKey();

  if (props.report) {
    const r = props.report;
    return (
      <div className="banner warn" role="status" aria-live="polite" data-testid="report-status" data-status={r.status} data-report-id={r.id}>
        <p>
          <strong>{t({ zh: '已举报“不是我付的”', en: 'Reported as "this wasn\'t me"' })}</strong>
        </p>
        <p>
          {t({ zh: '状态：', en: 'Status: ' })}
          {t(REPORT_STATUS[r.status])}
        </p>
        {r.resolution ? (
          <p>
            {t({ zh: '处理结果：', en: 'Outcome: ' })}
            {r.resolution}
          </p>
        ) : null}
        <p className="small">
          {r.id} · {formatTime(r.createdAtMs, lang)}
        </p>
      </div>
    );
  }

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    const body = { reason: 'unauthorised' as const, description: description.trim() };
    try {
      const report = await wallet.call<FraudReport>('POST', `/v1/wallet/payments/${encodeURIComponent(props.payment.id)}/report`, { body, idempotencyKey: idem.keyFor(body) });
      idem.done();
      props.onReported(report);
    } catch (e) {
      // Reported before (another tab, a lost answer): show that report.
      if (shownError(e).code === 'FRAUD_REPORT_EXISTS') {
        const reports = await wallet.call<{ items: FraudReport[] }>('GET', '/v1/wallet/reports', { query: { limit: 100 } }).catch(() => ({ items: [] as FraudReport[] }));
        const found = reports.items.find((r) => r.paymentId === props.payment.id);
        if (found) {
          props.onReported(found);
          return;
        }
      }
      setError(shownError(e));
    } finally {
      setBusy(false);
    }
  };

  if (!open) {
    return (
      <button type="button" className="danger" data-testid="report-not-me" onClick={() => setOpen(true)}>
        {t({ zh: '不是我付的', en: "This wasn't me" })}
      </button>
    );
  }
  return (
    <form className="card stack" onSubmit={(e) => void onSubmit(e)} aria-labelledby="notme-title">
      <h2 id="notme-title">{t({ zh: '举报：不是我付的', en: "Report: this wasn't me" })}</h2>
      <p className="small">
        {t({
          zh: '我们会把这笔付款和它的证据交给反欺诈团队调查。如果您怀疑手机或密码被别人用过，请同时修改支付密码。',
          en: 'The payment and its evidence go to the fraud team. If you think someone used your phone or PIN, change your PIN as well.',
        })}
      </p>
      <label htmlFor="report-description">{t({ zh: '发生了什么？（可选）', en: 'What happened? (optional)' })}</label>
      <textarea id="report-description" data-testid="report-description" rows={4} maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} />
      <ErrorBox error={error} />
      <div className="row">
        <button type="submit" className="danger" data-testid="report-submit" disabled={busy}>
          {t({ zh: '提交举报', en: 'Send the report' })}
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          {t({ zh: '取消', en: 'Cancel' })}
        </button>
      </div>
    </form>
  );
}
