// The audit log: newest first, older pages on demand, filtered by action text in the browser.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useT } from '../shared/i18n.js';
import { useStaffApi } from './session.js';
import type { AuditEntry, AuditPage } from './types.js';
import { ErrorNote, formatTime, Loading, ScreenHeading, useDocumentTitle } from './ui.js';

const PAGE_SIZE = 50;

function detailText(detail: unknown): string {
  if (detail === null || detail === undefined || detail === '') return '';
  if (typeof detail === 'string') return detail;
  return JSON.stringify(detail);
}

export function AuditScreen() {
  const { t, lang } = useT();
  const call = useStaffApi();
  useDocumentTitle(t({ zh: '审计日志', en: 'Audit log' }));
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadedOnce, setLoadedOnce] = useState(false);
  const [error, setError] = useState<unknown>();
  const [filter, setFilter] = useState('');
  const seq = useRef(0);

  const load = useCallback(
    async (beforeSeq: number | string | null) => {
      const mine = ++seq.current;
      setLoading(true);
      setError(undefined);
      try {
        const page = await call<AuditPage>('GET', '/v1/ops/audit', { query: { limit: PAGE_SIZE, beforeSeq: beforeSeq ?? undefined } });
        if (mine !== seq.current) return;
        setItems((old) => (beforeSeq === null ? [...page.items] : [...old, ...page.items]));
        setNext(page.nextBeforeSeq);
        setLoadedOnce(true);
      } catch (e) {
        if (mine === seq.current) setError(e);
      } finally {
        if (mine === seq.current) setLoading(false);
      }
    },
    [call],
  );

  useEffect(() => {
    void load(null);
    return () => void seq.current++;
  }, [load]);

  const needle = filter.trim().toLowerCase();
  const shown = needle === '' ? items : items.filter((i) => i.action.toLowerCase().includes(needle));

  return (
    <section>
      <div className="screen-head">
        <ScreenHeading>{t({ zh: '审计日志', en: 'Audit log' })}</ScreenHeading>
        <button type="button" className="secondary" onClick={() => void load(null)} disabled={loading}>
          {t({ zh: '刷新', en: 'Refresh' })}
        </button>
      </div>
      <div className="filter wide">
        <label htmlFor="audit-filter">{t({ zh: '按操作筛选（已加载的记录）', en: 'Filter by action (entries loaded so far)' })}</label>
        <input id="audit-filter" data-testid="audit-filter" type="search" placeholder="merchant.approve" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <p className="muted" aria-live="polite" data-testid="audit-count">
        {loadedOnce
          ? t({ zh: `显示 ${shown.length} / 已加载 ${items.length} 条`, en: `Showing ${shown.length} of ${items.length} loaded` })
          : ''}
      </p>
      <ErrorNote error={error} prefix={{ zh: '审计日志加载失败', en: 'The audit log could not be loaded' }} />
      {!loadedOnce && loading ? <Loading /> : null}
      {loadedOnce ? (
        <div className="table-wrap card">
          <table className="audit">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t({ zh: '时间', en: 'Time' })}</th>
                <th scope="col">{t({ zh: '操作者', en: 'Actor' })}</th>
                <th scope="col">{t({ zh: '操作', en: 'Action' })}</th>
                <th scope="col">{t({ zh: '对象', en: 'Object' })}</th>
                <th scope="col">{t({ zh: '详情', en: 'Detail' })}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((i) => (
                <tr key={String(i.seq)} data-testid="audit-row" data-seq={String(i.seq)} data-action={i.action} data-object-id={i.objectId ?? ''}>
                  <td className="num">{String(i.seq)}</td>
                  <td>{formatTime(i.atMs, lang)}</td>
                  <td>
                    <code>{i.actor}</code>
                  </td>
                  <td>
                    <code>{i.action}</code>
                  </td>
                  <td>{i.objectId ? <code>{i.objectId}</code> : '—'}</td>
                  <td>
                    <code className="wrap">{detailText(i.detail)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length === 0 ? <p className="muted">{t({ zh: '没有匹配的记录。', en: 'No matching entries.' })}</p> : null}
        </div>
      ) : null}
      {next !== null ? (
        <button type="button" className="secondary" data-testid="audit-more" disabled={loading} onClick={() => void load(next)}>
          {t({ zh: '加载更早的记录', en: 'Load older entries' })}
        </button>
      ) : loadedOnce ? (
        <p className="muted">{t({ zh: '已到最早的记录。', en: 'That is the oldest entry.' })}</p>
      ) : null}
    </section>
  );
}
