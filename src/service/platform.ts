import { openStore, type OpenStoreOptions } from '../store/open.js';
import type { Store } from '../store/store.js';
import { LedgerReader } from '../store/ledger/reader.js';
import { EXPIRE_PENDING_JOB, LedgerWriter, type LedgerWriterOptions } from '../store/ledger/writer.js';
import { JobRunner, type JobRunnerOptions } from '../store/jobs/runner.js';
import { LedgerService } from './ledger.js';
import { QrKeyService } from './qr-keys.js';
import { loadMasterKey } from './secrets.js';

export interface PlatformOptions extends OpenStoreOptions {
  readonly writer?: LedgerWriterOptions;
  readonly jobs?: JobRunnerOptions;
  /** Start the job runner's polling loop (servers do; one-shot commands do not). */
  readonly runJobs?: boolean;
}

/** Everything a process of saoma runs, wired together: store, ledger writer, jobs, services. */
export interface Platform {
  readonly store: Store;
  readonly writer: LedgerWriter;
  readonly ledger: LedgerService;
  readonly jobs: JobRunner;
  readonly qrKeys: QrKeyService;
  close(): Promise<void>;
}

export async function openPlatform(options: PlatformOptions): Promise<Platform> {
  const store = await openStore(options);
  const writer = new LedgerWriter(store.ledgerIO, options.writer);
  const ledger = new LedgerService(writer, new LedgerReader(store.db));
  const jobs = new JobRunner(store.db, store.kind, options.jobs);
  jobs.register(EXPIRE_PENDING_JOB, (job) => ledger.expirePending(job));
  if (options.runJobs) jobs.start();
  const qrKeys = new QrKeyService(store.db, loadMasterKey(options.dataDir ?? './data'));
  return {
    store,
    writer,
    ledger,
    jobs,
    qrKeys,
    async close() {
      await jobs.stop();
      await writer.close();
      await store.close();
    },
  };
}
