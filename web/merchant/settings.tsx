// Settings for owners and managers: the merchant's details, API keys (owners) and webhook
// endpoints (owners and managers). A new key's or endpoint's secret is shown once, here.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { newIdempotencyKey } from '../shared/api.js';
import { useT } from '../shared/i18n.js';
import { formatMoney } from '../shared/money.js';
import { NAME_CHARS_MAX, WEBHOOK_DESCRIPTION_CHARS_MAX, WEBHOOK_URL_CHARS_MAX } from '../../src/core/limits.js';
import type { ApiKey, WebhookEndpoint } from '../../src/sdk/types.js';
import { ErrorMessage } from './errors.js';
import { dateTimeText, ROLE, type Role } from './labels.js';
import { useSession } from './session.js';

export function SettingsPage() {
  const { t } = useT();
  const { can } = useSession();
  return (
    <div>
      <h1 tabIndex={-1}>{t({ zh: '设置', en: 'Settings' })}</h1>
      <MerchantDetails />
      {can.keys ? <ApiKeys /> : null}
      {can.webhooks ? <Webhooks /> : null}
      {!can.keys && !can.webhooks ? (
        <p className="banner warn" role="alert">
          {t({ zh: '收银员不能管理密钥和 Webhook。', en: 'Cashiers do not manage keys or webhooks.' })}
        </p>
      ) : null}
    </div>
  );
}

function MerchantDetails() {
  const { t } = useT();
  const { me } = useSession();
  const m = me.merchant;
  const status = { pending: { zh: '审核中', en: 'Under review' }, approved: { zh: '已通过', en: 'Approved' }, suspended: { zh: '已暂停', en: 'Suspended' } }[m.status];
  return (
    <section className="card" aria-labelledby="details-heading">
      <h2 id="details-heading">{t({ zh: '商户信息', en: 'Merchant' })}</h2>
      <dl className="details">
        <dt>{t({ zh: '登记名称（顾客看到的）', en: 'Registered name (what payers see)' })}</dt>
        <dd>{m.displayName}</dd>
        <dt>{t({ zh: '商户号', en: 'Merchant id' })}</dt>
        <dd className="mono">{m.id}</dd>
        <dt>{t({ zh: '状态', en: 'Status' })}</dt>
        <dd>{status ? t(status) : m.status}</dd>
        <dt>{t({ zh: '费率', en: 'Fee rate' })}</dt>
        <dd>{(m.feeRateBp / 100).toFixed(2)} %</dd>
        <dt>{t({ zh: '结算账户', en: 'Settlement account' })}</dt>
        <dd className="mono">{m.settlementAccountMasked ?? '—'}</dd>
        <dt>{t({ zh: '可用余额（登录时）', en: 'Available balance (at sign-in)' })}</dt>
        <dd>{formatMoney(me.balance.availableMinor, me.balance.currency)}</dd>
      </dl>
    </section>
  );
}

/** A secret shown once, with a copy button. */
function SecretOnce(props: { secret: string; testId: string; what: string; onDone: () => void }) {
  const { t } = useT();
  const [copied, setCopied] = useState(false);
  return (
    <div className="banner warn stack" role="status">
      <strong>{t({ zh: `${props.what}只显示这一次，请现在复制保存：`, en: `${props.what}: shown this once. Copy it now and keep it safe:` })}</strong>
      <code className="secret" data-testid={props.testId}>
        {props.secret}
      </code>
      <div className="row">
        <button
          type="button"
          className="secondary"
          onClick={() => {
            navigator.clipboard?.writeText(props.secret).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {copied ? t({ zh: '已复制', en: 'Copied' }) : t({ zh: '复制', en: 'Copy' })}
        </button>
        <button type="button" onClick={props.onDone}>
          {t({ zh: '我已保存', en: 'I have saved it' })}
        </button>
      </div>
    </div>
  );
}

function ApiKeys() {
  const { t, lang } = useT();
  const { call } = useSession();
  const [keys, setKeys] = useState<ApiKey[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [label, setLabel] = useState('');
  const [role, setRole] = useState<Role>('cashier');
  const [labelMissing, setLabelMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const attempt = useRef<{ role: Role; label: string; key: string } | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      setKeys((await call<{ keys: ApiKey[] }>('GET', '/v1/merchant/api-keys')).keys);
    } catch (e) {
      setError(e);
    }
  }, [call]);
  useEffect(() => {
    void load();
  }, [load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const text = label.trim();
    setLabelMissing(text === '');
    if (!text) return;
    if (!attempt.current || attempt.current.role !== role || attempt.current.label !== text) attempt.current = { role, label: text, key: newIdempotencyKey() };
    setBusy(true);
    setError(undefined);
    try {
      const created = await call<{ key: ApiKey; secret: string }>('POST', '/v1/merchant/api-keys', { body: { role, label: text }, idempotencyKey: attempt.current.key });
      attempt.current = undefined;
      setSecret(created.secret);
      setLabel('');
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (keyId: string) => {
    setError(undefined);
    try {
      await call<ApiKey>('POST', `/v1/merchant/api-keys/${encodeURIComponent(keyId)}/revoke`);
      setConfirming(undefined);
      await load();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="keys-heading">
      <h2 id="keys-heading">{t({ zh: 'API 密钥', en: 'API keys' })}</h2>
      <p className="small muted">
        {t({
          zh: '给员工或收银系统发独立的密钥：收银员只能收款和查看；店长还能退款、管理 Webhook；店主可以做所有事。',
          en: 'Give each person or system its own key: cashiers take and read payments; managers also refund and manage webhooks; owners do everything.',
        })}
      </p>
      {error !== undefined ? <ErrorMessage error={error} /> : null}
      {secret ? <SecretOnce secret={secret} testId="api-key-secret" what={t({ zh: '新密钥', en: 'The new key' })} onDone={() => setSecret(undefined)} /> : null}
      {keys ? (
        <ul className="keys" aria-label={t({ zh: 'API 密钥列表', en: 'API keys' })}>
          {keys.map((k) => (
            <li key={k.id} data-testid="api-key-row" data-key-id={k.id} data-role={k.role} data-revoked={k.revokedAtMs !== null ? 'true' : 'false'}>
              <div>
                <strong>{k.label}</strong> <span className="pill">{t(ROLE[k.role])}</span> <span className="mono">…{k.last4}</span>
              </div>
              <div className="small muted">
                {t({ zh: '创建于', en: 'Created' })} {dateTimeText(k.createdAtMs, lang)}
                {k.revokedAtMs !== null ? ` · ${t({ zh: '已撤销', en: 'Revoked' })} ${dateTimeText(k.revokedAtMs, lang)}` : ''}
              </div>
              {k.revokedAtMs !== null ? null : confirming === k.id ? (
                <div className="row">
                  <button type="button" className="danger" data-testid="api-key-revoke-confirm" onClick={() => void revoke(k.id)}>
                    {t({ zh: `确认撤销「${k.label}」`, en: `Revoke “${k.label}”` })}
                  </button>
                  <button type="button" className="secondary" onClick={() => setConfirming(undefined)}>
                    {t({ zh: '取消', en: 'Cancel' })}
                  </button>
                </div>
              ) : (
                <div className="row">
                  <button type="button" className="secondary" data-testid="api-key-revoke" onClick={() => setConfirming(k.id)}>
                    {t({ zh: '撤销', en: 'Revoke' })}
                    <span className="sr-only"> {k.label}</span>
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p role="status">{t({ zh: '正在读取…', en: 'Loading…' })}</p>
      )}
      <form className="stack" onSubmit={create} noValidate>
        <h3>{t({ zh: '新建密钥', en: 'New key' })}</h3>
        <label htmlFor="api-key-label">{t({ zh: '名称（例如：前台收银 1）', en: 'Label (e.g. front till 1)' })}</label>
        <input id="api-key-label" data-testid="api-key-label" maxLength={NAME_CHARS_MAX} value={label} onChange={(e) => setLabel(e.target.value)} aria-invalid={labelMissing} />
        {labelMissing ? (
          <p role="alert" className="error">
            {t({ zh: '请填写名称。', en: 'Enter a label.' })}
          </p>
        ) : null}
        <label htmlFor="api-key-role">{t({ zh: '角色', en: 'Role' })}</label>
        <select id="api-key-role" data-testid="api-key-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {(['cashier', 'manager', 'owner'] as const).map((r) => (
            <option key={r} value={r}>
              {t(ROLE[r])}
            </option>
          ))}
        </select>
        <button type="submit" data-testid="api-key-create" disabled={busy}>
          {t({ zh: '创建密钥', en: 'Create key' })}
        </button>
      </form>
    </section>
  );
}

interface Attempt {
  readonly eventId: string;
  readonly attempt: number;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly atMs: number;
}

function Webhooks() {
  const { t, lang } = useT();
  const { call } = useSession();
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [urlMissing, setUrlMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [attempts, setAttempts] = useState<{ endpointId: string; items: Attempt[] } | undefined>(undefined);
  const attempt = useRef<{ url: string; description: string; key: string } | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      setEndpoints((await call<{ endpoints: WebhookEndpoint[] }>('GET', '/v1/merchant/webhook-endpoints')).endpoints);
    } catch (e) {
      setError(e);
    }
  }, [call]);
  useEffect(() => {
    void load();
  }, [load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const u = url.trim();
    const d = description.trim();
    setUrlMissing(u === '');
    if (!u) return;
    if (!attempt.current || attempt.current.url !== u || attempt.current.description !== d) attempt.current = { url: u, description: d, key: newIdempotencyKey() };
    setBusy(true);
    setError(undefined);
    try {
      const created = await call<WebhookEndpoint & { secret: string }>('POST', '/v1/merchant/webhook-endpoints', {
        body: { url: u, ...(d ? { description: d } : {}) },
        idempotencyKey: attempt.current.key,
      });
      attempt.current = undefined;
      setSecret(created.secret);
      setUrl('');
      setDescription('');
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const disable = async (endpointId: string) => {
    setError(undefined);
    try {
      await call<WebhookEndpoint>('POST', `/v1/merchant/webhook-endpoints/${encodeURIComponent(endpointId)}/disable`);
      setConfirming(undefined);
      await load();
    } catch (e) {
      setError(e);
    }
  };

  const showAttempts = async (endpointId: string) => {
    if (attempts?.endpointId === endpointId) {
      setAttempts(undefined);
      return;
    }
    setError(undefined);
    try {
      const r = await call<{ attempts: Attempt[] }>('GET', `/v1/merchant/webhook-endpoints/${encodeURIComponent(endpointId)}/attempts`, { query: { limit: 20 } });
      setAttempts({ endpointId, items: r.attempts });
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section className="card" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">{t({ zh: 'Webhook 通知地址', en: 'Webhook endpoints' })}</h2>
      <p className="small muted">
        {t({
          zh: '每笔付款、退款、订单和结算都会签名后推送到这些地址（失败会重试至少 24 小时）。',
          en: 'Every payment, refund, order and settlement is signed and sent to these addresses (retried for at least 24 hours).',
        })}
      </p>
      {error !== undefined ? <ErrorMessage error={error} /> : null}
      {secret ? <SecretOnce secret={secret} testId="webhook-secret" what={t({ zh: '签名密钥', en: 'The signing secret' })} onDone={() => setSecret(undefined)} /> : null}
      {endpoints ? (
        endpoints.length === 0 ? (
          <p className="muted">{t({ zh: '还没有地址。', en: 'No endpoints yet.' })}</p>
        ) : (
          <ul className="endpoints">
            {endpoints.map((e) => (
              <li key={e.id} data-testid="webhook-row" data-endpoint-id={e.id} data-status={e.status} className="stack">
                <div>
                  <span className="mono break">{e.url}</span>{' '}
                  <span className={`pill ${e.status === 'active' ? 'pill-ok' : ''}`}>{e.status === 'active' ? t({ zh: '启用中', en: 'Active' }) : t({ zh: '已停用', en: 'Disabled' })}</span>
                </div>
                {e.description ? <div className="small">{e.description}</div> : null}
                <div className="row">
                  <button type="button" className="secondary" data-testid="webhook-attempts" aria-expanded={attempts?.endpointId === e.id} onClick={() => void showAttempts(e.id)}>
                    {t({ zh: '推送记录', en: 'Deliveries' })}
                  </button>
                  {e.status === 'active' ? (
                    confirming === e.id ? (
                      <>
                        <button type="button" className="danger" data-testid="webhook-disable-confirm" onClick={() => void disable(e.id)}>
                          {t({ zh: '确认停用', en: 'Disable it' })}
                        </button>
                        <button type="button" className="secondary" onClick={() => setConfirming(undefined)}>
                          {t({ zh: '取消', en: 'Cancel' })}
                        </button>
                      </>
                    ) : (
                      <button type="button" className="secondary" data-testid="webhook-disable" onClick={() => setConfirming(e.id)}>
                        {t({ zh: '停用', en: 'Disable' })}
                      </button>
                    )
                  ) : null}
                </div>
                {attempts?.endpointId === e.id ? (
                  attempts.items.length === 0 ? (
                    <p className="small muted">{t({ zh: '还没有推送。', en: 'No deliveries yet.' })}</p>
                  ) : (
                    <table className="list small">
                      <thead>
                        <tr>
                          <th scope="col">{t({ zh: '时间', en: 'Time' })}</th>
                          <th scope="col">{t({ zh: '第几次', en: 'Try' })}</th>
                          <th scope="col">{t({ zh: '结果', en: 'Result' })}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {attempts.items.map((a) => (
                          <tr key={`${a.eventId}-${a.attempt}`}>
                            <td>{dateTimeText(a.atMs, lang)}</td>
                            <td>{a.attempt}</td>
                            <td>{a.statusCode !== null ? `HTTP ${a.statusCode}` : (a.error ?? '—')}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )
                ) : null}
              </li>
            ))}
          </ul>
        )
      ) : (
        <p role="status">{t({ zh: '正在读取…', en: 'Loading…' })}</p>
      )}
      <form className="stack" onSubmit={create} noValidate>
        <h3>{t({ zh: '新增地址', en: 'New endpoint' })}</h3>
        <label htmlFor="webhook-url">{t({ zh: '地址（https://…）', en: 'URL (https://…)' })}</label>
        <input id="webhook-url" data-testid="webhook-url" type="url" inputMode="url" maxLength={WEBHOOK_URL_CHARS_MAX} value={url} onChange={(e) => setUrl(e.target.value)} aria-invalid={urlMissing} />
        {urlMissing ? (
          <p role="alert" className="error">
            {t({ zh: '请填写地址。', en: 'Enter the URL.' })}
          </p>
        ) : null}
        <label htmlFor="webhook-description">{t({ zh: '说明（可不填）', en: 'Description (optional)' })}</label>
        <input id="webhook-description" data-testid="webhook-description" maxLength={WEBHOOK_DESCRIPTION_CHARS_MAX} value={description} onChange={(e) => setDescription(e.target.value)} />
        <button type="submit" data-testid="webhook-create" disabled={busy}>
          {t({ zh: '添加地址', en: 'Add endpoint' })}
        </button>
      </form>
    </section>
  );
}
