#!/usr/bin/env node
import { Command } from 'commander';
import { migrateStore } from '../store/open.js';
import { withPlatform, withStore } from './context.js';
import { appendAudit } from '../service/audit.js';
import { createStaffToken, listStaffTokens, revokeStaffToken, STAFF_ROLES, type StaffRole } from '../service/staff.js';
import { readConfig } from './config.js';
import { serve } from './serve.js';
import { formatVerdict } from './verify.js';
import { registerQrCommands } from './qr.js';
import { registerDemoCommands } from './demo.js';

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
    await withStore(async (store) => {
      const applied = await migrateStore(store);
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
    }, { migrate: false });
  });

const ledger = program.command('ledger').description('ledger tools');
ledger
  .command('verify')
  .description('check the books; prints a one-line verdict and exits 1 on any violation')
  .option('--json', 'print the verdict as JSON')
  .action(async (opts: { json?: boolean }) => {
    await withPlatform(async (platform) => {
      const verdict = await platform.ledger.verify();
      process.stdout.write(
        (opts.json ? JSON.stringify(verdict, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) : formatVerdict(verdict)) + '\n',
      );
      process.exitCode = verdict.ok ? 0 : 1;
    });
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
    await withStore(async (store) => {
      const token = await createStaffToken(store.db, opts.role as StaffRole, opts.label, Date.now());
      await appendAudit(store.db, { actor: 'cli', action: 'staff.token.create', detail: { role: opts.role, label: opts.label } }, Date.now());
      process.stdout.write(token + '\n');
    });
  });

staff
  .command('tokens')
  .description('list staff tokens (ids, roles, labels; never the secrets)')
  .action(async () => {
    await withStore(async (store) => {
      for (const t of await listStaffTokens(store.db)) {
        const state = t.revokedAtMs === null ? 'active' : `revoked ${new Date(t.revokedAtMs).toISOString()}`;
        process.stdout.write(`${t.id}  ${t.role.padEnd(10)}  ${state.padEnd(32)}  ${t.label}\n`);
      }
    });
  });

staff
  .command('revoke')
  .description('revoke a staff token by its id (see `saoma staff tokens`)')
  .argument('<id>', 'token id')
  .action(async (id: string) => {
    await withStore(async (store) => {
      const revoked = await revokeStaffToken(store.db, id, Date.now());
      if (revoked) await appendAudit(store.db, { actor: 'cli', action: 'staff.token.revoke', objectId: id }, Date.now());
      process.stdout.write(revoked ? `revoked ${id}\n` : `no active token ${id}\n`);
      process.exitCode = revoked ? 0 : 1;
    });
  });

registerQrCommands(program);
registerDemoCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`saoma: ${(error as Error).message ?? error}\n`);
  process.exit(1);
});
