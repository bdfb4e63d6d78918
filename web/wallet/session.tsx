// The wallet's state shared by every screen: the bound device, the session and the balance. Any
// answer 401 ends the session here, so the app asks for the passkey again instead of failing.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, type ApiRequest } from '../shared/api.js';
import { loadDevice, loadSession, saveDevice, saveSession, type StoredDevice, type StoredSession } from './store.js';
import type { WalletView } from './types.js';

export interface WalletSession {
  readonly device: StoredDevice | undefined;
  readonly session: StoredSession | undefined;
  readonly wallet: WalletView | undefined;
  /** An API call with this session; a 401 signs the session out. */
  call<T>(method: 'GET' | 'POST', path: string, request?: Omit<ApiRequest, 'token'>): Promise<T>;
  refresh(): Promise<void>;
  bound(device: StoredDevice, session: StoredSession): void;
  signedIn(session: StoredSession): void;
  signOut(): void;
}

const Context = createContext<WalletSession | undefined>(undefined);

export function useWallet(): WalletSession {
  const value = useContext(Context);
  if (!value) throw new Error('useWallet outside WalletProvider');
  return value;
}

export function WalletProvider(props: { children: ReactNode }) {
  const [device, setDevice] = useState(loadDevice);
  const [session, setSession] = useState(loadSession);
  const [wallet, setWallet] = useState<WalletView | undefined>();

  const signOut = useCallback(() => {
    saveSession(undefined);
    setSession(undefined);
    setWallet(undefined);
  }, []);

  const call = useCallback(
    async <T,>(method: 'GET' | 'POST', path: string, request: Omit<ApiRequest, 'token'> = {}): Promise<T> => {
      if (!session) throw new ApiError(401, { type: 'authentication_error', code: 'UNAUTHENTICATED', message: 'not signed in' });
      try {
        return await api<T>(method, path, { ...request, token: session.token });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401 && error.code === 'UNAUTHENTICATED') signOut();
        throw error;
      }
    },
    [session, signOut],
  );

  const refresh = useCallback(async () => {
    setWallet(await call<WalletView>('GET', '/v1/wallet'));
  }, [call]);

  useEffect(() => {
    if (session) refresh().catch(() => undefined);
  }, [session, refresh]);

  const value = useMemo<WalletSession>(
    () => ({
      device,
      session,
      wallet,
      call,
      refresh,
      bound: (d, s) => {
        saveDevice(d);
        saveSession(s);
        setDevice(d);
        setSession(s);
      },
      signedIn: (s) => {
        saveSession(s);
        setSession(s);
      },
      signOut,
    }),
    [device, session, wallet, call, refresh, signOut],
  );
  return <Context.Provider value={value}>{props.children}</Context.Provider>;
}
