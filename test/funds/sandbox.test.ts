import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BankTransportError, SandboxBank, STATEMENT_HEADER, parseStatement } from '../../src/service/bank/index.js';
import { policyDay } from '../../src/core/policy/cn-pboc.js';

describe('sandbox bank', () => {
  let dataDir: string;
  // 2026-03-01 23:30 in Asia/Shanghai (15:30 UTC): statements use the policy day, not the UTC day.
  let now = Date.parse('2026-03-01T15:30:00Z');
  const clock = () => now;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-sandbox-bank-'));
    now = Date.parse('2026-03-01T15:30:00Z');
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const order = (reference: string, account: string, amountMinor = 1_250n) => ({ reference, account, amountMinor, currency: 'CNY' });

  it('answers an ordinary account with success and a reference, the same answer for the same reference', async () => {
    const bank = new SandboxBank(dataDir, { nowMs: clock });
    const first = await bank.pull(order('bt_a', '6222020200001234'));
    expect(first).toEqual({ status: 'succeeded', bankReference: 'SBX2026030100000001' });
    now += 60_000;
    expect(await bank.pull(order('bt_a', '6222020200001234'))).toEqual(first);
    const second = await bank.push(order('bt_b', '6222020200001234', 99n));
    expect(second.bankReference).toBe('SBX2026030100000002');
  });

  it('declines accounts ending in 0000: insufficient funds on a pull, account closed on a push', async () => {
    const bank = new SandboxBank(dataDir, { nowMs: clock });
    expect(await bank.pull(order('bt_p', '62220202000000'))).toMatchObject({ status: 'declined', reason: 'insufficient_funds' });
    expect(await bank.push(order('bt_q', '62220202000000'))).toMatchObject({ status: 'declined', reason: 'account_closed' });
    // Invalid instructions are declines too (a retry cannot mend them).
    expect(await bank.push(order('bt_r', '1234567'))).toMatchObject({ status: 'declined', reason: 'invalid_account' });
    expect(await bank.push(order('bt_s', '12345678', 0n))).toMatchObject({ status: 'declined', reason: 'invalid_amount' });
  });

  it('fails the first call of a reference on accounts ending in 1111 in transport, then answers; also after a restart', async () => {
    const bank = new SandboxBank(dataDir, { nowMs: clock });
    await expect(bank.pull(order('bt_t', '6222020211111111'))).rejects.toBeInstanceOf(BankTransportError);
    await expect(bank.push(order('bt_u', '6222020211111111'))).rejects.toBeInstanceOf(BankTransportError);
    expect(await bank.pull(order('bt_t', '6222020211111111'))).toMatchObject({ status: 'succeeded' });
    // The failure of bt_u is remembered: a restarted bank answers it at once.
    const reopened = new SandboxBank(dataDir, { nowMs: clock });
    expect(await reopened.push(order('bt_u', '6222020211111111'))).toMatchObject({ status: 'succeeded' });
    expect(await reopened.pull(order('bt_t', '6222020211111111'))).toEqual(await bank.pull(order('bt_t', '6222020211111111')));
  });

  it('remembers answers across restarts and refuses a reference reused for another instruction', async () => {
    const bank = new SandboxBank(dataDir, { nowMs: clock });
    const answer = await bank.push(order('bt_v', '6222020200005678', 500n));
    const reopened = new SandboxBank(dataDir, { nowMs: clock });
    expect(await reopened.push(order('bt_v', '6222020200005678', 500n))).toEqual(answer);
    await expect(reopened.push(order('bt_v', '6222020200005678', 501n))).rejects.toThrow(/already used/);
    await expect(reopened.pull(order('bt_v', '6222020200005678', 500n))).rejects.toThrow(/already used/);
    // Numbering goes on after the restart: references stay unique.
    expect((await reopened.pull(order('bt_w', '6222020200005678'))).bankReference).toBe('SBX2026030100000002');
  });

  it('drops a journal line torn by a crash, and keeps no account number in the clear', async () => {
    const bank = new SandboxBank(dataDir, { nowMs: clock });
    await bank.pull(order('bt_x', '6222020200004321'));
    const journal = path.join(dataDir, 'sandbox-bank', 'journal.jsonl');
    fs.appendFileSync(journal, '{"v":1,"type":"movement","reference":"bt_y"');
    const reopened = new SandboxBank(dataDir, { nowMs: clock });
    // bt_y was never answered: it is new, and gets the next number.
    expect(await reopened.pull(order('bt_y', '6222020200004321'))).toEqual({ status: 'succeeded', bankReference: 'SBX2026030100000002' });
    const text = fs.readFileSync(journal, 'utf8');
    expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).reference)).toEqual(['bt_x', 'bt_y']);
    expect(text).not.toContain('6222020200004321');
    expect(text).toContain('****4321');
  });

  it('writes one statement line per movement that moved money, under the policy day, rebuilt after a lost write', async () => {
    const bank = new SandboxBank(dataDir, { nowMs: clock });
    const a = await bank.pull(order('bt_1', '6222020200001234', 10_000n));
    await bank.pull(order('bt_2', '6222020200000000', 20_000n)); // declined: no movement
    const c = await bank.push(order('bt_3', '6222020200005678', 3_000n));
    now += 60 * 60 * 1000; // 00:30 on 2 March in Shanghai
    const d = await bank.push(order('bt_4', '6222020200005678', 4_000n));
    expect(policyDay(now)).toBe('2026-03-02');
    const day1 = bank.statementPath('2026-03-01');
    const text1 = fs.readFileSync(day1, 'utf8');
    expect(text1.split('\n')[0]).toBe(STATEMENT_HEADER);
    expect(parseStatement(text1)).toEqual([
      { valueDate: '2026-03-01', bankReference: a.bankReference, ourReference: 'bt_1', direction: 'credit', amountMinor: 10_000n, currency: 'CNY', counterpartyAccount: '****1234' },
      { valueDate: '2026-03-01', bankReference: c.bankReference, ourReference: 'bt_3', direction: 'debit', amountMinor: 3_000n, currency: 'CNY', counterpartyAccount: '****5678' },
    ]);
    expect(parseStatement(fs.readFileSync(bank.statementPath('2026-03-02'), 'utf8'))).toEqual([
      { valueDate: '2026-03-02', bankReference: d.bankReference, ourReference: 'bt_4', direction: 'debit', amountMinor: 4_000n, currency: 'CNY', counterpartyAccount: '****5678' },
    ]);
    // A crash after the journal write but before the statement write: the statement is rebuilt.
    fs.writeFileSync(day1, `${STATEMENT_HEADER}\n`);
    new SandboxBank(dataDir, { nowMs: clock });
    expect(fs.readFileSync(day1, 'utf8')).toBe(text1);
  });
});
