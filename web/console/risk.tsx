// The risk review queue: payments the engine held, each with its decision trail (score, rules
// that fired, reasons); an analyst posts one (the payee is paid) or releases it to the payer.
// Below it, the labels panel (labels.tsx): look a party up, withdraw a mistaken label.
import { useState } from 'react';
import { useT } from '../shared/i18n.js';
import { formatMoney } from '../shared/money.js';
import { can } from './permissions.js';
import { useSession, useStaffApi } from './session.js';
import type { HeldPayment, Payment, RuleSet } from './types.js';
import { LabelsPanel } from './labels.js';
import { ErrorNote, formatTime, Loading, ScreenHeading, useDocumentTitle, useIdempotency, useLoad } from './ui.js';

type FraudParty = 'payee' | 'payer' | 'device' | 'code';
const FRAUD_PARTIES: readonly FraudParty[] = ['payee', 'payer', 'device', 'code'];
const FRAUD_PARTY_NAMES: Record<FraudParty, { zh: string; en: string }> = {
  payee: { zh: '收款方', en: 'the payee' },
  payer: { zh: '付款方账户', en: "the payer's account" },
  device: { zh: '付款设备', en: 'the paying device' },
  code: { zh: '所扫的码', en: 'the code scanned' },
};

export function RiskScreen() {
  const { t } = useT();
  const call = useStaffApi();
  const [notice, setNotice] = useState('');
  useDocumentTitle(t({ zh: '风控审核', en: 'Risk review' }));
  const queue = useLoad(() => call<{ held: HeldPayment[] }>('GET', '/v1/ops/risk/reviews', { query: { limit: 100 } }), 'risk-reviews');
  // The rule descriptions make the trail readable; the queue works without them.
  const rules = useLoad(() => call<{ ruleSet: RuleSet }>('GET', '/v1/ops/risk/rule-set'), 'rule-set');
  const describe = new Map((rules.data?.ruleSet.rules ?? []).map((r) => [r.id, r.description ?? '']));
  const thresholds = rules.data?.ruleSet.thresholds;

  return (
    <section>
      <div className="screen-head">
        <ScreenHeading>{t({ zh: '风控审核队列', en: 'Risk review queue' })}</ScreenHeading>
        <button type="button" className="secondary" onClick={() => queue.reload()} disabled={queue.loading}>
          {t({ zh: '刷新', en: 'Refresh' })}
        </button>
      </div>
      <p className="muted">
        {t({
          zh: '风控引擎暂扣待审的支付：金额已冻结。批准则入账给收款方；拒绝则资金退回付款方。无人处理的支付 24 小时后自动释放。',
          en: 'Payments the risk engine held: the amount is reserved. Approve to pay the payee; decline to release the money to the payer. A payment nobody decides is released after 24 hours.',
        })}
      </p>
      <p role="status" aria-live="polite" className="notice" data-testid="review-notice">
        {notice}
      </p>
      <ErrorNote error={queue.error} prefix={{ zh: '审核队列加载失败', en: 'The queue could not be loaded' }} />
      {!queue.data ? (
        queue.error ? null : <Loading />
      ) : queue.data.held.length === 0 ? (
        <p className="card muted">{t({ zh: '队列为空：没有待审的支付。', en: 'The queue is empty: no payment is held.' })}</p>
      ) : (
        <ul className="cards">
          {queue.data.held.map((h) => (
            <ReviewCard
              key={h.payment.id}
              held={h}
              describe={describe}
              reviewAt={h.risk && h.risk.ruleSetVersion === rules.data?.ruleSet.version ? thresholds?.review : undefined}
              onDecided={(text) => {
                setNotice(text);
                queue.reload();
              }}
            />
          ))}
        </ul>
      )}
      <LabelsPanel />
    </section>
  );
}

function ReviewCard(props: { held: HeldPayment; describe: Map<string, string>; reviewAt: number | undefined; onDecided: (notice: string) => void }) {
  const { t, lang } = useT();
  const { staff } = useSession();
  const call = useStaffApi();
  const idempotency = useIdempotency();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  /** What the analyst found to be the fraudster's, labelled fraud with a decline (the engine stops its next payments). */
  const [culprits, setCulprits] = useState<readonly FraudParty[]>([]);
  const { payment: p, risk } = props.held;
  const mayDecide = can(staff.role, 'decideRiskReviews');
  const amount = formatMoney(p.amountMinor, p.currency);

  const decide = async (decision: 'approve' | 'decline') => {
    const action = `${p.id}:${decision}`;
    setBusy(true);
    setError(undefined);
    try {
      const body = decision === 'decline' ? { confirmedFraud: culprits } : undefined;
      const done = await call<Payment>('POST', `/v1/ops/risk/reviews/${encodeURIComponent(p.id)}/${decision}`, { idempotencyKey: idempotency.keyFor(action), body });
      idempotency.settle(action);
      props.onDecided(
        decision === 'approve'
          ? t({ zh: `已批准 ${amount} 付给「${done.payeeName}」（${done.id}）。`, en: `Approved ${amount} to ${done.payeeName} (${done.id}).` })
          : culprits.length === 0
            ? t({ zh: `已拒绝 ${amount}（${done.id}），资金退回付款方。`, en: `Declined ${amount} (${done.id}); the money went back to the payer.` })
            : t({
                zh: `已拒绝 ${amount}（${done.id}），资金退回付款方；已标记为欺诈：${culprits.map((c) => FRAUD_PARTY_NAMES[c].zh).join('、')}。`,
                en: `Declined ${amount} (${done.id}); the money went back to the payer. Marked as fraud: ${culprits.map((c) => FRAUD_PARTY_NAMES[c].en).join(', ')}.`,
              }),
      );
    } catch (e) {
      idempotency.settle(action, e);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card review" data-testid="review-row" data-payment-id={p.id}>
      <div className="card-head">
        <h2>
          <span className="amount">{amount}</span>
          <span className="muted"> → {p.payeeName}</span>
        </h2>
        {risk ? (
          <span className="pill status-held" data-testid="review-score">
            {t({ zh: `风险分 ${risk.score}`, en: `Score ${risk.score}` })}
            {props.reviewAt !== undefined ? t({ zh: `（审核线 ${props.reviewAt}）`, en: ` (review at ${props.reviewAt})` }) : ''}
          </span>
        ) : null}
      </div>
      <dl className="fields">
        <dt>{t({ zh: '支付号', en: 'Payment' })}</dt>
        <dd>
          <code>{p.id}</code>
        </dd>
        <dt>{t({ zh: '付款方', en: 'Payer' })}</dt>
        <dd>
          <code>{props.held.payerConsumerId}</code>
        </dd>
        <dt>{t({ zh: '收款方', en: 'Payee' })}</dt>
        <dd>
          {p.payeeName}
          {p.merchantId ? (
            <>
              {' '}
              <code>{p.merchantId}</code>
            </>
          ) : null}
        </dd>
        <dt>{t({ zh: '渠道', en: 'Channel' })}</dt>
        <dd>
          {p.kind} · {p.channel} · {t({ zh: `验证等级 ${p.level}`, en: `level ${p.level}` })}
        </dd>
        {p.description ? (
          <>
            <dt>{t({ zh: '说明', en: 'Description' })}</dt>
            <dd>{p.description}</dd>
          </>
        ) : null}
        <dt>{t({ zh: '时间', en: 'Created' })}</dt>
        <dd>{formatTime(p.createdAtMs, lang)}</dd>
      </dl>
      <h3>{t({ zh: '决策依据', en: 'Decision trail' })}</h3>
      {risk ? (
        <>
          <div className="table-wrap">
            <table className="hits">
              <caption className="sr-only">{t({ zh: `触发的规则（规则集 ${risk.ruleSetVersion}）`, en: `Rules that fired (rule set ${risk.ruleSetVersion})` })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t({ zh: '规则', en: 'Rule' })}</th>
                  <th scope="col">{t({ zh: '分数', en: 'Score' })}</th>
                  <th scope="col">{t({ zh: '说明', en: 'What it means' })}</th>
                </tr>
              </thead>
              <tbody>
                {risk.hits.map((hit) => (
                  <tr key={hit.ruleId} data-testid="review-hit" data-rule-id={hit.ruleId}>
                    <td>
                      <code>{hit.ruleId}</code>
                    </td>
                    <td className="num">{hit.score}</td>
                    <td>{props.describe.get(hit.ruleId) || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {risk.hits.length === 0 ? <p className="muted">{t({ zh: '没有规则触发。', en: 'No rule fired.' })}</p> : null}
          {risk.reasons.length > 0 ? (
            <p>
              {t({ zh: '告知客户的原因：', en: 'Reasons shown to the customer: ' })}
              {risk.reasons.join('; ')}
            </p>
          ) : null}
          <p className="muted small">{t({ zh: `规则集版本 ${risk.ruleSetVersion}`, en: `Rule set ${risk.ruleSetVersion}` })}</p>
        </>
      ) : (
        <p className="muted">{t({ zh: '没有记录的风控决策。', en: 'No risk decision was recorded.' })}</p>
      )}
      {mayDecide ? (
        <fieldset className="culprits" data-testid="review-culprits">
          <legend>{t({ zh: '拒绝时标记为欺诈方（之后的付款会被拦截）', en: "On decline, mark as the fraudster's (their next payments are stopped)" })}</legend>
          {FRAUD_PARTIES.map((party) => (
            <label key={party}>
              <input
                type="checkbox"
                data-testid={`review-culprit-${party}`}
                checked={culprits.includes(party)}
                disabled={busy}
                onChange={(e) => setCulprits(e.target.checked ? [...culprits, party] : culprits.filter((c) => c !== party))}
              />{' '}
              {t(FRAUD_PARTY_NAMES[party])}
            </label>
          ))}
        </fieldset>
      ) : null}
      {mayDecide ? (
        <div className="row actions">
          <button type="button" data-testid="review-approve" disabled={busy} onClick={() => void decide('approve')}>
            {t({ zh: '批准（入账）', en: 'Approve (pay the payee)' })}
          </button>
          <button type="button" className="danger" data-testid="review-decline" disabled={busy} onClick={() => void decide('decline')}>
            {t({ zh: '拒绝（退回付款方）', en: 'Decline (release to the payer)' })}
          </button>
        </div>
      ) : null}
      <ErrorNote error={error} prefix={{ zh: '操作未完成', en: 'The decision did not go through' }} />
    </li>
  );
}
