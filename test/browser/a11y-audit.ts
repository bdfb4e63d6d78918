// The accessibility audit the browser tests run on a screen as Chromium rendered it: the page
// language, a label for every field, a name for every button, link and image, and text contrast of
// at least WCAG AA (4.5:1, 3:1 for large text), computed from the styles the browser applied.
import type { Page } from 'playwright-core';

// Runs in the page (a string: this file is type-checked without the DOM library). Returns the
// problems found, each a short text naming the element.
export const AUDIT = `(() => {
  const problems = [];
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.dataset.testid ? '[' + el.dataset.testid + ']' : '') + ' "' + (el.textContent || '').trim().slice(0, 30) + '"';
  const named = (el) => (el.getAttribute('aria-label') || '').trim() !== '' || (el.getAttribute('aria-labelledby') || '').split(' ').some((id) => id && document.getElementById(id) && document.getElementById(id).textContent.trim() !== '');
  if (!document.documentElement.lang) problems.push('html has no lang');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || !visible(el) && el.type !== 'file') continue;
    const labelled = named(el) || (el.labels && [...el.labels].some((l) => l.textContent.trim() !== ''));
    if (!labelled) problems.push('field without a label: ' + describe(el));
  }
  for (const el of document.querySelectorAll('button, a[href], [role=button]')) {
    if (!visible(el)) continue;
    if ((el.textContent || '').trim() === '' && !named(el) && !el.querySelector('img[alt]:not([alt=""])')) problems.push('control without a name: ' + describe(el));
  }
  for (const el of document.querySelectorAll('img, svg[role=img], [role=img]')) {
    if (el.tagName === 'IMG' ? el.getAttribute('alt') === null : !named(el) && !el.querySelector('title')) problems.push('image without a text: ' + describe(el));
  }
  const rgb = (text) => { const m = text.match(/rgba?\\(([^)]+)\\)/); if (!m) return null; const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c && c.a >= 0.99) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || n.textContent.trim() === '' || !visible(el)) continue;
    seen.add(el);
    if (el.closest('[disabled], [aria-disabled=true], svg')) continue;
    const s = getComputedStyle(el);
    const fg = rgb(s.color);
    if (!fg) continue;
    const bg = background(el);
    const a = lum(fg), b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(s.fontSize); const bold = Number(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) problems.push('contrast ' + ratio.toFixed(2) + ' < ' + need + ': ' + describe(el));
  }
  return problems;
})()`;

export async function audit(page: Page): Promise<string[]> {
  return (await page.evaluate(AUDIT)) as string[];
}

