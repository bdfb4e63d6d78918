// The bench's traffic generator: deterministic per seed, honest about its labels, blind to the rules.

import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RiskTraffic, SCENARIOS, type Label, type TrafficItem } from '../../bench/risk-traffic.js';

const small = { consumers: 300, merchants: 80, days: 6, warmupDays: 2, fraudScale: 0.1 };

/** The generated items, with every payment completed unless `completes` says otherwise (a stand-in for rules). */
function run(seed: number, completes: (item: TrafficItem) => boolean = () => true): TrafficItem[] {
  const traffic = new RiskTraffic({ seed, ...small });
  const items: TrafficItem[] = [];
  for (let item = traffic.next(); item; item = traffic.next()) {
    items.push(item);
    traffic.settle(item, completes(item));
  }
  return items;
}

describe('the labelled traffic generator', () => {
  const items = run(11);
  const payments = items.filter((i): i is Extract<TrafficItem, { kind: 'payment' }> => i.kind === 'payment');

  it('is deterministic for a seed and differs between seeds', () => {
    const again = run(11);
    expect(JSON.stringify(again.slice(0, 3000), bigints)).toBe(JSON.stringify(items.slice(0, 3000), bigints));
    expect(JSON.stringify(run(12).slice(0, 3000), bigints)).not.toBe(JSON.stringify(items.slice(0, 3000), bigints));
  });

  it('gives the same ordinary life whatever the rules decide: only reactions to decisions differ', () => {
    // One run where every payment completes, one where every other one is refused: the legitimate
    // payments must be the same, or comparing two rule sets on a seed would compare two cities.
    let n = 0;
    const strict = run(11, () => n++ % 2 === 0);
    const legit = (list: TrafficItem[]) => JSON.stringify(list.filter((i) => i.kind === 'payment' && i.label === 'legitimate').map((i) => ({ ...i, id: undefined })), bigints);
    expect(legit(strict)).toBe(legit(items));
    // What reacts to decisions did change: mules forward only what reached them.
    const forwards = (list: TrafficItem[]) => list.filter((i) => i.kind === 'payment' && i.step?.startsWith('forward')).length;
    expect(forwards(strict)).toBeLessThan(forwards(items));
  });

  it('gives events and payments in time order, with positive whole amounts', () => {
    const simulated = items.filter((i) => i.kind === 'payment');
    for (let k = 1; k < simulated.length; k++) expect(simulated[k]!.atMs).toBeGreaterThanOrEqual(simulated[k - 1]!.atMs);
    for (const p of payments) expect(p.payment.amountMinor > 0n && p.payment.amountMinor <= BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it('labels every scenario, and marks which actors can pass a step-up', () => {
    const byLabel = new Map<Label, typeof payments>();
    for (const p of payments) byLabel.set(p.label, [...(byLabel.get(p.label) ?? []), p]);
    for (const s of SCENARIOS) expect(byLabel.get(s)?.length ?? 0, s).toBeGreaterThan(0);
    expect(byLabel.get('legitimate')!.length).toBeGreaterThan(1000);
    // A thief lacks the victim's other factor; a deceived victim, a mule or a colluding merchant's ring has it.
    const passes = (label: Label) => new Set(byLabel.get(label)!.map((p) => p.passesChallenge));
    expect(passes('account_takeover')).toEqual(new Set([false]));
    expect(passes('micro_payment_probing')).toEqual(new Set([false]));
    for (const label of ['telecom_fraud', 'mule_accounts', 'qr_sticker_swap', 'merchant_collusion', 'legitimate'] as const) expect(passes(label)).toEqual(new Set([true]));
    // Fraud happens only in the measured period.
    expect(payments.filter((p) => p.label !== 'legitimate').every((p) => p.measured)).toBe(true);
  });

  it('never imports or reads the rules', () => {
    const source = fs.readFileSync(new URL('../../bench/risk-traffic.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports).toEqual(['../src/core/risk/types.js', './random.js']);
    const code = source.split('\n').filter((line) => !/^\s*(\/\/|\/\*\*|\*)/.test(line)).join('\n');
    expect(code).not.toMatch(/rules|DEFAULT_RULE_SET|readFile|import\(/);
  });
});

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
