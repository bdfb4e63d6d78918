// Top-up from the person's own bank account (POST /v1/wallet/topups). The bank may answer later
// (bank_sent): the screen reads the transfer again until it is final.
import { useState, type FormEvent } from 'react';
import { useT, type Text } from '../../shared/i18n.js';
import { formatMoney, parseAmount } from '../../shared/money.js';
import { useWallet } from '../session.js';
import { loadBankAccount, saveBankAccount } from '../store.js';
import type { BankTransfer } from '../types.js';
import { ErrorBox, useAction, useIdempotencyKey } from '../ui.js';

const TOPUP_MINOR_MAX = 5_000_000;
const POLL_MS = 1000;
const POLLS_MAX = 30;

const STATUS: Record<BankTransfer['status'], Text> = {
  created: { zh: '已创建', en: 'Created' },
  bank_sent: { zh: '等待银行处理', en: 'Waiting for the bank' },
  succeeded: { zh: '充值成功', en: 'Topped up' },
  declined: { zh: '银行拒绝', en: 'Declined by the bank' },
  failed: { zh: '失败', en: 'Failed' },
};

export function TopUp() {
  const { t } = useT();
  const wallet = useWallet();
  const currency = wallet.wallet?.balance.currency ?? 'CNY';
  const [amount, setAmount] = useState('');
  const [account, setAccount] = useState(loadBankAccount);
  const [transfer, setTransfer] = useState<BankTransfer | undefined>();
  const action = useAction();
  const idem = useIdempotencyKey();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const amountMinor = parseAmount(amount, currency);
    if (amountMinor === undefined || amountMinor > TOPUP_MINOR_MAX) {
      action.setError({
        text: { zh: `请输入 0.01 到 ${formatMoney(TOPUP_MINOR_MAX, currency)} 之间的金额。`, en: `Enter an amount from 0.01 to ${formatMoney(TOPUP_MINOR_MAX, currency)}.` },
        detail: undefined,
        code: 'AMOUNT_INVALID',
      });
      return;
    }
    const bankAccount = account.replace(/\s/g, '');
    if (!/^[0-9]{8,30}$/.test(bankAccount)) {
      action.setError({ text: { zh: '银行账号应为 8 到 30 位数字。', en: 'A bank account number is 8 to 30 digits.' }, detail: undefined, code: 'BANK_ACCOUNT_INVALID' });
      return;
    }
    setTransfer(undefined);
    void action.run(async () => {
      const body = { amountMinor, currency, bankAccount };
      let current = await wallet.call<BankTransfer>('POST', '/v1/wallet/topups', { body, idempotencyKey: idem.keyFor(body) });
      idem.done();
      saveBankAccount(bankAccount);
      setTransfer(current);
      for (let i = 0; i < POLLS_MAX && (current.status === 'created' || current.status === 'bank_sent'); i++) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        current = await wallet.call<BankTransfer>('GET', `/v1/wallet/bank-transfers/${encodeURIComponent(current.id)}`);
        setTransfer(current);
      }
      if (current.status === 'succeeded') setAmount('');
      await wallet.refresh();
    });
  };

  return (
    <section className="stack" aria-labelledby="topup-title">
      <h1 id="topup-title">{t({ zh: '充值', en: 'Top up' })}</h1>
      <p className="muted">
        {t({ zh: '余额：', en: 'Balance: ' })}
        {wallet.wallet ? formatMoney(wallet.wallet.balance.availableMinor, currency) : '…'}
      </p>
      <form className="card stack" onSubmit={onSubmit} noValidate>
        <div>
          <label htmlFor="topup-amount">
            {t({ zh: '金额', en: 'Amount' })} ({currency})
          </label>
          <input id="topup-amount" data-testid="topup-amount" className="amount-field" inputMode="decimal" autoComplete="off" placeholder="0.00" value={amount} onChange={(e) => setAmount(e.target.value)} />
        </div>
        <div>
          <label htmlFor="topup-account">{t({ zh: '您本人的银行账号', en: 'Your own bank account number' })}</label>
          <input
            id="topup-account"
            data-testid="topup-account"
            inputMode="numeric"
            autoComplete="off"
            value={account}
            onChange={(e) => setAccount(e.target.value)}
            aria-describedby="topup-account-hint"
          />
          <p id="topup-account-hint" className="small muted">
            {t({ zh: '8 到 30 位数字。这台手机会记住它，下次不用再输；记录里只显示末四位。', en: '8 to 30 digits. This phone remembers it for next time; records show only the last four.' })}
          </p>
        </div>
        <ErrorBox error={action.error} />
        <button type="submit" data-testid="topup-submit" disabled={action.busy}>
          {t({ zh: '充值', en: 'Top up' })}
        </button>
      </form>
      {transfer ? (
        <div
          className={`banner ${transfer.status === 'succeeded' ? 'ok' : transfer.status === 'declined' || transfer.status === 'failed' ? 'bad' : 'warn'}`}
          role="status"
          aria-live="polite"
          data-testid="topup-status"
          data-status={transfer.status}
        >
          <strong>{t(STATUS[transfer.status])}</strong> {formatMoney(transfer.amountMinor, transfer.currency)} · {transfer.accountMasked}
          {transfer.reason ? <p className="small">{transfer.reason}</p> : null}
        </div>
      ) : null}
    </section>
  );
}
