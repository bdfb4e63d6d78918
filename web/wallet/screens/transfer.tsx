// P2P: prepare with the friend's phone or e-mail; the server answers the REGISTERED name, which is
// shown before anything is approved (a mistyped number shows a stranger's name); then the passkey.
import { useCallback, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useT } from '../../shared/i18n.js';
import { formatMoney, parseAmount } from '../../shared/money.js';
import { ApprovalView, useApproval, type Proof } from '../approval.js';
import { useWallet } from '../session.js';
import type { Payment, Prepared } from '../types.js';
import { ErrorBox, useAction, useIdempotencyKey } from '../ui.js';
import { normalizeIdentifier } from './signup.js';

export function Transfer() {
  const { t } = useT();
  const wallet = useWallet();
  const navigate = useNavigate();
  const currency = wallet.wallet?.balance.currency ?? 'CNY';
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [prepared, setPrepared] = useState<Prepared | undefined>();
  const action = useAction();
  const prepareKey = useIdempotencyKey();
  const payKey = useIdempotencyKey();

  const submit = useCallback(
    async (proof: Proof) => {
      const payment = await wallet.call<Payment>('POST', '/v1/wallet/payments', { body: proof, idempotencyKey: payKey.keyFor(proof) });
      payKey.done();
      return payment;
    },
    [wallet.call, payKey],
  );
  const approval = useApproval(submit);
  const finished = approval.step.kind === 'done' || approval.step.kind === 'declined';

  const onPrepare = (event: FormEvent) => {
    event.preventDefault();
    const payeeIdentifier = normalizeIdentifier(to);
    if (payeeIdentifier.length < 3) {
      action.setError({ text: { zh: '请输入对方的手机号或邮箱。', en: "Enter your friend's phone number or e-mail." }, detail: undefined, code: 'PAYEE_MISSING' });
      return;
    }
    const amountMinor = parseAmount(amount, currency);
    if (amountMinor === undefined) {
      action.setError({ text: { zh: '请输入金额，例如 50.00。', en: 'Enter an amount, like 50.00.' }, detail: undefined, code: 'AMOUNT_INVALID' });
      return;
    }
    void action.run(async () => {
      const body = { payeeIdentifier, amountMinor, currency, ...(note.trim() ? { description: note.trim() } : {}) };
      const p = await wallet.call<Prepared>('POST', '/v1/wallet/payments/prepare', { body, idempotencyKey: prepareKey.keyFor(body) });
      prepareKey.done();
      if (p.amountMinor !== amountMinor) throw new Error('the prepared amount differs from the one entered');
      setPrepared(p);
    });
  };

  if (finished) {
    return (
      <section className="stack" aria-labelledby="transfer-title">
        <h1 id="transfer-title">{t({ zh: '转账', en: 'Transfer' })}</h1>
        <ApprovalView approval={approval} />
        <button type="button" onClick={() => void navigate('/')}>
          {t({ zh: '完成', en: 'Done' })}
        </button>
      </section>
    );
  }

  return (
    <section className="stack" aria-labelledby="transfer-title">
      <h1 id="transfer-title">{t({ zh: '转账', en: 'Transfer' })}</h1>
      {prepared ? (
        <div className="card stack" data-testid="confirm-summary">
          <p className="muted">{t({ zh: '转给（对方登记的名字）', en: 'To (their registered name)' })}</p>
          <p className="payee" data-testid="payee-name">
            {prepared.payee.name}
          </p>
          <p className="small muted">{normalizeIdentifier(to)}</p>
          <p className="amount" data-testid="confirm-amount">
            {formatMoney(prepared.amountMinor, prepared.currency)}
          </p>
          <p className="small">{t({ zh: '名字不对就不要付款。', en: 'If the name is not right, do not pay.' })}</p>
          {approval.step.kind === 'idle' ? (
            <div className="row">
              <button type="button" data-testid="pay-button" onClick={() => void approval.start(prepared)} disabled={approval.busy}>
                {t({ zh: '用通行密钥付款', en: 'Pay with passkey' })}
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setPrepared(undefined);
                  approval.reset();
                }}
              >
                {t({ zh: '修改', en: 'Change' })}
              </button>
            </div>
          ) : null}
          <ApprovalView approval={approval} />
        </div>
      ) : (
        <form className="card stack" onSubmit={onPrepare} noValidate>
          <div>
            <label htmlFor="transfer-to">{t({ zh: '对方的手机号或邮箱', en: "Friend's phone number or e-mail" })}</label>
            <input id="transfer-to" data-testid="transfer-to" autoComplete="off" inputMode="email" value={to} onChange={(e) => setTo(e.target.value)} />
          </div>
          <div>
            <label htmlFor="transfer-amount">
              {t({ zh: '金额', en: 'Amount' })} ({currency})
            </label>
            <input id="transfer-amount" data-testid="transfer-amount" className="amount-field" inputMode="decimal" autoComplete="off" placeholder="0.00" value={amount} onChange={(e) => setAmount(e.target.value)} />
          </div>
          <div>
            <label htmlFor="transfer-note">{t({ zh: '备注（可选）', en: 'Note (optional)' })}</label>
            <input id="transfer-note" data-testid="transfer-note" maxLength={140} value={note} onChange={(e) => setNote(e.target.value)} />
          </div>
          <ErrorBox error={action.error} />
          <button type="submit" data-testid="transfer-submit" disabled={action.busy}>
            {t({ zh: '下一步', en: 'Next' })}
          </button>
        </form>
      )}
    </section>
  );
}
