// Small pieces every screen uses: an error box, an idempotency key that survives a retry of the
// same action, and a busy flag that keeps a second tap from sending twice.
import { useCallback, useRef, useState } from 'react';
import { newIdempotencyKey } from '../shared/api.js';
import { useT } from '../shared/i18n.js';
import { shownError, type ShownError } from './errors.js';

export function ErrorBox(props: { error: ShownError | undefined; testId?: string }) {
  const { t } = useT();
  if (!props.error) return null;
  return (
    <div role="alert" className="banner bad" data-testid={props.testId ?? 'error'} data-code={props.error.code}>
      <strong>{t(props.error.text)}</strong>
      {props.error.detail ? <div className="small">{props.error.detail}</div> : null}
    </div>
  );
}

/**
 * The same key for the same request body until it succeeds: a retried tap (or a retry after a
 * lost answer) is answered from the server's record instead of running twice.
 */
export function useIdempotencyKey(): { keyFor: (body: unknown) => string; done: () => void } {
  const current = useRef<{ body: string; key: string } | undefined>(undefined);
  const keyFor = useCallback((body: unknown) => {
    const text = JSON.stringify(body);
    if (current.current?.body !== text) current.current = { body: text, key: newIdempotencyKey() };
    return current.current.key;
  }, []);
  const done = useCallback(() => {
    current.current = undefined;
  }, []);
  return { keyFor, done };
}

/** Runs one action at a time; its error is kept for an ErrorBox. */
export function useAction(): {
  busy: boolean;
  error: ShownError | undefined;
  setError: (e: ShownError | undefined) => void;
  run: (action: () => Promise<void>) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | undefined>();
  const running = useRef(false);
  const run = useCallback(async (action: () => Promise<void>) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(shownError(e));
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

export function formatTime(ms: number, lang: 'zh' | 'en'): string {
  return new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
