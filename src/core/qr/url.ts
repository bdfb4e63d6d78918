/** What a wallet shows for a URL code: never opened automatically, domain first, warnings named. */
export type UrlWarning = 'plain_http' | 'raw_ip' | 'punycode' | 'non_ascii_domain' | 'lookalike' | 'shortener' | 'userinfo' | 'unusual_port' | 'app_link';

export interface UrlVerdict {
  readonly kind: 'url';
  readonly url: string;
  readonly scheme: string;
  readonly domain: string;
  readonly warnings: readonly UrlWarning[];
  /** When lookalike: the well-known domain it imitates. */
  readonly imitates?: string;
}

const SHORTENERS = new Set(['bit.ly', 't.cn', 'tinyurl.com', 'goo.gl', 't.co', 'is.gd', 'ow.ly', 'dwz.cn', 'url.cn', 'suo.im', 'rebrand.ly', 'cutt.ly', 'shorturl.at', 'tiny.cc', 'rb.gy', 's.id']);
// Domains people trust with money; a different domain that reads the same is a phishing sign.
const WELL_KNOWN = ['alipay.com', 'wechat.com', 'weixin.qq.com', 'qq.com', 'tenpay.com', 'unionpay.com', 'paypal.com', 'icbc.com.cn', 'ccb.com', 'boc.cn', 'abchina.com', 'bankcomm.com', 'cmbchina.com', 'apple.com', 'google.com', 'saoma.org'];

/** Collapses characters that read alike, so "a1ipay" and "alipay" meet. */
function skeleton(domain: string): string {
  return domain
    .toLowerCase()
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w')
    .replace(/[0]/g, 'o')
    .replace(/[1|!]/g, 'l')
    .replace(/[i]/g, 'l')
    .replace(/5/g, 's')
    .replace(/3/g, 'e')
    .replace(/-/g, '');
}

function registrable(domain: string): string {
  // Good enough for the comparison: the last two labels, or three for a two-letter second level (com.cn).
  const labels = domain.split('.');
  const take = labels.length >= 3 && labels[labels.length - 2]!.length <= 3 && labels[labels.length - 1]!.length === 2 ? 3 : 2;
  return labels.slice(-take).join('.');
}

export function looksLikeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(text) || /^www\.[^\s]+\.[a-z]{2,}\S*$/i.test(text);
}

export function analyzeUrl(text: string): UrlVerdict | undefined {
  let url: URL;
  try {
    url = new URL(/^www\./i.test(text) ? `http://${text}` : text);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const warnings: UrlWarning[] = [];
  if (scheme !== 'http' && scheme !== 'https') {
    return { kind: 'url', url: text, scheme, domain: url.hostname, warnings: ['app_link'] };
  }
  const domain = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (scheme === 'http') warnings.push('plain_http');
  if (/^[0-9.]+$/.test(domain) || domain.includes(':')) warnings.push('raw_ip');
  if (domain.split('.').some((label) => label.startsWith('xn--'))) warnings.push('punycode');
  if (/[^\x00-\x7f]/.test(text.split('/')[2] ?? '')) warnings.push('non_ascii_domain');
  if (SHORTENERS.has(domain) || SHORTENERS.has(registrable(domain))) warnings.push('shortener');
  if (url.username || url.password) warnings.push('userinfo');
  if (url.port && url.port !== '80' && url.port !== '443') warnings.push('unusual_port');
  let imitates: string | undefined;
  const mine = registrable(domain);
  for (const known of WELL_KNOWN) {
    if (mine === known || domain === known || domain.endsWith(`.${known}`)) {
      imitates = undefined;
      break;
    }
    const brand = known.split('.')[0]!;
    // A homoglyph or typo of the domain, or the brand's name inside somebody else's domain.
    if (skeleton(mine) === skeleton(known) || (brand.length >= 4 && skeleton(domain).includes(skeleton(brand)))) imitates ??= known;
  }
  if (imitates) warnings.push('lookalike');
  return { kind: 'url', url: text, scheme, domain, warnings, ...(imitates ? { imitates } : {}) };
}
