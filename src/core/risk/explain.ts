// Rules and features as text. The docs (docs/risk.md) and the console show rule sets to people
// who read conditions, not JSON; one rendering keeps them alike, and lets a test notice when the
// hand-kept tables of the docs no longer say what the code does (scripts/risk-doc-tables.mjs
// rewrites them).

import { FEATURES } from './catalogue.js';
import type { Comparison, Condition, RuleSet } from './rules.js';

const OP_SYMBOL: Record<Comparison, string> = { eq: '=', ne: '≠', lt: '<', le: '≤', gt: '>', ge: '≥' };

/**
 * A condition in words: `new_payee and not related and (amount_minor ≥ 10000 or amount_over_typical ≥ 3)`.
 * Booleans read as the bare name or `not name`; an `all` or `any` of several parts inside another
 * is parenthesised, so the reader never needs precedence rules.
 */
export function conditionText(condition: Condition): string {
  if ('all' in condition) return condition.all.map(partText).join(' and ');
  if ('any' in condition) return condition.any.map(partText).join(' or ');
  if ('not' in condition) return `not (${conditionText(condition.not)})`;
  const { feature, op, value } = condition;
  if (typeof value === 'boolean' && (op === 'eq' || op === 'ne')) return (op === 'eq') === value ? feature : `not ${feature}`;
  // String() prints numbers plainly: 100000, 0.8, -20 (no separators a reader could misparse).
  return `${feature} ${OP_SYMBOL[op]} ${String(value)}`;
}

/** A part of an `all` / `any`: a group of several parts gets parentheses; a group of one is just its part. */
function partText(part: Condition): string {
  const parts = 'all' in part ? part.all : 'any' in part ? part.any : undefined;
  if (parts === undefined) return conditionText(part);
  if (parts.length === 1) return partText(parts[0] as Condition);
  return `(${conditionText(part)})`;
}

/** The features table of docs/risk.md, in catalogue order. */
export function featureTableMarkdown(): string {
  const rows = Object.entries(FEATURES).map(([name, spec]) => row([`\`${name}\``, spec.type, spec.description]));
  return [row(['feature', 'type', 'meaning']), '|---|---|---|', ...rows].join('\n');
}

/** The rule table of docs/risk.md, in rule-set order. */
export function ruleTableMarkdown(ruleSet: RuleSet): string {
  const rows = ruleSet.rules.map((r) =>
    row([`\`${r.id}\``, conditionText(r.when), String(r.score), r.outcome ?? '-', r.showCustomer === true ? 'yes' : 'no']),
  );
  return [row(['id', 'when (features)', 'score', 'outcome', 'shown to customer']), '|---|---|---|---|---|', ...rows].join('\n');
}

function row(cells: readonly string[]): string {
  // A `|` inside a cell would end it; a line break would end the table.
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ')).join(' | ')} |`;
}

export interface RiskDocTables {
  readonly featureTable: string;
  readonly ruleTable: string;
  /** The rule set's version and rule count, named in the paragraph above the rule table. */
  readonly version: string;
  readonly ruleCount: number;
}

export interface RiskDocRewrite {
  readonly markdown: string;
  /** What differed, one line each; empty when the docs were up to date. */
  readonly changes: readonly string[];
}

const FEATURES_HEADING = '## Features';
const RULES_HEADING = '## The default rule set';
const VERSION_PHRASE = /version `([^`]*)`, (\d+) rules/;

/**
 * docs/risk.md with its generated parts replaced: each table (from its header line through the
 * last `|` line after it) and the "version `…`, N rules" phrase above the rule table. Everything
 * else is left as it was. Throws when a part is missing, rather than writing a table elsewhere.
 */
export function rewriteRiskDoc(markdown: string, tables: RiskDocTables): RiskDocRewrite {
  const lines = markdown.split('\n');
  const changes: string[] = [];

  replaceTable(lines, FEATURES_HEADING, tables.featureTable, 'features table', changes);
  replaceTable(lines, RULES_HEADING, tables.ruleTable, 'rule table', changes);

  const section = sectionRange(lines, RULES_HEADING);
  const tableAt = tableHeaderIndex(lines, section, headerOf(tables.ruleTable), RULES_HEADING);
  const phraseAt = lines.slice(section.start, tableAt).findIndex((l) => VERSION_PHRASE.test(l));
  if (phraseAt < 0) throw new Error(`docs: no "version \`…\`, N rules" phrase under "${RULES_HEADING}" above its table`);
  const at = section.start + phraseAt;
  const line = lines[at] as string;
  const wanted = `version \`${tables.version}\`, ${tables.ruleCount} rules`;
  const found = (VERSION_PHRASE.exec(line) as RegExpExecArray)[0];
  if (found !== wanted) {
    lines[at] = line.replace(VERSION_PHRASE, wanted);
    changes.push(`"${found}" → "${wanted}"`);
  }

  return { markdown: lines.join('\n'), changes };
}

function replaceTable(lines: string[], heading: string, table: string, name: string, changes: string[]): void {
  const section = sectionRange(lines, heading);
  const start = tableHeaderIndex(lines, section, headerOf(table), heading);
  let end = start;
  while (end + 1 < lines.length && (lines[end + 1] as string).startsWith('|')) end++;
  const old = lines.slice(start, end + 1);
  const wanted = table.split('\n');
  if (old.join('\n') === table) return;
  lines.splice(start, old.length, ...wanted);
  const oldRows = new Set(old.slice(2));
  const newRows = new Set(wanted.slice(2));
  const added = wanted.slice(2).filter((r) => !oldRows.has(r)).length;
  const removed = old.slice(2).filter((r) => !newRows.has(r)).length;
  changes.push(`${name}: ${old.length - 2} → ${wanted.length - 2} rows (${added} new or changed, ${removed} gone or changed${added === 0 && removed === 0 ? ', reordered' : ''})`);
}

function headerOf(table: string): string {
  return table.split('\n', 1)[0] as string;
}

/** Lines from a `## ` heading to the next one (or the end). */
function sectionRange(lines: readonly string[], heading: string): { start: number; end: number } {
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`docs: no "${heading}" heading`);
  const next = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return { start, end: next < 0 ? lines.length : next };
}

function tableHeaderIndex(lines: readonly string[], section: { start: number; end: number }, header: string, heading: string): number {
  const i = lines.slice(section.start, section.end).indexOf(header);
  if (i < 0) throw new Error(`docs: no table "${header}" under "${heading}"`);
  return section.start + i;
}
