// The console shell: sign-in with a staff token, then a header (who, role, language, sign out),
// the navigation the role may use, and the screen.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, NavLink, Route, Routes } from 'react-router';
import { ApiError } from '../shared/api.js';
import { setLang, useT } from '../shared/i18n.js';
import { can, ROLE_NAMES } from './permissions.js';
import { SCREENS } from './screens.js';
import { SessionContext, storedToken, storeToken, whoAmI, type Session } from './session.js';
import type { StaffMe } from './types.js';
import { errorText, ScreenHeading, useDocumentTitle } from './ui.js';

type Notice = 'expired' | 'signed-out' | 'unreachable';

type State =
  | { readonly kind: 'checking'; readonly token: string }
  | { readonly kind: 'signed-out'; readonly notice?: Notice }
  | { readonly kind: 'signed-in'; readonly token: string; readonly staff: StaffMe };

export function App() {
  const [state, setState] = useState<State>(() => {
    const token = storedToken();
    return token ? { kind: 'checking', token } : { kind: 'signed-out' };
  });

  // A token kept from earlier in this tab is checked again before anything is shown.
  useEffect(() => {
    if (state.kind !== 'checking') return;
    let live = true;
    whoAmI(state.token).then(
      (staff) => live && setState({ kind: 'signed-in', token: state.token, staff }),
      (error: unknown) => {
        if (!live) return;
        // Only a refusal forgets the token; a server out of reach is tried again on the next load.
        const refused = error instanceof ApiError && (error.status === 401 || error.status === 403);
        if (refused) storeToken(null);
        setState({ kind: 'signed-out', notice: refused ? 'expired' : 'unreachable' });
      },
    );
    return () => {
      live = false;
    };
  }, [state]);

  const signOut = useCallback((expired?: boolean) => {
    storeToken(null);
    setState({ kind: 'signed-out', notice: expired ? 'expired' : 'signed-out' });
  }, []);

  const session = useMemo<Session | null>(() => (state.kind === 'signed-in' ? { staff: state.staff, token: state.token, signOut } : null), [state, signOut]);

  if (state.kind === 'checking') return <Checking />;
  if (!session) {
    return (
      <SignIn
        notice={state.kind === 'signed-out' ? state.notice : undefined}
        onSignedIn={(token, staff) => {
          storeToken(token);
          setState({ kind: 'signed-in', token, staff });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  );
}

function LangSwitch() {
  const { lang, t } = useT();
  return (
    <div className="lang" role="group" aria-label={t({ zh: '语言', en: 'Language' })}>
      <button type="button" className="secondary small-button" aria-pressed={lang === 'zh'} onClick={() => setLang('zh')} lang="zh-CN">
        中文
      </button>
      <button type="button" className="secondary small-button" aria-pressed={lang === 'en'} onClick={() => setLang('en')} lang="en">
        English
      </button>
    </div>
  );
}

function Checking() {
  const { t } = useT();
  return (
    <main className="signin">
      <p role="status">{t({ zh: '正在验证登录…', en: 'Checking your sign-in…' })}</p>
    </main>
  );
}

function SignIn({ notice, onSignedIn }: { notice: Notice | undefined; onSignedIn: (token: string, staff: StaffMe) => void }) {
  const { t } = useT();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useDocumentTitle(t({ zh: '登录', en: 'Sign in' }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    setError('');
    if (!/^sk_staff_\S+$/.test(value)) {
      setError(t({ zh: '请粘贴以 sk_staff_ 开头的员工令牌。', en: 'Paste a staff token: it starts with sk_staff_.' }));
      return;
    }
    setBusy(true);
    try {
      const staff = await whoAmI(value);
      onSignedIn(value, staff);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? t({ zh: '令牌无效或已被吊销。', en: 'This token is not valid or was revoked.' })
          : errorText(e, t),
      );
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <div className="signin-top">
        <LangSwitch />
      </div>
      <form className="card signin-card" onSubmit={(e) => void submit(e)} noValidate>
        <ScreenHeading>{t({ zh: 'saoma 运营控制台', en: 'saoma operator console' })}</ScreenHeading>
        {notice === 'expired' ? (
          <p className="banner warn" role="alert">
            {t({ zh: '登录已失效：令牌不再有效，请重新登录。', en: 'Your session ended: the token is no longer accepted. Sign in again.' })}
          </p>
        ) : null}
        {notice === 'unreachable' ? (
          <p className="banner bad" role="alert">
            {t({ zh: '无法连接服务器，未能验证登录。请检查网络后重新登录。', en: 'The server could not be reached to check your sign-in. Check the network and sign in again.' })}
          </p>
        ) : null}
        {notice === 'signed-out' ? (
          <p className="banner ok" role="status">
            {t({ zh: '你已退出登录。', en: 'You are signed out.' })}
          </p>
        ) : null}
        <label htmlFor="staff-token">{t({ zh: '员工令牌', en: 'Staff token' })}</label>
        <input
          id="staff-token"
          data-testid="staff-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="sk_staff_…"
          value={token}
          aria-invalid={error ? true : undefined}
          aria-describedby="staff-token-help"
          onChange={(e) => setToken(e.target.value)}
        />
        <p id="staff-token-help" className="muted small">
          {t({
            zh: '令牌在首次启动时打印，或用 npx saoma staff token --role … 创建。它只保存在本标签页中，关闭即清除。',
            en: 'The token is printed on the first start, or made with npx saoma staff token --role …. It is kept in this tab only and cleared when the tab closes.',
          })}
        </p>
        {error ? (
          <p role="alert" className="error" data-testid="staff-login-error">
            {error}
          </p>
        ) : null}
        <button type="submit" data-testid="staff-login" disabled={busy}>
          {busy ? t({ zh: '登录中…', en: 'Signing in…' }) : t({ zh: '登录', en: 'Sign in' })}
        </button>
      </form>
    </main>
  );
}

function Shell({ session }: { session: Session }) {
  const { t } = useT();
  const role = session.staff.role;
  const screens = SCREENS.filter((s) => can(role, s.permission));
  const hidden = SCREENS.filter((s) => !can(role, s.permission));
  return (
    <div className="console">
      <a className="skip" href="#main">
        {t({ zh: '跳到主要内容', en: 'Skip to the content' })}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          saoma <span>{t({ zh: '运营控制台', en: 'console' })}</span>
        </Link>
        <div className="who">
          <span className="muted">{session.staff.label}</span>
          <span className="pill role" data-testid="staff-role" data-role={role}>
            {t(ROLE_NAMES[role] ?? { zh: role, en: role })}
          </span>
          <LangSwitch />
          <button type="button" className="secondary small-button" data-testid="staff-logout" onClick={() => session.signOut()}>
            {t({ zh: '退出', en: 'Sign out' })}
          </button>
        </div>
      </header>
      <div className="layout">
        <nav className="side tabs" aria-label={t({ zh: '主导航', en: 'Main' })}>
          {screens.map((s) => (
            <NavLink key={s.id} to={`/${s.path}`} end={s.path === ''} data-testid={`nav-${s.id}`}>
              {t(s.label)}
            </NavLink>
          ))}
        </nav>
        <main id="main" className="content">
          <Routes>
            {screens.map((s) => (s.path === '' ? <Route key={s.id} index element={s.element} /> : <Route key={s.id} path={`${s.path}/*`} element={s.element} />))}
            {hidden.map((s) => (
              <Route key={s.id} path={s.path === '' ? undefined : `${s.path}/*`} index={s.path === '' ? true : undefined} element={<NotAllowed />} />
            ))}
            <Route path="*" element={<NotFound />} />
          </Routes>
        </main>
      </div>
    </div>
  );
}

function NotAllowed() {
  const { t } = useT();
  return (
    <section>
      <ScreenHeading>{t({ zh: '无权访问', en: 'Not available to your role' })}</ScreenHeading>
      <p className="banner warn" role="alert" data-testid="not-allowed">
        {t({ zh: '你的角色不能使用这个页面。', en: 'Your role may not use this screen.' })}
      </p>
      <Link to="/">{t({ zh: '返回概览', en: 'Back to the dashboard' })}</Link>
    </section>
  );
}

function NotFound() {
  const { t } = useT();
  return (
    <section>
      <ScreenHeading>{t({ zh: '找不到页面', en: 'Page not found' })}</ScreenHeading>
      <Link to="/">{t({ zh: '返回概览', en: 'Back to the dashboard' })}</Link>
    </section>
  );
}
