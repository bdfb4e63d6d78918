// Live incoming payments: the merchant's event stream (fetch-based SSE) plus the recent list from
// GET /v1/payments. Each new succeeded payment is shown large and said aloud once: the ids already
// announced are remembered in this tab (sessionStorage), so a reconnect's replay or a reload never
// repeats one.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { subscribe, type LiveEvent } from '../shared/events.js';
import { useT } from '../shared/i18n.js';
import type { Payment } from '../../src/sdk/types.js';
import { announcement } from './labels.js';
import { useSession } from './session.js';

export interface Incoming {
  readonly paymentId: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly channel: string;
  readonly status: string;
  readonly refundedMinor: number;
  readonly description: string;
  readonly atMs: number;
  /** Arrived while this page was open (announced), not from the initial list. */
  readonly live: boolean;
}

interface Live {
  /** undefined while the first connection is being made. */
  readonly connected: boolean | undefined;
  readonly latest: Incoming | undefined;
  readonly items: readonly Incoming[];
  readonly loadError: unknown;
  readonly muted: boolean;
  setMuted(muted: boolean): void;
  /** Every event of the stream, for screens that follow orders and payments. */
  onEvent(listener: (event: LiveEvent) => void): () => void;
  /** Bumped on every payment change (new, refunded, voided…): screens reload on it. */
  readonly changes: number;
}

const LiveContext = createContext<Live | undefined>(undefined);
const ANNOUNCED_KEY = 'saoma.merchant.announced';
const ANNOUNCED_MAX = 500;
const MUTED_KEY = 'saoma.merchant.muted';
const ITEMS_MAX = 50;

function loadAnnounced(): string[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(ANNOUNCED_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Ids already announced in this tab, across reconnects and reloads. */
const announced = { ids: loadAnnounced() };

function markAnnounced(paymentId: string): boolean {
  if (announced.ids.includes(paymentId)) return false;
  announced.ids = [...announced.ids, paymentId].slice(-ANNOUNCED_MAX);
  try {
    sessionStorage.setItem(ANNOUNCED_KEY, JSON.stringify(announced.ids));
  } catch {
    // kept in memory only
  }
  return true;
}

function speak(text: string, lang: string): void {
  if (!('speechSynthesis' in window) || typeof SpeechSynthesisUtterance === 'undefined') return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = lang;
  // Headless browsers and some phones have no voice: it is handed over all the same.
  window.speechSynthesis.speak(utterance);
}

function fromPayment(p: Payment, live: boolean): Incoming {
  return {
    paymentId: p.id,
    amountMinor: p.amountMinor,
    currency: p.currency,
    channel: p.channel,
    status: p.status,
    refundedMinor: p.refundedMinor,
    description: p.description,
    atMs: p.createdAtMs,
    live,
  };
}

function num(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : fallback;
}

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

const SHOWN_STATUSES = new Set(['succeeded', 'refunded']);

export function LiveProvider(props: { children: ReactNode }) {
  const { apiKey, call } = useSession();
  const { lang } = useT();
  const [connected, setConnected] = useState<boolean | undefined>(undefined);
  const [items, setItems] = useState<Incoming[]>([]);
  const [latest, setLatest] = useState<Incoming | undefined>(undefined);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [changes, setChanges] = useState(0);
  const [muted, setMutedState] = useState(() => localStorage.getItem(MUTED_KEY) === '1');
  const listeners = useRef(new Set<(event: LiveEvent) => void>());
  const settings = useRef({ muted, lang });
  settings.current = { muted, lang };

  const setMuted = useCallback((value: boolean) => {
    setMutedState(value);
    localStorage.setItem(MUTED_KEY, value ? '1' : '0');
  }, []);

  const merge = useCallback((incoming: Incoming) => {
    setItems((current) => {
      const rest = current.filter((i) => i.paymentId !== incoming.paymentId);
      return [incoming, ...rest].sort((a, b) => b.atMs - a.atMs).slice(0, ITEMS_MAX);
    });
  }, []);

  const loadRecent = useCallback(async () => {
    try {
      const { payments } = await call<{ payments: Payment[] }>('GET', '/v1/payments', { query: { limit: 20 } });
      setLoadError(undefined);
      setItems((current) => {
        const byId = new Map(current.map((i) => [i.paymentId, i]));
        for (const p of payments) {
          if (!SHOWN_STATUSES.has(p.status)) continue;
          const known = byId.get(p.id);
          byId.set(p.id, { ...fromPayment(p, known?.live ?? false), atMs: known?.atMs ?? p.createdAtMs });
        }
        return [...byId.values()].sort((a, b) => b.atMs - a.atMs).slice(0, ITEMS_MAX);
      });
    } catch (error) {
      setLoadError(error);
    }
  }, [call]);

  useEffect(() => {
    let wasConnected = false;
    const handle = (event: LiveEvent) => {
      const data = event.data;
      if (event.type === 'payment.succeeded') {
        const paymentId = str(data.paymentId);
        if (!paymentId) return;
        const item: Incoming = {
          paymentId,
          amountMinor: num(data.amountMinor),
          currency: str(data.currency, 'CNY'),
          channel: str(data.channel),
          status: 'succeeded',
          refundedMinor: num(data.refundedMinor),
          description: '',
          atMs: event.createdAtMs,
          live: true,
        };
        merge(item);
        if (markAnnounced(paymentId)) {
          setLatest(item);
          if (!settings.current.muted) {
            const said = announcement(item.amountMinor, item.currency, settings.current.lang);
            speak(said.text, said.lang);
          }
        }
      } else if (event.type === 'payment.refunded') {
        const paymentId = str(data.paymentId);
        setItems((current) =>
          current.map((i) => {
            if (i.paymentId !== paymentId) return i;
            const refundedMinor = num(data.refundedMinor, i.refundedMinor);
            return { ...i, refundedMinor, status: refundedMinor >= i.amountMinor ? 'refunded' : i.status };
          }),
        );
      } else if (event.type === 'replay_truncated') {
        void loadRecent();
      }
      if (event.type.startsWith('payment.') || event.type.startsWith('order.')) setChanges((n) => n + 1);
      for (const listener of listeners.current) listener(event);
    };
    const stop = subscribe('/v1/merchant/events', apiKey, handle, (isConnected) => {
      setConnected(isConnected);
      // After a gap, the list is read again (not announced: only live events are said aloud).
      if (isConnected && wasConnected) void loadRecent();
      if (isConnected) wasConnected = true;
    });
    void loadRecent();
    return stop;
  }, [apiKey, merge, loadRecent]);

  const onEvent = useCallback((listener: (event: LiveEvent) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  const value = useMemo<Live>(
    () => ({ connected, latest, items, loadError, muted, setMuted, onEvent, changes }),
    [connected, latest, items, loadError, muted, setMuted, onEvent, changes],
  );
  return <LiveContext.Provider value={value}>{props.children}</LiveContext.Provider>;
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside LiveProvider');
  return live;
}

/** Calls `listener` for each live event while the component is shown. */
export function useLiveEvents(listener: (event: LiveEvent) => void): void {
  const { onEvent } = useLive();
  const current = useRef(listener);
  current.current = listener;
  useEffect(() => onEvent((event) => current.current(event)), [onEvent]);
}
