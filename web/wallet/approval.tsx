// Approving a prepared payment (a scanned code, a transfer, or a merchant-scanned payment waiting
// for confirmation): the PIN where policy asks for it (set one first if there is none), then the
// passkey over the exact text the server prepared, then the result. A risk step-up or a missing
// PIN asks for the PIN and signs the same challenge again; nothing is paid until the server says so.
import { useCallback, useRef, useState, type FormEvent } from 'react';
import type { AuthenticationResponseJSON } from '@simplewebauthn/browser';
import { ApiError } from '../shared/api.js';
import { useT, type Text } from '../shared/i18n.js';
import { formatMoney } from '../shared/money.js';
import { shownError, type ShownError } from './errors.js';
import { approve } from './passkey.js';
import { useWallet } from './session.js';
import type { Payment, PaymentStatus, Prepared } from './types.js';
import { ErrorBox } from './ui.js';

export interface Proof {
  readonly challengeId: string;
  readonly assertion: AuthenticationResponseJSON;
  readonly pin?: string;
}

type Step =
  | { readonly kind: 'idle' }
  | { readonly kind: 'pin'; readonly mode: 'enter' | 'set'; readonly why: Text }
  | { readonly kind: 'signing' }
  | { readonly kind: 'done'; readonly payment: Payment }
  | { readonly kind: 'declined'; readonly error: ShownError };

const PIN_PATTERN = /^[0-9]{6}$/;

export interface Approval {
  readonly step: Step;
  readonly error: ShownError | undefined;
  readonly busy: boolean;
  start(prepared: Prepared): Promise<void>;
  reset(): void;
  submitPin(pin: string, repeat: string | undefined): Promise<void>;
}

export function useApproval(submit: (proof: Proof) => Promise<Payment>): Approval {
  const wallet = useWallet();
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [error, setError] = useState<ShownError | undefined>();
  const [busy, setBusy] = useState(false);
  const prepared = useRef<Prepared | undefined>(undefined);
  const running = useRef(false);

  const askPin = useCallback(
    (why: Text) => setStep({ kind: 'pin', mode: wallet.wallet?.consumer.pinSet === false ? 'set' : 'enter', why }),
    [wallet.wallet],
  );

  const sign = useCallback(
    async (pin: string | undefined) => {
      const p = prepared.current;
      if (!p) return;
      setStep({ kind: 'signing' });
      try {
        const assertion = await approve(p.assertionOptions);
        const payment = await submit({ challengeId: p.challengeId, assertion, ...(pin !== undefined ? { pin } : {}) });
        setStep({ kind: 'done', payment });
        wallet.refresh().catch(() => undefined);
      } catch (e) {
        const shown = shownError(e);
        const code = e instanceof ApiError ? e.code : undefined;
        if (code === 'PIN_REQUIRED' || code === 'RISK_CHALLENGE' || code === 'PIN_INVALID') {
          setError(shown);
          askPin(shown.text);
        } else if (code === 'PIN_NOT_SET') {
          setError(undefined);
          setStep({ kind: 'pin', mode: 'set', why: shown.text });
        } else if (e instanceof ApiError && e.status === 402) {
          setStep({ kind: 'declined', error: shown });
        } else {
          setError(shown);
          setStep({ kind: 'idle' });
        }
      }
    },
    [submit, wallet, askPin],
  );

  const guarded = useCallback(async (action: () => Promise<void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      await action();
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);

  const start = useCallback(
    (p: Prepared) =>
      guarded(async () => {
        prepared.current = p;
        setError(undefined);
        if (p.pinRequired) askPin({ zh: '这笔付款超过免密额度，需要支付密码。', en: 'This payment is above the password-free limit: it needs your payment PIN.' });
        else await sign(undefined);
      }),
    [guarded, askPin, sign],
  );

  const submitPin = useCallback(
    (pin: string, repeat: string | undefined) =>
      guarded(async () => {
        setError(undefined);
        if (!PIN_PATTERN.test(pin)) {
          setError({ text: { zh: '支付密码是 6 位数字。', en: 'The payment PIN is 6 digits.' }, detail: undefined, code: 'PIN_FORMAT' });
          return;
        }
        if (step.kind === 'pin' && step.mode === 'set') {
          if (repeat !== pin) {
            setError({ text: { zh: '两次输入的密码不一致。', en: 'The two PINs do not match.' }, detail: undefined, code: 'PIN_MISMATCH' });
            return;
          }
          try {
            await wallet.call('POST', '/v1/wallet/pin', { body: { pin } });
            await wallet.refresh().catch(() => undefined);
          } catch (e) {
            setError(shownError(e));
            return;
          }
        }
        await sign(pin);
      }),
    [guarded, step, wallet, sign],
  );

  const reset = useCallback(() => {
    prepared.current = undefined;
    setError(undefined);
    setStep({ kind: 'idle' });
  }, []);

  return { step, error, busy, start, reset, submitPin };
}

/** The PIN form, the "waiting for the passkey" line, errors and the result of an approval. */
export function ApprovalView(props: { approval: Approval }) {
  const { t } = useT();
  const { step, error, busy } = props.approval;
  return (
    <div aria-live="polite">
      {step.kind === 'pin' ? <PinForm approval={props.approval} mode={step.mode} why={step.why} /> : <ErrorBox error={error} />}
      {step.kind === 'signing' ? (
        <p className="muted" role="status">
          {t({ zh: '请用通行密钥（指纹、面容或设备密码）确认…', en: 'Confirm with your passkey (fingerprint, face or device PIN)…' })}
        </p>
      ) : null}
      {step.kind === 'done' ? <PaymentResult payment={step.payment} /> : null}
      {step.kind === 'declined' ? <DeclinedResult error={step.error} /> : null}
      {busy && step.kind !== 'signing' ? <span className="sr-only">{t({ zh: '处理中', en: 'Working' })}</span> : null}
    </div>
  );
}

function PinForm(props: { approval: Approval; mode: 'enter' | 'set'; why: Text }) {
  const { t } = useT();
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void props.approval.submitPin(pin, props.mode === 'set' ? repeat : undefined).then(() => {
      setPin('');
      setRepeat('');
    });
  };
  return (
    <form className="card stack" onSubmit={onSubmit} aria-labelledby="pin-title">
      <h2 id="pin-title">{props.mode === 'set' ? t({ zh: '设置支付密码', en: 'Set a payment PIN' }) : t({ zh: '输入支付密码', en: 'Enter your payment PIN' })}</h2>
      <p>{t(props.why)}</p>
      {props.mode === 'set' ? (
        <p className="muted">{t({ zh: '6 位数字，不能全相同，也不能是连续数字。', en: '6 digits, not all the same and not a run like 123456.' })}</p>
      ) : null}
      <ErrorBox error={props.approval.error} />
      <label htmlFor="pin-input">{t({ zh: '支付密码（6 位数字）', en: 'Payment PIN (6 digits)' })}</label>
      <input
        id="pin-input"
        data-testid="pin-input"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={6}
        pattern="[0-9]{6}"
        required
        autoFocus
        value={pin}
        onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
      />
      {props.mode === 'set' ? (
        <>
          <label htmlFor="pin-repeat">{t({ zh: '再输入一次', en: 'Repeat the PIN' })}</label>
          <input
            id="pin-repeat"
            data-testid="pin-repeat"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={6}
            pattern="[0-9]{6}"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value.replace(/\D/g, ''))}
          />
        </>
      ) : null}
      <button type="submit" data-testid="pin-submit" disabled={props.approval.busy}>
        {t({ zh: '确认并用通行密钥付款', en: 'Confirm and approve with passkey' })}
      </button>
    </form>
  );
}

export const STATUS_TEXT: Record<PaymentStatus, Text> = {
  succeeded: { zh: '支付成功', en: 'Paid' },
  held_for_review: { zh: '安全审核中', en: 'Held for review' },
  awaiting_confirmation: { zh: '等待确认', en: 'Waiting for confirmation' },
  voided: { zh: '已取消', en: 'Cancelled' },
  expired: { zh: '已超时', en: 'Expired' },
  refunded: { zh: '已退款', en: 'Refunded' },
  declined: { zh: '已拒绝', en: 'Declined' },
};

export function PaymentResult(props: { payment: Payment }) {
  const { t } = useT();
  const p = props.payment;
  const tone = p.status === 'succeeded' ? 'ok' : p.status === 'held_for_review' || p.status === 'awaiting_confirmation' ? 'warn' : 'bad';
  return (
    <section className={`banner ${tone}`} data-testid="payment-result" data-status={p.status} data-payment-id={p.id} role="status">
      <h2>{t(STATUS_TEXT[p.status])}</h2>
      <p className="amount">{formatMoney(p.amountMinor, p.currency)}</p>
      <p>
        {t({ zh: '收款方：', en: 'To: ' })}
        <strong>{p.payeeName}</strong>
      </p>
      {p.status === 'held_for_review' ? (
        <p>
          {t({
            zh: '为保护您的账户，这笔付款正在人工审核。金额已冻结，审核通过后付给对方，否则退回。',
            en: 'To protect your account, this payment is being reviewed. The amount is reserved: it goes to the payee if approved, or back to you.',
          })}
        </p>
      ) : null}
      <p className="small">
        {t({ zh: '验证等级', en: 'Verification level' })} {p.level} · {p.id}
      </p>
    </section>
  );
}

function DeclinedResult(props: { error: ShownError }) {
  const { t } = useT();
  return (
    <section className="banner bad" data-testid="payment-result" data-status="declined" data-code={props.error.code} role="alert">
      <h2>{t({ zh: '付款未成功', en: 'Payment declined' })}</h2>
      <p>{t(props.error.text)}</p>
      {props.error.detail ? <p className="small">{props.error.detail}</p> : null}
    </section>
  );
}
