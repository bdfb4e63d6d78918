export { isKnownCurrency, minorUnitDigits, KNOWN_CURRENCIES } from './currency.js';
