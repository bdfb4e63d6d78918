// Shared plumbing of the benchmarks: options, output, statistics, throwaway databases, cleanup.
// Results go to stdout as one JSON object per line; everything else goes to stderr.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@localhost:5432/postgres';

/** The PostgreSQL server the benchmarks use: the same variable as the tests (DESIGN.md §7). */
export function serverUrl(): string {
  return process.env.TEST_DATABASE_URL || DEFAULT_DATABASE_URL;
}

/** One result line on stdout. bigint values are written as numbers. */
export function emit(line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line, (_key, value) => (typeof value === 'bigint' ? Number(value) : value)) + '\n');
}

/** Progress for humans, on stderr so that stdout stays machine-readable. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * Options come from `--name=value` / `--name value` flags, then from `BENCH_NAME` environment
 * variables (dashes become underscores), then from the default.
 */
export class BenchOptions {
  private readonly flags = new Map<string, string>();

  constructor(args: readonly string[]) {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
      const eq = arg.indexOf('=');
      if (eq !== -1) {
        this.flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      } else {
        const value = args[i + 1];
        if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
        this.flags.set(arg.slice(2), value);
        i++;
      }
    }
  }

  private raw(name: string): string | undefined {
    const flag = this.flags.get(name);
    if (flag !== undefined) return flag;
    const env = process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
    return env === undefined || env === '' ? undefined : env;
  }

  number(
    name: string,
    fallback: number,
    { min = 0, max = Number.MAX_SAFE_INTEGER, integer = false }: { min?: number; max?: number; integer?: boolean } = {},
  ): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${raw}`);
    }
    return value;
  }

  list<T extends string>(name: string, allowed: readonly T[]): T[] {
    const raw = this.raw(name);
    if (raw === undefined) return [...allowed];
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    for (const item of items) {
      if (!(allowed as readonly string[]).includes(item)) throw new UsageError(`--${name}: ${item} is not one of ${allowed.join(', ')}`);
    }
    return items as T[];
  }

  /** Flags that no option read: probably a typo, refused so a run never silently ignores one. */
  assertAllUsed(known: readonly string[]): void {
    for (const name of this.flags.keys()) {
      if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    }
  }
}

export class UsageError extends Error {}

/** The value at quantile q (0..1) of an ascending array, nearest-rank. */
export function quantile(sorted: Float64Array | readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Growable array of latencies (milliseconds) without boxing. */
export class Samples {
  private data = new Float64Array(4096);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

// --- cleanup that also runs on Ctrl-C ---------------------------------------------------------

const cleanups = new Set<() => Promise<void>>();
let signalsHooked = false;

/** Registers an undo step (drop a database, remove a directory); returns a function that runs it once. */
export function onCleanup(fn: () => Promise<void>): () => Promise<void> {
  hookSignals();
  let done = false;
  const run = async () => {
    if (done) return;
    done = true;
    cleanups.delete(run);
    await fn();
  };
  cleanups.add(run);
  return run;
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void Promise.allSettled([...cleanups].map((fn) => fn())).then(() => process.exit(130));
    });
  }
}

// --- PostgreSQL ---------------------------------------------------------------------------------

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not answering at ${serverUrl()} (${(error as Error).message}). ` +
        `Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the benchmark server, dropped by drop() or on Ctrl-C. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const drop = onCleanup(async () => {
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch((error: Error) =>
      log(`could not drop database ${name}: ${error.message}`),
    );
  });
  return { name, url: withDatabase(serverUrl(), name), drop };
}

/** Writes dirty buffers now, so one phase's checkpoint does not land in the next one's timing. */
export async function checkpoint(): Promise<void> {
  await withAdmin(async (c) => {
    await c.query('CHECKPOINT').catch((error: Error) => log(`CHECKPOINT skipped: ${error.message}`));
  });
}

export interface ServerInfo {
  readonly version: string;
  readonly synchronousCommit: string;
  readonly fsync: string;
  readonly sharedBuffers: string;
}

export async function serverInfo(): Promise<ServerInfo> {
  return withAdmin(async (c) => {
    const show = async (name: string) => String((await c.query(`SHOW ${name}`)).rows[0][name]);
    return {
      version: await show('server_version'),
      synchronousCommit: await show('synchronous_commit'),
      fsync: await show('fsync'),
      sharedBuffers: await show('shared_buffers'),
    };
  });
}

/** libpq command-line arguments and environment for a postgres:// URL (for pgbench, psql). */
export function libpqArgs(url: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const args: string[] = [];
  if (u.hostname) args.push('-h', decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')));
  if (u.port) args.push('-p', u.port);
  if (u.username) args.push('-U', decodeURIComponent(u.username));
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  args.push(decodeURIComponent(u.pathname.slice(1)) || 'postgres');
  return { args, env };
}

/** Runs a program to completion; stdout is returned, stderr is passed through to ours. */
export function runProgram(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(`${command} is not installed (Debian: apt-get install postgresql-client)`) : error),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout + stderr);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}
