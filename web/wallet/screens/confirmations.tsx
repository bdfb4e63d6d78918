// Merchant-scanned payments above the password-free limit wait for this phone (2 minutes): confirm
// with the passkey (and the PIN), or decline. Kept fresh by the wallet's live events, with a slow
// poll behind them in case the stream is down.
import { useCallback, useEffect, useRef, useState } from 'react';
import { subscribe, type LiveEvent } from '../../shared/events.js';
import { useT } from '../../shared/i18n.js';
import { formatMoney } from '../../shared/money.js';
import { ApprovalView, useApproval, type Proof } from '../approval.js';
import { shownError, type ShownError } from '../errors.js';
import { useWallet } from '../session.js';
import type { Payment, Prepared } from '../types.js';
import { ErrorBox, useAction } from '../ui.js';

const POLL_MS = 10_000;

/** Calls `onEvent` for every live event of this wallet while mounted. */
export function useWalletEvents(onEvent: (event: LiveEvent) => void): boolean {
  const { session } = useWallet();
  const [connected, setConnected] = useState(false);
  // One stream per session; the latest handler is called without reconnecting.
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const token = session?.token;
  useEffect(() => {
    if (!token) return;
    return subscribe('/v1/wallet/events', token, (event) => handler.current(event), setConnected);
  }, [token]);
  return connected;
}

export function Confirmations(props: { onEvent?: (event: LiveEvent) => void }) {
  const { t } = useT();
  const wallet = useWallet();
  const [items, setItems] = useState<Payment[]>([]);
  const [error, setError] = useState<ShownError | undefined>();
  const [offline, setOffline] = useState(false);
  // Items the person is acting on stay on screen (with their result) after the server drops them.
  const acting = useRef(new Map<string, Payment>());

  const load = useCallback(async () => {
    try {
      const answer = await wallet.call<{ payments: Payment[] }>('GET', '/v1/wallet/confirmations');
      const waiting = new Set(answer.payments.map((p) => p.id));
      setItems([...answer.payments, ...[...acting.current.values()].filter((p) => !waiting.has(p.id))]);
      setError(undefined);
      setOffline(false);
    } catch (e) {
      // Offline is normal where a payment code is shown: say so quietly, keep what was listed.
      const shown = shownError(e);
      if (shown.code === 'NETWORK_UNAVAILABLE') setOffline(true);
      else setError(shown);
    }
  }, [wallet.call]);

  const { onEvent: outer } = props;
  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (event.type.startsWith('payment.')) void load();
      outer?.(event);
    },
    [load, outer],
  );
  useWalletEvents(onEvent);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  if (items.length === 0 && !error) {
    return offline ? (
      <p className="small muted" role="status">
        {t({ zh: '离线：联网后才能收到待确认的付款。', en: 'Offline: payments waiting for confirmation show up once you are back online.' })}
      </p>
    ) : null;
  }
  return (
    <section className="stack" aria-labelledby="confirmations-title" aria-live="polite">
      <h2 id="confirmations-title">{t({ zh: '待您确认的付款', en: 'Payments waiting for you' })}</h2>
      <ErrorBox error={error} />
      {items.map((p) => (
        <ConfirmationItem
          key={p.id}
          payment={p}
          onActing={() => acting.current.set(p.id, p)}
          onDone={() => {
            acting.current.delete(p.id);
            return load();
          }}
        />
      ))}
    </section>
  );
}

function ConfirmationItem(props: { payment: Payment; onActing: () => void; onDone: () => Promise<void> }) {
  const { t } = useT();
  const wallet = useWallet();
  const p = props.payment;
  const action = useAction();
  const submit = useCallback(
    (proof: Proof) => wallet.call<Payment>('POST', `/v1/wallet/confirmations/${encodeURIComponent(p.id)}`, { body: proof }),
    [wallet.call, p.id],
  );
  const approval = useApproval(submit);
  const [declined, setDeclined] = useState<Payment | undefined>();
  const finished = approval.step.kind === 'done' || approval.step.kind === 'declined' || declined !== undefined;

  const confirm = () =>
    action.run(async () => {
      props.onActing();
      const prepared = await wallet.call<Prepared>('POST', `/v1/wallet/confirmations/${encodeURIComponent(p.id)}/challenge`);
      if (prepared.amountMinor !== p.amountMinor || prepared.currency !== p.currency) throw new Error('the challenge does not match the payment shown');
      await approval.start(prepared);
    });

  const decline = () =>
    action.run(async () => {
      props.onActing();
      setDeclined(await wallet.call<Payment>('POST', `/v1/wallet/confirmations/${encodeURIComponent(p.id)}/decline`));
      void wallet.refresh().catch(() => undefined);
    });

  return (
    <article className="card stack" data-testid="confirmation" data-payment-id={p.id}>
      <p>
        <strong>{p.payeeName}</strong> {t({ zh: '请求收款', en: 'asks you to pay' })}
      </p>
      <p className="amount">{formatMoney(p.amountMinor, p.currency)}</p>
      <p className="small muted">{t({ zh: '商户扫了您的付款码。金额超过免密额度，需要您确认。不是您本人操作请拒绝。', en: 'A merchant scanned your payment code. Above the password-free limit you must confirm. Decline if this is not you.' })}</p>
      <ErrorBox error={action.error} />
      {approval.step.kind === 'idle' && !declined ? (
        <div className="row">
          <button type="button" data-testid="confirm-button" onClick={() => void confirm()} disabled={action.busy}>
            {t({ zh: '确认付款', en: 'Confirm payment' })}
          </button>
          <button type="button" className="danger" data-testid="decline-button" onClick={() => void decline()} disabled={action.busy}>
            {t({ zh: '拒绝', en: 'Decline' })}
          </button>
        </div>
      ) : null}
      <ApprovalView approval={approval} />
      {declined ? (
        <p className="banner ok" role="status" data-testid="confirmation-declined">
          {t({ zh: '已拒绝，没有扣款。', en: 'Declined. Nothing was paid.' })}
        </p>
      ) : null}
      {finished ? (
        <button type="button" className="secondary" onClick={() => void props.onDone()}>
          {t({ zh: '完成', en: 'Done' })}
        </button>
      ) : null}
    </article>
  );
}
