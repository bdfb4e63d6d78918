// `npm run bench -- payments`: payments per second through the real HTTP server (buildApp on
// 127.0.0.1) on SQLite and PostgreSQL, against one-transfer ledger requests over the same server
// measured in the same run. See docs/benchmarks.md.
//
// The clients run in a worker thread of this process (this same file, started as a worker), so
// their fetch, JSON and ECDSA signing use the other core instead of the server's event loop.
// The phases are measured in interleaved rounds (baseline, static, order, baseline, ...): on a
// shared machine the disk's and the CPU's background load drifts by the second, and interleaving
// spreads that drift over all phases instead of skewing the ratios.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { buildApp } from '../src/http/app.js';
import { platformAccountId, type TransferInput } from '../src/core/ledger/index.js';
import { openPlatform, type Platform } from '../src/service/platform.js';
import { createStaffToken } from '../src/service/staff.js';
import { HttpClient, MerchantClient, SaomaApiError, WalletClient } from '../src/sdk/index.js';
import { BenchOptions, Samples, checkpoint, createScratchDatabase, emit, log, onCleanup, quantile, round } from './lib.js';

const STORES = ['sqlite', 'postgres'] as const;
const PHASES = ['baseline', 'static', 'order'] as const;
type Store = (typeof STORES)[number];
type Phase = (typeof PHASES)[number];

const CURRENCY = 'CNY';
/** Each wallet's top-up: 10,000 yuan, far more than a run spends at 1 fen a payment. */
const FUNDING_MINOR = 1_000_000n;
/** One fen: a class I wallet may pay 1,000 yuan since opening and level D 500 yuan a day (cn-pboc). */
const PAYMENT_MINOR = 1;
/** Far above what a run sends, so the limiter is in the path but never answers 429. */
const RATE_LIMIT_PER_MINUTE = 1_000_000_000;
/** Unmeasured load before each later round's window, so every window sees a full pipeline. */
const ROUND_LEAD_IN_S = 0.25;

export const PAYMENTS_USAGE = `npm run bench -- payments [--option value ...]

Options (each also read from BENCH_<OPTION>, e.g. BENCH_SECONDS=3):
  --seconds N     measured seconds per phase, over all rounds         (default 10)
  --rounds N      interleaved rounds the measured seconds split into  (default 5)
  --warmup N      unmeasured seconds before a phase's first round     (default 1)
  --clients N     concurrent clients (each its own funded wallet)     (default 32)
  --stores LIST   sqlite,postgres                                     (default both)
  --phases LIST   baseline,static,order                               (default all)

Phases, each against the real server on 127.0.0.1 with one approved merchant (a hot account):
  baseline  POST /v1/ledger/transfers, one wallet → merchant transfer per request (admin token)
  static    prepare + pay of 1 fen on the merchant's static till code (2 requests, 1 ECDSA signature)
  order     POST /v1/orders by the merchant, then prepare + pay of that order by a wallet

PostgreSQL: a new database on the server of TEST_DATABASE_URL (default
postgres://postgres@localhost:5432/postgres), dropped afterwards.`;

const OPTION_NAMES = ['seconds', 'rounds', 'warmup', 'clients', 'stores', 'phases'];

interface Config {
  readonly seconds: number;
  readonly rounds: number;
  readonly warmup: number;
  readonly clients: number;
  readonly stores: Store[];
  readonly phases: Phase[];
}

function readConfig(args: readonly string[]): Config {
  const o = new BenchOptions(args);
  o.assertAllUsed(OPTION_NAMES);
  return {
    seconds: o.number('seconds', 10, { min: 0.1 }),
    rounds: o.number('rounds', 5, { min: 1, max: 100, integer: true }),
    warmup: o.number('warmup', 1, { min: 0 }),
    clients: o.number('clients', 32, { min: 1, max: 1000, integer: true }),
    stores: o.list('stores', STORES),
    phases: o.list('phases', PHASES),
  };
}

// --- the messages between the server's thread and the clients' worker --------------------------

interface SetupRequest {
  readonly cmd: 'setup';
  readonly base: string;
  readonly adminToken: string;
  readonly clients: number;
}
/**
 * Clients loop for leadIn + window seconds, then finish what they have in flight. Only operations
 * that complete inside the window count towards the rate and the latencies, so the window sees
 * neither the pipeline filling nor draining.
 */
interface LoadRequest {
  readonly cmd: 'load';
  readonly phase: Phase;
  readonly leadInSeconds: number;
  readonly windowSeconds: number;
  /** Prefix of client-chosen ids (transfer ids, order references), unique per load. */
  readonly tag: string;
}
type WorkerRequest = SetupRequest | LoadRequest;

interface SetupResult {
  readonly merchantId: string;
  readonly consumerIds: string[];
}

interface LoadResult {
  /** Operations acknowledged as done over the whole load: transfers answered ok, payments answered succeeded. */
  acknowledged: number;
  /** Of those, the ones that completed inside the window. */
  windowOk: number;
  /** HTTP requests of the operations that completed inside the window. */
  windowRequests: number;
  /** The window's length as measured. */
  windowSeconds: number;
  /** Latency of each operation that completed inside the window, milliseconds. */
  latencies: Float64Array;
  failed: number;
  failures: Record<string, number>;
}

type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

// --- the server side ----------------------------------------------------------------------------

interface PhaseResult {
  readonly perS: number;
}

interface PhaseTotals {
  ok: number;
  requests: number;
  seconds: number;
  latencies: Float64Array[];
  roundRates: number[];
  failed: number;
  failures: Record<string, number>;
  /** Ledger writer commits during the loads, and the operations acknowledged by them. */
  commits: number;
  committedOps: number;
}

const round2 = (value: number) => round(value, 2);

function mergeSorted(parts: readonly Float64Array[]): Float64Array {
  const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all.sort();
}

/** Runs the benchmark; returns the process exit code. */
export async function paymentsBench(args: readonly string[]): Promise<number> {
  const cfg = readConfig(args);
  emit({
    bench: 'env',
    node: process.version,
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    mem_gb: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()}`,
    config: { seconds: cfg.seconds, rounds: cfg.rounds, warmup_seconds: cfg.warmup, round_lead_in_seconds: ROUND_LEAD_IN_S, clients: cfg.clients, stores: cfg.stores, phases: cfg.phases, payment_minor: PAYMENT_MINOR },
  });
  let exitCode = 0;
  for (const store of cfg.stores) {
    try {
      if (!(await storeRun(store, cfg))) exitCode = 1;
    } catch (error) {
      log(`payments ${store} failed: ${(error as Error).stack ?? String(error)}`);
      exitCode = 1;
    }
  }
  return exitCode;
}

/** One store: fresh database, platform, server and clients; the phases; the checks. Returns whether all held. */
async function storeRun(store: Store, cfg: Config): Promise<boolean> {
  // The master key, the sandbox bank and (for SQLite) the database live here.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-bench-payments-'));
  const removeDir = onCleanup(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const db = store === 'postgres' ? await createScratchDatabase('saoma_bench_payments') : undefined;
  log(`payments ${store}: ${db ? `database ${db.name}, ` : ''}${dataDir}`);
  const worker = new LoadWorker();
  try {
    // As `saoma serve` opens it (job runner and webhook delivery running), logger off.
    const platform = await openPlatform({ dataDir, ...(db ? { databaseUrl: db.url } : {}), runJobs: true });
    let app: FastifyInstance | undefined;
    try {
      app = await buildApp({ platform, logger: false, rateLimitPerMinute: RATE_LIMIT_PER_MINUTE, publicRateLimitPerMinute: RATE_LIMIT_PER_MINUTE });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      return await measureStore(store, cfg, platform, base, worker);
    } finally {
      await app?.close();
      await platform.close();
    }
  } finally {
    await worker.terminate();
    await db?.drop();
    await removeDir();
  }
}

async function measureStore(store: Store, cfg: Config, platform: Platform, base: string, worker: LoadWorker): Promise<boolean> {
  await platform.ledger.ensurePlatformAccounts(CURRENCY);
  const adminToken = await createStaffToken(platform.store.db, 'admin', 'payments bench', Date.now());
  log(`payments ${store}: ${cfg.clients} wallets, one approved merchant with a till`);
  const setup = (await worker.call({ cmd: 'setup', base, adminToken, clients: cfg.clients })) as SetupResult;
  // A top-up as the bank connector books it: the reserve grows with the wallet.
  const topUps: TransferInput[] = setup.consumerIds.map((id) => ({
    id: `bench-fund-${id}`,
    debitAccountId: platformAccountId('reserve', CURRENCY),
    creditAccountId: `wallet:${id}:${CURRENCY}`,
    amountMinor: FUNDING_MINOR,
    currency: CURRENCY,
  }));
  const funded = await platform.ledger.createTransfers(topUps);
  const bad = funded.findIndex((r) => r !== 'ok');
  if (bad !== -1) throw new Error(`top-up of ${setup.consumerIds[bad]}: ${funded[bad]}`);
  const durability = await durabilityOf(platform);

  const acknowledged: Record<Phase, number> = { baseline: 0, static: 0, order: 0 };
  const totals = new Map<Phase, PhaseTotals>(cfg.phases.map((p) => [p, { ok: 0, requests: 0, seconds: 0, latencies: [], roundRates: [], failed: 0, failures: {}, commits: 0, committedOps: 0 }]));
  let failed = 0;
  const windowSeconds = cfg.seconds / cfg.rounds;
  for (let r = 0; r < cfg.rounds; r++) {
    for (const phase of cfg.phases) {
      const t = totals.get(phase)!;
      // The set-up's dirty pages are written now, not during a measured window.
      if (store === 'postgres' && r === 0 && phase === cfg.phases[0]) await checkpoint();
      const leadIn = r === 0 ? cfg.warmup : ROUND_LEAD_IN_S;
      log(`payments ${store} ${phase}: round ${r + 1}/${cfg.rounds}, ${leadIn}s lead-in, ${round2(windowSeconds)}s measured, ${cfg.clients} clients`);
      const before = platform.writer.stats.commits;
      const load = (await worker.call({ cmd: 'load', phase, leadInSeconds: leadIn, windowSeconds, tag: `${phase}-${r}` })) as LoadResult;
      t.commits += platform.writer.stats.commits - before;
      t.committedOps += load.acknowledged;
      acknowledged[phase] += load.acknowledged;
      failed += load.failed;
      t.ok += load.windowOk;
      t.requests += load.windowRequests;
      t.seconds += load.windowSeconds;
      t.latencies.push(load.latencies);
      t.roundRates.push(Math.round(load.windowOk / load.windowSeconds));
      t.failed += load.failed;
      for (const [reason, n] of Object.entries(load.failures)) t.failures[reason] = (t.failures[reason] ?? 0) + n;
    }
  }

  const results = new Map<Phase, PhaseResult>();
  for (const [phase, t] of totals) {
    const perS = t.ok / t.seconds;
    results.set(phase, { perS });
    const latencies = mergeSorted(t.latencies);
    const unit = phase === 'baseline' ? 'requests' : 'payments';
    emit({
      bench: 'payments',
      store,
      phase,
      clients: cfg.clients,
      [unit]: t.ok,
      seconds: round2(t.seconds),
      [`${unit}_per_s`]: Math.round(perS),
      p50_ms: round2(quantile(latencies, 0.5)),
      p99_ms: round2(quantile(latencies, 0.99)),
      max_ms: round2(quantile(latencies, 1)),
      rounds_per_s: t.roundRates,
      http_requests: t.requests,
      failed: t.failed,
      ...(t.failed > 0 ? { failures: t.failures } : {}),
      [`${unit}_per_commit`]: t.commits > 0 ? round(t.committedOps / t.commits, 1) : 0,
      ...durability,
    });
  }

  log(`payments ${store}: verifying`);
  const verdict = await platform.ledger.verify();
  for (const v of verdict.violations.slice(0, 10)) log(`  violation ${v.check}: ${v.detail}`);
  const paymentRows = await countPayments(platform);
  const paymentsAcknowledged = acknowledged.static + acknowledged.order;
  const baselineRows = await countBaselineTransfers(platform);
  const held = verdict.ok && paymentRows === paymentsAcknowledged && baselineRows === acknowledged.baseline && failed === 0;
  if (!verdict.ok) log(`!! payments ${store}: ledger.verify() found ${verdict.violations.length} violations`);
  if (paymentRows !== paymentsAcknowledged) log(`!! payments ${store}: ${paymentRows} payment rows, but ${paymentsAcknowledged} payments were acknowledged`);
  if (baselineRows !== acknowledged.baseline) log(`!! payments ${store}: ${baselineRows} baseline transfers stored, but ${acknowledged.baseline} were acknowledged`);
  if (failed > 0) log(`!! payments ${store}: ${failed} operations failed`);

  const baseline = results.get('baseline');
  const ratio = (phase: Phase) => {
    const r = results.get(phase);
    return r && baseline && baseline.perS > 0 ? round(r.perS / baseline.perS, 3) : null;
  };
  emit({
    bench: 'payments',
    store,
    summary: true,
    baseline_requests_per_s: baseline ? Math.round(baseline.perS) : null,
    static_payments_per_s: results.has('static') ? Math.round(results.get('static')!.perS) : null,
    order_payments_per_s: results.has('order') ? Math.round(results.get('order')!.perS) : null,
    static_vs_baseline: ratio('static'),
    order_vs_baseline: ratio('order'),
    ledger_verify_ok: verdict.ok,
    payment_rows: paymentRows,
    payments_acknowledged: paymentsAcknowledged,
    baseline_transfers_stored: baselineRows,
    baseline_transfers_acknowledged: acknowledged.baseline,
    failed,
    ok: held,
  });
  return held;
}

async function countPayments(platform: Platform): Promise<number> {
  const row = await platform.store.db
    .selectFrom('payments')
    .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countBaselineTransfers(platform: Platform): Promise<number> {
  const row = await platform.store.db
    .selectFrom('ledger_transfers')
    .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
    .where('id', 'like', 'bl-%')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The durability the database actually runs with, so readers can see nothing was relaxed. */
async function durabilityOf(platform: Platform): Promise<Record<string, string>> {
  const db = platform.store.db;
  if (platform.store.kind === 'sqlite') {
    const sync = (await sql<{ synchronous: bigint | number }>`PRAGMA synchronous`.execute(db)).rows[0]?.synchronous;
    const journal = (await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db)).rows[0]?.journal_mode;
    return { synchronous: ['off', 'normal', 'full', 'extra'][Number(sync)] ?? String(sync), journal_mode: String(journal) };
  }
  const row = (await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(db)).rows[0];
  return { synchronous_commit: String(row?.synchronous_commit) };
}

/** The clients' worker thread, called like a function: one request, one reply. */
class LoadWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private dead: Error | undefined;

  constructor() {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { paymentsBenchWorker: true } });
    this.worker.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!waiter) return;
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`worker: ${reply.error}`));
    });
    const fail = (error: Error) => {
      this.dead = error;
      for (const w of this.pending.values()) w.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the clients' worker exited with ${code}`)));
  }

  call(request: WorkerRequest): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request });
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}

// --- the clients (worker thread) ----------------------------------------------------------------

interface ClientWorld {
  readonly base: string;
  readonly adminToken: string;
  readonly admin: HttpClient;
  readonly merchant: MerchantClient;
  readonly merchantId: string;
  readonly tillPayload: string;
  readonly wallets: WalletClient[];
}

let world: ClientWorld | undefined;

function describeError(error: unknown): string {
  if (error instanceof SaomaApiError) return `${error.status} ${error.code}`;
  return (error as Error).name === 'TimeoutError' ? 'timeout' : `error: ${(error as Error).message}`;
}

async function workerSetup(request: SetupRequest): Promise<SetupResult> {
  // No retries: a 503 or a timeout must show as a failure, not vanish into a slower figure.
  const http = { baseUrl: request.base, retriesMax: 0 };
  const applied = await MerchantClient.apply(http, {
    legalName: 'Bench Noodles Ltd',
    displayName: 'Bench Noodles',
    licenceNumber: '91310000MA1FL0000X',
    mcc: '5812',
    address: '1 Nanjing Rd',
    city: 'Shanghai',
    settlementAccount: '6222020200112233',
  });
  const admin = new HttpClient(http);
  admin.token = request.adminToken;
  await admin.request('POST', `/v1/ops/merchants/${encodeURIComponent(applied.merchant.id)}/review`, { body: { decision: 'approve' } });
  const till = await applied.client.createTill('counter 1');
  const wallets = await Promise.all(
    Array.from({ length: request.clients }, async (_, i) => {
      const wallet = new WalletClient(http);
      await wallet.signUp({ identifier: `bench-${i}-${Math.random().toString(36).slice(2, 10)}@example.com`, displayName: `Bench ${i}` });
      return wallet;
    }),
  );
  world = { base: request.base, adminToken: request.adminToken, admin, merchant: applied.client, merchantId: applied.merchant.id, tillPayload: till.payload, wallets };
  return { merchantId: applied.merchant.id, consumerIds: wallets.map((w) => w.consumerId!) };
}

/** One operation of a phase, by client c: resolves to whether it was acknowledged as done. */
function operation(w: ClientWorld, phase: Phase, tag: string): (c: number, seq: number) => Promise<{ requests: number }> {
  const merchantAccount = `merchant:${w.merchantId}:${CURRENCY}`;
  switch (phase) {
    case 'baseline':
      return async (c, seq) => {
        const r = await w.admin.request<{ results: Array<{ result: string }> }>('POST', '/v1/ledger/transfers', {
          body: {
            transfers: [
              { id: `bl-${tag}-${c}-${seq}`, debitAccountId: `wallet:${w.wallets[c]!.consumerId}:${CURRENCY}`, creditAccountId: merchantAccount, amountMinor: PAYMENT_MINOR, currency: CURRENCY },
            ],
          },
        });
        if (r.results[0]?.result !== 'ok') throw new Error(`transfer ${r.results[0]?.result}`);
        return { requests: 1 };
      };
    case 'static':
      return async (c) => {
        const paid = await w.wallets[c]!.pay({ code: w.tillPayload, amountMinor: PAYMENT_MINOR });
        if (paid.status !== 'succeeded') throw new Error(`payment ${paid.status}`);
        return { requests: 2 };
      };
    case 'order':
      return async (c, seq) => {
        const order = await w.merchant.createOrder({ amountMinor: PAYMENT_MINOR, reference: `${tag}-${c}-${seq}` });
        const paid = await w.wallets[c]!.pay({ code: order.payload });
        if (paid.status !== 'succeeded') throw new Error(`payment ${paid.status}`);
        return { requests: 3 };
      };
  }
}

async function workerLoad(request: LoadRequest): Promise<LoadResult> {
  const w = world;
  if (!w) throw new Error('load before setup');
  const op = operation(w, request.phase, request.tag);
  const latencies = new Samples();
  const result: LoadResult = { acknowledged: 0, windowOk: 0, windowRequests: 0, windowSeconds: 0, latencies: new Float64Array(), failed: 0, failures: {} };
  const windowStart = performance.now() + request.leadInSeconds * 1000;
  const deadline = windowStart + request.windowSeconds * 1000;
  const client = async (c: number) => {
    for (let seq = 0; performance.now() < deadline; seq++) {
      const t0 = performance.now();
      try {
        const done = await op(c, seq);
        const t1 = performance.now();
        result.acknowledged++;
        if (t1 >= windowStart && t1 < deadline) {
          latencies.push(t1 - t0);
          result.windowOk++;
          result.windowRequests += done.requests;
        }
      } catch (error) {
        const reason = describeError(error);
        result.failed++;
        result.failures[reason] = (result.failures[reason] ?? 0) + 1;
        // Do not spin on a broken server: a client that failed waits a little before its next try.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  await Promise.all(w.wallets.map((_, c) => client(c)));
  result.windowSeconds = (deadline - windowStart) / 1000;
  result.latencies = latencies.sorted();
  return result;
}

function serveWorker(port: MessagePort): void {
  port.on('message', (message: { id: number; request: WorkerRequest }) => {
    const { id, request } = message;
    const run = request.cmd === 'setup' ? workerSetup(request) : workerLoad(request);
    run.then(
      (result) => port.postMessage({ id, ok: true, result } satisfies WorkerReply),
      (error: unknown) => port.postMessage({ id, ok: false, error: (error as Error).stack ?? String(error) } satisfies WorkerReply),
    );
  });
}

if (!isMainThread && parentPort && (workerData as { paymentsBenchWorker?: boolean } | null)?.paymentsBenchWorker) serveWorker(parentPort);
