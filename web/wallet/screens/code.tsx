// The payment code: 18 digits and the same digits as a QR code, made on this phone from the
// non-extractable key in IndexedDB, offline, and renewed at every time step. A merchant scans it.
// Payments above the password-free limit then wait here for confirmation (live events).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { generatePaymentCode, type GeneratedPaymentCode } from '../../../src/core/qr/payment-code.js';
import type { LiveEvent } from '../../shared/events.js';
import { useT } from '../../shared/i18n.js';
import { formatMoney } from '../../shared/money.js';
import { QrImage } from '../../shared/qr-image.js';
import { useWallet } from '../session.js';
import { clockOffsetMs, loadPaymentCodeKey, storePaymentCodeKey, syncClock } from '../store.js';
import { ErrorBox, useAction } from '../ui.js';
import { Confirmations } from './confirmations.js';
import type { Device } from '../types.js';

type CodeState = { readonly kind: 'loading' } | { readonly kind: 'ready'; readonly code: GeneratedPaymentCode } | { readonly kind: 'no-key' } | { readonly kind: 'error'; readonly message: string };

interface Paid {
  readonly amountMinor: number;
  readonly currency: string;
  readonly payeeName: string;
  readonly status: string;
}

export default function Code() {
  const { t } = useT();
  const wallet = useWallet();
  const device = wallet.device!;
  const [state, setState] = useState<CodeState>({ kind: 'loading' });
  const [nowMs, setNowMs] = useState(() => Date.now() + clockOffsetMs());
  const [paid, setPaid] = useState<Paid | undefined>();
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    void syncClock();
  }, []);

  // Make the code of the current step, and again at the start of the next one.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const make = async () => {
      try {
        const key = await loadPaymentCodeKey(device.deviceId);
        if (stopped) return;
        if (!key) {
          setState({ kind: 'no-key' });
          return;
        }
        const code = await generatePaymentCode({ key, deviceIndex: device.deviceIndex, nowMs: Date.now() + clockOffsetMs() });
        if (stopped) return;
        setState({ kind: 'ready', code });
        timer = setTimeout(() => void make(), Math.max(250, code.refreshAtMs - (Date.now() + clockOffsetMs()) + 50));
      } catch (e) {
        if (!stopped) setState({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    };
    void make();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [device.deviceId, device.deviceIndex, generation]);

  useEffect(() => {
    const tick = setInterval(() => setNowMs(Date.now() + clockOffsetMs()), 1000);
    return () => clearInterval(tick);
  }, []);

  const onEvent = useCallback(
    (event: LiveEvent) => {
      const d = event.data;
      if ((event.type === 'payment.succeeded' || event.type === 'payment.held') && d.channel === 'payment_code') {
        setPaid({ amountMinor: Number(d.amountMinor), currency: String(d.currency), payeeName: String(d.payeeName), status: String(d.status) });
        // this code was used: show the next one at once
        setGeneration((g) => g + 1);
        void wallet.refresh().catch(() => undefined);
      }
    },
    [wallet],
  );

  const secondsLeft = state.kind === 'ready' ? Math.max(0, Math.ceil((state.code.refreshAtMs - nowMs) / 1000)) : 0;

  return (
    <section className="stack" aria-labelledby="code-title">
      <h1 id="code-title">{t({ zh: '付款码', en: 'Payment code' })}</h1>
      {/* First: a cashier is waiting for the person to confirm. */}
      {wallet.session ? (
        <Confirmations onEvent={onEvent} />
      ) : (
        <p className="small muted">{t({ zh: '登录后可在这里确认大额付款。', en: 'Sign in to confirm larger payments here.' })}</p>
      )}
      <div className="card code-card">
        <p className="cashier">{t({ zh: '请向收银员出示此码', en: 'Show this to the cashier' })}</p>
        {state.kind === 'ready' ? (
          <>
            <QrImage value={state.code.digits} label={t({ zh: '付款二维码', en: 'Payment QR code' })} sizePx={260} testId="payment-code-qr" />
            <p className="digits" data-testid="payment-code-digits">
              {[0, 2, 6, 10, 14].map((at, i, all) => (
                <span key={at}>{state.code.digits.slice(at, all[i + 1] ?? 18)}</span>
              ))}
            </p>
            <p className="small muted">
              {t({ zh: `每 20 秒自动更新 · ${secondsLeft} 秒后更新`, en: `Renews every 20 seconds · next in ${secondsLeft} s` })}
            </p>
            <p className="small muted">{t({ zh: '只给收银员看，不要截图或发给别人。', en: 'Only for the cashier: never send it or share a screenshot.' })}</p>
          </>
        ) : state.kind === 'loading' ? (
          <p role="status">{t({ zh: '正在生成…', en: 'Making the code…' })}</p>
        ) : state.kind === 'no-key' ? (
          <RotateKey onDone={() => setGeneration((g) => g + 1)} />
        ) : (
          <p role="alert" className="error">
            {t({ zh: '无法生成付款码：', en: 'Cannot make the code: ' })}
            {state.message}
          </p>
        )}
      </div>
      {paid ? (
        <div className={`banner ${paid.status === 'succeeded' ? 'ok' : 'warn'}`} role="status" data-testid="code-paid">
          {paid.status === 'succeeded' ? t({ zh: '已付款', en: 'Paid' }) : t({ zh: '安全审核中', en: 'Held for review' })} {formatMoney(paid.amountMinor, paid.currency)} →{' '}
          <strong>{paid.payeeName}</strong>
        </div>
      ) : null}
    </section>
  );
}

/** A phone without its payment-code key (storage cleared) gets a new secret with the PIN. */
function RotateKey(props: { onDone: () => void }) {
  const { t } = useT();
  const wallet = useWallet();
  const action = useAction();
  const [pin, setPin] = useState('');
  if (!wallet.session) {
    return <p role="alert">{t({ zh: '这台手机没有付款码密钥。请先登录。', en: 'This phone has no payment-code key. Sign in first.' })}</p>;
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const deviceId = wallet.device!.deviceId;
      const answer = await wallet.call<{ device: Device; paymentCodeKey: string }>('POST', `/v1/wallet/devices/${encodeURIComponent(deviceId)}/payment-code/rotate`, { body: { pin } });
      await storePaymentCodeKey(deviceId, answer.paymentCodeKey);
      props.onDone();
    });
  };
  return (
    <form className="stack" onSubmit={onSubmit}>
      <p>{t({ zh: '这台手机没有付款码密钥。输入支付密码生成新的（旧码立即失效）。', en: 'This phone has no payment-code key. Enter your PIN to make a new one (old codes stop working).' })}</p>
      <label htmlFor="rotate-pin">{t({ zh: '支付密码', en: 'Payment PIN' })}</label>
      <input id="rotate-pin" type="password" inputMode="numeric" autoComplete="off" maxLength={6} value={pin} onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))} />
      <ErrorBox error={action.error} />
      <button type="submit" disabled={action.busy}>
        {t({ zh: '生成新密钥', en: 'Make a new key' })}
      </button>
    </form>
  );
}
