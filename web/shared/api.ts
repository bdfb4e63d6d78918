// The web apps' HTTP layer: same-origin fetch with a bearer credential, the API's error shape
// as a typed error, and an Idempotency-Key on every POST (a retried tap never pays twice).

export interface ApiErrorShape {
  readonly type: string;
  readonly code: string;
  readonly message: string;
  readonly param?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly param: string | undefined;
  constructor(status: number, body: ApiErrorShape) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.param = body.param;
  }
}

export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface ApiRequest {
  readonly token?: string | undefined;
  readonly body?: unknown;
  readonly query?: Record<string, string | number | undefined>;
  /** Reuse the same key when the user retries the same action. */
  readonly idempotencyKey?: string;
}

export async function api<T>(method: 'GET' | 'POST', path: string, request: ApiRequest = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST') headers['idempotency-key'] = request.idempotencyKey ?? newIdempotencyKey();
  let url = path;
  if (request.query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query)) if (value !== undefined) params.set(key, String(value));
    const text = params.toString();
    if (text) url += `?${text}`;
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}) });
  } catch {
    throw new ApiError(0, { type: 'network_error', code: 'NETWORK_UNAVAILABLE', message: 'No connection to the server. Check the network and try again.' });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: ApiErrorShape } | undefined)?.error;
    throw new ApiError(response.status, error ?? { type: 'api_error', code: 'HTTP_' + response.status, message: `The server answered ${response.status}.` });
  }
  return parsed as T;
}
