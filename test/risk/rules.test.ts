import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET, FEATURES, InMemoryFeatureStore, decide, loadRuleSet, mustLoadRuleSet, type Features, type RuleSet } from '../../src/core/risk/index.js';
import { RISK_CONDITION_DEPTH_MAX, RISK_RULES_MAX } from '../../src/core/limits.js';

const base: RuleSet = {
  version: 't1',
  thresholds: { challenge: 30, review: 60, decline: 100 },
  rules: [
    { id: 'big', description: 'A large payment.', showCustomer: true, when: { feature: 'amount_minor', op: 'ge', value: 100_000 }, score: 30 },
    { id: 'new', description: 'A new payee.', when: { feature: 'new_payee', op: 'eq', value: true }, score: 30 },
    { id: 'reported', description: 'A reported code.', when: { feature: 'code_reports', op: 'ge', value: 1 }, score: 0, outcome: 'decline' },
    { id: 'trial', description: 'On trial.', when: { feature: 'kind_p2p', op: 'eq', value: true }, score: 500, shadow: true },
    { id: 'regular', description: 'A regular payee.', when: { all: [{ feature: 'pair_count', op: 'ge', value: 5 }, { not: { feature: 'kind_p2p', op: 'eq', value: true } }] }, score: -40 },
  ],
};

/** Features of a plain payment: everything false or zero except what a test sets. */
function features(over: Partial<Features> = {}): Features {
  const f = Object.fromEntries(Object.entries(FEATURES).map(([name, spec]) => [name, spec.type === 'boolean' ? false : 0])) as unknown as Features;
  return { ...f, code_genuine: true, ...over };
}

function problems(data: unknown): string[] {
  const r = loadRuleSet(data);
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('rule-set validation', () => {
  it('accepts the default rule set, also after a JSON round trip (it is data)', () => {
    expect(problems(DEFAULT_RULE_SET)).toEqual([]);
    expect(problems(JSON.parse(JSON.stringify(DEFAULT_RULE_SET)))).toEqual([]);
    expect(mustLoadRuleSet(DEFAULT_RULE_SET).ruleCount).toBe(DEFAULT_RULE_SET.rules.length);
  });

  it('refuses unknown feature names, with the path to them', () => {
    const bad = structuredClone(base) as unknown as { rules: { when: unknown }[] };
    bad.rules[4]!.when = { all: [{ feature: 'pair_count', op: 'ge', value: 5 }, { feature: 'payer_shoe_size', op: 'gt', value: 40 }] };
    expect(problems(bad)).toEqual(['rules[4].when.all[1].feature: unknown feature "payer_shoe_size"']);
  });

  it('refuses comparisons that do not fit the feature, unknown operators and properties, duplicate ids', () => {
    const bad = {
      ...base,
      rules: [
        { id: 'a', description: 'x', when: { feature: 'new_payee', op: 'gt', value: 1 }, score: 1 },
        { id: 'b', description: 'x', when: { feature: 'amount_minor', op: 'ge', value: '100' }, score: 1 },
        { id: 'c', description: 'x', when: { feature: 'amount_minor', op: 'between', value: 1 }, score: 1 },
        { id: 'c', description: 'x', when: { feature: 'amount_minor', op: 'ge', value: 1 }, socre: 1 },
        { id: 'Bad Id', description: '', when: { any: [] }, score: 5000, outcome: 'approve' },
      ],
    };
    expect(problems(bad)).toEqual([
      'rules[0].when: new_payee is true or false: compare it with eq or ne and a boolean',
      'rules[1].when.value: amount_minor is a number: compare it with a finite number',
      'rules[2].when.op: op is one of eq, ne, lt, le, gt, ge',
      'rules[3].socre: unknown property socre',
      'rules[3].id: the id c is used twice',
      'rules[3].score: a score is a number from -1000 to 1000',
      'rules[4].id: an id is 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit',
      'rules[4].description: a description is 1 to 300 characters of plain words',
      'rules[4].score: a score is a number from -1000 to 1000',
      'rules[4].outcome: an outcome is challenge, review or decline',
      'rules[4].when.any: any is a non-empty array of conditions',
    ]);
  });

  it('refuses thresholds out of order, too many rules, conditions nested too deep, bad list entries', () => {
    expect(problems({ ...base, thresholds: { challenge: 60, review: 30, decline: 100 } })).toEqual(['thresholds: thresholds rise: challenge < review < decline']);
    const many = Array.from({ length: RISK_RULES_MAX + 1 }, (_, i) => ({ ...base.rules[0]!, id: `r${i}` }));
    expect(problems({ ...base, rules: many })).toEqual([`rules: at most ${RISK_RULES_MAX} rules`]);
    let deep: unknown = { feature: 'amount_minor', op: 'ge', value: 1 };
    for (let i = 0; i < RISK_CONDITION_DEPTH_MAX; i++) deep = { not: deep };
    expect(problems({ ...base, rules: [{ id: 'deep', description: 'x', when: deep, score: 1 }] })).toEqual([
      `rules[0].when${'.not'.repeat(RISK_CONDITION_DEPTH_MAX)}: conditions nest at most ${RISK_CONDITION_DEPTH_MAX} deep`,
    ]);
    expect(problems({ ...base, block: [{ key: 'merchant', id: 'm1' }, { key: 'payee', id: '' }] })).toEqual([
      'block[0].key: key is one of payer, device, payee, code, ip',
      'block[1].id: id is a non-empty string',
    ]);
    expect(problems(null)).toEqual([': a rule set is an object']);
  });
});

describe('decide', () => {
  const rules = mustLoadRuleSet(base);

  it('adds the scores of the rules that fire and maps the total through the thresholds', () => {
    expect(decide(rules, features()).outcome).toBe('approve');
    const one = decide(rules, features({ new_payee: true }));
    expect([one.outcome, one.score, one.hits]).toEqual(['challenge', 30, [{ ruleId: 'new', score: 30 }]]);
    expect(decide(rules, features({ new_payee: true, amount_minor: 100_000 })).outcome).toBe('review');
    // A reassuring signal lowers the score.
    expect(decide(rules, features({ amount_minor: 100_000, pair_count: 9 })).outcome).toBe('approve');
  });

  it('lets a rule force an outcome whatever the score, and keeps shadow rules out of the score', () => {
    const d = decide(rules, features({ code_reports: 1, pair_count: 9, kind_p2p: true }));
    expect(d.outcome).toBe('decline');
    expect(d.shadowHits).toEqual(['trial']);
    expect(d.hits.map((h) => h.ruleId)).toEqual(['reported']);
  });

  it('gives the customer only the descriptions marked safe to show, and none on approval', () => {
    expect(decide(rules, features({ amount_minor: 100_000, new_payee: true })).reasons).toEqual(['A large payment.']);
    expect(decide(rules, features({ amount_minor: 100_000, pair_count: 9 })).reasons).toEqual([]);
  });

  it('declines the block list before anything else, and approves the allow list without scoring', () => {
    const listed = mustLoadRuleSet({ ...base, allow: [{ key: 'payer', id: 'alice' }], block: [{ key: 'payee', id: 'mule', note: 'case 17' }] });
    const risky = features({ code_reports: 1 });
    expect(decide(listed, risky, { payer: 'alice', payee: 'shop' })).toMatchObject({ outcome: 'approve', list: 'allow:payer', hits: [] });
    expect(decide(listed, features(), { payer: 'alice', payee: 'mule' })).toMatchObject({ outcome: 'decline', list: 'block:payee' });
    expect(decide(listed, risky, { payer: 'bob' }).outcome).toBe('decline');
  });

  it('is deterministic, names the rule-set version, and refuses rule sets that were not loaded', () => {
    const f = features({ new_payee: true, amount_minor: 100_000 });
    expect(decide(rules, f)).toEqual(decide(rules, f));
    expect(decide(rules, f).ruleSetVersion).toBe('t1');
    expect(() => decide({ source: base, ruleCount: 5 } as never, f)).toThrow();
  });

  it('reads every feature the store makes, and the store makes every feature in the catalogue', () => {
    const store = new InMemoryFeatureStore();
    const f = store.features(
      { kind: 'p2p', payerId: 'a', deviceId: 'd', ip: undefined, payeeId: 'b', payeeKind: 'person', merchantTier: undefined, codeId: undefined, codeKind: 'none', codeVerdict: 'none', amountMinor: 100n, currency: 'CNY', placeId: undefined },
      Date.UTC(2025, 2, 3),
    );
    expect(Object.keys(f).sort()).toEqual(Object.keys(FEATURES).sort());
    for (const [name, spec] of Object.entries(FEATURES)) expect(typeof f[name as keyof Features], name).toBe(spec.type);
  });
});
