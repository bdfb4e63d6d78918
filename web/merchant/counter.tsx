// The counter: the newest payment large, the till's static code, a dynamic amount code, and
// scanning a customer's payment code; the live list of incoming payments underneath.
import { lazy, Suspense, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, newIdempotencyKey } from '../shared/api.js';
import { useT } from '../shared/i18n.js';
import { formatMoney, parseAmount } from '../shared/money.js';
import { QrImage } from '../shared/qr-image.js';
import { DESCRIPTION_CHARS_MAX } from '../../src/core/limits.js';
import type { Order, Payment, Till } from '../../src/sdk/types.js';
import { ErrorMessage } from './errors.js';
import { channelText, countdownText, ORDER_STATUS, paymentStatus, receivedText, timeText } from './labels.js';
import { useLive, useLiveEvents } from './live.js';
import { useSession } from './session.js';

// The camera decoder (@zxing) is most of the bundle: it loads when the camera is first opened.
const Scanner = lazy(() => import('../shared/scanner.js').then((m) => ({ default: m.CameraScanner })));

type Mode = 'static' | 'order' | 'scan';

export function CounterPage() {
  const { t } = useT();
  const [mode, setMode] = useState<Mode>('static');
  const modes: { id: Mode; label: string }[] = [
    { id: 'static', label: t({ zh: '收款码', en: 'Till code' }) },
    { id: 'order', label: t({ zh: '金额码', en: 'Amount code' }) },
    { id: 'scan', label: t({ zh: '扫顾客付款码', en: 'Scan customer' }) },
  ];
  return (
    <div className="counter">
      <h1 tabIndex={-1} className="sr-only">
        {t({ zh: '收银台', en: 'Counter' })}
      </h1>
      <div className="counter-grid">
        <LatestPayment />
        <section aria-labelledby="take-heading" className="card take">
          <h2 id="take-heading">{t({ zh: '收款', en: 'Take a payment' })}</h2>
          <div className="segmented" role="group" aria-label={t({ zh: '收款方式', en: 'How to take the payment' })}>
            {modes.map((m) => (
              <button key={m.id} type="button" data-testid={`mode-${m.id}`} aria-pressed={mode === m.id} className={mode === m.id ? '' : 'secondary'} onClick={() => setMode(m.id)}>
                {m.label}
              </button>
            ))}
          </div>
          {mode === 'static' ? <StaticCode /> : mode === 'order' ? <AmountCode /> : <ScanCustomer />}
        </section>
        <IncomingList />
      </div>
    </div>
  );
}

// ---- the newest payment, large, and the incoming list ----

/** The newest payment in large type: on a phone above the codes, on a wide screen beside them. */
function LatestPayment() {
  const { t, lang } = useT();
  const { latest } = useLive();
  return (
    <section className="latest" aria-live="polite" aria-atomic="true" aria-label={t({ zh: '最新到账', en: 'Latest payment' })}>
      {latest ? (
        <div className="banner ok latest-box" data-payment-id={latest.paymentId}>
          <div>{t({ zh: '收款成功', en: 'Payment received' })}</div>
          <div className="huge" data-testid="latest-amount">
            {formatMoney(latest.amountMinor, latest.currency)}
          </div>
          <div className="latest-text">{receivedText(latest.amountMinor, latest.currency, lang)}</div>
          <div className="small">
            {t(channelText(latest.channel))} · {timeText(latest.atMs, lang)}
          </div>
        </div>
      ) : (
        <p className="waiting muted">{t({ zh: '等待收款…新的付款会大字显示在这里，并语音播报。', en: 'Waiting for payments… each new one shows here in large type and is announced aloud.' })}</p>
      )}
    </section>
  );
}

function IncomingList() {
  const { t, lang } = useT();
  const { items, loadError } = useLive();
  return (
    <section aria-labelledby="live-heading" className="card incoming-card">
      <h2 id="live-heading">{t({ zh: '实时到账', en: 'Incoming payments' })}</h2>
      {loadError !== undefined ? <ErrorMessage error={loadError} /> : null}
      {items.length === 0 && loadError === undefined ? <p className="muted">{t({ zh: '还没有收款。', en: 'No payments yet.' })}</p> : null}
      {items.length > 0 ? (
        <ul className="incoming" aria-label={t({ zh: '最近收款', en: 'Recent payments' })}>
          {items.map((i) => (
            <li key={i.paymentId} data-testid="incoming-payment" data-payment-id={i.paymentId} data-live={i.live ? 'true' : 'false'} className={i.live ? 'is-live' : ''}>
              <span className="amount-sm">{formatMoney(i.amountMinor, i.currency)}</span>
              <span className="small">
                {t(channelText(i.channel))}
                {i.description ? ` · ${i.description}` : ''}
                {i.refundedMinor > 0 ? ` · ${t({ zh: '已退', en: 'refunded' })} ${formatMoney(i.refundedMinor, i.currency)}` : ''}
              </span>
              <span className="small muted">
                {i.live ? <strong className="new-tag">{t({ zh: '新', en: 'New' })}</strong> : null} {timeText(i.atMs, lang)}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

// ---- the till's static code ----

function StaticCode() {
  const { t } = useT();
  const { call, me } = useSession();
  const [tills, setTills] = useState<Till[] | undefined>(undefined);
  const [tillId, setTillId] = useState<string>(() => localStorage.getItem('saoma.merchant.till') ?? '');
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(async () => {
    setError(undefined);
    try {
      setTills((await call<{ tills: Till[] }>('GET', '/v1/merchant/tills')).tills);
    } catch (e) {
      setError(e);
    }
  }, [call]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error !== undefined)
    return (
      <div>
        <ErrorMessage error={error} />
        <button type="button" onClick={() => void load()}>
          {t({ zh: '重试', en: 'Try again' })}
        </button>
      </div>
    );
  if (!tills) return <p role="status">{t({ zh: '正在读取收款码…', en: 'Loading the till codes…' })}</p>;
  if (tills.length === 0) return <p className="banner warn">{t({ zh: '还没有收款台。店主或店长可以通过 API 创建。', en: 'No till yet. An owner or manager can create one through the API.' })}</p>;
  const till = tills.find((x) => x.id === tillId) ?? tills[0]!;
  return (
    <div className="stack code-box">
      <label htmlFor="till-select">{t({ zh: '收款台', en: 'Till' })}</label>
      <select
        id="till-select"
        data-testid="till-select"
        value={till.id}
        onChange={(e) => {
          setTillId(e.target.value);
          localStorage.setItem('saoma.merchant.till', e.target.value);
        }}
      >
        {tills.map((x) => (
          <option key={x.id} value={x.id}>
            {x.label}
          </option>
        ))}
      </select>
      <figure className="qr">
        <QrImage value={till.payload} testId="static-code" sizePx={260} label={t({ zh: `${me.merchant.displayName} 的收款码（${till.label}）`, en: `Till code of ${me.merchant.displayName} (${till.label})` })} />
        <figcaption>
          <strong>{me.merchant.displayName}</strong>
          <br />
          <span className="muted">{t({ zh: '顾客扫码后自己输入金额', en: 'The customer scans and enters the amount' })}</span>
        </figcaption>
      </figure>
      <Link className="button secondary" to={`/poster/${encodeURIComponent(till.id)}`} data-testid="poster-link">
        {t({ zh: '打印收款码海报', en: 'Print the poster' })}
      </Link>
    </div>
  );
}

// ---- a dynamic amount code (an order) ----

function AmountCode() {
  const { t } = useT();
  const { call, me } = useSession();
  const currency = me.merchant.currency;
  const [amountText, setAmountText] = useState('');
  const [description, setDescription] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [order, setOrder] = useState<Order | undefined>(undefined);
  const [nowMs, setNowMs] = useState(() => Date.now());
  // A retry of the same order (same amount and text) reuses its reference and key: never two orders.
  const attempt = useRef<{ amountMinor: number; description: string; reference: string; key: string } | undefined>(undefined);

  const refresh = useCallback(
    async (orderId: string) => {
      try {
        setOrder(await call<Order>('GET', `/v1/orders/${encodeURIComponent(orderId)}`));
      } catch {
        // the next tick or event tries again
      }
    },
    [call],
  );

  useLiveEvents((event) => {
    if (order && (event.type === 'order.paid' || event.type === 'order.closed') && event.data.orderId === order.id) void refresh(order.id);
  });

  const open = order?.status === 'open' || order?.status === 'held';
  useEffect(() => {
    if (!order || !open) return;
    const tick = setInterval(() => setNowMs(Date.now()), 1000);
    // A slow poll as well, in case the live stream is down.
    const poll = setInterval(() => void refresh(order.id), 5000);
    return () => {
      clearInterval(tick);
      clearInterval(poll);
    };
  }, [order?.id, open, refresh]);

  const remainingMs = order ? order.expiresAtMs - nowMs : 0;
  useEffect(() => {
    if (order && open && remainingMs <= 0) void refresh(order.id);
  }, [order, open, remainingMs <= 0, refresh]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const amountMinor = parseAmount(amountText, currency);
    if (amountMinor === undefined) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    const text = description.trim();
    if (!attempt.current || attempt.current.amountMinor !== amountMinor || attempt.current.description !== text) {
      const stamp = new Date().toISOString().replace(/[-:TZ.]/g, '').slice(0, 14);
      attempt.current = { amountMinor, description: text, reference: `counter-${stamp}-${newIdempotencyKey().slice(0, 8)}`, key: newIdempotencyKey() };
    }
    const a = attempt.current;
    setBusy(true);
    setError(undefined);
    try {
      const created = await call<Order>('POST', '/v1/orders', {
        body: { amountMinor: a.amountMinor, reference: a.reference, ...(a.description ? { description: a.description } : {}) },
        idempotencyKey: a.key,
      });
      attempt.current = undefined;
      setNowMs(Date.now());
      setOrder(created);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const close = async () => {
    if (!order) return;
    setError(undefined);
    try {
      setOrder(await call<Order>('POST', `/v1/orders/${encodeURIComponent(order.id)}/close`));
    } catch (e) {
      setError(e);
      void refresh(order.id);
    }
  };

  const statusText = order ? t(ORDER_STATUS[order.status] ?? { zh: order.status, en: order.status }) : '';
  return (
    <div className="stack">
      {!order || !open ? (
        <form onSubmit={create} className="stack" noValidate>
          <label htmlFor="order-amount">
            {t({ zh: '金额', en: 'Amount' })} ({currency})
          </label>
          <input
            id="order-amount"
            data-testid="order-amount"
            inputMode="decimal"
            autoComplete="off"
            placeholder="12.50"
            value={amountText}
            onChange={(e) => setAmountText(e.target.value)}
            aria-invalid={invalid}
            aria-describedby={invalid ? 'order-amount-error' : undefined}
          />
          {invalid ? (
            <p id="order-amount-error" role="alert" className="error">
              {t({ zh: '请输入大于 0 的金额，最多两位小数，例如 12.50。', en: 'Enter an amount above 0 with at most two decimals, e.g. 12.50.' })}
            </p>
          ) : null}
          <label htmlFor="order-description">{t({ zh: '备注（顾客可见，可不填）', en: 'Note (the customer sees it; optional)' })}</label>
          <input id="order-description" data-testid="order-description" maxLength={DESCRIPTION_CHARS_MAX} value={description} onChange={(e) => setDescription(e.target.value)} />
          {error !== undefined ? <ErrorMessage error={error} /> : null}
          <button type="submit" data-testid="order-create" disabled={busy}>
            {busy ? t({ zh: '正在生成…', en: 'Creating…' }) : t({ zh: '生成金额码', en: 'Show the amount code' })}
          </button>
        </form>
      ) : null}
      {order ? (
        <div className="stack code-box">
          {open ? (
            <figure className="qr">
              <QrImage value={order.payload} testId="order-code" sizePx={260} label={t({ zh: `金额码：${formatMoney(order.amountMinor, order.currency)}`, en: `Amount code: ${formatMoney(order.amountMinor, order.currency)}` })} />
              <figcaption>
                <span className="amount">{formatMoney(order.amountMinor, order.currency)}</span>
                {order.description ? <div>{order.description}</div> : null}
                <div className="muted" aria-hidden="true">
                  {t({ zh: '有效期还剩', en: 'Expires in' })} <span data-testid="order-countdown">{countdownText(remainingMs)}</span>
                </div>
              </figcaption>
            </figure>
          ) : null}
          <div
            role="status"
            aria-live="polite"
            data-testid="order-status"
            data-status={order.status}
            data-order-id={order.id}
            className={`banner ${order.status === 'paid' ? 'ok' : open ? 'warn' : 'bad'}`}
          >
            <strong>{statusText}</strong>
            {order.status === 'paid' ? ` · ${formatMoney(order.amountMinor, order.currency)}` : ''}
            <div className="small">
              {t({ zh: '订单号', en: 'Reference' })} {order.reference}
            </div>
          </div>
          {open ? (
            <button type="button" className="secondary" data-testid="order-close" onClick={() => void close()}>
              {t({ zh: '作废这个码', en: 'Cancel this code' })}
            </button>
          ) : (
            <button
              type="button"
              data-testid="order-new"
              onClick={() => {
                setOrder(undefined);
                setAmountText('');
                setDescription('');
              }}
            >
              {t({ zh: '新的金额码', en: 'New amount code' })}
            </button>
          )}
          {open && error !== undefined ? <ErrorMessage error={error} /> : null}
        </div>
      ) : null}
    </div>
  );
}

// ---- scanning the customer's payment code ----

type ScanState =
  | { step: 'idle' }
  | { step: 'scanning'; amountMinor: number }
  | { step: 'charging'; amountMinor: number }
  | { step: 'done'; payment: Payment }
  | { step: 'failed'; error: unknown; retry?: { code: string; amountMinor: number; key: string } };

const FINAL = new Set(['succeeded', 'voided', 'expired', 'refunded', 'declined']);
const POLL_MS = 2000;
const POLL_FOR_MS = 4 * 60_000;

function ScanCustomer() {
  const { t, lang } = useT();
  const { call, me } = useSession();
  const currency = me.merchant.currency;
  const [amountText, setAmountText] = useState('');
  const [description, setDescription] = useState('');
  const [manualCode, setManualCode] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [state, setState] = useState<ScanState>({ step: 'idle' });
  const resultRef = useRef<HTMLDivElement>(null);

  const amount = (): number | undefined => {
    const minor = parseAmount(amountText, currency);
    setInvalid(minor === undefined);
    return minor;
  };

  const charge = async (code: string, amountMinor: number, key: string) => {
    setState({ step: 'charging', amountMinor });
    try {
      const text = description.trim();
      const payment = await call<Payment>('POST', '/v1/payments/scan', { body: { code, amountMinor, ...(text ? { description: text } : {}) }, idempotencyKey: key });
      setState({ step: 'done', payment });
    } catch (error) {
      // A lost answer may be retried with the same key; any refusal needs a fresh code.
      const retry = error instanceof ApiError && (error.code === 'NETWORK_UNAVAILABLE' || error.status >= 500 || error.code === 'IDEMPOTENCY_KEY_IN_USE') ? { code, amountMinor, key } : undefined;
      setState({ step: 'failed', error, ...(retry ? { retry } : {}) });
    }
  };

  const onCode = (text: string, amountMinor: number) => {
    const code = text.replace(/\s+/g, '');
    if (!/^\d{18}$/.test(code)) {
      setState({ step: 'failed', error: localError('PAYMENT_CODE_MALFORMED') });
      return;
    }
    void charge(code, amountMinor, newIdempotencyKey());
  };

  // Awaiting the customer's confirmation: poll until the payment is final (and listen for it).
  const waitingId = state.step === 'done' && state.payment.status === 'awaiting_confirmation' ? state.payment.id : undefined;
  const poll = useCallback(
    async (paymentId: string) => {
      try {
        const payment = await call<Payment>('GET', `/v1/payments/${encodeURIComponent(paymentId)}`);
        setState((s) => (s.step === 'done' && s.payment.id === paymentId ? { step: 'done', payment } : s));
      } catch {
        // next round
      }
    },
    [call],
  );
  useEffect(() => {
    if (!waitingId) return;
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    const round = async () => {
      await poll(waitingId);
      if (!stopped && Date.now() - started < POLL_FOR_MS) timer = setTimeout(() => void round(), POLL_MS);
    };
    timer = setTimeout(() => void round(), POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [waitingId, poll]);
  useLiveEvents((event) => {
    if (waitingId && event.data.paymentId === waitingId) void poll(waitingId);
  });

  useEffect(() => {
    if (state.step === 'done' || state.step === 'failed') resultRef.current?.focus();
  }, [state.step]);

  const busy = state.step === 'charging';
  return (
    <div className="stack">
      <label htmlFor="scan-amount">
        {t({ zh: '金额', en: 'Amount' })} ({currency})
      </label>
      <input
        id="scan-amount"
        data-testid="scan-amount"
        inputMode="decimal"
        autoComplete="off"
        placeholder="12.50"
        value={amountText}
        disabled={state.step === 'scanning' || busy}
        onChange={(e) => setAmountText(e.target.value)}
        aria-invalid={invalid}
        aria-describedby={invalid ? 'scan-amount-error' : 'scan-amount-help'}
      />
      <p id="scan-amount-help" className="small muted">
        {t({ zh: '200 元以上需要顾客在手机上确认。', en: 'Above 200 yuan the customer confirms on their phone.' })}
      </p>
      {invalid ? (
        <p id="scan-amount-error" role="alert" className="error">
          {t({ zh: '请先输入大于 0 的金额，最多两位小数，例如 12.50。', en: 'First enter an amount above 0 with at most two decimals, e.g. 12.50.' })}
        </p>
      ) : null}
      <label htmlFor="scan-description">{t({ zh: '备注（可不填）', en: 'Note (optional)' })}</label>
      <input id="scan-description" maxLength={DESCRIPTION_CHARS_MAX} value={description} disabled={state.step === 'scanning' || busy} onChange={(e) => setDescription(e.target.value)} />
      {state.step === 'scanning' ? (
        <div className="stack">
          <p className="banner warn">
            {t({ zh: `请顾客出示付款码：${formatMoney(state.amountMinor, currency)}`, en: `Ask the customer to show their payment code: ${formatMoney(state.amountMinor, currency)}` })}
          </p>
          <Suspense fallback={<p role="status">{t({ zh: '正在打开相机…', en: 'Opening the camera…' })}</p>}>
          <Scanner
            label={t({ zh: '相机画面：对准顾客的付款码', en: 'Camera: point it at the customer’s payment code' })}
            errorText={(reason) =>
              reason === 'NotAllowedError'
                ? t({ zh: '没有相机权限。请在浏览器里允许使用相机，或在下面输入付款码数字。', en: 'No camera permission. Allow the camera in the browser, or type the code’s digits below.' })
                : t({ zh: `相机打不开（${reason}）。请在下面输入付款码数字。`, en: `The camera did not open (${reason}). Type the code’s digits below.` })
            }
            onCode={(text) => onCode(text, state.amountMinor)}
          />
          </Suspense>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              onCode(manualCode, state.amountMinor);
              setManualCode('');
            }}
          >
            <div className="grow">
              <label htmlFor="scan-code-input">{t({ zh: '或输入付款码下方的 18 位数字', en: 'Or type the 18 digits under the code' })}</label>
              <input id="scan-code-input" data-testid="scan-code-input" inputMode="numeric" autoComplete="off" value={manualCode} onChange={(e) => setManualCode(e.target.value)} />
            </div>
            <button type="submit">{t({ zh: '收款', en: 'Charge' })}</button>
          </form>
          <button type="button" className="secondary" data-testid="scan-cancel" onClick={() => setState({ step: 'idle' })}>
            {t({ zh: '取消', en: 'Cancel' })}
          </button>
        </div>
      ) : (
        <button
          type="button"
          data-testid="scan-start"
          disabled={busy}
          onClick={() => {
            const minor = amount();
            if (minor !== undefined) setState({ step: 'scanning', amountMinor: minor });
          }}
        >
          {busy ? t({ zh: '正在收款…', en: 'Charging…' }) : t({ zh: '打开相机扫付款码', en: 'Open the camera and scan' })}
        </button>
      )}
      {state.step === 'charging' ? (
        <p role="status" data-testid="scan-result" data-status="charging">
          {t({ zh: '正在收款…', en: 'Charging…' })}
        </p>
      ) : null}
      {state.step === 'done' ? (
        <div
          ref={resultRef}
          tabIndex={-1}
          role="status"
          aria-live="polite"
          data-testid="scan-result"
          data-status={state.payment.status}
          data-payment-id={state.payment.id}
          className={`banner ${state.payment.status === 'succeeded' ? 'ok' : FINAL.has(state.payment.status) ? 'bad' : 'warn'}`}
        >
          <strong>{t(paymentStatus(state.payment.status))}</strong>
          <div className="amount">{formatMoney(state.payment.amountMinor, state.payment.currency)}</div>
          {state.payment.status === 'awaiting_confirmation' ? (
            <p>{t({ zh: '请顾客在手机上确认这笔付款（2 分钟内）。确认后这里会自动更新。', en: 'Ask the customer to confirm on their phone (within 2 minutes). This updates by itself.' })}</p>
          ) : null}
          {state.payment.status === 'held_for_review' ? <p>{t({ zh: '这笔付款正在接受风控审核，结果会出现在收款记录里。', en: 'The payment is held for a risk review; the outcome shows in Payments.' })}</p> : null}
          <div className="small">
            {timeText(state.payment.updatedAtMs, lang)} · {state.payment.id}
          </div>
        </div>
      ) : null}
      {state.step === 'failed' ? (
        <div ref={resultRef} tabIndex={-1}>
          <ErrorMessage error={state.error} testId="scan-result" />
          {state.retry ? (
            <button type="button" onClick={() => state.retry && void charge(state.retry.code, state.retry.amountMinor, state.retry.key)}>
              {t({ zh: '重试', en: 'Try again' })}
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** Refused here, before the server: shaped like the API's error so it is worded the same way. */
function localError(code: 'PAYMENT_CODE_MALFORMED'): ApiError {
  return new ApiError(400, { type: 'payment_error', code, message: 'Not a payment code: 18 digits expected.' });
}
