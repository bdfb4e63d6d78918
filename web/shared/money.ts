// Money on screen: integer minor units in, text out, and back. No floating point anywhere.

const SCALE: Record<string, number> = { CNY: 2, USD: 2, EUR: 2, HKD: 2, BRL: 2, SGD: 2, JPY: 0, KRW: 0 };
const SYMBOL: Record<string, string> = { CNY: '¥', USD: '$', EUR: '€', HKD: 'HK$', BRL: 'R$', SGD: 'S$', JPY: '¥' };

export function scaleOf(currency: string): number {
  return SCALE[currency] ?? 2;
}

/** 1250, "CNY" → "12.50" (grouping with commas when `grouped`). */
export function formatMinor(amountMinor: number | bigint, currency: string, options: { grouped?: boolean } = {}): string {
  const scale = scaleOf(currency);
  const value = BigInt(amountMinor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  let whole = scale === 0 ? digits : digits.slice(0, -scale);
  if (options.grouped) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = scale === 0 ? whole : `${whole}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** "¥12.50" */
export function formatMoney(amountMinor: number | bigint, currency: string): string {
  return `${SYMBOL[currency] ?? currency + ' '}${formatMinor(amountMinor, currency, { grouped: true })}`;
}

/** "12.5" → 1250 for CNY; undefined for anything that is not a positive amount with at most `scale` decimals. */
export function parseAmount(text: string, currency: string): number | undefined {
  const scale = scaleOf(currency);
  const match = /^\s*(\d{1,13})(?:[.,](\d*))?\s*$/.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > scale) return undefined;
  const minor = BigInt(match[1]!) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0');
  if (minor <= 0n || minor > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(minor);
}
