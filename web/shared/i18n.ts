// Two languages, chosen from the browser (zh* → Chinese) and switchable; kept in localStorage.
import { useCallback, useSyncExternalStore } from 'react';

export type Lang = 'zh' | 'en';
const KEY = 'saoma.lang';
const listeners = new Set<() => void>();

function initial(): Lang {
  const stored = localStorage.getItem(KEY);
  if (stored === 'zh' || stored === 'en') return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

let current: Lang = initial();
document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';

export function setLang(lang: Lang): void {
  current = lang;
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const l of listeners) l();
}

/** A text in both languages. */
export type Text = { readonly zh: string; readonly en: string };

/** `t({ zh: '付款', en: 'Pay' })` in the current language; re-renders on a switch. */
export function useT(): { lang: Lang; t: (text: Text) => string } {
  const lang = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
  const t = useCallback((text: Text) => text[lang], [lang]);
  return { lang, t };
}
