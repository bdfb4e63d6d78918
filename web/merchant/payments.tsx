// Payments, newest first, with refunds for owners and managers (partial or full; the fee comes
// back in proportion). The list reloads when the live stream says a payment changed.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { newIdempotencyKey } from '../shared/api.js';
import { useT } from '../shared/i18n.js';
import { formatMinor, formatMoney, parseAmount } from '../shared/money.js';
import { DESCRIPTION_CHARS_MAX } from '../../src/core/limits.js';
import type { Payment } from '../../src/sdk/types.js';
import { ErrorMessage } from './errors.js';
import { channelText, dateTimeText, paymentStatus } from './labels.js';
import { useLive } from './live.js';
import { useSession } from './session.js';

const PAGE = 30;

export function PaymentsPage() {
  const { t } = useT();
  const { call } = useSession();
  const { changes } = useLive();
  const [payments, setPayments] = useState<Payment[] | undefined>(undefined);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const loadedPages = useRef(1);

  /** The newest page(s) again, as many as were loaded. */
  const reload = useCallback(async () => {
    try {
      const { payments: list } = await call<{ payments: Payment[] }>('GET', '/v1/payments', { query: { limit: Math.min(500, PAGE * loadedPages.current) } });
      setPayments(list);
      setMore(list.length === PAGE * loadedPages.current);
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, [call]);

  useEffect(() => {
    void reload();
  }, [reload, changes]);

  const loadMore = async () => {
    const last = payments?.[payments.length - 1];
    if (!last) return;
    try {
      const { payments: page } = await call<{ payments: Payment[] }>('GET', '/v1/payments', { query: { limit: PAGE, beforeMs: last.createdAtMs } });
      loadedPages.current += 1;
      setPayments((current) => {
        const seen = new Set((current ?? []).map((p) => p.id));
        return [...(current ?? []), ...page.filter((p) => !seen.has(p.id))];
      });
      setMore(page.length === PAGE);
    } catch (e) {
      setError(e);
    }
  };

  const updated = (payment: Payment) => setPayments((current) => current?.map((p) => (p.id === payment.id ? payment : p)));

  return (
    <div>
      <h1 tabIndex={-1}>{t({ zh: '收款记录', en: 'Payments' })}</h1>
      {error !== undefined ? <ErrorMessage error={error} /> : null}
      {!payments ? <p role="status">{t({ zh: '正在读取…', en: 'Loading…' })}</p> : null}
      {payments && payments.length === 0 ? <p className="card muted">{t({ zh: '还没有收款。', en: 'No payments yet.' })}</p> : null}
      {payments && payments.length > 0 ? (
        <ul className="payments" aria-label={t({ zh: '收款列表', en: 'Payment list' })}>
          {payments.map((p) => (
            <PaymentRow key={p.id} payment={p} open={open === p.id} onToggle={() => setOpen(open === p.id ? undefined : p.id)} onUpdated={updated} />
          ))}
        </ul>
      ) : null}
      {more ? (
        <button type="button" className="secondary" onClick={() => void loadMore()}>
          {t({ zh: '更早的收款', en: 'Older payments' })}
        </button>
      ) : null}
    </div>
  );
}

function PaymentRow(props: { payment: Payment; open: boolean; onToggle: () => void; onUpdated: (p: Payment) => void }) {
  const { t, lang } = useT();
  const { can } = useSession();
  const p = props.payment;
  const refundable = can.refund && p.status === 'succeeded' && p.refundedMinor < p.amountMinor;
  const panelId = `refund-${p.id}`;
  return (
    <li className="card payment" data-testid="payment-row" data-payment-id={p.id} data-status={p.status}>
      <div className="row spread">
        <span className="amount-sm">{formatMoney(p.amountMinor, p.currency)}</span>
        <span className={`pill ${p.status === 'succeeded' ? 'pill-ok' : p.status === 'awaiting_confirmation' || p.status === 'held_for_review' ? 'pill-warn' : ''}`}>{t(paymentStatus(p.status))}</span>
      </div>
      <div className="small">
        {t(channelText(p.channel))} · {dateTimeText(p.createdAtMs, lang)}
        {p.description ? ` · ${p.description}` : ''}
      </div>
      <div className="small muted">
        {t({ zh: '手续费', en: 'Fee' })} {formatMoney(p.feeMinor, p.currency)}
        {p.refundedMinor > 0 ? ` · ${t({ zh: '已退款', en: 'Refunded' })} ${formatMoney(p.refundedMinor, p.currency)}` : ''} · <span className="mono">{p.id}</span>
      </div>
      {refundable ? (
        <button type="button" className="secondary" data-testid="refund-open" aria-expanded={props.open} aria-controls={panelId} onClick={props.onToggle}>
          {t({ zh: '退款…', en: 'Refund…' })}
        </button>
      ) : null}
      {can.refund && props.open ? <RefundForm id={panelId} payment={p} onUpdated={props.onUpdated} /> : null}
    </li>
  );
}

function RefundForm(props: { id: string; payment: Payment; onUpdated: (p: Payment) => void }) {
  const { t } = useT();
  const { call } = useSession();
  const p = props.payment;
  const remaining = p.amountMinor - p.refundedMinor;
  const [amountText, setAmountText] = useState(() => (remaining > 0 ? formatMinor(remaining, p.currency) : ''));
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: Payment; amountMinor: number } | { error: unknown } | undefined>(undefined);
  // The same refund retried (same amount and reason) reuses its key: it never refunds twice.
  const attempt = useRef<{ amountMinor: number; reason: string; key: string } | undefined>(undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const amountMinor = parseAmount(amountText, p.currency);
    if (amountMinor === undefined) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    const why = reason.trim();
    if (!attempt.current || attempt.current.amountMinor !== amountMinor || attempt.current.reason !== why) attempt.current = { amountMinor, reason: why, key: newIdempotencyKey() };
    setBusy(true);
    setResult(undefined);
    try {
      const refunded = await call<Payment>('POST', `/v1/payments/${encodeURIComponent(p.id)}/refunds`, {
        body: { amountMinor, ...(why ? { reason: why } : {}) },
        idempotencyKey: attempt.current.key,
      });
      attempt.current = undefined;
      setResult({ ok: refunded, amountMinor });
      props.onUpdated(refunded);
    } catch (error) {
      setResult({ error });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form id={props.id} className="stack refund" onSubmit={submit} noValidate>
      <label htmlFor={`${props.id}-amount`}>
        {t({ zh: '退款金额', en: 'Amount to refund' })} ({p.currency}; {t({ zh: '最多', en: 'at most' })} {formatMinor(remaining, p.currency)})
      </label>
      <input
        id={`${props.id}-amount`}
        data-testid="refund-amount"
        inputMode="decimal"
        autoComplete="off"
        value={amountText}
        onChange={(e) => setAmountText(e.target.value)}
        aria-invalid={invalid}
      />
      {invalid ? (
        <p role="alert" className="error">
          {t({ zh: '请输入大于 0 的金额，最多两位小数。', en: 'Enter an amount above 0 with at most two decimals.' })}
        </p>
      ) : null}
      <label htmlFor={`${props.id}-reason`}>{t({ zh: '原因（可不填）', en: 'Reason (optional)' })}</label>
      <input id={`${props.id}-reason`} maxLength={DESCRIPTION_CHARS_MAX} value={reason} onChange={(e) => setReason(e.target.value)} />
      <button type="submit" className="danger" data-testid="refund-button" disabled={busy}>
        {busy ? t({ zh: '正在退款…', en: 'Refunding…' }) : t({ zh: '确认退款', en: 'Refund' })}
      </button>
      {result && 'ok' in result ? (
        <p role="status" className="banner ok" data-testid="refund-result" data-status="ok">
          {t({
            zh: `已退款 ${formatMoney(result.amountMinor, p.currency)}；这笔共退 ${formatMoney(result.ok.refundedMinor, p.currency)}（原付 ${formatMoney(p.amountMinor, p.currency)}）。`,
            en: `Refunded ${formatMoney(result.amountMinor, p.currency)}; ${formatMoney(result.ok.refundedMinor, p.currency)} refunded in all of ${formatMoney(p.amountMinor, p.currency)}.`,
          })}
        </p>
      ) : null}
      {result && 'error' in result ? <ErrorMessage error={result.error} testId="refund-result" /> : null}
    </form>
  );
}
