import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RULE_SET,
  FEATURES,
  conditionText,
  featureTableMarkdown,
  rewriteRiskDoc,
  ruleTableMarkdown,
  type Condition,
  type RiskDocTables,
} from '../../src/core/risk/index.js';

const REGENERATE = 'docs/risk.md is stale: run `npm run build && node scripts/risk-doc-tables.mjs`';

function current(): RiskDocTables {
  return {
    featureTable: featureTableMarkdown(),
    ruleTable: ruleTableMarkdown(DEFAULT_RULE_SET),
    version: DEFAULT_RULE_SET.version,
    ruleCount: DEFAULT_RULE_SET.rules.length,
  };
}

describe('docs/risk.md', () => {
  const doc = fs.readFileSync(new URL('../../docs/risk.md', import.meta.url), 'utf8');
  const tables = current();

  it('shows the features of the catalogue', () => {
    expect(doc.includes(tables.featureTable), `${REGENERATE} (features table)`).toBe(true);
  });

  it('shows the default rule set', () => {
    expect(doc.includes(tables.ruleTable), `${REGENERATE} (rule table)`).toBe(true);
    const phrase = `version \`${tables.version}\`, ${tables.ruleCount} rules`;
    expect(doc.includes(phrase), `${REGENERATE} (expected "${phrase}")`).toBe(true);
  });

  it('has nothing the rewrite would change (no stale rows after the tables)', () => {
    expect(rewriteRiskDoc(doc, tables).changes, REGENERATE).toEqual([]);
  });
});

describe('conditionText', () => {
  const is = (feature: 'new_payee' | 'related'): Condition => ({ feature, op: 'eq', value: true });

  it('writes booleans as the name or "not name"', () => {
    expect(conditionText(is('new_payee'))).toBe('new_payee');
    expect(conditionText({ feature: 'related', op: 'eq', value: false })).toBe('not related');
    expect(conditionText({ feature: 'related', op: 'ne', value: true })).toBe('not related');
    expect(conditionText({ feature: 'related', op: 'ne', value: false })).toBe('related');
  });

  it('writes comparisons with symbols and plain numbers', () => {
    const ops = (['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).map((op) => conditionText({ feature: 'amount_minor', op, value: 100_000 }));
    expect(ops).toEqual(['amount_minor = 100000', 'amount_minor ≠ 100000', 'amount_minor < 100000', 'amount_minor ≤ 100000', 'amount_minor > 100000', 'amount_minor ≥ 100000']);
    expect(conditionText({ feature: 'payee_fast_out_ratio', op: 'ge', value: 0.8 })).toBe('payee_fast_out_ratio ≥ 0.8');
  });

  it('parenthesises groups inside groups, and what not applies to', () => {
    const c: Condition = {
      all: [
        { any: [{ feature: 'hours_since_credential_change', op: 'lt', value: 72 }, { feature: 'hours_since_new_device', op: 'lt', value: 72 }] },
        is('new_payee'),
        { all: [{ feature: 'payee_account_age_days', op: 'ge', value: 180 }, { feature: 'payee_history_count', op: 'ge', value: 100 }] },
        { not: { all: [is('related'), { feature: 'pair_count', op: 'ge', value: 5 }] } },
        { not: is('related') },
      ],
    };
    expect(conditionText(c)).toBe(
      '(hours_since_credential_change < 72 or hours_since_new_device < 72) and new_payee and (payee_account_age_days ≥ 180 and payee_history_count ≥ 100) and not (related and pair_count ≥ 5) and not (related)',
    );
    expect(conditionText({ any: [is('new_payee'), { all: [is('related'), { feature: 'pair_count', op: 'lt', value: 2 }] }] })).toBe(
      'new_payee or (related and pair_count < 2)',
    );
  });

  it('writes a group of one as its part, at any depth', () => {
    expect(conditionText({ all: [{ any: [is('new_payee')] }, { all: [{ any: [is('related'), is('new_payee')] }] }] })).toBe(
      'new_payee and (related or new_payee)',
    );
  });
});

describe('tables', () => {
  it('have one row per feature and per rule, in order', () => {
    const features = featureTableMarkdown().split('\n');
    expect(features.slice(0, 2)).toEqual(['| feature | type | meaning |', '|---|---|---|']);
    expect(features.length - 2).toBe(Object.keys(FEATURES).length);
    expect(features[2]).toBe('| `amount_minor` | number | amount of this payment, minor units |');

    const rules = ruleTableMarkdown({
      version: 't',
      thresholds: { challenge: 30, review: 60, decline: 100 },
      rules: [
        { id: 'a', description: 'A.', showCustomer: true, when: { feature: 'new_payee', op: 'eq', value: true }, score: 10, outcome: 'challenge' },
        { id: 'b', description: 'B.', when: { feature: 'pair_count', op: 'ge', value: 5 }, score: -20 },
      ],
    });
    expect(rules).toBe(
      [
        '| id | when (features) | score | outcome | shown to customer |',
        '|---|---|---|---|---|',
        '| `a` | new_payee | 10 | challenge | yes |',
        '| `b` | pair_count ≥ 5 | -20 | - | no |',
      ].join('\n'),
    );
  });
});

describe('rewriteRiskDoc', () => {
  const stale = [
    '# Risk',
    '',
    '## Features',
    '',
    'Prose about features | with a bar.',
    '',
    '| feature | type | meaning |',
    '|---|---|---|',
    '| `old_feature` | number | gone |',
    '| `amount_minor` | number | amount |',
    '',
    'Hours-since features are 10^9.',
    '',
    '## Rule language',
    '',
    '| outcome | what happens (when wired) |',
    '|---|---|',
    '| approve | the payment goes to the ledger |',
    '',
    '## The default rule set',
    '',
    '`src/core/risk/default-rules.ts`, version `default-1`, 3 rules, CNY fen (a deployment in another',
    'currency ships its own).',
    '',
    '| id | when (features) | score | outcome | shown to customer |',
    '|---|---|---|---|---|',
    '| `x` | new_payee | 10 | challenge | yes |',
    '| `y` | related | 10 | challenge | yes |',
    '| `z` | related | 10 | challenge | yes |',
    '',
    '## The bench',
    '',
    'Results of rule set `default-1` (3 rules; version `default-1`, 3 rules stays here).',
    '',
  ].join('\n');
  const fresh: RiskDocTables = {
    featureTable: ['| feature | type | meaning |', '|---|---|---|', '| `amount_minor` | number | amount of this payment |'].join('\n'),
    ruleTable: ['| id | when (features) | score | outcome | shown to customer |', '|---|---|---|---|---|', '| `x` | new_payee | 30 | challenge | yes |'].join('\n'),
    version: 'default-9',
    ruleCount: 1,
  };

  it('replaces the tables and the version phrase, and nothing else', () => {
    const { markdown, changes } = rewriteRiskDoc(stale, fresh);
    const expected = stale
      .replace('| `old_feature` | number | gone |\n| `amount_minor` | number | amount |', '| `amount_minor` | number | amount of this payment |')
      .replace('| `x` | new_payee | 10 | challenge | yes |\n| `y` | related | 10 | challenge | yes |\n| `z` | related | 10 | challenge | yes |', '| `x` | new_payee | 30 | challenge | yes |')
      .replace('version `default-1`, 3 rules, CNY', 'version `default-9`, 1 rules, CNY');
    expect(markdown).toBe(expected);
    expect(markdown).toContain('Results of rule set `default-1` (3 rules; version `default-1`, 3 rules stays here).');
    expect(markdown).toContain('| approve | the payment goes to the ledger |');
    expect(changes).toHaveLength(3);
    expect(rewriteRiskDoc(markdown, fresh)).toEqual({ markdown, changes: [] });
  });

  it('leaves an up-to-date text alone', () => {
    const once = rewriteRiskDoc(stale, fresh).markdown;
    expect(rewriteRiskDoc(once, fresh).markdown).toBe(once);
  });

  it('refuses a text without the tables rather than guessing', () => {
    expect(() => rewriteRiskDoc(stale.replace('| feature | type | meaning |', '| name | type | meaning |'), fresh)).toThrow(/no table/);
    expect(() => rewriteRiskDoc(stale.replace('## The default rule set', '## Rules'), fresh)).toThrow(/no "## The default rule set" heading/);
    expect(() => rewriteRiskDoc(stale.replace('version `default-1`, 3 rules, CNY', 'CNY'), fresh)).toThrow(/phrase/);
  });
});
