import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Platform } from '../service/platform.js';
import type { Command } from 'commander';
import { parseMajorAmount } from '../core/money/index.js';
import { importPaymentCodeKey } from '../core/qr/index.js';
import { MerchantClient } from '../sdk/merchant.js';
import { WalletClient, type DeviceState } from '../sdk/wallet.js';
import { readConfig } from './config.js';

// Demo data for a first start: one approved merchant with a till, two funded wallets. The wallets'
// device keys are made here and kept in <dataDir>/demo.json (mode 0600) so `saoma demo …` can act
// as those phones from a terminal. A real wallet's key never leaves its device.

export const DEMO_FILE = 'demo.json';
export const DEMO_PIN = '135790';
const DEMO_SEEDED_SETTING = 'demo.seeded';

export interface DemoWallet {
  readonly name: string;
  readonly identifier: string;
  readonly consumerId: string;
  readonly deviceId: string;
  readonly deviceIndex: number;
  /** PKCS#8 DER, base64url: the demo phone's device key. */
  readonly privateKeyPkcs8: string;
  readonly publicKeySpki: string;
  readonly paymentCodeKey: string;
  readonly pin: string;
}

export interface DemoData {
  readonly merchant: { readonly id: string; readonly name: string; readonly apiKey: string; readonly tillPayload: string };
  readonly wallets: readonly DemoWallet[];
}

export function readDemo(dataDir: string): DemoData | undefined {
  const file = path.join(dataDir, DEMO_FILE);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DemoData) : undefined;
}

/** Seeds once per database (a setting records it); returns the demo data, or undefined if it was seeded before. */
export async function seedDemo(platform: Platform, dataDir: string): Promise<DemoData | undefined> {
  const db = platform.store.db;
  const seeded = await db.selectFrom('settings').select('value').where('key', '=', DEMO_SEEDED_SETTING).executeTakeFirst();
  if (seeded) return undefined;
  const applied = await platform.merchants.apply({
    legalName: 'Demo Noodle Bar Co., Ltd.',
    displayName: 'Demo Noodle Bar 演示面馆',
    licenceNumber: '91310000DEMO00001X',
    mcc: '5812',
    address: '88 Demo Road',
    city: 'Shanghai',
    settlementAccount: '6222020200000001',
  });
  await platform.merchants.review(applied.merchant.id, 'approve', 'system:demo-seed', 'demo data');
  const till = await platform.merchants.createTill(applied.merchant.id, 'Counter 1');
  const wallets: DemoWallet[] = [];
  for (const [name, identifier] of [
    ['Alice 爱丽丝', 'alice@demo.saoma'],
    ['Bob 鲍勃', 'bob@demo.saoma'],
  ] as const) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicKeySpki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64url');
    const signedUp = await platform.consumers.signUp({ identifier, displayName: name, device: { publicKey: publicKeySpki, label: 'demo phone' } });
    await platform.consumers.setPin(signedUp.consumer.id, { pin: DEMO_PIN });
    await platform.funds.topUp({ consumerId: signedUp.consumer.id, amountMinor: 100_000n, currency: 'CNY', bankAccount: '6222020000001234' });
    wallets.push({
      name,
      identifier,
      consumerId: signedUp.consumer.id,
      deviceId: signedUp.bound.device.id,
      deviceIndex: signedUp.bound.device.deviceIndex,
      privateKeyPkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
      publicKeySpki,
      paymentCodeKey: signedUp.bound.paymentCodeKey,
      pin: DEMO_PIN,
    });
  }
  const demo: DemoData = { merchant: { id: applied.merchant.id, name: applied.merchant.displayName, apiKey: applied.apiKey, tillPayload: till.payload }, wallets };
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dataDir, DEMO_FILE), JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  await db.insertInto('settings').values({ key: DEMO_SEEDED_SETTING, value: String(Date.now()) }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return demo;
}

// ---- `saoma demo …`: act as the demo phones and the demo till against a running server ----


async function demoWallet(dataDir: string, who: string): Promise<{ demo: DemoData; wallet: DemoWallet; device: DeviceState }> {
  const demo = readDemo(dataDir);
  if (!demo) throw new Error(`no demo data in ${dataDir} (it is written on the first \`npm start\` of an empty database)`);
  const wallet = demo.wallets.find((w) => w.identifier.startsWith(`${who.toLowerCase()}@`));
  if (!wallet) throw new Error(`no demo wallet ${who}; use one of ${demo.wallets.map((w) => w.identifier.split('@')[0]).join(', ')}`);
  const privateKey = await globalThis.crypto.subtle.importKey('pkcs8', Buffer.from(wallet.privateKeyPkcs8, 'base64url'), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const device: DeviceState = {
    deviceId: wallet.deviceId,
    deviceIndex: wallet.deviceIndex,
    key: { privateKey, publicKeySpki: wallet.publicKeySpki },
    paymentCodeKey: await importPaymentCodeKey(Buffer.from(wallet.paymentCodeKey, 'base64url')),
  };
  return { demo, wallet, device };
}

function yuan(text: string): bigint {
  const minor = parseMajorAmount(text, 'CNY');
  if (minor === undefined || minor <= 0n) throw new Error(`not an amount in yuan: ${text} (e.g. 12.50)`);
  return minor;
}

function baseUrl(opts: { url?: string }): string {
  const config = readConfig();
  return opts.url ?? `http://localhost:${config.port}`;
}

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('play the demo wallets and till against a running `saoma serve`');
  demo
    .command('code')
    .description("show a demo wallet's current one-time payment code (offline)")
    .argument('<wallet>', 'alice or bob')
    .action(async (who: string) => {
      const { device } = await demoWallet(readConfig().dataDir, who);
      const client = new WalletClient({ baseUrl: 'http://localhost', device });
      const code = await client.paymentCode();
      process.stdout.write(`${code.digits}  (valid until ${new Date(code.expiresAtMs).toISOString()})\n`);
    });
  demo
    .command('pay')
    .description('a demo wallet scans the demo till code and pays')
    .argument('<wallet>', 'alice or bob')
    .argument('<amount>', 'in yuan, e.g. 12.50')
    .option('--url <url>', 'the server (default http://localhost:$PORT)')
    .action(async (who: string, amount: string, opts: { url?: string }) => {
      const { demo, wallet, device } = await demoWallet(readConfig().dataDir, who);
      const client = new WalletClient({ baseUrl: baseUrl(opts), device });
      await client.signIn();
      const amountMinor = yuan(amount);
      const prepared = await client.prepare({ code: demo.merchant.tillPayload, amountMinor });
      process.stdout.write(`paying ${prepared.payee.name} (verified payee) ${amount} CNY\n`);
      const payment = await client.confirmPrepared(prepared, prepared.pinRequired ? { pin: wallet.pin } : {});
      process.stdout.write(`${payment.status}: payment ${payment.id}, level ${payment.level}\n`);
    });
  demo
    .command('charge')
    .description("the demo till charges a demo wallet's payment code (above 200 yuan the wallet confirms with its PIN)")
    .argument('<wallet>', 'alice or bob')
    .argument('<amount>', 'in yuan')
    .option('--url <url>', 'the server (default http://localhost:$PORT)')
    .action(async (who: string, amount: string, opts: { url?: string }) => {
      const { demo, wallet, device } = await demoWallet(readConfig().dataDir, who);
      const phone = new WalletClient({ baseUrl: baseUrl(opts), device });
      const till = new MerchantClient({ baseUrl: baseUrl(opts), apiKey: demo.merchant.apiKey });
      const code = await phone.paymentCode();
      let payment = await till.scan({ code: code.digits, amountMinor: yuan(amount) });
      process.stdout.write(`till: ${payment.status} (${payment.id})\n`);
      if (payment.status === 'awaiting_confirmation') {
        await phone.signIn();
        payment = await phone.confirm(payment.id, wallet.pin);
        process.stdout.write(`phone confirmed with signature and PIN: ${payment.status}, level ${payment.level}\n`);
      }
    });
}
