export {
  isKnownCurrency,
  minorUnitDigits,
  KNOWN_CURRENCIES,
  currencyOfNumeric,
  numericOfCurrency,
  parseMajorAmount,
  formatMajorAmount,
} from './currency.js';
