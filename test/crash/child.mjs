// A writer process for the crash test: applies transfers through the ledger writer and prints
// "ack <id> <amount>" only after the writer has answered (that is, after the commit). The parent
// kills it with SIGKILL at a random moment. stdout to a pipe is synchronous on Linux, so every
// printed line has left the process before the next transfer is sent.
import fs from 'node:fs';
import { openPlatform } from '../../dist/src/service/platform.js';
import { TRANSFER_FLAGS, platformAccountId } from '../../dist/src/core/ledger/index.js';

const tag = process.argv[2];
const seed = Number(process.argv[3]);
let state = seed >>> 0;
const random = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 4294967296;
};
const say = (line) => process.stdout.write(line + '\n');

const platform = await openPlatform({
  databaseUrl: process.env.DATABASE_URL || undefined,
  dataDir: process.env.SAOMA_DATA_DIR,
  runJobs: true,
  jobs: { pollIntervalMs: 20 },
});
const ledger = platform.ledger;
await ledger.ensurePlatformAccounts('CNY');
const wallets = Array.from({ length: 8 }, (_, i) => `w${i}`);
const merchants = Array.from({ length: 4 }, (_, i) => `m${i}`);
await ledger.createAccounts([
  ...wallets.map((id) => ({ id, type: 'wallet', currency: 'CNY' })),
  ...merchants.map((id) => ({ id, type: 'merchant', currency: 'CNY' })),
]);
const reserve = platformAccountId('reserve', 'CNY');
await ledger.createTransfers(wallets.map((w) => ({ id: `fund-${w}`, debitAccountId: reserve, creditAccountId: w, amountMinor: 10_000_000n, currency: 'CNY' })));

// A client retrying, after the crash, requests that were acknowledged before it: never applied twice.
if (process.env.CRASH_RETRY_FILE && fs.existsSync(process.env.CRASH_RETRY_FILE)) {
  const retries = JSON.parse(fs.readFileSync(process.env.CRASH_RETRY_FILE, 'utf8'));
  const results = await ledger.createTransfers(retries.map((t) => ({ ...t, amountMinor: BigInt(t.amountMinor) })));
  retries.forEach((t, i) => say(`retry ${t.id} ${results[i]}`));
}
say('ready');

let seq = 0;
async function client(c) {
  for (;;) {
    const n = 1 + Math.floor(random() * 4);
    const batch = [];
    for (let k = 0; k < n; k++) {
      const pending = random() < 0.25;
      batch.push({
        id: `${tag}-${c}-${seq++}`,
        debitAccountId: wallets[Math.floor(random() * wallets.length)],
        creditAccountId: merchants[Math.floor(random() * merchants.length)],
        amountMinor: BigInt(1 + Math.floor(random() * 500)),
        currency: 'CNY',
        flags: pending ? TRANSFER_FLAGS.PENDING : 0,
        timeoutMs: pending ? 50 + Math.floor(random() * 400) : 0,
      });
    }
    const results = await ledger.createTransfers(batch);
    batch.forEach((t, i) => {
      if (results[i] === 'ok' || results[i] === 'exists') say(`ack ${t.id} ${t.debitAccountId} ${t.creditAccountId} ${t.amountMinor} ${t.flags} ${t.timeoutMs}`);
      else say(`bad ${t.id} ${results[i]}`);
    });
    // Post some of the holds just made: their outcome races the expiry job.
    const holds = batch.filter((t, i) => results[i] === 'ok' && t.flags === TRANSFER_FLAGS.PENDING);
    if (holds.length > 0 && random() < 0.5) {
      const posts = holds.map((h) => ({ id: `${h.id}-post`, pendingId: h.id, flags: TRANSFER_FLAGS.POST_PENDING }));
      const r = await ledger.createTransfers(posts);
      posts.forEach((p, i) => {
        if (r[i] === 'ok') say(`post ${p.id} ${p.pendingId}`);
        else if (r[i] !== 'pending_transfer_expired') say(`bad ${p.id} ${r[i]}`);
      });
    }
  }
}
await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
