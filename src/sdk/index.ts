// The saoma SDK: typed clients for wallets and merchants, usable from Node 20+ and browsers.
export { WalletClient, createDeviceKey, signMessage, type DeviceKey, type DeviceState } from './wallet.js';
export { MerchantClient, type MerchantApplication } from './merchant.js';
export { HttpClient, SaomaApiError, type HttpOptions } from './http.js';
export * from './types.js';
export * from './webhooks.js';
// To rebuild a saved device (its payment-code secret) in an app that stored it.
export { importPaymentCodeKey, generatePaymentCode } from '../core/qr/payment-code.js';
