// Sign-up (identifier + name → a passkey bound as this phone's device) and sign-in again with that
// passkey when the session is gone. No SMS codes: the identifier is only a name for the account.
import { useState, type FormEvent } from 'react';
import { useT } from '../../shared/i18n.js';
import { signInWithPasskey, signUpWithPasskey } from '../passkey.js';
import { useWallet } from '../session.js';
import { forgetDevice, syncClock } from '../store.js';
import { ErrorBox, useAction } from '../ui.js';

const E164 = /^\+[1-9][0-9]{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** "13800138000" (a mainland mobile without the country code) → "+8613800138000"; spaces and dashes dropped. */
export function normalizeIdentifier(text: string): string {
  const trimmed = text.trim();
  if (trimmed.includes('@')) return trimmed.toLowerCase();
  const compact = trimmed.replace(/[\s-]/g, '');
  if (/^1[3-9][0-9]{9}$/.test(compact)) return `+86${compact}`;
  return compact;
}

export function SignUp() {
  const { t } = useT();
  const wallet = useWallet();
  const [identifier, setIdentifier] = useState('');
  const [name, setName] = useState('');
  const action = useAction();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const id = normalizeIdentifier(identifier);
    if (!E164.test(id) && !EMAIL.test(id)) {
      action.setError({
        text: { zh: '请输入手机号（如 +8613800138000）或电子邮箱。', en: 'Enter a phone number (like +8613800138000) or an e-mail address.' },
        detail: undefined,
        code: 'IDENTIFIER_INVALID',
      });
      return;
    }
    if (name.trim() === '') {
      action.setError({ text: { zh: '请输入您的名字。', en: 'Enter your name.' }, detail: undefined, code: 'NAME_MISSING' });
      return;
    }
    void action.run(async () => {
      const { device, session } = await signUpWithPasskey({ identifier: id, displayName: name.trim(), label: t({ zh: '浏览器钱包', en: 'Browser wallet' }) });
      void syncClock();
      wallet.bound(device, session);
    });
  };

  return (
    <section className="stack" aria-labelledby="signup-title">
      <h1 id="signup-title">{t({ zh: '开通钱包', en: 'Open your wallet' })}</h1>
      <p className="muted">
        {t({
          zh: '用手机号或邮箱注册，再用这台手机的通行密钥（指纹、面容或锁屏密码）绑定。不会发送短信验证码。',
          en: "Sign up with a phone number or e-mail, then bind this phone's passkey (fingerprint, face or screen lock). No SMS codes are ever sent.",
        })}
      </p>
      <form className="card stack" onSubmit={onSubmit} noValidate>
        <div>
          <label htmlFor="signup-identifier">{t({ zh: '手机号或电子邮箱', en: 'Phone number or e-mail' })}</label>
          <input
            id="signup-identifier"
            data-testid="signup-identifier"
            autoComplete="username"
            placeholder="+8613800138000"
            aria-describedby="signup-identifier-hint"
            value={identifier}
            onChange={(e) => setIdentifier(e.target.value)}
          />
          <p id="signup-identifier-hint" className="small muted">
            {t({ zh: '手机号请带国家代码；中国大陆 11 位手机号会自动加上 +86。', en: 'Phone numbers with the country code; an 11-digit mainland number gets +86 added.' })}
          </p>
        </div>
        <div>
          <label htmlFor="signup-name">{t({ zh: '您的名字', en: 'Your name' })}</label>
          <input id="signup-name" data-testid="signup-name" autoComplete="name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <ErrorBox error={action.error} />
        <button type="submit" data-testid="signup-submit" disabled={action.busy}>
          {action.busy ? t({ zh: '请确认通行密钥…', en: 'Confirm your passkey…' }) : t({ zh: '注册并绑定通行密钥', en: 'Sign up with a passkey' })}
        </button>
      </form>
    </section>
  );
}

export function SignIn() {
  const { t } = useT();
  const wallet = useWallet();
  const action = useAction();
  const device = wallet.device!;

  const signIn = () =>
    action.run(async () => {
      const session = await signInWithPasskey(device.deviceId);
      void syncClock();
      wallet.signedIn(session);
    });

  const forget = () => {
    const sure = window.confirm(
      t({ zh: '从这台手机移除账户？之后需要重新绑定设备才能使用。', en: 'Remove the account from this phone? You will need to bind the device again to use it.' }),
    );
    if (!sure) return;
    void action.run(async () => {
      await forgetDevice();
      window.location.assign('/wallet/');
    });
  };

  return (
    <section className="stack" aria-labelledby="signin-title">
      <h1 id="signin-title">{t({ zh: '登录', en: 'Sign in' })}</h1>
      <div className="card stack">
        <p>
          {t({ zh: '账户：', en: 'Account: ' })}
          <strong>{device.displayName}</strong> <span className="muted">{device.identifier}</span>
        </p>
        <p className="muted">{t({ zh: '登录已失效。用这台手机的通行密钥重新登录。', en: "Your session has ended. Sign in again with this phone's passkey." })}</p>
        <ErrorBox error={action.error} />
        <button type="button" data-testid="signin-submit" onClick={() => void signIn()} disabled={action.busy}>
          {t({ zh: '用通行密钥登录', en: 'Sign in with passkey' })}
        </button>
        <button type="button" className="secondary" data-testid="forget-device" onClick={forget} disabled={action.busy}>
          {t({ zh: '在这台手机上退出此账户', en: 'Remove this account from this phone' })}
        </button>
      </div>
    </section>
  );
}
