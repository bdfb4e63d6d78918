// The wallet's frame: routes, the bottom tab bar, the language switch, and the gate that asks for
// sign-up (no bound device) or the passkey (no session). The scanner (zxing, the heavy part) and the
// payment-code screen are separate chunks loaded on demand.
import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { BrowserRouter, NavLink, Route, Routes, useLocation } from 'react-router';
import { setLang, useT } from '../shared/i18n.js';
import { WalletProvider, useWallet } from './session.js';
import { Home } from './screens/home.js';
import { Pay } from './screens/pay.js';
import { History, Receipt } from './screens/history.js';
import { TopUp } from './screens/topup.js';
import { Transfer } from './screens/transfer.js';
import { SignIn, SignUp } from './screens/signup.js';

const Scan = lazy(() => import('./screens/scan.js'));
const Code = lazy(() => import('./screens/code.js'));

export function App() {
  return (
    <BrowserRouter basename="/wallet">
      <WalletProvider>
        <Frame />
      </WalletProvider>
    </BrowserRouter>
  );
}

function Frame() {
  const { t, lang } = useT();
  const wallet = useWallet();
  const location = useLocation();
  const online = useOnline();
  useEffect(() => {
    // A new screen: move focus to it (unless the screen focused one of its own fields).
    const main = document.getElementById('main');
    if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }, [location.pathname]);

  return (
    <div className="wallet">
      <a className="skip" href="#main">
        {t({ zh: '跳到正文', en: 'Skip to content' })}
      </a>
      <header className="top">
        <span className="brand">{t({ zh: '扫码钱包', en: 'saoma wallet' })}</span>
        {!online ? (
          <span className="offline" role="status">
            {t({ zh: '离线', en: 'Offline' })}
          </span>
        ) : null}
        <button type="button" className="secondary lang" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} lang={lang === 'zh' ? 'en' : 'zh-CN'}>
          {lang === 'zh' ? 'English' : '中文'}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">{t({ zh: '加载中…', en: 'Loading…' })}</p>}>
          {wallet.device ? (
            <Routes>
              <Route path="/code" element={<Code />} />
              <Route path="*" element={<NeedsSession />} />
            </Routes>
          ) : (
            <SignUp />
          )}
        </Suspense>
      </main>
      {wallet.device ? <Tabs /> : null}
    </div>
  );
}

function NeedsSession() {
  const wallet = useWallet();
  if (!wallet.session) return <SignIn />;
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/scan" element={<Scan />} />
      <Route path="/pay" element={<Pay />} />
      <Route path="/history" element={<History />} />
      <Route path="/history/:paymentId" element={<Receipt />} />
      <Route path="/topup" element={<TopUp />} />
      <Route path="/transfer" element={<Transfer />} />
      <Route path="*" element={<Home />} />
    </Routes>
  );
}

function Tabs() {
  const { t } = useT();
  const tabs: Array<{ to: string; id: string; label: ReactNode; end?: boolean }> = [
    { to: '/', id: 'nav-home', label: t({ zh: '首页', en: 'Home' }), end: true },
    { to: '/scan', id: 'nav-scan', label: t({ zh: '扫一扫', en: 'Scan' }) },
    { to: '/code', id: 'nav-code', label: t({ zh: '付款码', en: 'Pay code' }) },
    { to: '/history', id: 'nav-history', label: t({ zh: '账单', en: 'History' }) },
    { to: '/topup', id: 'nav-topup', label: t({ zh: '充值', en: 'Top up' }) },
    { to: '/transfer', id: 'nav-transfer', label: t({ zh: '转账', en: 'Transfer' }) },
  ];
  return (
    <nav className="tabs bottom" aria-label={t({ zh: '主菜单', en: 'Main menu' })}>
      {tabs.map((tab) => (
        <NavLink key={tab.id} to={tab.to} end={tab.end ?? false} data-testid={tab.id}>
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}

function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}
