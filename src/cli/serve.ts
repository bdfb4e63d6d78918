import { openPlatform } from '../service/platform.js';
import { ensureAdminToken } from '../service/staff.js';
import { buildApp } from '../http/app.js';
import type { ServerConfig } from './config.js';
import { seedDemo } from './demo.js';

export const DEFAULT_CURRENCY = 'CNY';

/** `saoma serve`: migrate, bootstrap the chart of accounts, start jobs and HTTP, print where to go. */
export async function serve(config: ServerConfig, options: { logger: boolean }): Promise<void> {
  const platform = await openPlatform({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, runJobs: true, publicUrl: config.publicUrl });
  await platform.ledger.ensurePlatformAccounts(DEFAULT_CURRENCY);
  const adminToken = await ensureAdminToken(platform.store.db, Date.now());
  // A QR signing key from the first start on, so the published key set is never empty.
  await platform.qrKeys.activeSigner(Date.now());
  // Demo data on the first start of an empty database (SAOMA_DEMO=0 to skip).
  const demo = process.env.SAOMA_DEMO === '0' ? undefined : await seedDemo(platform, config.dataDir);
  const app = await buildApp({ platform, logger: options.logger });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = config.publicUrl.replace(`:${config.port}`, `:${port}`);
  const lines = [
    '',
    `saoma is running on ${platform.store.description}`,
    `  wallet        ${base}/wallet/`,
    `  merchant      ${base}/merchant/   (sign in with a merchant API key)`,
    `  console       ${base}/console/    (sign in with a staff token)`,
    `  API docs      ${base}/docs`,
    `  OpenAPI       ${base}/openapi.json`,
    `  health        ${base}/healthz`,
    `  staff ledger  ${base}/v1/ledger/...`,
    `  QR key set    ${base}/v1/qr/keys`,
  ];
  if (demo) {
    lines.push(
      '',
      `Demo data (first start): merchant "${demo.merchant.name}" with a till, and wallets alice and bob with 1,000.00 CNY each (PIN ${demo.wallets[0]!.pin}).`,
      `  demo merchant API key  ${demo.merchant.apiKey}`,
      `  keys of the demo phones are in ${config.dataDir}/demo.json; try, in another terminal:`,
      '    npx saoma demo pay alice 12.50       # alice scans the till code and pays',
      '    npx saoma demo charge bob 300        # the till charges bob\'s payment code; bob confirms with his PIN',
      '    npx saoma demo code alice            # alice\'s current one-time payment code',
    );
  }
  if (adminToken) {
    lines.push('', 'First start: an admin token was created. It is shown this once; keep it safe:', `  ${adminToken}`);
  }
  lines.push('');
  process.stdout.write(lines.join('\n') + '\n');

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
