// Merchant review: applications by status; reviewers approve or suspend with a reason (audited).
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useT } from '../shared/i18n.js';
import { can } from './permissions.js';
import { useSession, useStaffApi } from './session.js';
import type { Merchant, MerchantStatus } from './types.js';
import { ErrorNote, formatTime, Loading, ScreenHeading, useDocumentTitle, useIdempotency, useLoad } from './ui.js';

const FILTERS = ['pending', 'approved', 'suspended', 'all'] as const;
type Filter = (typeof FILTERS)[number];

export const STATUS_NAMES: Record<MerchantStatus, { zh: string; en: string }> = {
  pending: { zh: '待审核', en: 'Pending' },
  approved: { zh: '已批准', en: 'Approved' },
  suspended: { zh: '已暂停', en: 'Suspended' },
};

export function MerchantsScreen() {
  const { t } = useT();
  const call = useStaffApi();
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const filter: Filter = (FILTERS as readonly string[]).includes(raw ?? '') ? (raw as Filter) : 'pending';
  const [notice, setNotice] = useState('');
  useDocumentTitle(t({ zh: '商户审核', en: 'Merchant review' }));
  const loaded = useLoad(
    () => call<{ merchants: Merchant[] }>('GET', '/v1/ops/merchants', { query: { status: filter === 'all' ? undefined : filter } }),
    `merchants:${filter}`,
  );

  return (
    <section>
      <div className="screen-head">
        <ScreenHeading>{t({ zh: '商户审核', en: 'Merchant review' })}</ScreenHeading>
        <div className="filter">
          <label htmlFor="merchant-filter">{t({ zh: '状态', en: 'Status' })}</label>
          <select
            id="merchant-filter"
            data-testid="merchant-filter"
            value={filter}
            onChange={(e) => {
              setNotice('');
              setParams({ status: e.target.value });
            }}
          >
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {f === 'all' ? t({ zh: '全部', en: 'All' }) : t(STATUS_NAMES[f])}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p role="status" aria-live="polite" className="notice" data-testid="merchant-notice">
        {notice}
      </p>
      <ErrorNote error={loaded.error} prefix={{ zh: '商户列表加载失败', en: 'The merchants could not be loaded' }} />
      {!loaded.data ? (
        loaded.error ? null : <Loading />
      ) : loaded.data.merchants.length === 0 ? (
        <p className="card muted">{t({ zh: '没有这个状态的商户。', en: 'No merchants with this status.' })}</p>
      ) : (
        <ul className="cards">
          {loaded.data.merchants.map((m) => (
            <MerchantCard
              key={m.id}
              merchant={m}
              onReviewed={(text) => {
                setNotice(text);
                loaded.reload();
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function MerchantCard({ merchant: m, onReviewed }: { merchant: Merchant; onReviewed: (notice: string) => void }) {
  const { t, lang } = useT();
  const { staff } = useSession();
  const call = useStaffApi();
  const idempotency = useIdempotency();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [missingReason, setMissingReason] = useState(false);
  const mayReview = can(staff.role, 'reviewMerchants');
  const noteId = `note-${m.id}`;
  const status = m.status as MerchantStatus;

  const review = async (decision: 'approve' | 'suspend') => {
    setError(undefined);
    const reason = note.trim();
    if (decision === 'suspend' && reason === '') {
      setMissingReason(true);
      document.getElementById(noteId)?.focus();
      return;
    }
    setMissingReason(false);
    const action = `${m.id}:${decision}:${reason}`;
    setBusy(true);
    try {
      const updated = await call<Merchant>('POST', `/v1/ops/merchants/${encodeURIComponent(m.id)}/review`, {
        body: reason === '' ? { decision } : { decision, note: reason },
        idempotencyKey: idempotency.keyFor(action),
      });
      idempotency.settle(action);
      setNote('');
      onReviewed(
        decision === 'approve'
          ? t({ zh: `已批准商户「${updated.displayName}」。`, en: `Approved ${updated.displayName}.` })
          : t({ zh: `已暂停商户「${updated.displayName}」。`, en: `Suspended ${updated.displayName}.` }),
      );
    } catch (e) {
      idempotency.settle(action, e);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card merchant" data-testid="merchant-row" data-merchant-id={m.id} data-status={m.status}>
      <div className="card-head">
        <h2>{m.displayName}</h2>
        <span className={`pill status-${m.status}`}>{STATUS_NAMES[status] ? t(STATUS_NAMES[status]) : m.status}</span>
      </div>
      <dl className="fields">
        <dt>{t({ zh: '法定名称', en: 'Legal name' })}</dt>
        <dd>{m.legalName}</dd>
        <dt>{t({ zh: '营业执照号', en: 'Licence number' })}</dt>
        <dd>{m.licenceNumber ?? '—'}</dd>
        <dt>{t({ zh: '商户类别码', en: 'MCC' })}</dt>
        <dd>{m.mcc}</dd>
        <dt>{t({ zh: '地址', en: 'Address' })}</dt>
        <dd>
          {m.address}, {m.city} ({m.countryCode})
        </dd>
        <dt>{t({ zh: '结算账户', en: 'Settlement account' })}</dt>
        <dd>{m.settlementAccountMasked ?? '—'}</dd>
        <dt>{t({ zh: '费率', en: 'Fee rate' })}</dt>
        <dd>{t({ zh: `${m.feeRateBp} 个基点`, en: `${m.feeRateBp} basis points` })}</dd>
        <dt>{t({ zh: '申请时间', en: 'Applied' })}</dt>
        <dd>{formatTime(m.createdAtMs, lang)}</dd>
        <dt>{t({ zh: '商户号', en: 'Merchant id' })}</dt>
        <dd>
          <code>{m.id}</code>
        </dd>
      </dl>
      {mayReview ? (
        <form className="review-form" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor={noteId}>{t({ zh: `审核理由（暂停时必填）`, en: `Reason (required to suspend)` })}</label>
          <input
            id={noteId}
            data-testid="merchant-note"
            value={note}
            maxLength={500}
            aria-invalid={missingReason || undefined}
            aria-describedby={missingReason ? `${noteId}-missing` : undefined}
            onChange={(e) => setNote(e.target.value)}
          />
          {missingReason ? (
            <p id={`${noteId}-missing`} role="alert" className="error">
              {t({ zh: '暂停商户需要填写理由。', en: 'Enter a reason to suspend this merchant.' })}
            </p>
          ) : null}
          <div className="row actions">
            {status !== 'approved' ? (
              <button type="button" data-testid="merchant-approve" disabled={busy} onClick={() => void review('approve')}>
                {t({ zh: '批准', en: 'Approve' })}
                <span className="sr-only"> {m.displayName}</span>
              </button>
            ) : null}
            {status !== 'suspended' ? (
              <button type="button" className="danger" data-testid="merchant-suspend" disabled={busy} onClick={() => void review('suspend')}>
                {t({ zh: '暂停', en: 'Suspend' })}
                <span className="sr-only"> {m.displayName}</span>
              </button>
            ) : null}
          </div>
          <ErrorNote error={error} prefix={{ zh: '审核未完成', en: 'The review did not go through' }} />
        </form>
      ) : null}
    </li>
  );
}
