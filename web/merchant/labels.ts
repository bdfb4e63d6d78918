// Words for the API's enumerations and times, in both languages.
import type { Lang, Text } from '../shared/i18n.js';
import { formatMinor } from '../shared/money.js';
import type { Payment } from '../../src/sdk/types.js';

export type Role = 'owner' | 'manager' | 'cashier';

export const ROLE: Record<Role, Text> = {
  owner: { zh: '店主', en: 'Owner' },
  manager: { zh: '店长', en: 'Manager' },
  cashier: { zh: '收银员', en: 'Cashier' },
};

export const PAYMENT_STATUS: Record<Payment['status'], Text> = {
  succeeded: { zh: '已收款', en: 'Succeeded' },
  awaiting_confirmation: { zh: '等待顾客确认', en: 'Awaiting the customer’s confirmation' },
  held_for_review: { zh: '风控审核中', en: 'Held for review' },
  voided: { zh: '已撤销', en: 'Voided' },
  expired: { zh: '已超时', en: 'Expired' },
  refunded: { zh: '已全额退款', en: 'Refunded' },
  declined: { zh: '已拒绝', en: 'Declined' },
};

export function paymentStatus(status: string): Text {
  return PAYMENT_STATUS[status as Payment['status']] ?? { zh: status, en: status };
}

const CHANNEL: Record<string, Text> = {
  static_merchant_code: { zh: '顾客扫收款码', en: 'Customer scanned the till code' },
  dynamic_merchant_code: { zh: '顾客扫金额码', en: 'Customer scanned an amount code' },
  payment_code: { zh: '扫顾客付款码', en: 'Scanned the customer’s code' },
  personal_code: { zh: '个人收款码', en: 'Personal receiving code' },
  transfer: { zh: '转账', en: 'Transfer' },
};

export function channelText(channel: string): Text {
  return CHANNEL[channel] ?? { zh: channel, en: channel };
}

export const ORDER_STATUS: Record<string, Text> = {
  open: { zh: '等待付款', en: 'Waiting for payment' },
  held: { zh: '付款处理中', en: 'Payment in progress' },
  paid: { zh: '已付款', en: 'Paid' },
  closed: { zh: '已关闭', en: 'Closed' },
  expired: { zh: '已过期', en: 'Expired' },
};

export function locale(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en-GB';
}

export function timeText(ms: number, lang: Lang): string {
  return new Date(ms).toLocaleTimeString(locale(lang), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function dateTimeText(ms: number, lang: Lang): string {
  return new Date(ms).toLocaleString(locale(lang), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** What the till says aloud. CNY always in Chinese ("收款 12.50 元"), whatever the screen's language. */
export function announcement(amountMinor: number, currency: string, lang: Lang): { text: string; lang: string } {
  const amount = formatMinor(amountMinor, currency);
  if (currency === 'CNY') return { text: `收款 ${amount} 元`, lang: 'zh-CN' };
  return lang === 'zh' ? { text: `收款 ${amount} ${currency}`, lang: 'zh-CN' } : { text: `Received ${amount} ${currency}`, lang: 'en-GB' };
}

/** The same in the screen's language, shown under the big amount. */
export function receivedText(amountMinor: number, currency: string, lang: Lang): string {
  const amount = formatMinor(amountMinor, currency);
  if (lang === 'zh') return currency === 'CNY' ? `收款 ${amount} 元` : `收款 ${amount} ${currency}`;
  return currency === 'CNY' ? `Received ${amount} yuan` : `Received ${amount} ${currency}`;
}

/** mm:ss of a duration (never negative). */
export function countdownText(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
