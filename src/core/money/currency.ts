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

// ISO 4217 numeric codes (EMV QR field 53 carries these).
const NUMERIC_TO_ALPHA: Readonly<Record<string, string>> = {
  '784': 'AED', '036': 'AUD', '050': 'BDT', '048': 'BHD', '986': 'BRL', '124': 'CAD', '756': 'CHF', '152': 'CLP', '156': 'CNY',
  '170': 'COP', '203': 'CZK', '208': 'DKK', '818': 'EGP', '978': 'EUR', '826': 'GBP', '344': 'HKD', '348': 'HUF', '360': 'IDR',
  '376': 'ILS', '356': 'INR', '400': 'JOD', '392': 'JPY', '404': 'KES', '116': 'KHR', '410': 'KRW', '414': 'KWD', '418': 'LAK',
  '144': 'LKR', '104': 'MMK', '496': 'MNT', '446': 'MOP', '484': 'MXN', '458': 'MYR', '566': 'NGN', '578': 'NOK', '524': 'NPR',
  '554': 'NZD', '512': 'OMR', '604': 'PEN', '608': 'PHP', '586': 'PKR', '985': 'PLN', '634': 'QAR', '643': 'RUB', '682': 'SAR',
  '752': 'SEK', '702': 'SGD', '764': 'THB', '788': 'TND', '949': 'TRY', '901': 'TWD', '980': 'UAH', '840': 'USD', '704': 'VND',
  '710': 'ZAR',
};
const ALPHA_TO_NUMERIC: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(NUMERIC_TO_ALPHA).map(([n, a]) => [a, n]));

export function currencyOfNumeric(numeric: string): string | undefined {
  return NUMERIC_TO_ALPHA[numeric];
}

export function numericOfCurrency(alpha: string): string | undefined {
  return ALPHA_TO_NUMERIC[alpha];
}

/** "12.50" in a currency's major units → 1250n minor units, exactly; undefined when not representable. */
export function parseMajorAmount(text: string, currency: string): bigint | undefined {
  const match = /^([0-9]+)(?:\.([0-9]*))?$/.exec(text);
  if (!match) return undefined;
  const digits = minorUnitDigits(currency);
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return undefined;
  return BigInt(match[1]!) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
}

/** 1250n → "12.50" (CNY). */
export function formatMajorAmount(amountMinor: bigint, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (amountMinor < 0n) throw new RangeError('amounts are not negative');
  if (digits === 0) return amountMinor.toString();
  const text = amountMinor.toString().padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
