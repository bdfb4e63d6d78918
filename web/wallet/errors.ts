// Errors in words a person can act on, in both languages, with the API's own code and message kept
// visible (support can look a code up in docs/errors.md).
import { ApiError } from '../shared/api.js';
import type { Text } from '../shared/i18n.js';

const KNOWN: Record<string, Text> = {
  NETWORK_UNAVAILABLE: { zh: '没有网络连接。请检查网络后重试。', en: 'No connection. Check the network and try again.' },
  UNAUTHENTICATED: { zh: '登录已失效，请用通行密钥重新登录。', en: 'Your session has ended. Sign in again with your passkey.' },
  CONSUMER_EXISTS: { zh: '这个手机号或邮箱已经注册过。请在已绑定的设备上登录。', en: 'This phone number or e-mail already has an account. Sign in on a bound device.' },
  INVALID_REQUEST: { zh: '输入有误，请检查后重试。', en: 'Something in the form is not right. Check it and try again.' },
  INSUFFICIENT_FUNDS: { zh: '余额不足，未扣款。', en: 'Your balance does not cover this. Nothing was paid.' },
  POLICY_LIMIT_EXCEEDED: { zh: '超过了支付限额，未扣款。', en: 'This is over a payment limit. Nothing was paid.' },
  RISK_DECLINED: { zh: '为保护您的账户，这笔付款被拒绝，未扣款。', en: 'This payment was declined to protect your account. Nothing was paid.' },
  RISK_CHALLENGE: { zh: '为了安全，请输入支付密码再确认一次。', en: 'For your safety, confirm this payment again with your payment PIN.' },
  PIN_REQUIRED: { zh: '这笔付款需要支付密码。', en: 'This payment needs your payment PIN.' },
  PIN_INVALID: { zh: '支付密码不正确。', en: 'The payment PIN is not right.' },
  PIN_LOCKED: { zh: '支付密码已锁定，请稍后再试或重置。', en: 'Your payment PIN is locked. Try later or reset it.' },
  PIN_NOT_SET: { zh: '请先设置支付密码。', en: 'Set a payment PIN first.' },
  PIN_TOO_WEAK: { zh: '支付密码太简单：不能全是同一个数字，也不能是连续数字。', en: 'That PIN is too easy: not all one digit, not a run like 123456.' },
  QR_COUNTERFEIT: { zh: '这不是真实的收款码，请勿付款。', en: 'This is not a genuine payment code. Do not pay.' },
  QR_NOT_PAYABLE: { zh: '这个码不能在这里付款。', en: 'This code cannot be paid here.' },
  ORDER_EXPIRED: { zh: '这个订单码已过期，请商家重新出示。', en: 'This order code has expired. Ask for a new one.' },
  ORDER_NOT_OPEN: { zh: '这个订单已支付或已关闭。', en: 'This order is already paid or closed.' },
  MERCHANT_NOT_ACTIVE: { zh: '该商户暂不能收款。', en: 'This merchant cannot take payments right now.' },
  CHALLENGE_EXPIRED: { zh: '确认超时，请重新开始。', en: 'This took too long. Start again.' },
  CHALLENGE_USED: { zh: '这笔付款已经处理过。', en: 'This payment was already handled.' },
  DEVICE_COOLING_OFF: { zh: '新设备冷静期内，单笔不能超过 200 元。', en: 'This new device is cooling off: at most 200 yuan a payment for now.' },
  DEVICE_NOT_ACTIVE: { zh: '这台设备已失效，请重新绑定。', en: 'This device is no longer active. Bind it again.' },
  PASSKEY_INVALID: { zh: '通行密钥验证失败，请重试。', en: 'The passkey check failed. Try again.' },
  PASSKEY_CLONED: { zh: '通行密钥异常，已拒绝。', en: 'The passkey looks copied; refused.' },
  NOT_FOUND: { zh: '没有找到。', en: 'Not found.' },
  SELF_PAYMENT: { zh: '不能付款给自己。', en: 'You cannot pay yourself.' },
  BANK_ACCOUNT_INVALID: { zh: '银行账号应为 8 到 30 位数字。', en: 'A bank account number is 8 to 30 digits.' },
  PAYMENT_NOT_AWAITING_CONFIRMATION: { zh: '这笔付款已不需要确认。', en: 'This payment no longer waits for you.' },
  RATE_LIMITED: { zh: '操作太频繁，请稍后再试。', en: 'Too many requests. Try again in a minute.' },
  PASSKEY_CANCELLED: { zh: '通行密钥确认已取消，未扣款。', en: 'The passkey check was cancelled. Nothing was paid.' },
  PASSKEY_UNSUPPORTED: { zh: '这个浏览器不支持通行密钥。请换用最新的浏览器。', en: 'This browser does not support passkeys. Use an up-to-date browser.' },
};

export interface ShownError {
  readonly text: Text;
  /** The API's code and message, shown small under the words. */
  readonly detail: string | undefined;
  readonly code: string;
}

export function shownError(error: unknown): ShownError {
  if (error instanceof ApiError) {
    const known = KNOWN[error.code];
    return {
      text: known ?? { zh: `出错了：${error.message}`, en: `Something went wrong: ${error.message}` },
      detail: `${error.code}: ${error.message}`,
      code: error.code,
    };
  }
  if (error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError' || (error as { code?: string }).code === 'ERROR_CEREMONY_ABORTED')) {
    return { text: KNOWN.PASSKEY_CANCELLED!, detail: error.message, code: 'PASSKEY_CANCELLED' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { text: { zh: `出错了：${message}`, en: `Something went wrong: ${message}` }, detail: undefined, code: 'CLIENT_ERROR' };
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof ApiError ? error.code : undefined;
}
