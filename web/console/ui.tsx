// Small pieces every console screen uses: loading with polling, error text, headings that take
// focus when a screen opens, times and idempotency keys that survive a retry.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, newIdempotencyKey } from '../shared/api.js';
import { useT, type Lang, type Text } from '../shared/i18n.js';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly updatedAtMs: number | undefined;
  reload(): void;
}

/** Loads with `load` when `key` changes (and every `intervalMs`); stale answers are dropped. */
export function useLoad<T>(load: () => Promise<T>, key: string, intervalMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean; updatedAtMs: number | undefined; key: string }>({
    data: undefined,
    error: undefined,
    loading: true,
    updatedAtMs: undefined,
    key,
  });
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => {
        if (mine === seq.current) setState({ data, error: undefined, loading: false, updatedAtMs: Date.now(), key });
      },
      (error: unknown) => {
        // A failed refresh keeps what was shown, with the error beside it.
        if (mine === seq.current) setState((s) => ({ ...s, error, loading: false, key }));
      },
    );
  }, [key]);

  useEffect(() => {
    run();
    if (!intervalMs) return () => void seq.current++;
    const timer = setInterval(run, intervalMs);
    return () => {
      clearInterval(timer);
      seq.current++;
    };
  }, [run, intervalMs]);

  // Data of another key (a filter just changed) is not shown as this key's.
  const current = state.key === key;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, loading: state.loading || !current, updatedAtMs: state.updatedAtMs, reload: run };
}

/**
 * One Idempotency-Key per action: the same key when the same action is retried after a network
 * failure or a 5xx (the server may have done it), a fresh one once it has an answer.
 */
export function useIdempotency(): { keyFor(action: string): string; settle(action: string, error?: unknown): void } {
  const keys = useRef(new Map<string, string>());
  return {
    keyFor(action) {
      let key = keys.current.get(action);
      if (!key) {
        key = newIdempotencyKey();
        keys.current.set(action, key);
      }
      return key;
    },
    settle(action, error) {
      const retryable = error instanceof ApiError && (error.status === 0 || error.status === 429 || error.status >= 500);
      if (!retryable) keys.current.delete(action);
    },
  };
}

export function errorText(error: unknown, t: (text: Text) => string): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return t({ zh: `你的角色不能执行此操作（${error.code}）：${error.message}`, en: `Your role may not do this (${error.code}): ${error.message}` });
    if (error.status === 404 && error.code === 'NOT_FOUND') return t({ zh: `未找到（${error.code}）：${error.message}`, en: `Not found (${error.code}): ${error.message}` });
    if (error.status === 0) return t({ zh: '无法连接服务器，请检查网络后重试。', en: 'No connection to the server. Check the network and try again.' });
    return `${error.message} (${error.code})`;
  }
  return t({ zh: '出现意外错误，请重试。', en: 'Something unexpected went wrong. Please try again.' });
}

export function ErrorNote({ error, prefix }: { error: unknown; prefix?: Text }) {
  const { t } = useT();
  if (error === undefined || error === null) return null;
  return (
    <p role="alert" className="error">
      {prefix ? `${t(prefix)}: ` : ''}
      {errorText(error, t)}
    </p>
  );
}

/** The screen's title: focused when the screen opens, so keyboard and reader users land on it. */
export function ScreenHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className="screen-title">
      {children}
    </h1>
  );
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · saoma console`;
  }, [title]);
}

function locale(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en-GB';
}

export function formatTime(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(ms));
}

export function formatClock(ms: number, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(ms));
}

/** A share as a percentage text with one decimal ("12.5%"); "—" when nothing was counted. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '—';
  return `${(Math.round((part * 1000) / whole) / 10).toFixed(1)}%`;
}

export function Loading() {
  const { t } = useT();
  return (
    <p className="muted" role="status">
      {t({ zh: '加载中…', en: 'Loading…' })}
    </p>
  );
}
