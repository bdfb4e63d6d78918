// `npm run bench -- ledger`: throughput and latency of the ledger writer (group commit) on SQLite and
// PostgreSQL, uniform and hot-account load, next to pgbench's TPC-B-like figure for the same
// PostgreSQL server. Both run at the server's default durability. See docs/benchmarks.md.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openPlatform, type Platform } from '../src/service/platform.js';
import { platformAccountId, type TransferInput, type TransferResult } from '../src/core/ledger/index.js';
import { LEDGER_BATCH_ITEMS_MAX } from '../src/core/limits.js';
import {
  BenchOptions,
  Samples,
  checkpoint,
  createScratchDatabase,
  emit,
  libpqArgs,
  log,
  onCleanup,
  quantile,
  round,
  runProgram,
  serverInfo,
  serverUrl,
} from './lib.js';

const STORES = ['sqlite', 'postgres'] as const;
const MODES = ['uniform', 'hot'] as const;
type Store = (typeof STORES)[number];
type Mode = (typeof MODES)[number];

const CURRENCY = 'CNY';
/** Each wallet's top-up: far more than a run can spend, so no payment fails for lack of funds. */
const FUNDING_MINOR = 1_000_000_000_000n;
/** Payments are 0.01 .. 100.00 CNY. */
const AMOUNT_MINOR_MAX = 10_000;
const SETUP_CHUNK = 5_000;

const TARGETS = {
  postgresVsPgbench: 10,
  sqliteTransfersPerS: 50_000,
  hotVsUniform: 0.9,
} as const;

export const LEDGER_USAGE = `npm run bench -- ledger [--option value ...]

Options (each also read from BENCH_<OPTION>, e.g. BENCH_SECONDS=3):
  --seconds N          measured seconds per store and mode            (default 10)
  --warmup N           unmeasured seconds before each measured phase  (default 1)
  --clients N          concurrent clients                             (default 32)
  --batch N            transfers per request                          (default 50)
  --wallets N          wallet accounts (debited)                      (default 10000)
  --merchants N        merchant accounts (credited)                   (default 1000)
  --hot-merchants N    merchants that take the hot share in mode hot  (default 10)
  --hot-share F        share of transfers crediting them in mode hot  (default 0.8)
  --stores LIST        sqlite,postgres                                (default both)
  --modes LIST         uniform,hot                                    (default both)
  --pgbench-seconds N  pgbench -T                                     (default 30)
  --pgbench-scale N    pgbench -i -s                                  (default 16)

PostgreSQL: the server of TEST_DATABASE_URL (default postgres://postgres@localhost:5432/postgres);
every phase runs in a new database that is dropped afterwards. pgbench runs when postgres does.`;

const OPTION_NAMES = [
  'seconds', 'warmup', 'clients', 'batch', 'wallets', 'merchants', 'hot-merchants', 'hot-share',
  'stores', 'modes', 'pgbench-seconds', 'pgbench-scale',
];

interface Config {
  readonly seconds: number;
  readonly warmup: number;
  readonly clients: number;
  readonly batch: number;
  readonly wallets: number;
  readonly merchants: number;
  readonly hotMerchants: number;
  readonly hotShare: number;
  readonly stores: Store[];
  readonly modes: Mode[];
  readonly pgbenchSeconds: number;
  readonly pgbenchScale: number;
}

function readConfig(args: readonly string[]): Config {
  const o = new BenchOptions(args);
  o.assertAllUsed(OPTION_NAMES);
  const merchants = o.number('merchants', 1000, { min: 2, integer: true });
  return {
    seconds: o.number('seconds', 10, { min: 0.1 }),
    warmup: o.number('warmup', 1, { min: 0 }),
    clients: o.number('clients', 32, { min: 1, integer: true }),
    batch: o.number('batch', 50, { min: 1, max: LEDGER_BATCH_ITEMS_MAX, integer: true }),
    wallets: o.number('wallets', 10_000, { min: 1, integer: true }),
    merchants,
    hotMerchants: o.number('hot-merchants', 10, { min: 1, max: merchants - 1, integer: true }),
    hotShare: o.number('hot-share', 0.8, { min: 0, max: 1 }),
    stores: o.list('stores', STORES),
    modes: o.list('modes', MODES),
    pgbenchSeconds: o.number('pgbench-seconds', 30, { min: 1, integer: true }),
    pgbenchScale: o.number('pgbench-scale', 16, { min: 1, integer: true }),
  };
}

/**
 * Waits for the next turn of the event loop. Every request is sent from a fresh macrotask, as HTTP
 * requests arrive in real use. It also keeps clear of a race in LedgerWriter as of commit 3f9f637:
 * a request enqueued in the microtasks right after a commit, before flushLoop's `finally` has
 * cleared `flushing`, was left in the queue with no loop to flush it, and its caller hung.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const walletId = (i: number) => `wallet-${String(i).padStart(6, '0')}`;
const merchantId = (i: number) => `merchant-${String(i).padStart(5, '0')}`;

interface LoadResult {
  requests: number;
  transfers: number;
  failed: number;
  failures: Record<string, number>;
  seconds: number;
  latencies: Float64Array;
}

interface PhaseResult {
  readonly transfersPerS: number;
  readonly failed: number;
  readonly verifyOk: boolean;
}

/** Runs the benchmark; returns the process exit code. */
export async function ledgerBench(args: readonly string[]): Promise<number> {
  const cfg = readConfig(args);
  let exitCode = 0;
  const results = new Map<string, PhaseResult>();
  let pgbenchTps: number | undefined;

  emit({
    bench: 'env',
    node: process.version,
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    mem_gb: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()}`,
    config: {
      seconds: cfg.seconds,
      warmup_seconds: cfg.warmup,
      clients: cfg.clients,
      batch: cfg.batch,
      wallets: cfg.wallets,
      merchants: cfg.merchants,
      hot_merchants: cfg.hotMerchants,
      hot_share: cfg.hotShare,
      stores: cfg.stores,
      modes: cfg.modes,
      pgbench_seconds: cfg.pgbenchSeconds,
      pgbench_scale: cfg.pgbenchScale,
    },
  });

  for (const store of cfg.stores) {
    for (const mode of cfg.modes) {
      try {
        const result = await ledgerPhase(store, mode, cfg);
        results.set(`${store}_${mode}`, result);
        if (result.failed > 0 || !result.verifyOk) exitCode = 1;
      } catch (error) {
        log(`ledger ${store} ${mode} failed: ${(error as Error).stack ?? String(error)}`);
        exitCode = 1;
      }
    }
  }

  if (cfg.stores.includes('postgres')) {
    try {
      pgbenchTps = await pgbenchPhase(cfg);
    } catch (error) {
      log(`pgbench failed: ${(error as Error).message}`);
      exitCode = 1;
    }
  }

  const ratio = (name: string, value: number, target: number) =>
    emit({ bench: 'ledger', ratio: name, value: round(value, value >= 100 ? 0 : 3), target, met: value >= target });
  const pgUniform = results.get('postgres_uniform');
  if (pgUniform && pgbenchTps !== undefined && pgbenchTps > 0) {
    ratio('postgres_uniform_vs_pgbench_tps', pgUniform.transfersPerS / pgbenchTps, TARGETS.postgresVsPgbench);
  }
  const sqliteUniform = results.get('sqlite_uniform');
  if (sqliteUniform) ratio('sqlite_uniform_transfers_per_s', sqliteUniform.transfersPerS, TARGETS.sqliteTransfersPerS);
  for (const store of cfg.stores) {
    const uniform = results.get(`${store}_uniform`);
    const hot = results.get(`${store}_hot`);
    if (uniform && hot && uniform.transfersPerS > 0) ratio(`${store}_hot_vs_uniform`, hot.transfersPerS / uniform.transfersPerS, TARGETS.hotVsUniform);
  }
  return exitCode;
}

/** One store × mode: fresh database, accounts, top-ups, warm-up, measured load, verification. */
async function ledgerPhase(store: Store, mode: Mode, cfg: Config): Promise<PhaseResult> {
  let dropTarget: () => Promise<void>;
  let options: { dataDir: string } | { databaseUrl: string };
  if (store === 'sqlite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-bench-'));
    dropTarget = onCleanup(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    options = { dataDir };
    log(`ledger ${store} ${mode}: ${dataDir}`);
  } else {
    const db = await createScratchDatabase('saoma_bench');
    dropTarget = db.drop;
    options = { databaseUrl: db.url };
    log(`ledger ${store} ${mode}: database ${db.name}`);
  }
  try {
    const platform = await openPlatform({ ...options, runJobs: false });
    try {
      await setUp(platform, cfg);
      const durability = await durabilityOf(platform);
      if (store === 'postgres') await checkpoint();
      const pickCredit = creditPicker(mode, cfg);
      let stored = cfg.wallets;
      if (cfg.warmup > 0) {
        log(`ledger ${store} ${mode}: warm-up ${cfg.warmup}s`);
        const warm = await runLoad(platform, pickCredit, cfg, cfg.warmup, 'w');
        stored += warm.transfers;
      }
      log(`ledger ${store} ${mode}: measuring ${cfg.seconds}s with ${cfg.clients} clients × ${cfg.batch} transfers`);
      const statsBefore = { ...platform.writer.stats };
      const load = await runLoad(platform, pickCredit, cfg, cfg.seconds, 'm');
      stored += load.transfers;
      const commits = platform.writer.stats.commits - statsBefore.commits;
      const items = platform.writer.stats.itemsCommitted - statsBefore.itemsCommitted;

      log(`ledger ${store} ${mode}: verifying`);
      const verdict = await platform.ledger.verify();
      for (const v of verdict.violations.slice(0, 10)) log(`  violation ${v.check}: ${v.detail}`);
      const counted = await storedTransfers(platform);
      if (counted !== stored) log(`  ${counted} transfers stored, but ${stored} were answered 'ok'`);

      const transfersPerS = load.transfers / load.seconds;
      emit({
        bench: 'ledger',
        store,
        mode,
        clients: cfg.clients,
        batch: cfg.batch,
        transfers: load.transfers,
        seconds: round(load.seconds, 3),
        transfers_per_s: Math.round(transfersPerS),
        p50_ms: round(quantile(load.latencies, 0.5), 2),
        p99_ms: round(quantile(load.latencies, 0.99), 2),
        max_ms: round(quantile(load.latencies, 1), 2),
        requests: load.requests,
        failed: load.failed,
        ...(load.failed > 0 ? { failures: load.failures } : {}),
        commits,
        transfers_per_commit: commits > 0 ? Math.round(items / commits) : 0,
        verify_ok: verdict.ok && counted === stored,
        ...durability,
      });
      return { transfersPerS, failed: load.failed, verifyOk: verdict.ok && counted === stored };
    } finally {
      await platform.close();
    }
  } finally {
    await dropTarget();
  }
}

async function setUp(platform: Platform, cfg: Config): Promise<void> {
  const { ledger } = platform;
  await nextTurn();
  await ledger.ensurePlatformAccounts(CURRENCY);
  const accounts = [
    ...Array.from({ length: cfg.wallets }, (_, i) => ({ id: walletId(i), type: 'wallet' as const, currency: CURRENCY })),
    ...Array.from({ length: cfg.merchants }, (_, i) => ({ id: merchantId(i), type: 'merchant' as const, currency: CURRENCY })),
  ];
  for (let i = 0; i < accounts.length; i += SETUP_CHUNK) {
    await nextTurn();
    const results = await ledger.createAccounts(accounts.slice(i, i + SETUP_CHUNK));
    const bad = results.findIndex((r) => r !== 'ok');
    if (bad !== -1) throw new Error(`creating account ${accounts[i + bad]!.id}: ${results[bad]}`);
  }
  const reserve = platformAccountId('reserve', CURRENCY);
  const topUps: TransferInput[] = Array.from({ length: cfg.wallets }, (_, i) => ({
    id: `topup-${walletId(i)}`,
    debitAccountId: reserve,
    creditAccountId: walletId(i),
    amountMinor: FUNDING_MINOR,
    currency: CURRENCY,
  }));
  for (let i = 0; i < topUps.length; i += SETUP_CHUNK) {
    await nextTurn();
    const results = await ledger.createTransfers(topUps.slice(i, i + SETUP_CHUNK));
    const bad = results.findIndex((r) => r !== 'ok');
    if (bad !== -1) throw new Error(`top-up ${topUps[i + bad]!.id}: ${results[bad]}`);
  }
}

/** The durability the ledger's database actually runs with, so readers can see nothing was relaxed. */
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

async function storedTransfers(platform: Platform): Promise<number> {
  const row = await platform.store.db
    .selectFrom('ledger_transfers')
    .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function creditPicker(mode: Mode, cfg: Config): () => string {
  const merchants = Array.from({ length: cfg.merchants }, (_, i) => merchantId(i));
  if (mode === 'uniform') return () => merchants[Math.floor(Math.random() * merchants.length)]!;
  const hot = cfg.hotMerchants;
  const cold = merchants.length - hot;
  return () =>
    Math.random() < cfg.hotShare
      ? merchants[Math.floor(Math.random() * hot)]!
      : merchants[hot + Math.floor(Math.random() * cold)]!;
}

/**
 * `clients` loops, each sending requests of `batch` single-phase wallet → merchant payments
 * through the ledger service until `seconds` have passed. Latency is per request.
 */
async function runLoad(platform: Platform, pickCredit: () => string, cfg: Config, seconds: number, tag: string): Promise<LoadResult> {
  const wallets = Array.from({ length: cfg.wallets }, (_, i) => walletId(i));
  const latencies = new Samples();
  const result: LoadResult = { requests: 0, transfers: 0, failed: 0, failures: {}, seconds: 0, latencies: new Float64Array() };
  const fail = (reason: string, n: number) => {
    result.failed += n;
    result.failures[reason] = (result.failures[reason] ?? 0) + n;
  };
  const start = performance.now();
  const deadline = start + seconds * 1000;

  const client = async (c: number) => {
    let seq = 0;
    for (;;) {
      await nextTurn();
      if (performance.now() >= deadline) break;
      const transfers: TransferInput[] = new Array<TransferInput>(cfg.batch);
      for (let i = 0; i < cfg.batch; i++) {
        transfers[i] = {
          id: `${tag}${c}-${seq++}`,
          debitAccountId: wallets[Math.floor(Math.random() * wallets.length)]!,
          creditAccountId: pickCredit(),
          amountMinor: BigInt(1 + Math.floor(Math.random() * AMOUNT_MINOR_MAX)),
          currency: CURRENCY,
        };
      }
      const t0 = performance.now();
      let answers: TransferResult[];
      try {
        answers = await platform.ledger.createTransfers(transfers);
      } catch (error) {
        // The writer refused the whole request; stop this client rather than spin on the error.
        fail(`error: ${(error as Error).message}`, transfers.length);
        log(`client ${c}: ${(error as Error).message}`);
        return;
      }
      latencies.push(performance.now() - t0);
      result.requests++;
      for (const answer of answers) {
        if (answer === 'ok') result.transfers++;
        else fail(answer, 1);
      }
    }
  };

  await Promise.all(Array.from({ length: cfg.clients }, (_, c) => client(c)));
  result.seconds = (performance.now() - start) / 1000;
  result.latencies = latencies.sorted();
  return result;
}

/** pgbench's TPC-B-like load on a fresh database of the same server; returns its TPS. */
async function pgbenchPhase(cfg: Config): Promise<number> {
  const info = await serverInfo();
  const db = await createScratchDatabase('saoma_bench_pgbench');
  try {
    const { args, env } = libpqArgs(db.url);
    log(`pgbench: initialising scale ${cfg.pgbenchScale} in ${db.name}`);
    await runProgram('pgbench', ['-i', '-s', String(cfg.pgbenchScale), '-q', ...args], env);
    await checkpoint();
    const clients = 16;
    const threads = 2;
    log(`pgbench: tpcb-like, ${clients} clients, ${threads} threads, ${cfg.pgbenchSeconds}s`);
    const out = await runProgram(
      'pgbench',
      ['-n', '-b', 'tpcb-like', '-c', String(clients), '-j', String(threads), '-T', String(cfg.pgbenchSeconds), ...args],
      env,
    );
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
    if (!tps) throw new Error(`no "tps = ... (without initial connection time)" in pgbench output:\n${out}`);
    const latency = /latency average = ([\d.]+) ms/.exec(out);
    const failed = /number of failed transactions: (\d+)/.exec(out);
    const value = Number(tps[1]);
    emit({
      bench: 'pgbench-tpcb',
      tps: round(value, 1),
      clients,
      threads,
      scale: cfg.pgbenchScale,
      seconds: cfg.pgbenchSeconds,
      ...(latency ? { latency_avg_ms: Number(latency[1]) } : {}),
      ...(failed ? { failed: Number(failed[1]) } : {}),
      synchronous_commit: info.synchronousCommit,
      fsync: info.fsync,
      server_version: info.version,
      shared_buffers: info.sharedBuffers,
      server: new URL(serverUrl()).host,
    });
    return value;
  } finally {
    await db.drop();
  }
}
