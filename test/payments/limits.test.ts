import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYMENT_CODE_STEP_MS, PERSONAL_CODE_RECEIPTS_PER_DAY_MAX } from '../../src/core/limits.js';
import { residentIdCheck } from '../../src/service/identity.js';
import { type MerchantClient, type WalletClient } from '../../src/sdk/index.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { apiError, openWorld, type World } from './world.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const PIN = '246802';


function idNumber(seed: number): string {
  const first17 = `1101011990${String(seed).padStart(7, '0')}`.slice(0, 17);
  return first17 + residentIdCheck(first17);
}

// The cn-pboc caps (docs/decisions/0008), each reached through real payments and refused with the
// limit named; nothing moves on a refusal.
describe.each(STORE_NAMES)('policy limits per PBOC level and account class (%s)', (store) => {
  let world: World;
  let shop: MerchantClient;
  let till: string;
  let seq = 0;

  beforeAll(async () => {
    world = await openWorld(store);
    shop = (await world.merchant('Corner Shop')).client;
    till = (await shop.createTill('till')).payload;
  });
  afterAll(async () => world?.close());

  async function walletOfClass(cls: 'I' | 'II' | 'III', fundMinor: bigint): Promise<WalletClient> {
    const w = await world.wallet(`Payer ${++seq}`, fundMinor);
    await w.setPin(PIN);
    if (cls !== 'I') await w.verifyIdentity({ name: `Payer ${seq}`, idNumber: idNumber(seq), ...(cls === 'III' ? { bankAccount: '6222021234567890' } : {}) });
    expect((await w.me()).consumer.accountClass).toBe(cls);
    return w;
  }

  async function order(amountMinor: number): Promise<string> {
    return (await shop.createOrder({ amountMinor, reference: `lim-${store}-${++seq}` })).payload;
  }

  /** The call is made only after the balance is read: a promise made earlier could fail before anyone awaits it (an unhandled rejection). */
  async function expectLimit(call: () => Promise<unknown>, limit: string, wallet: WalletClient): Promise<void> {
    const before = (await wallet.me()).balance.availableMinor;
    const error = await apiError(call());
    expect({ status: error.status, code: error.code, param: error.param }).toEqual({ status: 402, code: 'POLICY_LIMIT_EXCEEDED', param: limit });
    expect((await wallet.me()).balance.availableMinor).toBe(before);
  }

  it('level D (static code): 500 yuan a day per payer, whatever the factors; the next policy day opens again', async () => {
    const w = await walletOfClass('II', 200_000n);
    await w.pay({ code: till, amountMinor: 30_000, pin: PIN });
    await w.pay({ code: till, amountMinor: 20_000, pin: PIN });
    await expectLimit(async () => w.pay({ code: till, amountMinor: 1 }), 'level_daily', w);
    // A dynamic code is another level: not blocked by the static cap.
    expect((await w.pay({ code: await order(100) })).level).toBe('C');
    world.clock.advance(DAY_MS);
    expect((await w.pay({ code: till, amountMinor: 1 })).level).toBe('D');
  });

  it('level C (one factor: payment code or signature alone): 1,000 yuan a day, with the compensation promise', async () => {
    const w = await walletOfClass('II', 200_000n);
    for (let i = 0; i < 4; i++) {
      world.clock.advance(PAYMENT_CODE_STEP_MS);
      const p = await shop.scan({ code: (await w.paymentCode(world.clock.now())).digits, amountMinor: 20_000 });
      expect(p).toMatchObject({ level: 'C', compensationPromise: true, status: 'succeeded' });
    }
    // A signature alone on a dynamic code is level C too, and shares the day's 1,000 yuan.
    expect(await w.pay({ code: await order(20_000) })).toMatchObject({ level: 'C', compensationPromise: true });
    world.clock.advance(PAYMENT_CODE_STEP_MS);
    await expectLimit(async () => shop.scan({ code: (await w.paymentCode(world.clock.now())).digits, amountMinor: 1 }), 'level_daily', w);
    await expectLimit(async () => w.pay({ code: await order(1) }), 'level_daily', w);
  });

  it('level A (signature + PIN): the agreed 50,000 yuan a day', async () => {
    const w = await walletOfClass('III', 6_000_000n);
    expect(await w.pay({ code: await order(3_000_000), pin: PIN })).toMatchObject({ level: 'A', compensationPromise: false });
    await w.pay({ code: await order(2_000_000), pin: PIN });
    await expectLimit(async () => w.pay({ code: await order(1), pin: PIN }), 'level_daily', w);
  });

  it('class I: 1,000 yuan of balance payments since opening, then identity verification raises it', async () => {
    const w = await walletOfClass('I', 200_000n);
    await w.pay({ code: await order(60_000), pin: PIN });
    await expectLimit(async () => w.pay({ code: await order(40_001), pin: PIN }), 'class_since_opening', w);
    await w.verifyIdentity({ name: `Payer ${seq}`, idNumber: idNumber(900 + seq) });
    expect((await w.pay({ code: await order(40_001), pin: PIN })).status).toBe('succeeded');
  });

  it('class II: 100,000 yuan a year; class III: 200,000 yuan a year', async () => {
    const two = await walletOfClass('II', 11_000_000n);
    for (let day = 0; day < 2; day++) {
      await two.pay({ code: await order(5_000_000), pin: PIN });
      world.clock.advance(DAY_MS);
    }
    await expectLimit(async () => two.pay({ code: await order(1), pin: PIN }), 'class_yearly', two);

    const three = await walletOfClass('III', 21_000_000n);
    for (let day = 0; day < 4; day++) {
      await three.pay({ code: await order(5_000_000), pin: PIN });
      world.clock.advance(DAY_MS);
    }
    await expectLimit(async () => three.pay({ code: await order(1), pin: PIN }), 'class_yearly', three);
  });

  it(`a personal receiving code takes at most ${PERSONAL_CODE_RECEIPTS_PER_DAY_MAX} payments a day (no business on a personal code)`, async () => {
    const owner = await world.wallet('Street Singer', 0n);
    const code = (await owner.receivingCode()).till.payload;
    const payer = await walletOfClass('II', 100_000n);
    for (let i = 0; i < PERSONAL_CODE_RECEIPTS_PER_DAY_MAX; i++) await payer.pay({ code, amountMinor: 10 });
    await expectLimit(async () => payer.pay({ code, amountMinor: 10 }), 'personal_code_daily', payer);
    expect((await owner.me()).balance.availableMinor).toBe(PERSONAL_CODE_RECEIPTS_PER_DAY_MAX * 10);
    await world.verifyLedger();
  });

  it('a payment above the password-free limit needs the PIN', async () => {
    const w = await walletOfClass('II', 100_000n);
    const error = await apiError(w.pay({ code: till, amountMinor: 20_001 }));
    expect(error.code).toBe('PIN_REQUIRED');
  });
});
