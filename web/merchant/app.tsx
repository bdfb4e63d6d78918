// The merchant counter: sign-in with a secret API key, then the counter (codes, live payments,
// scanning), payments and refunds, today's totals, the poster, and settings by role.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { setLang, useT } from '../shared/i18n.js';
import { ApiError } from '../shared/api.js';
import { ErrorMessage } from './errors.js';
import { ROLE } from './labels.js';
import { LiveProvider, useLive } from './live.js';
import { CounterPage } from './counter.js';
import { PaymentsPage } from './payments.js';
import { TodayPage } from './today.js';
import { SettingsPage } from './settings.js';
import { PosterPage } from './poster.js';
import { forgetKey, SessionProvider, storedKey, storeKey, useSession, verifyKey, type SignedIn } from './session.js';

function LanguageToggle() {
  const { lang } = useT();
  return (
    <button
      type="button"
      className="secondary small-button"
      data-testid="lang-toggle"
      lang={lang === 'zh' ? 'en' : 'zh-CN'}
      aria-label={lang === 'zh' ? 'English' : '中文'}
      onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
    >
      {lang === 'zh' ? 'EN' : '中文'}
    </button>
  );
}

function Login(props: { onSignedIn: (signedIn: SignedIn) => void; notice?: 'revoked' | undefined }) {
  const { t } = useT();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [formatError, setFormatError] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    setError(undefined);
    if (!/^sk_m_[A-Za-z0-9_-]+$/.test(trimmed)) {
      setFormatError(true);
      return;
    }
    setFormatError(false);
    setBusy(true);
    try {
      const signedIn = await verifyKey(trimmed);
      storeKey(trimmed);
      props.onSignedIn(signedIn);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login">
      <div className="row spread">
        <h1>{t({ zh: 'saoma 商户收银台', en: 'saoma merchant counter' })}</h1>
        <LanguageToggle />
      </div>
      {props.notice === 'revoked' ? (
        <p role="alert" className="banner warn">
          {t({ zh: '这个密钥已失效（可能被撤销），请用新的密钥登录。', en: 'That key stopped working (revoked, perhaps). Sign in with a new key.' })}
        </p>
      ) : null}
      <form className="card stack" onSubmit={submit} noValidate>
        <label htmlFor="merchant-key">{t({ zh: '商户 API 密钥（sk_m_…）', en: 'Merchant API key (sk_m_…)' })}</label>
        <input
          id="merchant-key"
          data-testid="merchant-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby="merchant-key-help"
          aria-invalid={formatError || error !== undefined}
        />
        <p id="merchant-key-help" className="muted small">
          {t({
            zh: '店主、店长或收银员的密钥都可以。密钥只保存在这台设备的本标签页里，直到你退出登录（关闭标签页也会清除）。',
            en: 'An owner’s, manager’s or cashier’s key. It stays on this device, in this tab only, until you sign out (closing the tab clears it too).',
          })}
        </p>
        {formatError ? (
          <p role="alert" className="error">
            {t({ zh: '商户密钥以 sk_m_ 开头，请检查后重新粘贴。', en: 'A merchant key starts with sk_m_; check it and paste it again.' })}
          </p>
        ) : null}
        {error !== undefined ? <ErrorMessage error={error} /> : null}
        <button type="submit" data-testid="merchant-login" disabled={busy}>
          {busy ? t({ zh: '正在验证…', en: 'Checking…' }) : t({ zh: '登录', en: 'Sign in' })}
        </button>
      </form>
    </main>
  );
}

function LiveStatus() {
  const { t } = useT();
  const { connected } = useLive();
  const text =
    connected === undefined
      ? t({ zh: '正在连接…', en: 'Connecting…' })
      : connected
        ? t({ zh: '实时：已连接', en: 'Live: connected' })
        : t({ zh: '实时：重连中…', en: 'Live: reconnecting…' });
  return (
    <span className={`pill ${connected ? 'pill-ok' : 'pill-warn'}`} data-testid="live-status" data-connected={connected ? 'true' : 'false'} role="status">
      {text}
    </span>
  );
}

function SpeakerIcon(props: { muted: boolean }) {
  return (
    <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
      {props.muted ? <path d="M17 9l5 6M22 9l-5 6" /> : <path d="M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12" />}
    </svg>
  );
}

function MuteToggle() {
  const { t } = useT();
  const { muted, setMuted } = useLive();
  return (
    <button type="button" className="secondary small-button" data-testid="mute-toggle" aria-pressed={muted} onClick={() => setMuted(!muted)}>
      <SpeakerIcon muted={muted} />
      {muted ? t({ zh: '播报：关', en: 'Voice: off' }) : t({ zh: '播报：开', en: 'Voice: on' })}
    </button>
  );
}

/** Browsers speak only after the page was touched once; until then, say so. */
function SoundHint() {
  const { t } = useT();
  const { muted } = useLive();
  const [active, setActive] = useState(() => (navigator as Navigator & { userActivation?: { hasBeenActive: boolean } }).userActivation?.hasBeenActive ?? true);
  useEffect(() => {
    if (active) return;
    const on = () => setActive(true);
    window.addEventListener('pointerdown', on, { once: true });
    window.addEventListener('keydown', on, { once: true });
    return () => {
      window.removeEventListener('pointerdown', on);
      window.removeEventListener('keydown', on);
    };
  }, [active]);
  if (active || muted) return null;
  return (
    <button type="button" className="banner warn sound-hint" onClick={() => setActive(true)}>
      {t({ zh: '点一下这里，开启收款语音播报', en: 'Tap here to turn on spoken payment announcements' })}
    </button>
  );
}

const TITLES: Record<string, { zh: string; en: string }> = {
  counter: { zh: '收银台', en: 'Counter' },
  payments: { zh: '收款记录', en: 'Payments' },
  today: { zh: '今日', en: 'Today' },
  settings: { zh: '设置', en: 'Settings' },
  poster: { zh: '收款码海报', en: 'Poster' },
};

function Shell() {
  const { t } = useT();
  const session = useSession();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  const section = location.pathname.split('/')[1] || 'counter';

  useEffect(() => {
    const title = TITLES[section];
    document.title = `${title ? t(title) + ' · ' : ''}saoma ${t({ zh: '商户', en: 'merchant' })}`;
    // Keyboard and screen-reader users land on the new screen, not on the link they pressed.
    if (!first.current) mainRef.current?.querySelector<HTMLElement>('h1')?.focus();
    first.current = false;
  }, [section, t]);

  const status = session.me.merchant.status;
  return (
    <>
      <a className="skip" href="#main">
        {t({ zh: '跳到正文', en: 'Skip to content' })}
      </a>
      <header className="top no-print">
        <div className="row spread top-row">
          <div>
            <strong className="shop">{session.me.merchant.displayName}</strong>{' '}
            <span className="pill" data-testid="merchant-role" data-role={session.role}>
              {t(ROLE[session.role])}
            </span>
          </div>
          <button type="button" className="secondary small-button" data-testid="merchant-logout" onClick={() => session.signOut()}>
            {t({ zh: '退出登录', en: 'Sign out' })}
          </button>
        </div>
        <div className="row controls">
          <LiveStatus />
          <MuteToggle />
          <LanguageToggle />
        </div>
        <nav className="tabs" aria-label={t({ zh: '主菜单', en: 'Main' })}>
          <NavLink to="/counter" data-testid="nav-counter">
            {t(TITLES.counter!)}
          </NavLink>
          <NavLink to="/payments" data-testid="nav-payments">
            {t(TITLES.payments!)}
          </NavLink>
          <NavLink to="/today" data-testid="nav-today">
            {t(TITLES.today!)}
          </NavLink>
          {session.can.webhooks || session.can.keys ? (
            <NavLink to="/settings" data-testid="nav-settings">
              {t(TITLES.settings!)}
            </NavLink>
          ) : null}
        </nav>
      </header>
      <SoundHint />
      {status !== 'approved' ? (
        <p className="banner warn" role="status">
          {status === 'pending'
            ? t({ zh: '商户正在审核中：审核通过后才能收款。', en: 'The merchant is under review: payments open once it is approved.' })
            : t({ zh: '商户已被暂停，不能收款。请联系平台。', en: 'The merchant is suspended and cannot take payments. Contact the platform.' })}
        </p>
      ) : null}
      <main id="main" ref={mainRef}>
        <Routes>
          <Route path="/" element={<Navigate to="/counter" replace />} />
          <Route path="/counter" element={<CounterPage />} />
          <Route path="/payments" element={<PaymentsPage />} />
          <Route path="/today" element={<TodayPage />} />
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="/poster/:tillId" element={<PosterPage />} />
          <Route path="*" element={<Navigate to="/counter" replace />} />
        </Routes>
      </main>
    </>
  );
}

export function App() {
  const { t } = useT();
  const [signedIn, setSignedIn] = useState<SignedIn | undefined>(undefined);
  const [restoring, setRestoring] = useState(() => storedKey() !== undefined);
  const [restoreError, setRestoreError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<'revoked' | undefined>(undefined);

  const restore = useCallback(async () => {
    const key = storedKey();
    if (!key) {
      setRestoring(false);
      return;
    }
    setRestoring(true);
    setRestoreError(undefined);
    try {
      setSignedIn(await verifyKey(key));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        forgetKey();
        setNotice('revoked');
      } else {
        setRestoreError(error);
      }
    } finally {
      setRestoring(false);
    }
  }, []);

  useEffect(() => {
    void restore();
  }, [restore]);

  const signOut = useCallback((reason?: 'revoked') => {
    forgetKey();
    setSignedIn(undefined);
    setNotice(reason);
  }, []);

  if (restoring) {
    return (
      <main id="main" className="login" aria-busy="true">
        <p role="status">{t({ zh: '正在登录…', en: 'Signing in…' })}</p>
      </main>
    );
  }
  if (restoreError !== undefined) {
    return (
      <main id="main" className="login">
        <ErrorMessage error={restoreError} />
        <div className="row">
          <button type="button" onClick={() => void restore()}>
            {t({ zh: '重试', en: 'Try again' })}
          </button>
          <button type="button" className="secondary" data-testid="merchant-logout" onClick={() => signOut()}>
            {t({ zh: '退出登录', en: 'Sign out' })}
          </button>
        </div>
      </main>
    );
  }
  if (!signedIn) {
    return (
      <Login
        notice={notice}
        onSignedIn={(s) => {
          setNotice(undefined);
          setSignedIn(s);
        }}
      />
    );
  }
  return (
    <SessionProvider signedIn={signedIn} onSignOut={signOut}>
      <LiveProvider>
        <Shell />
      </LiveProvider>
    </SessionProvider>
  );
}
