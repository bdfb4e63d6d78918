// Rules as data: a versioned rule set of conditions over features, each adding a score and perhaps
// forcing an outcome; thresholds turn the total into approve / challenge / review / decline. Rule
// sets are plain JSON (edited in the console, stored, dry-run), validated and compiled once on load
// so that deciding is a few closure calls.

import { assert } from '../errors.js';
import {
  RISK_CONDITION_DEPTH_MAX,
  RISK_CONDITION_NODES_MAX,
  RISK_LIST_ENTRIES_MAX,
  RISK_RULE_DESCRIPTION_CHARS_MAX,
  RISK_RULE_ID_CHARS_MAX,
  RISK_RULES_MAX,
} from '../limits.js';
import { FEATURES, isFeatureName, type FeatureName, type Features } from './catalogue.js';
import type { Outcome } from './types.js';

export type Comparison = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** A condition over features: all / any / not, or a feature compared with a constant. */
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | { readonly feature: FeatureName; readonly op: Comparison; readonly value: number | boolean };

export interface Rule {
  /** Stable id, shown in every decision's hits: lowercase letters, digits, dots, dashes and underscores. */
  readonly id: string;
  /** What the rule looks for, in plain words. */
  readonly description: string;
  /** Whether the description may be shown to the customer whose payment it stopped. */
  readonly showCustomer?: boolean;
  readonly when: Condition;
  /** Added to the payment's score when the rule fires (negative for reassuring signals). */
  readonly score: number;
  /** The least outcome the payment gets when the rule fires, whatever the score. */
  readonly outcome?: Exclude<Outcome, 'approve'>;
  /** Evaluated and reported, but neither scores nor forces an outcome: a rule on trial. */
  readonly shadow?: boolean;
}

export type ListKey = 'payer' | 'device' | 'payee' | 'code' | 'ip';

export interface ListEntry {
  readonly key: ListKey;
  readonly id: string;
  /** Why the entry is there (who added it, the case). */
  readonly note?: string;
}

export interface RuleSet {
  readonly version: string;
  /** A payment's total score at or above each threshold gets that outcome. */
  readonly thresholds: { readonly challenge: number; readonly review: number; readonly decline: number };
  readonly rules: readonly Rule[];
  /** Parties whose payments are approved without scoring (the block list still wins). */
  readonly allow?: readonly ListEntry[];
  /** Parties whose payments are declined. */
  readonly block?: readonly ListEntry[];
}

/** The ids `decide` matches against the allow and block lists. */
export type Parties = Partial<Record<ListKey, string | undefined>>;

export interface Decision {
  readonly outcome: Outcome;
  readonly score: number;
  readonly hits: readonly { readonly ruleId: string; readonly score: number }[];
  /** Rules in shadow mode that would have fired. */
  readonly shadowHits: readonly string[];
  /** Descriptions of the fired rules that may be shown to the customer. */
  readonly reasons: readonly string[];
  /**
   * A held payment that a rule also wanted stepped up: the payer must pass the step-up before it is
   * queued for an analyst. A thief who cannot pass it is refused at once, rather than waiting on
   * an analyst who might post it; a customer or a deceived victim passes it and is held as before.
   */
  readonly stepUpFirst: boolean;
  /** Set when a list decided: `block:payee`, `allow:payer`, ... */
  readonly list: string | undefined;
  readonly ruleSetVersion: string;
}

export interface RuleSetProblem {
  /** Where in the rule set, as a JSON path: `rules[3].when.all[0].feature`. */
  readonly path: string;
  readonly message: string;
}

/** A rule set that passed validation, with its conditions compiled. Made only by loadRuleSet. */
export interface LoadedRuleSet {
  readonly source: RuleSet;
  readonly ruleCount: number;
  readonly [COMPILED]: Compiled;
}

const COMPILED: unique symbol = Symbol('compiled');

interface CompiledRule {
  readonly id: string;
  readonly test: (f: Features) => boolean;
  readonly score: number;
  readonly outcome: Outcome;
  readonly reason: string | undefined;
  readonly shadow: boolean;
}

interface Compiled {
  readonly rules: readonly CompiledRule[];
  readonly thresholds: RuleSet['thresholds'];
  readonly allow: ReadonlyMap<ListKey, ReadonlySet<string>>;
  readonly block: ReadonlyMap<ListKey, ReadonlySet<string>>;
}

const OUTCOME_ORDER: Record<Outcome, number> = { approve: 0, challenge: 1, review: 2, decline: 3 };
const OUTCOMES = Object.keys(OUTCOME_ORDER) as Outcome[];
const COMPARISONS: readonly Comparison[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const LIST_KEYS: readonly ListKey[] = ['payer', 'device', 'payee', 'code', 'ip'];
const RULE_ID = new RegExp(`^[a-z0-9][a-z0-9._-]{0,${RISK_RULE_ID_CHARS_MAX - 1}}$`);
const SCORE_ABS_MAX = 1000;

/** The more severe of two outcomes. */
export function worse(a: Outcome, b: Outcome): Outcome {
  return OUTCOME_ORDER[a] >= OUTCOME_ORDER[b] ? a : b;
}

/** Validates a rule set (parsed JSON) and compiles it; every problem is listed, not only the first. */
export function loadRuleSet(data: unknown): { ok: true; ruleSet: LoadedRuleSet } | { ok: false; problems: RuleSetProblem[] } {
  const problems: RuleSetProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  if (!isObject(data)) return { ok: false, problems: [{ path: '', message: 'a rule set is an object' }] };
  onlyKeys(data, ['version', 'thresholds', 'rules', 'allow', 'block'], '', problem);
  if (typeof data.version !== 'string' || data.version.length === 0 || data.version.length > RISK_RULE_ID_CHARS_MAX) {
    problem('version', `a version is a string of 1 to ${RISK_RULE_ID_CHARS_MAX} characters`);
  }

  const t = data.thresholds;
  if (!isObject(t)) problem('thresholds', 'thresholds is an object { challenge, review, decline }');
  else {
    onlyKeys(t, ['challenge', 'review', 'decline'], 'thresholds', problem);
    for (const name of ['challenge', 'review', 'decline'] as const) {
      if (!isScore(t[name]) || (t[name] as number) <= 0) problem(`thresholds.${name}`, `a threshold is a positive number up to ${SCORE_ABS_MAX}`);
    }
    if (isScore(t.challenge) && isScore(t.review) && isScore(t.decline) && !(t.challenge < t.review && t.review < t.decline)) {
      problem('thresholds', 'thresholds rise: challenge < review < decline');
    }
  }

  const compiledRules: CompiledRule[] = [];
  if (!Array.isArray(data.rules)) problem('rules', 'rules is an array');
  else {
    if (data.rules.length > RISK_RULES_MAX) problem('rules', `at most ${RISK_RULES_MAX} rules`);
    const ids = new Set<string>();
    data.rules.slice(0, RISK_RULES_MAX).forEach((rule: unknown, i: number) => {
      const at = `rules[${i}]`;
      if (!isObject(rule)) return problem(at, 'a rule is an object');
      onlyKeys(rule, ['id', 'description', 'showCustomer', 'when', 'score', 'outcome', 'shadow'], at, problem);
      if (typeof rule.id !== 'string' || !RULE_ID.test(rule.id)) problem(`${at}.id`, `an id is 1 to ${RISK_RULE_ID_CHARS_MAX} of a-z 0-9 . _ -, starting with a letter or digit`);
      else if (ids.has(rule.id)) problem(`${at}.id`, `the id ${rule.id} is used twice`);
      else ids.add(rule.id);
      if (typeof rule.description !== 'string' || rule.description.trim() === '' || rule.description.length > RISK_RULE_DESCRIPTION_CHARS_MAX) {
        problem(`${at}.description`, `a description is 1 to ${RISK_RULE_DESCRIPTION_CHARS_MAX} characters of plain words`);
      }
      if (rule.showCustomer !== undefined && typeof rule.showCustomer !== 'boolean') problem(`${at}.showCustomer`, 'showCustomer is true or false');
      if (rule.shadow !== undefined && typeof rule.shadow !== 'boolean') problem(`${at}.shadow`, 'shadow is true or false');
      if (!isScore(rule.score)) problem(`${at}.score`, `a score is a number from -${SCORE_ABS_MAX} to ${SCORE_ABS_MAX}`);
      if (rule.outcome !== undefined && (typeof rule.outcome !== 'string' || !OUTCOMES.includes(rule.outcome as Outcome) || rule.outcome === 'approve')) {
        problem(`${at}.outcome`, 'an outcome is challenge, review or decline');
      }
      const counter = { nodes: 0 };
      const test = compileCondition(rule.when, `${at}.when`, 1, counter, problem);
      if (counter.nodes > RISK_CONDITION_NODES_MAX) problem(`${at}.when`, `a condition has at most ${RISK_CONDITION_NODES_MAX} parts`);
      if (test && typeof rule.id === 'string' && isScore(rule.score)) {
        compiledRules.push({
          id: rule.id,
          test,
          score: rule.score,
          outcome: (rule.outcome as Outcome | undefined) ?? 'approve',
          reason: rule.showCustomer === true && typeof rule.description === 'string' ? rule.description : undefined,
          shadow: rule.shadow === true,
        });
      }
    });
  }

  const allow = compileList(data.allow, 'allow', problem);
  const block = compileList(data.block, 'block', problem);
  let entries = 0;
  for (const list of [allow, block]) for (const ids of list.values()) entries += ids.size;
  if (entries > RISK_LIST_ENTRIES_MAX) problem('allow', `allow and block lists hold at most ${RISK_LIST_ENTRIES_MAX} entries together`);

  if (problems.length > 0) return { ok: false, problems };
  const thresholds = data.thresholds as RuleSet['thresholds'];
  const source = structuredClone(data) as unknown as RuleSet;
  return {
    ok: true,
    ruleSet: Object.freeze({
      source,
      ruleCount: compiledRules.length,
      [COMPILED]: { rules: compiledRules, thresholds: { ...thresholds }, allow, block },
    }),
  };
}

/** loadRuleSet for rule sets that ship with the code: a problem is a bug, so it throws. */
export function mustLoadRuleSet(data: RuleSet): LoadedRuleSet {
  const loaded = loadRuleSet(data);
  if (!loaded.ok) throw new Error(`rule set ${data.version} is invalid: ${loaded.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return loaded.ruleSet;
}

/** Decides one payment: pure and deterministic, so a dry run over stored features gives the live answer. */
export function decide(ruleSet: LoadedRuleSet, features: Features, parties: Parties = {}): Decision {
  const compiled = ruleSet[COMPILED];
  assert(compiled !== undefined, 'decide takes a rule set made by loadRuleSet');
  const version = ruleSet.source.version;
  const blocked = onList(compiled.block, parties);
  if (blocked) return { outcome: 'decline', score: 0, hits: [], shadowHits: [], reasons: [], stepUpFirst: false, list: `block:${blocked}`, ruleSetVersion: version };
  const allowed = onList(compiled.allow, parties);
  if (allowed) return { outcome: 'approve', score: 0, hits: [], shadowHits: [], reasons: [], stepUpFirst: false, list: `allow:${allowed}`, ruleSetVersion: version };

  let score = 0;
  let forced: Outcome = 'approve';
  let stepUpAsked = false;
  const hits: { ruleId: string; score: number }[] = [];
  const shadowHits: string[] = [];
  const reasons: string[] = [];
  for (const rule of compiled.rules) {
    if (!rule.test(features)) continue;
    if (rule.shadow) {
      shadowHits.push(rule.id);
      continue;
    }
    hits.push({ ruleId: rule.id, score: rule.score });
    score += rule.score;
    forced = worse(forced, rule.outcome);
    if (rule.outcome === 'challenge') stepUpAsked = true;
    if (rule.reason !== undefined && !reasons.includes(rule.reason)) reasons.push(rule.reason);
  }
  const t = compiled.thresholds;
  const byScore: Outcome = score >= t.decline ? 'decline' : score >= t.review ? 'review' : score >= t.challenge ? 'challenge' : 'approve';
  const outcome = worse(byScore, forced);
  return { outcome, score, hits, shadowHits, reasons: outcome === 'approve' ? [] : reasons, stepUpFirst: outcome === 'review' && stepUpAsked, list: undefined, ruleSetVersion: version };
}

function onList(list: ReadonlyMap<ListKey, ReadonlySet<string>>, parties: Parties): ListKey | undefined {
  if (list.size === 0) return undefined;
  for (const key of LIST_KEYS) {
    const id = parties[key];
    if (id !== undefined && list.get(key)?.has(id)) return key;
  }
  return undefined;
}

function compileCondition(
  c: unknown,
  path: string,
  depth: number,
  counter: { nodes: number },
  problem: (path: string, message: string) => void,
): ((f: Features) => boolean) | undefined {
  counter.nodes++;
  if (depth > RISK_CONDITION_DEPTH_MAX) {
    problem(path, `conditions nest at most ${RISK_CONDITION_DEPTH_MAX} deep`);
    return undefined;
  }
  if (!isObject(c)) {
    problem(path, 'a condition is an object: { all }, { any }, { not } or { feature, op, value }');
    return undefined;
  }
  if ('all' in c || 'any' in c) {
    const name = 'all' in c ? 'all' : 'any';
    onlyKeys(c, [name], path, problem);
    const parts = c[name];
    if (!Array.isArray(parts) || parts.length === 0) {
      problem(`${path}.${name}`, `${name} is a non-empty array of conditions`);
      return undefined;
    }
    const tests = parts.map((part: unknown, i: number) => compileCondition(part, `${path}.${name}[${i}]`, depth + 1, counter, problem));
    if (tests.some((t) => t === undefined)) return undefined;
    const ts = tests as ((f: Features) => boolean)[];
    return name === 'all' ? (f) => ts.every((t) => t(f)) : (f) => ts.some((t) => t(f));
  }
  if ('not' in c) {
    onlyKeys(c, ['not'], path, problem);
    const inner = compileCondition(c.not, `${path}.not`, depth + 1, counter, problem);
    return inner && ((f) => !inner(f));
  }
  onlyKeys(c, ['feature', 'op', 'value'], path, problem);
  const { feature, op, value } = c;
  if (typeof feature !== 'string' || !isFeatureName(feature)) {
    problem(`${path}.feature`, `unknown feature ${JSON.stringify(feature)}`);
    return undefined;
  }
  if (typeof op !== 'string' || !COMPARISONS.includes(op as Comparison)) {
    problem(`${path}.op`, `op is one of ${COMPARISONS.join(', ')}`);
    return undefined;
  }
  if (FEATURES[feature].type === 'boolean') {
    if (typeof value !== 'boolean' || (op !== 'eq' && op !== 'ne')) {
      problem(path, `${feature} is true or false: compare it with eq or ne and a boolean`);
      return undefined;
    }
    return op === 'eq' ? (f) => f[feature] === value : (f) => f[feature] !== value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problem(`${path}.value`, `${feature} is a number: compare it with a finite number`);
    return undefined;
  }
  const get = (f: Features) => f[feature] as number;
  switch (op as Comparison) {
    case 'eq':
      return (f) => get(f) === value;
    case 'ne':
      return (f) => get(f) !== value;
    case 'lt':
      return (f) => get(f) < value;
    case 'le':
      return (f) => get(f) <= value;
    case 'gt':
      return (f) => get(f) > value;
    case 'ge':
      return (f) => get(f) >= value;
  }
}

function compileList(list: unknown, name: 'allow' | 'block', problem: (path: string, message: string) => void): Map<ListKey, Set<string>> {
  const byKey = new Map<ListKey, Set<string>>();
  if (list === undefined) return byKey;
  if (!Array.isArray(list)) {
    problem(name, `${name} is an array of { key, id, note? }`);
    return byKey;
  }
  list.slice(0, RISK_LIST_ENTRIES_MAX + 1).forEach((entry: unknown, i: number) => {
    const at = `${name}[${i}]`;
    if (!isObject(entry)) return problem(at, 'a list entry is { key, id, note? }');
    onlyKeys(entry, ['key', 'id', 'note'], at, problem);
    if (typeof entry.key !== 'string' || !LIST_KEYS.includes(entry.key as ListKey)) return problem(`${at}.key`, `key is one of ${LIST_KEYS.join(', ')}`);
    if (typeof entry.id !== 'string' || entry.id === '') return problem(`${at}.id`, 'id is a non-empty string');
    if (entry.note !== undefined && (typeof entry.note !== 'string' || entry.note.length > RISK_RULE_DESCRIPTION_CHARS_MAX)) {
      problem(`${at}.note`, `a note is at most ${RISK_RULE_DESCRIPTION_CHARS_MAX} characters`);
    }
    const key = entry.key as ListKey;
    if (!byKey.has(key)) byKey.set(key, new Set());
    byKey.get(key)!.add(entry.id);
  });
  return byKey;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], path: string, problem: (path: string, message: string) => void): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) problem(path === '' ? key : `${path}.${key}`, `unknown property ${key}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScore(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= SCORE_ABS_MAX;
}
