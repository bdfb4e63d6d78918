import { openStore, type OpenStoreOptions } from '../store/open.js';
import type { Store } from '../store/store.js';
import { LedgerReader } from '../store/ledger/reader.js';
import { EXPIRE_PENDING_JOB, LedgerWriter, type LedgerWriterOptions } from '../store/ledger/writer.js';
import { JobRunner, type JobRunnerOptions } from '../store/jobs/runner.js';
import { LedgerService } from './ledger.js';
import { QrKeyService } from './qr-keys.js';
import { loadMasterKey } from './secrets.js';
import { WebhookService, type WebhookServiceOptions } from './webhooks.js';
import { LiveEvents, type LiveEventsOptions } from './live-events.js';
import { openBankServices, type BankConnector } from './bank/index.js';
import type { FundsService } from './funds.js';
import type { SettlementService } from './settlement.js';
import { ConsumerService } from './consumers.js';
import { MerchantService } from './merchants.js';
import { PAYMENT_CONFIRM_TIMEOUT_JOB, PaymentService } from './payments.js';
import { FraudReportService } from './fraud-reports.js';
import { Summaries } from './summaries.js';
import { SandboxIdentityProvider, type IdentityProvider } from './identity.js';
import { RiskService } from './risk.js';
import type { RuleSet } from '../core/risk/index.js';

export interface PlatformOptions extends OpenStoreOptions {
  readonly writer?: LedgerWriterOptions;
  readonly jobs?: JobRunnerOptions;
  /** Start the job runner's polling loop (servers do; one-shot commands do not). */
  readonly runJobs?: boolean;
  /** Webhook delivery settings (timeouts, retry backoff, private-address blocking). */
  readonly webhooks?: WebhookServiceOptions;
  readonly liveEvents?: LiveEventsOptions;
  /** The bank behind top-ups, withdrawals and settlements; default: the sandbox bank in dataDir. */
  readonly bank?: BankConnector;
  /** Real-name verification; default: the sandbox provider. */
  readonly identity?: IdentityProvider;
  /** The risk engine's rule set (default: the default rule set of src/core/risk). */
  readonly riskRuleSet?: RuleSet;
  /** The public origin (SAOMA_PUBLIC_URL): passkeys' relying party. Default http://localhost:3000. */
  readonly publicUrl?: string;
  /** Milliseconds since the epoch for the wallet and payment services; injectable for tests. */
  readonly nowMs?: () => number;
}

/** Everything a process of saoma runs, wired together: store, ledger writer, jobs, services. */
export interface Platform {
  readonly store: Store;
  readonly writer: LedgerWriter;
  readonly ledger: LedgerService;
  readonly jobs: JobRunner;
  readonly qrKeys: QrKeyService;
  /** Merchants' webhook endpoints, and delivery of outbox events to them (src/service/webhooks.ts). */
  readonly webhooks: WebhookService;
  /** Outbox events fanned out to this process's event streams (SSE). */
  readonly liveEvents: LiveEvents;
  /** Consumers' top-ups and withdrawals (src/service/funds.ts). */
  readonly funds: FundsService;
  /** Merchants' daily settlement to their bank accounts (src/service/settlement.ts). */
  readonly settlement: SettlementService;
  readonly consumers: ConsumerService;
  readonly merchants: MerchantService;
  readonly payments: PaymentService;
  readonly fraudReports: FraudReportService;
  readonly summaries: Summaries;
  readonly risk: RiskService;
  /** Seals secrets at rest (src/service/secrets.ts). */
  readonly masterKey: Buffer;
  close(): Promise<void>;
}

export async function openPlatform(options: PlatformOptions): Promise<Platform> {
  const store = await openStore(options);
  const writer = new LedgerWriter(store.ledgerIO, options.writer);
  const ledger = new LedgerService(writer, new LedgerReader(store.db));
  const jobs = new JobRunner(store.db, store.kind, options.jobs);
  jobs.register(EXPIRE_PENDING_JOB, (job) => ledger.expirePending(job));
  const masterKey = loadMasterKey(options.dataDir ?? './data');
  const webhooks = new WebhookService(store.db, store.kind, masterKey, options.webhooks);
  const liveEvents = new LiveEvents(store.db, options.liveEvents);
  const qrKeys = new QrKeyService(store.db, masterKey);
  const nowMs = options.nowMs ?? Date.now;
  const { funds, settlement } = openBankServices({ store, ledger, jobs, masterKey, dataDir: options.dataDir ?? './data', bank: options.bank, nowMs });
  if (options.runJobs) await settlement.scheduleDaily();
  const publicUrl = new URL(options.publicUrl ?? 'http://localhost:3000');
  const risk = new RiskService(store.db, options.riskRuleSet, nowMs);
  // A rule set an admin activated wins over the default; a test's own rule set wins over both.
  if (!options.riskRuleSet) await risk.loadActiveRuleSet();
  await risk.warmUp();
  const consumers = new ConsumerService(
    store.db,
    ledger,
    masterKey,
    options.identity ?? new SandboxIdentityProvider(),
    nowMs,
    { rpId: publicUrl.hostname, rpName: 'saoma', origin: publicUrl.origin },
    risk,
  );
  const merchants = new MerchantService(store.db, ledger, qrKeys, masterKey, nowMs, risk);
  const payments = new PaymentService(store.db, ledger, consumers, merchants, qrKeys, nowMs, risk);
  const fraudReports = new FraudReportService(store.db, payments, nowMs, risk);
  const summaries = new Summaries(store.db, ledger, nowMs);
  jobs.register(PAYMENT_CONFIRM_TIMEOUT_JOB, (job) => {
    const { paymentId, waiting } = job.payload as { paymentId: string; waiting?: 'awaiting_confirmation' | 'held_for_review' };
    return payments.confirmTimeout(paymentId, waiting);
  });
  // Started once every handler is registered.
  if (options.runJobs) jobs.start();
  if (options.runJobs) webhooks.start();
  return {
    consumers,
    merchants,
    payments,
    fraudReports,
    summaries,
    risk,
    masterKey,
    store,
    writer,
    ledger,
    jobs,
    qrKeys,
    webhooks,
    liveEvents,
    funds,
    settlement,
    async close() {
      await liveEvents.close();
      await webhooks.stop();
      await jobs.stop();
      await writer.close();
      await store.close();
    },
  };
}
