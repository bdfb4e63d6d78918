// After a scan: what the code is (POST /v1/wallet/codes/resolve), shown so that a glance is enough.
// Green: a verified saoma merchant, with the name it REGISTERED (never the name inside the code).
// Red: a counterfeit; there is no way to pay from this screen, only to report the code.
// Amber: a code of another scheme, a link (shown as text, never opened) or text.
// Neutral: an honest order code that has expired or was paid already.
// A genuine code goes on to the amount (static codes), the prepared payee and amount, and the passkey.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useT, type Text } from '../../shared/i18n.js';
import { formatMoney, parseAmount } from '../../shared/money.js';
import { ApprovalView, useApproval, type Proof } from '../approval.js';
import { useWallet } from '../session.js';
import type { FraudReport, Payment, Prepared, Resolved } from '../types.js';
import { ErrorBox, useAction, useIdempotencyKey } from '../ui.js';

const URL_WARNINGS: Record<string, Text> = {
  plain_http: { zh: '未加密（http），内容可能被篡改', en: 'Not encrypted (http): the page can be tampered with' },
  raw_ip: { zh: '地址是一串数字（IP），不是网站名', en: 'The address is a bare IP number, not a site name' },
  punycode: { zh: '域名含有伪装字符（punycode）', en: 'The domain uses disguised characters (punycode)' },
  non_ascii_domain: { zh: '域名含有非英文字符，可能冒充其他网站', en: 'The domain has non-Latin letters that can imitate another site' },
  lookalike: { zh: '域名模仿知名网站', en: 'The domain imitates a well-known site' },
  shortener: { zh: '短链接，看不出真正去向', en: 'A link shortener: the real destination is hidden' },
  userinfo: { zh: '链接里藏有用户名，真正的网站在 @ 后面', en: 'The link hides a user name: the real site is after the @' },
  unusual_port: { zh: '使用了不常见的端口', en: 'It uses an unusual port' },
  app_link: { zh: '会打开手机里的其他应用', en: 'It would open another app on the phone' },
};

export function Pay() {
  const { t } = useT();
  const location = useLocation();
  const code = (location.state as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || code === '') {
    return (
      <section className="stack">
        <h1>{t({ zh: '没有要识别的码', en: 'No code to check' })}</h1>
        <Link className="button" to="/scan">
          {t({ zh: '去扫码', en: 'Scan a code' })}
        </Link>
      </section>
    );
  }
  return <Resolve key={code} code={code} />;
}

function Resolve(props: { code: string }) {
  const { t } = useT();
  const wallet = useWallet();
  const [resolved, setResolved] = useState<Resolved | undefined>();
  const action = useAction();
  const { run } = action;

  const resolve = useCallback(
    () =>
      run(async () => {
        setResolved(await wallet.call<Resolved>('POST', '/v1/wallet/codes/resolve', { body: { code: props.code } }));
      }),
    [run, wallet.call, props.code],
  );
  // Once per code (the component is keyed by it); a retry is the button below.
  const first = useRef(true);
  useEffect(() => {
    if (!first.current) return;
    first.current = false;
    void resolve();
  }, [resolve]);

  return (
    <section className="stack" aria-labelledby="pay-title">
      <h1 id="pay-title">{t({ zh: '识别结果', en: 'What this code is' })}</h1>
      {!resolved && action.busy ? <p role="status">{t({ zh: '正在验证…', en: 'Checking…' })}</p> : null}
      <ErrorBox error={action.error} />
      {!resolved && action.error ? (
        <button type="button" onClick={() => void resolve()}>
          {t({ zh: '重试', en: 'Try again' })}
        </button>
      ) : null}
      {resolved ? <VerdictView resolved={resolved} code={props.code} /> : null}
      <Link className="button secondary" to="/scan">
        {t({ zh: '扫另一个码', en: 'Scan another code' })}
      </Link>
    </section>
  );
}

function VerdictView(props: { resolved: Resolved; code: string }) {
  const { t } = useT();
  const r = props.resolved;
  switch (r.verdict) {
    case 'genuine': {
      const payee = r.payee;
      const payable = payee !== undefined && payee.status !== 'pending' && payee.status !== 'suspended';
      return (
        <>
          <div className="banner ok" data-testid="verdict" data-verdict="genuine" role="status">
            <p className="verdict-title">✓ {payee?.kind === 'personal' ? t({ zh: '已验证的个人收款码', en: 'Verified personal code' }) : t({ zh: '已验证的商户', en: 'Verified merchant' })}</p>
            <p className="payee" data-testid="payee-name">
              {payee?.name}
            </p>
            {payee?.city ? <p>{payee.city}</p> : null}
            <p className="small">{t({ zh: '这是收款方在扫码平台登记的名称。', en: 'This is the name the payee registered with saoma.' })}</p>
          </div>
          {payable ? (
            <PayGenuine resolved={r} code={props.code} />
          ) : (
            <p className="banner warn" role="alert">
              {t({ zh: '该商户目前不能收款。', en: 'This merchant cannot take payments right now.' })}
            </p>
          )}
        </>
      );
    }
    case 'counterfeit':
      return (
        <>
          <div className="banner bad" data-testid="verdict" data-verdict="counterfeit" role="alert">
            <p className="verdict-title">✕ {t({ zh: '假冒的收款码：请勿付款', en: 'Fake payment code: do not pay' })}</p>
            <p>
              {t({
                zh: '这个码自称是扫码平台的收款码，但签名校验失败——可能被人贴上了假码。无法用它付款。',
                en: 'This code claims to be a saoma code but fails its signature check: it may have been stuck over the real one. It cannot be paid.',
              })}
            </p>
            {r.reason ? (
              <p className="small">
                {t({ zh: '原因：', en: 'Reason: ' })}
                {r.reason}
              </p>
            ) : null}
          </div>
          <ReportCode code={props.code} />
        </>
      );
    case 'foreign':
      return (
        <div className="banner warn" data-testid="verdict" data-verdict="foreign" role="status">
          <p className="verdict-title">⚠ {t({ zh: '其他支付方式的码（未验证）', en: 'A code of another payment scheme (unverified)' })}</p>
          <p>
            {t({ zh: '支付方式：', en: 'Scheme: ' })}
            <strong data-testid="foreign-scheme">{r.scheme ?? '?'}</strong>
          </p>
          {r.nameInCode ? (
            <p>
              {t({ zh: '码里写的名字（未验证）：', en: 'Name written in the code (not verified): ' })}
              <span data-testid="name-in-code">{r.nameInCode}</span>
            </p>
          ) : null}
          <p>{t({ zh: '扫码平台无法验证它付给谁，不能在这里付款。', en: 'saoma cannot verify who it pays, and cannot pay it here.' })}</p>
        </div>
      );
    case 'url': {
      const url = r.url;
      return (
        <div className="banner warn" data-testid="verdict" data-verdict="url" role="status">
          <p className="verdict-title">⚠ {t({ zh: '这是一个网址，不是收款码', en: 'This is a web link, not a payment code' })}</p>
          <p>
            {t({ zh: '网站：', en: 'Site: ' })}
            <strong className="domain" data-testid="url-domain">
              {url?.domain}
            </strong>
          </p>
          {url?.imitates ? (
            <p>
              <strong>{t({ zh: `可能在冒充 ${url.imitates}`, en: `It may be imitating ${url.imitates}` })}</strong>
            </p>
          ) : null}
          {url && url.warnings.length > 0 ? (
            <ul data-testid="url-warnings">
              {url.warnings.map((w) => (
                <li key={w}>{URL_WARNINGS[w] ? t(URL_WARNINGS[w]) : w}</li>
              ))}
            </ul>
          ) : null}
          <p>{t({ zh: '我们没有打开它。不要在陌生网页里输入密码或付款。', en: 'It was not opened. Never enter passwords or pay on a page you do not know.' })}</p>
          <p className="small">
            {t({ zh: '完整地址（仅显示）：', en: 'Full address (text only): ' })}
            <code className="href">{url?.href}</code>
          </p>
        </div>
      );
    }
    case 'expired':
    case 'used':
      return (
        <div className="card" data-testid="verdict" data-verdict={r.verdict} role="status">
          <p className="verdict-title">
            {r.verdict === 'expired' ? t({ zh: '这个订单码已过期', en: 'This order code has expired' }) : t({ zh: '这个订单已经付过或已关闭', en: 'This order was already paid or closed' })}
          </p>
          {r.payee ? (
            <p>
              {t({ zh: '商户：', en: 'Merchant: ' })}
              <strong>{r.payee.name}</strong>
            </p>
          ) : null}
          <p>{t({ zh: '请商家重新出示收款码。', en: 'Ask the merchant for a new code.' })}</p>
        </div>
      );
    case 'text':
      return (
        <div className="banner warn" data-testid="verdict" data-verdict="text" role="status">
          <p className="verdict-title">{t({ zh: '这不是收款码，只是一段文字（未验证）', en: 'Not a payment code: just text (unverified)' })}</p>
          <p className="plain-text">{r.text}</p>
        </div>
      );
  }
}

function ReportCode(props: { code: string }) {
  const { t } = useT();
  const wallet = useWallet();
  const action = useAction();
  const idem = useIdempotencyKey();
  const [report, setReport] = useState<FraudReport | undefined>();
  const send = () =>
    action.run(async () => {
      const body = { code: props.code };
      setReport(await wallet.call<FraudReport>('POST', '/v1/wallet/code-reports', { body, idempotencyKey: idem.keyFor(body) }));
    });
  return (
    <div className="card stack">
      {report ? (
        <p role="status" className="banner ok" data-testid="report-code-status" data-status={report.status}>
          {t({ zh: '已举报，谢谢。我们会调查这个码。', en: 'Reported. Thank you: we will look into this code.' })} <span className="small">{report.id}</span>
        </p>
      ) : (
        <>
          <p>{t({ zh: '请告诉店主，并举报这个码，帮助别人不上当。', en: 'Tell the shop owner, and report the code so nobody else pays it.' })}</p>
          <ErrorBox error={action.error} />
          <button type="button" className="danger" data-testid="report-code" onClick={() => void send()} disabled={action.busy}>
            {t({ zh: '举报这个码', en: 'Report this code' })}
          </button>
        </>
      )}
    </div>
  );
}

/** Amount (static codes), then prepare → the exact payee and amount → PIN if asked → passkey → result. */
function PayGenuine(props: { resolved: Resolved; code: string }) {
  const { t } = useT();
  const wallet = useWallet();
  const navigate = useNavigate();
  const r = props.resolved;
  const currency = r.currency ?? 'CNY';
  const fixed = r.initiation === 'dynamic' ? r.amountMinor : undefined;
  const [amountText, setAmountText] = useState('');
  const [prepared, setPrepared] = useState<Prepared | undefined>();
  const action = useAction();
  const prepareKey = useIdempotencyKey();
  const payKey = useIdempotencyKey();
  const amountRef = useRef<HTMLInputElement>(null);

  const submit = useCallback(
    async (proof: Proof) => {
      const payment = await wallet.call<Payment>('POST', '/v1/wallet/payments', { body: proof, idempotencyKey: payKey.keyFor(proof) });
      payKey.done();
      return payment;
    },
    [wallet.call, payKey],
  );
  const approval = useApproval(submit);
  const started = approval.step.kind !== 'idle';
  const finished = approval.step.kind === 'done' || approval.step.kind === 'declined';

  const onPay = (event: FormEvent) => {
    event.preventDefault();
    const amountMinor = fixed ?? parseAmount(amountText, currency);
    if (amountMinor === undefined) {
      action.setError({ text: { zh: '请输入金额，例如 12.50。', en: 'Enter an amount, like 12.50.' }, detail: undefined, code: 'AMOUNT_INVALID' });
      amountRef.current?.focus();
      return;
    }
    void action.run(async () => {
      const body = fixed === undefined ? { code: props.code, amountMinor } : { code: props.code };
      const p = await wallet.call<Prepared>('POST', '/v1/wallet/payments/prepare', { body, idempotencyKey: prepareKey.keyFor(body) });
      prepareKey.done();
      // What the passkey will approve must be what the person saw: the same payee and amount.
      if (p.payee.id !== r.payee?.id || p.amountMinor !== amountMinor) {
        throw new Error(t({ zh: '服务器返回的收款方或金额与显示的不一致，已停止。', en: 'The payee or amount from the server differs from what was shown; stopped.' }));
      }
      setPrepared(p);
      await approval.start(p);
    });
  };

  if (finished) {
    return (
      <div className="stack">
        <ApprovalView approval={approval} />
        <div className="row">
          <button type="button" onClick={() => void navigate('/')}>
            {t({ zh: '完成', en: 'Done' })}
          </button>
          {approval.step.kind === 'declined' ? (
            <button type="button" className="secondary" onClick={approval.reset}>
              {t({ zh: '重试', en: 'Try again' })}
            </button>
          ) : null}
        </div>
      </div>
    );
  }

  return (
    <div className="stack">
      {prepared && started ? (
        <div className="card" data-testid="confirm-summary">
          <p className="muted">{t({ zh: '请确认：付给', en: 'Approve paying' })}</p>
          <p className="payee">{prepared.payee.name}</p>
          <p className="amount" data-testid="confirm-amount">
            {formatMoney(prepared.amountMinor, prepared.currency)}
          </p>
        </div>
      ) : (
        <form className="card stack" onSubmit={onPay} noValidate>
          {fixed !== undefined ? (
            <>
              <p className="muted">{t({ zh: '订单金额', en: 'Amount of the order' })}</p>
              <p className="amount" data-testid="fixed-amount">
                {formatMoney(fixed, currency)}
              </p>
              {r.description ? <p>{r.description}</p> : null}
            </>
          ) : (
            <>
              <label htmlFor="amount-input">
                {t({ zh: '金额', en: 'Amount' })} ({currency})
              </label>
              <input
                id="amount-input"
                data-testid="amount-input"
                ref={amountRef}
                className="amount-field"
                inputMode="decimal"
                autoComplete="off"
                placeholder="0.00"
                autoFocus
                value={amountText}
                onChange={(e) => setAmountText(e.target.value)}
              />
            </>
          )}
          <ErrorBox error={action.error} />
          <button type="submit" data-testid="pay-button" disabled={action.busy || approval.busy}>
            {t({ zh: '用通行密钥付款', en: 'Pay with passkey' })}
          </button>
        </form>
      )}
      <ApprovalView approval={approval} />
      {started && approval.step.kind !== 'signing' ? (
        <button type="button" className="secondary" onClick={approval.reset}>
          {t({ zh: '取消', en: 'Cancel' })}
        </button>
      ) : null}
    </div>
  );
}

