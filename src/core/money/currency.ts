// ISO 4217 currencies the platform knows, with their minor-unit exponent (scale).
const MINOR_UNIT_DIGITS: Readonly<Record<string, number>> = {
  AED: 2, AUD: 2, BDT: 2, BHD: 3, BRL: 2, CAD: 2, CHF: 2, CLP: 0, CNY: 2, COP: 2, CZK: 2, DKK: 2,
  EGP: 2, EUR: 2, GBP: 2, HKD: 2, HUF: 2, IDR: 2, ILS: 2, INR: 2, JOD: 3, JPY: 0, KES: 2, KHR: 2,
  KRW: 0, KWD: 3, LAK: 2, LKR: 2, MMK: 2, MNT: 2, MOP: 2, MXN: 2, MYR: 2, NGN: 2, NOK: 2, NPR: 2,
  NZD: 2, OMR: 3, PEN: 2, PHP: 2, PKR: 2, PLN: 2, QAR: 2, RUB: 2, SAR: 2, SEK: 2, SGD: 2, THB: 2,
  TND: 3, TRY: 2, TWD: 2, UAH: 2, USD: 2, VND: 0, ZAR: 2,
};

export function isKnownCurrency(code: string): boolean {
  return Object.hasOwn(MINOR_UNIT_DIGITS, code);
}

export function minorUnitDigits(code: string): number {
  const digits = MINOR_UNIT_DIGITS[code];
  if (digits === undefined) throw new RangeError(`unknown currency ${code}`);
  return digits;
}

export const KNOWN_CURRENCIES: readonly string[] = Object.freeze(Object.keys(MINOR_UNIT_DIGITS));
