import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { ACCOUNT_RESULTS, TRANSFER_RESULTS } from '../../src/core/ledger/index.js';
import { PAYMENT_CODE_RESULT_CODES, QR_ERROR_CODES } from '../../src/core/qr/index.js';

// docs/errors.md and the code's catalogues must list the same codes (DESIGN.md §8 rule 6):
// adding a code without documenting it, or documenting a removed one, fails here.

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/errors.md');

interface Section {
  readonly heading: string;
  readonly lines: string[];
}

/** Splits the page at its level-2 and level-3 headings. */
function sections(markdown: string): Section[] {
  const out: Section[] = [];
  let current: Section = { heading: '', lines: [] };
  for (const line of markdown.split('\n')) {
    const heading = /^#{2,3}\s+(.*)$/.exec(line);
    if (heading) {
      out.push(current);
      current = { heading: heading[1]!.trim(), lines: [] };
    } else {
      current.lines.push(line);
    }
  }
  out.push(current);
  return out;
}

function section(all: Section[], heading: string): Section {
  const found = all.filter((s) => s.heading.toLowerCase() === heading.toLowerCase());
  expect(found, `docs/errors.md has exactly one section "${heading}"`).toHaveLength(1);
  return found[0]!;
}

/** Table rows whose first cell is a code in backticks: the cells, code first (without backticks). */
function codeRows(s: Section): string[][] {
  return s.lines
    .filter((line) => /^\|\s*`[^`]+`\s*\|/.test(line))
    .map((line) =>
      line
        .replace(/^\|/, '')
        .replace(/\|\s*$/, '')
        .split('|')
        .map((cell) => cell.trim().replace(/^`(.*)`$/, '$1')),
    );
}

function duplicates(codes: readonly string[]): string[] {
  return codes.filter((c, i) => codes.indexOf(c) !== i);
}

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

describe('docs/errors.md', () => {
  const all = sections(fs.readFileSync(DOC, 'utf8'));
  const httpRows = codeRows(section(all, 'HTTP error codes'));
  const transferRows = codeRows(section(all, 'Transfer results'));
  const accountRows = codeRows(section(all, 'Account results'));
  const qrRows = codeRows(section(all, 'QR codec errors and warnings'));
  const paymentCodeRows = codeRows(section(all, 'Payment code results'));

  it('documents exactly the QR codec codes and the payment code results, each once with a meaning', () => {
    for (const [rows, codes] of [[qrRows, QR_ERROR_CODES], [paymentCodeRows, PAYMENT_CODE_RESULT_CODES]] as const) {
      const documented = rows.map((r) => r[0]!);
      expect(duplicates(documented)).toEqual([]);
      expect(sorted(documented)).toEqual(sorted(codes));
      for (const row of rows) expect(row[1]?.length ?? 0, `meaning of ${row[0]}`).toBeGreaterThan(0);
    }
  });

  it('documents exactly the HTTP error codes of ERROR_CODES, each once', () => {
    const documented = httpRows.map((r) => r[0]!);
    expect(duplicates(documented)).toEqual([]);
    expect(sorted(documented)).toEqual(sorted(Object.keys(ERROR_CODES)));
  });

  it('gives each HTTP error code the status and type the code gives it', () => {
    for (const [code, status, type] of httpRows) {
      const def = ERROR_CODES[code as keyof typeof ERROR_CODES];
      expect(def, `${code} is in ERROR_CODES`).toBeDefined();
      expect(Number(status), `HTTP status of ${code}`).toBe(def.httpStatus);
      expect(type, `type of ${code}`).toBe(def.type);
    }
  });

  it('documents exactly the transfer results of TRANSFER_RESULTS, each once', () => {
    const documented = transferRows.map((r) => r[0]!);
    expect(duplicates(documented)).toEqual([]);
    expect(sorted(documented)).toEqual(sorted(TRANSFER_RESULTS));
  });

  it('documents exactly the account results of ACCOUNT_RESULTS, each once', () => {
    const documented = accountRows.map((r) => r[0]!);
    expect(duplicates(documented)).toEqual([]);
    expect(sorted(documented)).toEqual(sorted(ACCOUNT_RESULTS));
  });

  it('documents exactly TRANSFER_RESULTS ∪ ACCOUNT_RESULTS as ledger result codes, each with a meaning', () => {
    const rows = [...transferRows, ...accountRows];
    expect(sorted(rows.map((r) => r[0]!))).toEqual(sorted([...TRANSFER_RESULTS, ...ACCOUNT_RESULTS]));
    for (const row of rows) expect(row[1]?.length ?? 0, `meaning of ${row[0]}`).toBeGreaterThan(0);
  });

  it('puts no code-like row outside the five tables', () => {
    const known = new Set(['HTTP error codes', 'Transfer results', 'Account results', 'QR codec errors and warnings', 'Payment code results']);
    const stray = all.filter((s) => !known.has(s.heading)).flatMap((s) => codeRows(s).map((r) => `${s.heading}: ${r[0]}`));
    expect(stray).toEqual([]);
  });
});
