import { createHmac, randomBytes } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { assert, SaomaError } from '../core/errors.js';
import {
  JOB_LEASE_MS,
  WEBHOOK_ATTEMPTS_MIN,
  WEBHOOK_DELIVERIES_CONCURRENT_MAX,
  WEBHOOK_DESCRIPTION_CHARS_MAX,
  WEBHOOK_DISPATCH_EVENTS_MAX,
  WEBHOOK_DISPATCH_INTERVAL_MS,
  WEBHOOK_ENDPOINTS_PER_MERCHANT_MAX,
  WEBHOOK_ERROR_CHARS_MAX,
  WEBHOOK_RESPONSE_BYTES_MAX,
  WEBHOOK_RETRY_BACKOFF_MS_BASE,
  WEBHOOK_RETRY_BACKOFF_MS_MAX,
  WEBHOOK_RETRY_DURATION_MS_MIN,
  WEBHOOK_TIMEOUT_MS,
  WEBHOOK_URL_CHARS_MAX,
} from '../core/limits.js';
import { enqueueJobs, JobRunner, retryDelayMs, type JobRecord, type JobRetryPolicy, type NewJobInput } from '../store/jobs/runner.js';
import type { Database } from '../store/schema.js';
import type { StoreKind } from '../store/store.js';
import { outboxEventJson, outboxHighWaterMark } from './outbox.js';
import { seal, unseal } from './secrets.js';

/** Job kind of one delivery: job id `webhook:<eventId>:<endpointId>`, payload { eventId, endpointId }. */
export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';
/** The dispatcher's position in the outbox (a `seq`), in the settings table. */
export const WEBHOOK_DISPATCH_CURSOR_KEY = 'webhooks.dispatch_cursor';

/** Retries for at least a day and at least WEBHOOK_ATTEMPTS_MIN times, 5 s doubling to 1 h, full jitter. */
export const WEBHOOK_RETRY_POLICY: JobRetryPolicy = {
  attemptsMax: WEBHOOK_ATTEMPTS_MIN,
  giveUpAfterMs: WEBHOOK_RETRY_DURATION_MS_MIN,
  backoffMs: (attempt, random) => retryDelayMs(attempt, random, WEBHOOK_RETRY_BACKOFF_MS_BASE, WEBHOOK_RETRY_BACKOFF_MS_MAX),
};

export type WebhookEndpointStatus = 'active' | 'disabled';

export interface WebhookEndpoint {
  readonly id: string;
  readonly merchantId: string;
  readonly url: string;
  readonly description: string;
  readonly status: WebhookEndpointStatus;
  readonly createdAtMs: number;
  readonly disabledAtMs: number | null;
}

export interface WebhookAttempt {
  readonly eventId: string;
  readonly attempt: number;
  /** null when no HTTP status came back (refused, timed out, reset). */
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly atMs: number;
}

export interface WebhookServiceOptions {
  readonly nowMs?: () => number;
  readonly random?: () => number;
  readonly timeoutMs?: number;
  /** Replaces parts of WEBHOOK_RETRY_POLICY (tests shorten the backoff). */
  readonly retry?: Partial<JobRetryPolicy>;
  readonly dispatchIntervalMs?: number;
  /** How often the delivery runner looks for due deliveries. */
  readonly pollIntervalMs?: number;
  readonly deliveriesConcurrentMax?: number;
  /**
   * Refuse loopback, private, link-local and other non-public addresses (SSRF), at registration
   * and at every delivery (checked on the address actually connected to). Production deployments
   * should turn it on; default: SAOMA_WEBHOOKS_BLOCK_PRIVATE=1.
   */
  readonly blockPrivateAddresses?: boolean;
  /** Told about failures of the dispatcher loop and of deliveries (never with secrets). */
  readonly onError?: (what: string, error: unknown) => void;
}

// ---- URLs ----

const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  NON_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Checks a merchant's endpoint URL; returns it normalised. */
export function validateWebhookUrl(raw: string, options: { blockPrivateAddresses: boolean }): string {
  const refuse = (why: string): never => {
    throw new SaomaError('WEBHOOK_URL_INVALID', `url: ${why}`, 'url');
  };
  if (raw.length > WEBHOOK_URL_CHARS_MAX) refuse(`longer than ${WEBHOOK_URL_CHARS_MAX} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('only http and https URLs');
  if (url.username !== '' || url.password !== '') refuse('credentials in the URL are not allowed (put a token in the path or query)');
  if (url.hostname === '') refuse('no host');
  if (options.blockPrivateAddresses && isNonPublicAddress(url.hostname.replace(/^\[|\]$/g, ''))) refuse('private, loopback and link-local addresses are not allowed');
  if (options.blockPrivateAddresses && /^localhost\.?$/i.test(url.hostname)) refuse('private, loopback and link-local addresses are not allowed');
  const normalised = url.toString();
  if (normalised.length > WEBHOOK_URL_CHARS_MAX) refuse(`longer than ${WEBHOOK_URL_CHARS_MAX} characters`);
  return normalised;
}

// ---- signing and sending ----

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; agrees with the SDK's signWebhookPayload. */
export function webhookSignatureHeader(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isNonPublicAddress(a.address));
    if (bad || list.length === 0) {
      const refused = Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: 'EADDRNOTPUBLIC' });
      return callback(refused, '', 0);
    }
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
};

/**
 * POSTs the body; resolves with the status once the response head arrives (the body is read up to
 * a cap and dropped), rejects when no status came within the timeout. Redirects are not followed.
 */
function post(url: URL, body: string, headers: Record<string, string>, timeoutMs: number, blockPrivate: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      ...(blockPrivate ? { lookup: publicOnlyLookup } : {}),
    });
    const timer = setTimeout(() => request.destroy(Object.assign(new Error(`no response within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    timer.unref?.();
    request.on('response', (response) => {
      resolve(response.statusCode ?? 0);
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > WEBHOOK_RESPONSE_BYTES_MAX) response.destroy();
      });
      response.on('close', () => clearTimeout(timer));
      response.on('error', () => undefined);
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}

/** A failure as the attempts log keeps it: the error's code and message, never headers or secrets. */
function describeFailure(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const text = [typeof e?.code === 'string' ? e.code : '', typeof e?.message === 'string' ? e.message : String(error)].filter(Boolean).join(': ');
  return text.slice(0, WEBHOOK_ERROR_CHARS_MAX);
}

function endpointOut(row: Database['webhook_endpoints']): WebhookEndpoint {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    url: row.url,
    description: row.description,
    status: row.status as WebhookEndpointStatus,
    createdAtMs: Number(row.created_at_ms),
    disabledAtMs: row.disabled_at_ms === null ? null : Number(row.disabled_at_ms),
  };
}

const sealContext = (endpointId: string) => `webhook_endpoints:${endpointId}`;

/**
 * Merchants' webhook endpoints, the dispatcher that turns outbox events into one durable delivery
 * job per (event, active endpoint of its merchant), and the deliveries themselves (at least once,
 * signed, retried for at least a day). Deliveries have their own job runner, so a slow receiver
 * never holds up the platform's other timers.
 */
export class WebhookService {
  readonly runner: JobRunner;
  private readonly nowMs: () => number;
  private readonly timeoutMs: number;
  private readonly dispatchIntervalMs: number;
  private readonly blockPrivateAddresses: boolean;
  private dispatchTimer: NodeJS.Timeout | undefined;
  private dispatching: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly db: Kysely<Database>,
    kind: StoreKind,
    private readonly masterKey: Buffer,
    private readonly options: WebhookServiceOptions = {},
  ) {
    this.nowMs = options.nowMs ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.dispatchIntervalMs = options.dispatchIntervalMs ?? WEBHOOK_DISPATCH_INTERVAL_MS;
    this.blockPrivateAddresses = options.blockPrivateAddresses ?? process.env.SAOMA_WEBHOOKS_BLOCK_PRIVATE === '1';
    // A whole claimed batch is in flight at once and each delivery ends within the timeout: the
    // lease outlives the batch, so no other runner takes a delivery that is still being sent.
    assert(this.timeoutMs * 2 < JOB_LEASE_MS, 'webhook timeout fits the job lease twice');
    const concurrent = options.deliveriesConcurrentMax ?? WEBHOOK_DELIVERIES_CONCURRENT_MAX;
    this.runner = new JobRunner(db, kind, {
      nowMs: this.nowMs,
      ...(options.random ? { random: options.random } : {}),
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
      concurrency: concurrent,
      claimBatchMax: concurrent,
      onError: (job, error) => options.onError?.(`delivery ${job.id}`, error),
    });
    this.runner.register(WEBHOOK_DELIVER_JOB, (job) => this.deliver(job), { ...WEBHOOK_RETRY_POLICY, ...(options.retry ?? {}) });
  }

  // ---- endpoints ----

  /** Registers an endpoint; the secret is returned this once and stored only sealed. */
  async create(merchantId: string, input: { url: string; description?: string }): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = validateWebhookUrl(input.url, { blockPrivateAddresses: this.blockPrivateAddresses });
    const description = input.description ?? '';
    if (description.length > WEBHOOK_DESCRIPTION_CHARS_MAX) throw new SaomaError('INVALID_REQUEST', `description: at most ${WEBHOOK_DESCRIPTION_CHARS_MAX} characters`, 'description');
    const active = await this.db
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('merchant_id', '=', merchantId)
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    if (Number(active.n) >= WEBHOOK_ENDPOINTS_PER_MERCHANT_MAX) throw new SaomaError('WEBHOOK_ENDPOINTS_LIMIT_REACHED');
    const id = `we_${randomBytes(12).toString('base64url')}`;
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const now = this.nowMs();
    const row = {
      id,
      merchant_id: merchantId,
      url,
      description,
      secret_sealed: seal(this.masterKey, Buffer.from(secret, 'utf8'), sealContext(id)),
      status: 'active',
      created_at_ms: BigInt(now),
      disabled_at_ms: null,
    };
    await this.db.insertInto('webhook_endpoints').values(row).execute();
    return { endpoint: endpointOut(row), secret };
  }

  async list(merchantId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db.selectFrom('webhook_endpoints').selectAll().where('merchant_id', '=', merchantId).orderBy('created_at_ms').orderBy('id').execute();
    return rows.map(endpointOut);
  }

  /** The merchant's own endpoint; another merchant's id is NOT_FOUND, exactly like an unknown one. */
  async get(merchantId: string, endpointId: string): Promise<WebhookEndpoint> {
    const row = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpointId).where('merchant_id', '=', merchantId).executeTakeFirst();
    if (!row) throw new SaomaError('NOT_FOUND', 'no such webhook endpoint', 'id');
    return endpointOut(row);
  }

  /** Stops deliveries to the endpoint, including retries already queued. Disabling twice is a no-op. */
  async disable(merchantId: string, endpointId: string): Promise<WebhookEndpoint> {
    await this.get(merchantId, endpointId);
    await this.db
      .updateTable('webhook_endpoints')
      .set({ status: 'disabled', disabled_at_ms: BigInt(this.nowMs()) })
      .where('id', '=', endpointId)
      .where('merchant_id', '=', merchantId)
      .where('status', '=', 'active')
      .execute();
    return this.get(merchantId, endpointId);
  }

  /** The newest attempts first. */
  async attempts(merchantId: string, endpointId: string, limit: number): Promise<WebhookAttempt[]> {
    await this.get(merchantId, endpointId);
    const rows = await this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      eventId: r.event_id,
      attempt: Number(r.attempt),
      statusCode: r.status_code === null ? null : Number(r.status_code),
      error: r.error,
      durationMs: Number(r.duration_ms),
      atMs: Number(r.at_ms),
    }));
  }

  // ---- dispatcher ----

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.runner.start();
    this.scheduleDispatch(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.dispatchTimer) clearTimeout(this.dispatchTimer);
    this.dispatchTimer = undefined;
    await this.dispatching;
    await this.runner.stop();
  }

  private scheduleDispatch(delayMs: number): void {
    if (this.stopped) return;
    this.dispatchTimer = setTimeout(() => {
      this.dispatchTimer = undefined;
      const round = this.dispatchOnce().catch((error: unknown) => {
        this.options.onError?.('dispatch', error);
        return 0;
      });
      this.dispatching = round;
      void round.then((read) => {
        this.dispatching = undefined;
        // A full batch means more is waiting: go again at once.
        this.scheduleDispatch(read >= WEBHOOK_DISPATCH_EVENTS_MAX ? 0 : this.dispatchIntervalMs);
      });
    }, delayMs);
    this.dispatchTimer.unref?.();
  }

  /**
   * One round: the events after the cursor (up to the outbox high-water mark) become delivery jobs,
   * then the cursor moves past them. A crash between the two re-enqueues the same job ids on the
   * next round, which enqueueJobs keeps as they are. Returns how many events were read.
   */
  async dispatchOnce(): Promise<number> {
    const cursor = await this.readCursor();
    const mark = await outboxHighWaterMark(this.db);
    if (mark <= cursor) return 0;
    const events = await this.db
      .selectFrom('outbox_events')
      .select(['seq', 'id', 'merchant_id'])
      .where('seq', '>', cursor)
      .where('seq', '<=', mark)
      .orderBy('seq')
      .limit(WEBHOOK_DISPATCH_EVENTS_MAX)
      .execute();
    const merchantIds = [...new Set(events.map((e) => e.merchant_id).filter((m): m is string => m !== null))];
    const endpoints =
      merchantIds.length === 0
        ? []
        : await this.db.selectFrom('webhook_endpoints').select(['id', 'merchant_id']).where('status', '=', 'active').where('merchant_id', 'in', merchantIds).execute();
    const byMerchant = new Map<string, string[]>();
    for (const e of endpoints) byMerchant.set(e.merchant_id, [...(byMerchant.get(e.merchant_id) ?? []), e.id]);
    const now = this.nowMs();
    const jobs: NewJobInput[] = [];
    for (const event of events) {
      for (const endpointId of byMerchant.get(event.merchant_id ?? '') ?? []) {
        jobs.push({ id: `webhook:${event.id}:${endpointId}`, kind: WEBHOOK_DELIVER_JOB, payload: { eventId: event.id, endpointId }, runAtMs: now });
      }
    }
    for (let i = 0; i < jobs.length; i += WEBHOOK_DISPATCH_EVENTS_MAX) await enqueueJobs(this.db, jobs.slice(i, i + WEBHOOK_DISPATCH_EVENTS_MAX), now);
    // Up to the mark when the batch was not full: rows below it that were not read never will be.
    const next = events.length >= WEBHOOK_DISPATCH_EVENTS_MAX ? BigInt(events[events.length - 1]!.seq) : mark;
    await this.advanceCursor(next);
    return events.length;
  }

  private async readCursor(): Promise<bigint> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', WEBHOOK_DISPATCH_CURSOR_KEY).executeTakeFirst();
    return row ? BigInt(row.value) : 0n;
  }

  /** Moves the cursor forward only: two dispatchers racing never move it back. */
  private async advanceCursor(seq: bigint): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key: WEBHOOK_DISPATCH_CURSOR_KEY, value: '0' })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    await this.db
      .updateTable('settings')
      .set({ value: seq.toString() })
      .where('key', '=', WEBHOOK_DISPATCH_CURSOR_KEY)
      .where((eb) => eb(eb.cast('value', 'bigint'), '<', seq))
      .execute();
  }

  // ---- delivery ----

  /** One attempt of one delivery job; throws (so the runner retries) unless the receiver answered 2xx. */
  async deliver(job: JobRecord): Promise<void> {
    const { eventId, endpointId } = job.payload as { eventId: string; endpointId: string };
    const endpoint = await this.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpointId).executeTakeFirst();
    // Disabled since the job was queued: nothing more goes there.
    if (!endpoint || endpoint.status !== 'active') return;
    const event = await this.db.selectFrom('outbox_events').selectAll().where('id', '=', eventId).executeTakeFirst();
    assert(event, `outbox event ${eventId} of a delivery job exists`);
    assert(event.merchant_id === endpoint.merchant_id, 'a webhook goes only to an endpoint of the event\'s merchant');
    const body = outboxEventJson(event);
    const secret = Buffer.from(unseal(this.masterKey, endpoint.secret_sealed, sealContext(endpoint.id))).toString('utf8');
    const atMs = this.nowMs();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'saoma-webhooks/1',
      'saoma-event-id': event.id,
      'saoma-signature': webhookSignatureHeader(secret, body, atMs),
    };
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await post(new URL(endpoint.url), body, headers, this.timeoutMs, this.blockPrivateAddresses);
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (e) {
      error = describeFailure(e);
    }
    await this.db
      .insertInto('webhook_attempts')
      .values({
        event_id: event.id,
        endpoint_id: endpoint.id,
        attempt: job.attempts,
        status_code: statusCode,
        error,
        duration_ms: Math.round(performance.now() - started),
        at_ms: BigInt(atMs),
      })
      .execute();
    if (error !== null) throw new Error(error);
  }
}
