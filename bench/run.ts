// `npm run bench -- NAME [options]`: runs one benchmark, which prints JSON lines on stdout.
// Exit codes: 0 done (targets are reported, not asserted), 1 an error or a failed operation,
// 2 usage. Add a benchmark by adding an entry to BENCHES.

import { UsageError, log } from './lib.js';

interface Bench {
  readonly summary: string;
  /** Lazily loaded, so one benchmark's imports do not slow another. */
  readonly load: () => Promise<{ run: (args: readonly string[]) => Promise<number>; usage: string }>;
}

const BENCHES: Record<string, Bench> = {
  ledger: {
    summary: 'ledger writer throughput and latency on SQLite and PostgreSQL, against pgbench tpcb-like',
    load: async () => {
      const m = await import('./ledger.js');
      return { run: m.ledgerBench, usage: m.LEDGER_USAGE };
    },
  },
  qr: {
    summary: "QR decode and full verification per second, against pix-utils and bare Ed25519",
    load: async () => {
      const m = await import('./qr.js');
      return { run: m.qrBench, usage: m.QR_USAGE };
    },
  },
  payments: { summary: 'payments/s through the HTTP server (static code, order) against one-transfer ledger requests, both stores', load: async () => { const m = await import('./payments.js'); return { run: m.paymentsBench, usage: m.PAYMENTS_USAGE }; } },
  'qr-fuzz': { summary: 'seeded mutation fuzzer of the EMV decoder: a million mutated real payloads, both modes', load: async () => { const m = await import('./qr-fuzz.js'); return { run: m.qrFuzzBench, usage: m.QR_FUZZ_USAGE }; } },
  web: { summary: 'web apps on a throttled phone (4× CPU, slow 4G): JS bytes and time to the first screen, against a near-empty page', load: async () => { const m = await import('./web.js'); return { run: m.webBench, usage: m.WEB_USAGE }; } },
  risk: { summary: 'default risk rules against seeded labelled traffic: stopped share per fraud scenario, legitimate blocked share, decision latency', load: async () => { const m = await import('./risk.js'); return { run: m.riskBench, usage: m.RISK_USAGE }; } },
};

function usage(): string {
  const names = Object.entries(BENCHES).map(([name, b]) => `  ${name.padEnd(10)} ${b.summary}`);
  return `usage: npm run bench -- NAME [--option value ...]   (NAME --help for its options)\n\nbenchmarks:\n${names.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  const bench = name === undefined ? undefined : Object.hasOwn(BENCHES, name) ? BENCHES[name] : undefined;
  if (!bench) {
    if (name === '--help' || name === '-h') {
      process.stdout.write(usage());
      return 0;
    }
    process.stderr.write((name === undefined ? '' : `unknown benchmark: ${name}\n`) + usage());
    return 2;
  }
  const { run, usage: benchUsage } = await bench.load();
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${benchUsage}\n`);
    return 0;
  }
  try {
    return await run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${benchUsage}\n`);
      return 2;
    }
    log(`${name} failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

// Exit explicitly: a stray timer or pool handle must not keep a finished benchmark alive.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(String((error as Error).stack ?? error));
    process.exit(1);
  },
);
