// Errors on screen: the API's stable code turned into plain words in both languages (what to do
// next), with the server's own message and code underneath for the person who has to report it.
import { ApiError } from '../shared/api.js';
import type { Text } from '../shared/i18n.js';
import { useT } from '../shared/i18n.js';

const WORDS: Record<string, Text> = {
  NETWORK_UNAVAILABLE: { zh: '连不上服务器。请检查网络后重试。', en: 'No connection to the server. Check the network and try again.' },
  UNAUTHENTICATED: { zh: '这个 API 密钥无效或已被撤销。', en: 'This API key is not valid or has been revoked.' },
  FORBIDDEN: { zh: '你的角色不能做这件事。', en: 'Your role may not do this.' },
  RATE_LIMITED: { zh: '请求太多，请稍后再试。', en: 'Too many requests; try again shortly.' },
  MERCHANT_NOT_ACTIVE: { zh: '商户尚未通过审核，暂不能收款。', en: 'The merchant is not approved yet; payments open after review.' },
  PAYMENT_CODE_MALFORMED: { zh: '这不是付款码（应为 18 位数字）。请扫顾客的付款码。', en: 'Not a payment code (18 digits expected). Scan the customer’s payment code.' },
  PAYMENT_CODE_CHECK_FAILED: { zh: '付款码没读对，请再扫一次。', en: 'The code was misread; scan again.' },
  PAYMENT_CODE_UNKNOWN_PREFIX: { zh: '这不是 saoma 的付款码（可能是其他钱包的）。', en: 'This is not a saoma payment code (another wallet’s, perhaps).' },
  PAYMENT_CODE_EXPIRED: { zh: '付款码已过期，请顾客刷新后再扫。', en: 'The payment code has expired; ask the customer for a fresh one.' },
  PAYMENT_CODE_USED: { zh: '付款码已用过，请顾客刷新后再扫。', en: 'The payment code was already used; ask the customer for a fresh one.' },
  PAYMENT_CODE_INVALID: { zh: '付款码无效。', en: 'The payment code is not valid.' },
  PAYMENT_CODE_DEVICE_LOCKED: { zh: '顾客的付款码已锁定，需在钱包里重新开启。', en: 'The customer’s payment code is locked; they re-enable it in their wallet.' },
  PAYMENT_CODE_RATE_LIMITED: { zh: '尝试次数太多，请稍后再试。', en: 'Too many attempts; try again later.' },
  PAYMENT_CODE_MERCHANT_SUSPENDED: { zh: '因无效尝试过多，本店暂停受理付款码，需平台审核。', en: 'Payment-code acceptance is suspended after too many invalid attempts; it needs review.' },
  INSUFFICIENT_FUNDS: { zh: '顾客余额不足，请换一种方式付款。', en: 'The customer’s balance is too low; they pay another way.' },
  POLICY_LIMIT_EXCEEDED: { zh: '超过了顾客的支付限额，请换一种方式付款。', en: 'Over the customer’s payment limit; they pay another way.' },
  DEVICE_COOLING_OFF: { zh: '顾客的新设备在冷静期内，请换一种方式付款。', en: 'The customer’s new device is in its cooling-off period; they pay another way.' },
  RISK_DECLINED: { zh: '风控拒绝了这笔付款，没有扣款。', en: 'The risk check declined this payment; nothing was charged.' },
  REFUND_EXCEEDS_PAYMENT: { zh: '退款总额不能超过付款金额。', en: 'Refunds cannot exceed the payment amount.' },
  REFUND_NOT_COVERED: { zh: '可用余额不足以退款（已结算），等有新收款后再试。', en: 'The available balance does not cover this refund (already settled); retry after new takings.' },
  PAYMENT_NOT_REFUNDABLE: { zh: '这笔付款不能退款（未成功或已全额退款）。', en: 'This payment cannot be refunded (not succeeded, or fully refunded).' },
  CONCURRENT_UPDATE: { zh: '另一笔退款同时进行，请重试。', en: 'Another refund ran at the same moment; try again.' },
  ORDER_NOT_OPEN: { zh: '这个金额码已付款或已关闭。', en: 'This amount code is already paid or closed.' },
  ORDER_REFERENCE_EXISTS: { zh: '订单号已存在。', en: 'That order reference exists already.' },
  WEBHOOK_URL_INVALID: { zh: '地址必须是完整的 http 或 https 网址，不能带用户名密码。', en: 'The address must be a full http or https URL without credentials.' },
  WEBHOOK_ENDPOINTS_LIMIT_REACHED: { zh: '启用中的地址已达上限（16 个）。', en: 'The limit of 16 active endpoints is reached.' },
  NOT_FOUND: { zh: '没有找到。', en: 'Not found.' },
  LIVE_EVENTS_OVERLOADED: { zh: '服务器繁忙，稍后自动重连。', en: 'The server is busy; reconnecting shortly.' },
};

export function errorCode(error: unknown): string {
  return error instanceof ApiError ? error.code : 'UNKNOWN';
}

/** Plain words for an error (a known code in the current language, else the server's message). */
export function errorWords(error: unknown, t: (text: Text) => string): string {
  if (error instanceof ApiError) {
    const words = WORDS[error.code];
    return words ? t(words) : error.message;
  }
  return t({ zh: '出了点问题，请重试。', en: 'Something went wrong; try again.' });
}

/** An error as an alert: the plain words, then the server's message and code. */
export function ErrorMessage(props: { error: unknown; testId?: string; className?: string }) {
  const { t } = useT();
  const { error } = props;
  const words = errorWords(error, t);
  const detail = error instanceof ApiError && WORDS[error.code] && error.message !== words ? error.message : undefined;
  return (
    <div role="alert" className={props.className ?? 'banner bad'} data-testid={props.testId} data-status="error" data-code={errorCode(error)}>
      <strong>{words}</strong>
      {detail || error instanceof ApiError ? (
        <div className="small">
          {detail ? `${detail} ` : ''}
          {error instanceof ApiError ? <code>{error.code}</code> : null}
        </div>
      ) : null}
    </div>
  );
}
