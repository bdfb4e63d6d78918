// The printable poster of a till's code. The SVG route needs the bearer key, so it is fetched and
// shown through an object URL (img-src allows blob:); Print prints the poster alone.
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../shared/api.js';
import { useT } from '../shared/i18n.js';
import { ErrorMessage } from './errors.js';
import { useSession } from './session.js';

export function PosterPage() {
  const { t } = useT();
  const { tillId = '' } = useParams();
  const { apiKey, me, signOut } = useSession();
  const [url, setUrl] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    let objectUrl: string | undefined;
    let cancelled = false;
    const controller = new AbortController();
    (async () => {
      let response: Response;
      try {
        response = await fetch(`/v1/merchant/tills/${encodeURIComponent(tillId)}/poster.svg`, { headers: { authorization: `Bearer ${apiKey}` }, signal: controller.signal });
      } catch {
        if (!cancelled) setError(new ApiError(0, { type: 'network_error', code: 'NETWORK_UNAVAILABLE', message: 'No connection to the server.' }));
        return;
      }
      if (!response.ok) {
        const body = (await response.json().catch(() => undefined)) as { error?: { type: string; code: string; message: string } } | undefined;
        if (response.status === 401) signOut('revoked');
        if (!cancelled) setError(new ApiError(response.status, body?.error ?? { type: 'api_error', code: `HTTP_${response.status}`, message: `The server answered ${response.status}.` }));
        return;
      }
      const blob = await response.blob();
      if (cancelled) return;
      objectUrl = URL.createObjectURL(new Blob([blob], { type: 'image/svg+xml' }));
      setUrl(objectUrl);
    })();
    return () => {
      cancelled = true;
      controller.abort();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [tillId, apiKey, signOut]);

  return (
    <div className="poster-page">
      <div className="no-print">
        <h1 tabIndex={-1}>{t({ zh: '收款码海报', en: 'Till code poster' })}</h1>
        <p className="muted">
          {t({ zh: 'A6 尺寸，带平台签名的收款码和登记名称。打印后贴在收银台。', en: 'A6, with the platform-signed code and the registered name. Print it and put it up at the counter.' })}
        </p>
        <div className="row">
          <button type="button" data-testid="poster-print" disabled={!url} onClick={() => window.print()}>
            {t({ zh: '打印', en: 'Print' })}
          </button>
          <Link className="button secondary" to="/counter">
            {t({ zh: '返回收银台', en: 'Back to the counter' })}
          </Link>
        </div>
      </div>
      {error !== undefined ? <ErrorMessage error={error} /> : null}
      {!url && error === undefined ? <p role="status">{t({ zh: '正在生成海报…', en: 'Making the poster…' })}</p> : null}
      {url ? (
        <img
          className="poster"
          data-testid="poster-view"
          src={url}
          alt={t({ zh: `${me.merchant.displayName} 的收款码海报`, en: `Poster with the till code of ${me.merchant.displayName}` })}
        />
      ) : null}
    </div>
  );
}
