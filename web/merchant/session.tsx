// The signed-in merchant key: verified with GET /v1/merchant, kept in sessionStorage (this browser
// tab only, until sign-out or the tab closes), and the role that decides which screens show.
import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { api, ApiError, type ApiRequest } from '../shared/api.js';
import type { Merchant } from '../../src/sdk/types.js';
import type { Role } from './labels.js';

const STORAGE_KEY = 'saoma.merchant.apiKey';

export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // storage refused (private mode): the key lives in memory for this page only
  }
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

export interface Me {
  readonly merchant: Merchant;
  readonly balance: { readonly availableMinor: number; readonly currency: string };
  /** Not in the API yet (see the report): when the server adds it, the role comes from here. */
  readonly key?: { readonly id: string; readonly role: Role; readonly label: string };
}

export interface SignedIn {
  readonly apiKey: string;
  readonly role: Role;
  readonly me: Me;
}

/** Is the error "this route is not for your role"? */
function forbidden(error: unknown): boolean {
  return error instanceof ApiError && error.status === 403;
}

/**
 * The key's role. GET /v1/merchant does not say it yet, so it is read from what the key may do:
 * only owners list API keys; owners and managers list webhook endpoints.
 */
async function roleOf(apiKey: string, me: Me): Promise<Role> {
  if (me.key?.role) return me.key.role;
  try {
    await api('GET', '/v1/merchant/api-keys', { token: apiKey });
    return 'owner';
  } catch (error) {
    if (!forbidden(error)) throw error;
  }
  try {
    await api('GET', '/v1/merchant/webhook-endpoints', { token: apiKey });
    return 'manager';
  } catch (error) {
    if (!forbidden(error)) throw error;
  }
  return 'cashier';
}

export async function verifyKey(apiKey: string): Promise<SignedIn> {
  const me = await api<Me>('GET', '/v1/merchant', { token: apiKey });
  return { apiKey, me, role: await roleOf(apiKey, me) };
}

export interface Session extends SignedIn {
  readonly can: { readonly refund: boolean; readonly keys: boolean; readonly webhooks: boolean };
  /** The API with this key; a 401 (key revoked) signs out. */
  call<T>(method: 'GET' | 'POST', path: string, request?: Omit<ApiRequest, 'token'>): Promise<T>;
  signOut(reason?: 'revoked'): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider(props: { signedIn: SignedIn; onSignOut: (reason?: 'revoked') => void; children: ReactNode }) {
  const { signedIn, onSignOut } = props;
  const call = useCallback(
    async <T,>(method: 'GET' | 'POST', path: string, request: Omit<ApiRequest, 'token'> = {}): Promise<T> => {
      try {
        return await api<T>(method, path, { ...request, token: signedIn.apiKey });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) onSignOut('revoked');
        throw error;
      }
    },
    [signedIn.apiKey, onSignOut],
  );
  const session = useMemo<Session>(() => {
    const manage = signedIn.role === 'owner' || signedIn.role === 'manager';
    return { ...signedIn, can: { refund: manage, keys: signedIn.role === 'owner', webhooks: manage }, call, signOut: onSignOut };
  }, [signedIn, call, onSignOut]);
  return <SessionContext.Provider value={session}>{props.children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
