// The SDK's HTTP layer: fetch (Node 20 and browsers), typed errors, an Idempotency-Key on every
// POST, and bounded, jittered retries of answers that say "retry later" (503, 409 in flight).

export interface ApiErrorBody {
  readonly error: { readonly type: string; readonly code: string; readonly message: string; readonly param?: string };
}

/** An error answer of the API, with its stable code. */
export class SaomaApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: string;
  readonly param: string | undefined;
  constructor(status: number, body: ApiErrorBody['error']) {
    super(body.message);
    this.name = 'SaomaApiError';
    this.status = status;
    this.code = body.code;
    this.type = body.type;
    this.param = body.param;
  }
}

export interface HttpOptions {
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
  /** Retries of a retryable answer (503, 409 IDEMPOTENCY_KEY_IN_USE) or a network failure. */
  readonly retriesMax?: number;
  readonly timeoutMs?: number;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  readonly query?: Record<string, string | number | undefined>;
}

function randomKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class HttpClient {
  private readonly fetchFn: typeof fetch;
  token: string | undefined;

  constructor(private readonly options: HttpOptions) {
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  get baseUrl(): string {
    return this.options.baseUrl.replace(/\/$/, '');
  }

  async request<T>(method: 'GET' | 'POST', path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    // One key for all attempts: a retry after a lost answer is recognised, never applied twice.
    if (method === 'POST') headers['idempotency-key'] = options.idempotencyKey ?? randomKey();
    let url = this.baseUrl + path;
    if (options.query) {
      const q = Object.entries(options.query).filter(([, v]) => v !== undefined);
      if (q.length > 0) url += `?${new URLSearchParams(q.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
    }
    const retriesMax = this.options.retriesMax ?? 3;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetchFn(url, { method, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
      } catch (error) {
        if (attempt >= retriesMax) throw error;
        await sleep(backoffMs(attempt));
        continue;
      }
      const text = await response.text();
      const parsed: unknown = text === '' ? undefined : JSON.parse(text);
      if (response.ok) return parsed as T;
      const err = (parsed as ApiErrorBody | undefined)?.error ?? { type: 'api_error', code: 'INTERNAL', message: `HTTP ${response.status}` };
      const retryable = response.status === 503 || (response.status === 409 && err.code === 'IDEMPOTENCY_KEY_IN_USE');
      if (retryable && attempt < retriesMax) {
        const after = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 5000) * (0.5 + Math.random() / 2) : backoffMs(attempt));
        continue;
      }
      throw new SaomaApiError(response.status, err);
    }
  }
}

function backoffMs(attempt: number): number {
  return Math.floor(Math.random() * Math.min(4000, 200 * 2 ** attempt)) + 50;
}
