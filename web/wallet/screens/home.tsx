// Home: the balance, payments waiting for confirmation, the main actions, and the payment PIN.
import { useCallback, useState, type FormEvent } from 'react';
import type { LiveEvent } from '../../shared/events.js';
import { Link } from 'react-router';
import { useT } from '../../shared/i18n.js';
import { formatMoney } from '../../shared/money.js';
import { useWallet } from '../session.js';
import { ErrorBox, useAction } from '../ui.js';
import { Confirmations } from './confirmations.js';

export function Home() {
  const { t } = useT();
  const wallet = useWallet();
  const w = wallet.wallet;
  const { refresh, call, signOut } = wallet;
  // Money in or out while this screen is open (a payment code charged, a transfer received): new balance.
  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (event.type.startsWith('payment.')) void refresh().catch(() => undefined);
    },
    [refresh],
  );
  const logout = async () => {
    await call('POST', '/v1/sessions/logout').catch(() => undefined);
    signOut();
  };
  return (
    <section className="stack" aria-labelledby="home-title">
      <h1 id="home-title">{w ? t({ zh: `你好，${w.consumer.displayName}`, en: `Hello, ${w.consumer.displayName}` }) : t({ zh: '钱包', en: 'Wallet' })}</h1>
      <div className="card balance-card">
        <p className="muted">{t({ zh: '可用余额', en: 'Available balance' })}</p>
        <p className="big" data-testid="balance" aria-live="polite" data-amount-minor={w?.balance.availableMinor}>
          {w ? formatMoney(w.balance.availableMinor, w.balance.currency) : '…'}
        </p>
        {w && w.balance.pendingMinor > 0 ? (
          <p className="small muted">
            {t({ zh: '冻结中（等待确认）：', en: 'Held (waiting for confirmation): ' })}
            {formatMoney(w.balance.pendingMinor, w.balance.currency)}
          </p>
        ) : null}
      </div>
      <Confirmations onEvent={onEvent} />
      <div className="actions">
        <Link className="button" to="/scan">
          {t({ zh: '扫一扫付款', en: 'Scan to pay' })}
        </Link>
        <Link className="button" to="/code">
          {t({ zh: '出示付款码', en: 'Show pay code' })}
        </Link>
        <Link className="button secondary" to="/topup">
          {t({ zh: '充值', en: 'Top up' })}
        </Link>
        <Link className="button secondary" to="/transfer">
          {t({ zh: '转账给朋友', en: 'Send to a friend' })}
        </Link>
      </div>
      {w ? <PinSettings pinSet={w.consumer.pinSet} /> : null}
      <div className="card small muted">
        <p>
          {t({ zh: '账户：', en: 'Account: ' })}
          {w?.consumer.identifier ?? wallet.device?.identifier} · {t({ zh: '账户等级', en: 'Account class' })} {w?.consumer.accountClass ?? '…'}
        </p>
        <button type="button" className="secondary" data-testid="sign-out" onClick={() => void logout()}>
          {t({ zh: '退出登录', en: 'Sign out' })}
        </button>
      </div>
    </section>
  );
}

function PinSettings(props: { pinSet: boolean }) {
  const { t } = useT();
  const wallet = useWallet();
  const action = useAction();
  const [open, setOpen] = useState(false);
  const [current, setCurrent] = useState('');
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [saved, setSaved] = useState(false);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    if (!/^[0-9]{6}$/.test(pin) || (props.pinSet && !/^[0-9]{6}$/.test(current))) {
      action.setError({ text: { zh: '支付密码是 6 位数字。', en: 'The payment PIN is 6 digits.' }, detail: undefined, code: 'PIN_FORMAT' });
      return;
    }
    if (pin !== repeat) {
      action.setError({ text: { zh: '两次输入的密码不一致。', en: 'The two PINs do not match.' }, detail: undefined, code: 'PIN_MISMATCH' });
      return;
    }
    void action.run(async () => {
      await wallet.call('POST', '/v1/wallet/pin', { body: props.pinSet ? { pin, currentPin: current } : { pin } });
      await wallet.refresh();
      setSaved(true);
      setOpen(false);
      setCurrent('');
      setPin('');
      setRepeat('');
    });
  };

  const digits = (set: (v: string) => void) => (e: { target: { value: string } }) => set(e.target.value.replace(/\D/g, '').slice(0, 6));

  return (
    <div className="card stack">
      <h2>{t({ zh: '支付密码', en: 'Payment PIN' })}</h2>
      <p className="small muted">
        {props.pinSet
          ? t({ zh: '已设置。超过 200 元的付款需要支付密码或通行密钥验证。', en: 'Set. Payments above 200 yuan need the PIN or your passkey’s check.' })
          : t({ zh: '尚未设置。超过 200 元的付款需要它。', en: 'Not set yet. Payments above 200 yuan need it.' })}
      </p>
      {saved ? (
        <p role="status" className="banner ok">
          {t({ zh: '支付密码已保存。', en: 'Payment PIN saved.' })}
        </p>
      ) : null}
      {open ? (
        <form className="stack" onSubmit={onSubmit} noValidate>
          {props.pinSet ? (
            <div>
              <label htmlFor="settings-pin-current">{t({ zh: '当前支付密码', en: 'Current PIN' })}</label>
              <input id="settings-pin-current" type="password" inputMode="numeric" autoComplete="off" value={current} onChange={digits(setCurrent)} />
            </div>
          ) : null}
          <div>
            <label htmlFor="settings-pin-new">{t({ zh: '新支付密码（6 位数字）', en: 'New PIN (6 digits)' })}</label>
            <input id="settings-pin-new" data-testid="settings-pin" type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={digits(setPin)} />
          </div>
          <div>
            <label htmlFor="settings-pin-repeat">{t({ zh: '再输入一次', en: 'Repeat the PIN' })}</label>
            <input id="settings-pin-repeat" data-testid="settings-pin-repeat" type="password" inputMode="numeric" autoComplete="off" value={repeat} onChange={digits(setRepeat)} />
          </div>
          <ErrorBox error={action.error} />
          <button type="submit" data-testid="settings-pin-submit" disabled={action.busy}>
            {t({ zh: '保存', en: 'Save' })}
          </button>
        </form>
      ) : (
        <button type="button" className="secondary" data-testid="settings-pin-open" onClick={() => setOpen(true)}>
          {props.pinSet ? t({ zh: '修改支付密码', en: 'Change PIN' }) : t({ zh: '设置支付密码', en: 'Set a PIN' })}
        </button>
      )}
    </div>
  );
}
