#!/usr/bin/env node
import { Command } from 'commander';
import { openPlatform } from '../service/platform.js';
import { migrateStore, openStore } from '../store/open.js';
import { createStaffToken, STAFF_ROLES, type StaffRole } from '../service/staff.js';
import { readConfig } from './config.js';
import { serve } from './serve.js';
import { formatVerdict } from './verify.js';

const program = new Command();
program.name('saoma').description('saoma: open, self-hostable QR-code payment platform');

program
  .command('serve')
  .description('run the platform (SQLite under $SAOMA_DATA_DIR, or PostgreSQL when $DATABASE_URL is set)')
  .option('-p, --port <port>', 'port to listen on (default $PORT or 3000)')
  .option('--quiet', 'no request log')
  .action(async (opts: { port?: string; quiet?: boolean }) => {
    await serve(readConfig(process.env, opts.port ? { port: Number(opts.port) } : {}), { logger: !opts.quiet && process.env.SAOMA_LOG !== '0' });
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const config = readConfig();
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, migrate: false });
    try {
      const applied = await migrateStore(store);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
    } finally {
      await store.close();
    }
  });

const ledger = program.command('ledger').description('ledger tools');
ledger
  .command('verify')
  .description('check the books; prints a one-line verdict and exits 1 on any violation')
  .option('--json', 'print the verdict as JSON')
  .action(async (opts: { json?: boolean }) => {
    const config = readConfig();
    const platform = await openPlatform({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const verdict = await platform.ledger.verify();
      process.stdout.write(
        (opts.json ? JSON.stringify(verdict, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) : formatVerdict(verdict)) + '\n',
      );
      process.exitCode = verdict.ok ? 0 : 1;
    } finally {
      await platform.close();
    }
  });

const staff = program.command('staff').description('staff access');
staff
  .command('token')
  .description('create a staff API token (printed once)')
  .requiredOption('--role <role>', `one of ${STAFF_ROLES.join(', ')}`)
  .option('--label <label>', 'who or what it is for', 'cli')
  .action(async (opts: { role: string; label: string }) => {
    if (!(STAFF_ROLES as readonly string[]).includes(opts.role)) {
      process.stderr.write(`unknown role ${opts.role}; use one of ${STAFF_ROLES.join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    const config = readConfig();
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      process.stdout.write((await createStaffToken(store.db, opts.role as StaffRole, opts.label, Date.now())) + '\n');
    } finally {
      await store.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`saoma: ${(error as Error).message ?? error}\n`);
  process.exit(1);
});
