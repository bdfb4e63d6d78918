// The signed-in operator: a staff token kept in sessionStorage (gone when the tab closes), the
// role the server says it has, and an API call that carries the token and signs out on a 401.
import { createContext, useCallback, useContext, useMemo } from 'react';
import { api, ApiError, type ApiRequest } from '../shared/api.js';
import type { StaffMe } from './types.js';

const TOKEN_KEY = 'saoma.console.token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: the session lasts as long as the page
  }
}

/** Asks the server who the token belongs to (GET /v1/ops/me). */
export async function whoAmI(token: string): Promise<StaffMe> {
  return api<StaffMe>('GET', '/v1/ops/me', { token });
}

export interface Session {
  readonly staff: StaffMe;
  readonly token: string;
  /** Ends the session; `expired` says the server no longer accepts the token. */
  signOut(expired?: boolean): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

export type StaffCall = <T>(method: 'GET' | 'POST', path: string, request?: Omit<ApiRequest, 'token'>) => Promise<T>;

/** `call('GET', '/v1/ops/…')` with the operator's token; a 401 ends the session. */
export function useStaffApi(): StaffCall {
  const { token, signOut } = useSession();
  const call = useCallback(
    async <T,>(method: 'GET' | 'POST', path: string, request: Omit<ApiRequest, 'token'> = {}): Promise<T> => {
      try {
        return await api<T>(method, path, { ...request, token });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) signOut(true);
        throw error;
      }
    },
    [token, signOut],
  );
  return useMemo(() => call, [call]);
}
