// Analysts' labels on one party (docs/risk-labels.md): look an account, device or code up, see
// whether it is labelled fraud now and the labels that named it, and withdraw a mistaken label
// (a customer's appeal upheld) with a reason, after a confirmation. The server checks everything
// again; the checks here only save a round trip and say what is wrong next to the field.
import { useEffect, useRef, useState } from 'react';
import { RISK_LABEL_REASON_CHARS_MAX as REASON_CHARS_MAX, RISK_LABEL_REASON_CHARS_MIN as REASON_CHARS_MIN, RISK_PARTY_ID_CHARS_MAX } from '../../src/core/limits.js';
import { ApiError } from '../shared/api.js';
import { useT, type Text } from '../shared/i18n.js';
import { can } from './permissions.js';
import { useSession, useStaffApi } from './session.js';
import type { LabelLookup, PartyKind, RiskLabel } from './types.js';
import { ErrorNote, formatTime, useIdempotency } from './ui.js';

/** As the API takes party ids (src/http/ops/risk.ts): `prefix_` and base64url. */
const PARTY_ID = new RegExp(`^[A-Za-z0-9_-]{1,${RISK_PARTY_ID_CHARS_MAX}}$`);

const VERDICT_NAMES: Record<RiskLabel['verdict'], Text> = {
  fraud: { zh: '欺诈', en: 'Fraud' },
  legitimate: { zh: '正常（批准了支付）', en: 'Legitimate (a payment posted)' },
  withdrawn: { zh: '已撤销', en: 'Withdrawn' },
};
/** Before an id in the history ("Account mer_…"). */
const KIND_NAMES: Record<PartyKind, Text> = {
  account: { zh: '账户', en: 'Account' },
  device: { zh: '设备', en: 'Device' },
  code: { zh: '收款码', en: 'Code' },
};
/** In a sentence ("labelled fraud now as an account"). */
const KIND_AS: Record<PartyKind, Text> = {
  account: { zh: '账户', en: 'an account' },
  device: { zh: '设备', en: 'a device' },
  code: { zh: '收款码', en: 'a code' },
};

function kindsText(kinds: readonly PartyKind[], t: (text: Text) => string, lang: 'zh' | 'en'): string {
  return kinds.map((k) => t(KIND_AS[k])).join(lang === 'zh' ? '、' : ' and ');
}

export function LabelsPanel() {
  const { t, lang } = useT();
  const { staff } = useSession();
  const call = useStaffApi();
  const idempotency = useIdempotency();
  const mayWithdraw = can(staff.role, 'withdrawRiskLabels');
  const [party, setParty] = useState('');
  const [partyProblem, setPartyProblem] = useState<Text | null>(null);
  const [found, setFound] = useState<LabelLookup | null>(null);
  const [busy, setBusy] = useState<'lookup' | 'withdraw' | null>(null);
  /** What failed, and what to call it. */
  const [failure, setFailure] = useState<{ readonly error: unknown; readonly prefix: Text } | null>(null);
  const [reason, setReason] = useState('');
  const [reasonProblem, setReasonProblem] = useState<Text | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState('');
  const confirmRef = useRef<HTMLDivElement>(null);
  const withdrawRef = useRef<HTMLButtonElement>(null);
  const stateRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  // A confirmation is for the reason it showed: an edit withdraws it.
  useEffect(() => setConfirming(false), [reason]);

  const load = async (id: string): Promise<void> => {
    setFound(await call<LabelLookup>('GET', '/v1/ops/risk/labels', { query: { party: id } }));
  };

  const lookUp = async () => {
    const id = party.trim();
    setNotice('');
    setFailure(null);
    setConfirming(false);
    if (!PARTY_ID.test(id)) {
      setPartyProblem({
        zh: '请输入账户、设备或收款码的 ID：1 到 64 个字母、数字、下划线或连字符，例如 mer_…、cus_…、dev_…。',
        en: 'Enter an account, device or code id: 1 to 64 letters, digits, underscores or dashes, such as mer_…, cus_…, dev_….',
      });
      document.getElementById('labels-party')?.focus();
      return;
    }
    setPartyProblem(null);
    setBusy('lookup');
    try {
      await load(id);
    } catch (e) {
      setFound(null);
      setFailure({ error: e, prefix: { zh: '查询失败', en: 'The look-up failed' } });
    } finally {
      setBusy(null);
    }
  };

  const askToWithdraw = () => {
    setNotice('');
    setFailure(null);
    const text = reason.trim();
    if (text.length < REASON_CHARS_MIN || reason.length > REASON_CHARS_MAX) {
      setReasonProblem({
        zh: `请写明撤销的原因（${REASON_CHARS_MIN} 到 ${REASON_CHARS_MAX} 个字符），它会记入审计日志。`,
        en: `Write why the label is withdrawn (${REASON_CHARS_MIN} to ${REASON_CHARS_MAX} characters); it goes into the audit log.`,
      });
      document.getElementById('labels-reason')?.focus();
      return;
    }
    setReasonProblem(null);
    setConfirming(true);
  };

  const withdraw = async () => {
    if (!found) return;
    const kinds = found.labelledAs;
    const body = {
      ...(kinds.includes('account') ? { accountIds: [found.party] } : {}),
      ...(kinds.includes('device') ? { deviceIds: [found.party] } : {}),
      ...(kinds.includes('code') ? { codeIds: [found.party] } : {}),
      reason: reason.trim(),
    };
    const action = `withdraw:${JSON.stringify(body)}`;
    setBusy('withdraw');
    setFailure(null);
    try {
      await call<{ label: RiskLabel }>('POST', '/v1/ops/risk/labels/withdraw', { body, idempotencyKey: idempotency.keyFor(action) });
      idempotency.settle(action);
      setConfirming(false);
      setReason('');
      setNotice(
        t({
          zh: `已撤销 ${found.party} 的欺诈标记（${kindsText(kinds, t, lang)}），从下一笔支付起生效。`,
          en: `The fraud label on ${found.party} (as ${kindsText(kinds, t, lang)}) is withdrawn, from its next payment on.`,
        }),
      );
    } catch (e) {
      idempotency.settle(action, e);
      setConfirming(false);
      setFailure({ error: e, prefix: { zh: '标记未撤销', en: 'The label was not withdrawn' } });
      // Someone else withdrew it meanwhile: show what is true now.
      if (e instanceof ApiError && e.code === 'RISK_LABEL_NOT_ACTIVE') await load(found.party).catch(() => undefined);
      return;
    } finally {
      setBusy(null);
    }
    // The new state and history, from the server: what the engine now goes by. The button that
    // had the focus is gone; the new state takes it, so keyboard and reader users land on it.
    try {
      await load(found.party);
      stateRef.current?.focus();
    } catch (e) {
      setFailure({ error: e, prefix: { zh: '已撤销，但最新状态加载失败', en: 'Withdrawn, but the new state could not be loaded' } });
    }
  };

  return (
    <section className="card labels" aria-labelledby="labels-title" data-testid="labels">
      <h2 id="labels-title">{t({ zh: '欺诈标记', en: 'Labels' })}</h2>
      <p className="muted">
        {t({
          zh: '分析员拒绝支付或确认举报时标记的欺诈方，会被规则 label.* 拦截与陌生人之间的付款。客户因此被拒并申诉时，在这里查询，确认标记有误后写明原因撤销。',
          en: "Parties an analyst labelled fraud (declining a payment or confirming a report) have their payments with strangers stopped by rules label.*. When a customer refused because of a label appeals, look the party up here and, if the label was a mistake, withdraw it with a reason.",
        })}
      </p>
      <form
        className="row labels-lookup"
        onSubmit={(e) => {
          e.preventDefault();
          void lookUp();
        }}
      >
        <div className="filter wide">
          <label htmlFor="labels-party">{t({ zh: '账户、设备或收款码 ID', en: 'Account, device or code id' })}</label>
          <input
            id="labels-party"
            data-testid="labels-party"
            value={party}
            maxLength={RISK_PARTY_ID_CHARS_MAX}
            spellCheck={false}
            autoComplete="off"
            autoCapitalize="off"
            aria-invalid={partyProblem ? true : undefined}
            aria-describedby={partyProblem ? 'labels-party-problem' : undefined}
            onChange={(e) => setParty(e.target.value)}
          />
        </div>
        <button type="submit" data-testid="labels-lookup" disabled={busy !== null}>
          {busy === 'lookup' ? t({ zh: '查询中…', en: 'Looking up…' }) : t({ zh: '查询', en: 'Look up' })}
        </button>
      </form>
      {partyProblem ? (
        <p id="labels-party-problem" role="alert" className="error" data-testid="labels-party-problem">
          {t(partyProblem)}
        </p>
      ) : null}

      {found ? (
        <div data-testid="labels-result" data-party={found.party} data-labelled={found.labelled ? 'true' : 'false'}>
          <p ref={stateRef} tabIndex={-1} className={`banner labels-state ${found.labelled ? 'bad' : 'ok'}`} data-testid="labels-state" data-labelled={found.labelled ? 'true' : 'false'}>
            {found.labelled
              ? t({
                  zh: `${found.party} 目前被标记为欺诈（${kindsText(found.labelledAs, t, lang)}）：它与陌生人之间的付款会被拦截。`,
                  en: `${found.party} is labelled fraud now (as ${kindsText(found.labelledAs, t, lang)}): its payments with strangers are stopped.`,
                })
              : t({ zh: `${found.party} 目前没有欺诈标记。`, en: `${found.party} is not labelled fraud now.` })}
          </p>
          <LabelHistory labels={found.labels} />
          {found.labelled && mayWithdraw ? (
            <div className="labels-withdraw">
              <label htmlFor="labels-reason">{t({ zh: '撤销原因（记入审计日志）', en: 'Reason for withdrawing (kept in the audit log)' })}</label>
              <textarea
                id="labels-reason"
                data-testid="labels-reason"
                rows={3}
                maxLength={REASON_CHARS_MAX}
                value={reason}
                disabled={busy !== null}
                aria-invalid={reasonProblem ? true : undefined}
                aria-describedby={reasonProblem ? 'labels-reason-problem' : undefined}
                onChange={(e) => setReason(e.target.value)}
              />
              {reasonProblem ? (
                <p id="labels-reason-problem" role="alert" className="error" data-testid="labels-reason-problem">
                  {t(reasonProblem)}
                </p>
              ) : null}
              <div className="row actions">
                <button type="button" className="danger" ref={withdrawRef} data-testid="labels-withdraw" disabled={busy !== null || confirming} onClick={askToWithdraw}>
                  {t({ zh: '撤销标记…', en: 'Withdraw the label…' })}
                </button>
              </div>
              {confirming ? (
                <div className="banner warn labels-confirm" role="group" aria-labelledby="labels-confirm-title" tabIndex={-1} ref={confirmRef} data-testid="labels-confirm-box">
                  <h3 id="labels-confirm-title">{t({ zh: `撤销 ${found.party} 的欺诈标记？`, en: `Withdraw the fraud label on ${found.party}?` })}</h3>
                  <p>
                    {t({
                      zh: `它被标记的身份：${kindsText(found.labelledAs, t, lang)}。从下一笔支付起，风控引擎不再把它当作欺诈方。此操作连同原因记入审计日志：`,
                      en: `It is labelled as ${kindsText(found.labelledAs, t, lang)}; from its next payment on, the risk engine no longer treats it as a fraudster's. This is audited, with the reason:`,
                    })}
                  </p>
                  <blockquote data-testid="labels-confirm-reason">{reason.trim()}</blockquote>
                  <div className="row">
                    <button type="button" className="danger" data-testid="labels-confirm" disabled={busy !== null} onClick={() => void withdraw()}>
                      {busy === 'withdraw' ? t({ zh: '撤销中…', en: 'Withdrawing…' }) : t({ zh: '确认撤销', en: 'Withdraw it' })}
                    </button>
                    <button
                      type="button"
                      className="secondary"
                      data-testid="labels-cancel"
                      disabled={busy !== null}
                      onClick={() => {
                        setConfirming(false);
                        // Back to the button that asked, once it is enabled again.
                        requestAnimationFrame(() => withdrawRef.current?.focus());
                      }}
                    >
                      {t({ zh: '取消', en: 'Cancel' })}
                    </button>
                  </div>
                </div>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}
      <p role="status" aria-live="polite" className="notice" data-testid="labels-notice">
        {notice}
      </p>
      {failure ? <ErrorNote error={failure.error} prefix={failure.prefix} /> : null}
    </section>
  );
}

function LabelHistory({ labels }: { labels: readonly RiskLabel[] }) {
  const { t, lang } = useT();
  if (labels.length === 0) {
    return (
      <p className="muted" data-testid="labels-empty">
        {t({ zh: '没有标记记录。', en: 'No label has named it.' })}
      </p>
    );
  }
  const named = (l: RiskLabel): string => {
    const parts = [
      ...l.culprits.accountIds.map((id) => `${t(KIND_NAMES.account)} ${id}`),
      ...l.culprits.deviceIds.map((id) => `${t(KIND_NAMES.device)} ${id}`),
      ...l.culprits.codeIds.map((id) => `${t(KIND_NAMES.code)} ${id}`),
    ];
    return parts.length > 0 ? parts.join('; ') : t({ zh: '（收款方与付款方成为可信的一对）', en: '(payer and payee trusted as a pair)' });
  };
  return (
    <div className="table-wrap">
      <table className="labels-history" data-testid="labels-history">
        <caption className="sr-only">{t({ zh: '标记记录，最新的在前', en: 'Labels naming it, newest first' })}</caption>
        <thead>
          <tr>
            <th scope="col">{t({ zh: '时间', en: 'Time' })}</th>
            <th scope="col">{t({ zh: '结论', en: 'Verdict' })}</th>
            <th scope="col">{t({ zh: '涉及', en: 'Names' })}</th>
            <th scope="col">{t({ zh: '操作人', en: 'Actor' })}</th>
            <th scope="col">{t({ zh: '支付', en: 'Payment' })}</th>
          </tr>
        </thead>
        <tbody>
          {labels.map((l) => (
            <tr key={l.id} data-testid="labels-row" data-label-id={l.id} data-verdict={l.verdict}>
              <td>{formatTime(l.createdAtMs, lang)}</td>
              <td data-col="verdict">{t(VERDICT_NAMES[l.verdict])}</td>
              <td data-col="names">{named(l)}</td>
              <td data-col="actor">
                <code>{l.actor}</code>
              </td>
              <td data-col="payment">{l.paymentId ? <code>{l.paymentId}</code> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
