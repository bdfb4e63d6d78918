// Property tests of the EMV codec (issue 3, "Must show": round trip and fuzzing). The decoder must
// never throw (only return its typed error), never hang, and never accept a payload whose CRC does
// not verify; whatever it accepts must re-encode to the very same payload. The million-payload run
// is `npm run bench -- qr-fuzz` (bench/qr-fuzz.ts); this file is the few-seconds version.

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  QR_ERROR_CODES,
  decodeEmv,
  encodeEmv,
  parseTlv,
  toEncodable,
  type EmvCode,
  type EmvDecodeResult,
  type EmvEncodable,
  type EmvObject,
} from '../../src/core/qr/index.js';

interface Vector {
  id: string;
  invalid: boolean;
  payload: string;
  crc_valid: boolean | null;
}
const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/emv-mpm.json');
const vectors = (JSON.parse(fs.readFileSync(file, 'utf8')) as { mpm: Vector[] }).mpm;
const payloads = vectors.map((v) => v.payload);

/** A single decode may take this long at most (generous: the decoder needs microseconds). */
const TIME_BOUND_MS = 100;
const MODES = [false, true] as const;
const CODES = new Set<string>(QR_ERROR_CODES);

// --- an oracle independent of src/core/qr/crc.ts: bitwise CRC-16/CCITT-FALSE over UTF-8 bytes ----

function referenceCrc(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** The payload with its CRC value (the last 4 characters) recomputed over everything before it. */
function withCrc(chars: readonly string[]): string {
  if (chars.length < 4) return chars.join('');
  const body = chars.slice(0, -4).join('');
  return body + referenceCrc(body);
}

const isTemplateId = (n: number) => (n >= 26 && n <= 51) || n === 62 || n === 64 || n >= 80;

// --- checks shared by every property ------------------------------------------------------------

/** Decodes without letting anything escape: a throw or a slow call fails the test with the input. */
function decodeChecked(payload: string, lenient: boolean): EmvDecodeResult {
  const started = performance.now();
  let result: EmvDecodeResult;
  try {
    result = decodeEmv(payload, { lenient });
  } catch (error) {
    throw new Error(`decodeEmv threw (${lenient ? 'lenient' : 'strict'}) on ${JSON.stringify(payload)}: ${String((error as Error).stack ?? error)}`);
  }
  const ms = performance.now() - started;
  const where = `(${lenient ? 'lenient' : 'strict'}) on ${JSON.stringify(payload)}`;
  if (ms > TIME_BOUND_MS) {
    // A hang repeats; a pause of the process (garbage collection, a busy machine) does not.
    let best = ms;
    for (let i = 0; i < 3 && best > TIME_BOUND_MS; i++) {
      const t0 = performance.now();
      decodeEmv(payload, { lenient });
      best = Math.min(best, performance.now() - t0);
    }
    if (best > TIME_BOUND_MS) throw new Error(`decodeEmv took ${ms.toFixed(1)} ms, and ${best.toFixed(1)} ms at best when timed again, ${where}`);
  }
  // Plain checks rather than expect(): this runs a few hundred thousand times per test run.
  if (result.ok) {
    if (result.code.format !== 'emv-mpm') throw new Error(`accepted without format ${where}`);
  } else {
    const e = result.error;
    const n = typeof payload === 'string' ? Array.from(payload).length : 0;
    const typed =
      CODES.has(e.code) &&
      typeof e.message === 'string' &&
      e.message.length > 0 &&
      (e.field === undefined || typeof e.field === 'string') &&
      (e.offset === undefined || (Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= n));
    if (!typed) throw new Error(`not a well-formed typed error ${where}: ${JSON.stringify(e)}`);
  }
  return result;
}

/** What must hold of any accepted payload: its CRC verifies, and its objects encode it back. */
function checkAccepted(payload: string, code: EmvCode, lenient: boolean): void {
  const chars = Array.from(payload);
  const body = chars.slice(0, -4).join('');
  const declared = chars.slice(-4).join('');
  const mode = lenient ? 'lenient' : 'strict';
  if (!body.endsWith('6304') || referenceCrc(body) !== declared.toUpperCase()) {
    throw new Error(`accepted a bad CRC (${mode}): ${JSON.stringify(payload)} (computed ${referenceCrc(body)})`);
  }
  const again = encodeEmv(toEncodable(code.objects));
  if (again !== body + declared.toUpperCase()) {
    throw new Error(`accepted payload does not re-encode (${mode}):\n  payload  ${JSON.stringify(payload)}\n  encoded  ${JSON.stringify(again)}`);
  }
}

/** Both modes; returns how many of the two accepted. */
function fuzzOne(payload: string): number {
  let accepted = 0;
  for (const lenient of MODES) {
    const r = decodeChecked(payload, lenient);
    if (r.ok) {
      checkAccepted(payload, r.code, lenient);
      accepted++;
    }
  }
  return accepted;
}

// --- generators of well-formed objects ------------------------------------------------------------

/** Value characters: printable ASCII, Latin, CJK (3 UTF-8 bytes) and emoji (astral, 4 bytes). */
const valueChar = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0x24f }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x4e00, max: 0x9fff }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x1f300, max: 0x1faff }) },
).map((cp) => String.fromCodePoint(cp));
const text = (minLength: number, maxLength: number) => fc.string({ unit: valueChar, minLength, maxLength });
const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
const twoDigits = (ids: fc.Arbitrary<number>) => ids.map((n) => String(n).padStart(2, '0'));

/** Children of a template whose encoding fits in 99 characters (5 x (4 + 15) = 95; a GUID of 36 and 3 more, 93). */
const children = (subIds: fc.Arbitrary<number>, minLength = 1) =>
  fc
    .uniqueArray(fc.record({ id: twoDigits(subIds), value: text(1, 15) }), { minLength, maxLength: 5, selector: (c) => c.id })
    .map((cs): EmvEncodable[] => cs);

// GUIDs that name a scheme other than Pix (whose extra rules the well-formed generator does not follow).
const GUIDS = ['org.saoma', 'SG.PAYNOW', 'A000000677010111', 'A000000615', 'A000000727', 'hk.com.hkicl', 'ph.ppmi.p2m', 'A000000524', 'D15600000000', 'ID.CO.QRIS.WWW', 'SG.SGQR', 'name@bank', 'com.example'];
const guid = fc.oneof(fc.constantFrom(...GUIDS), text(1, 32));
const withGuid = (kids: fc.Arbitrary<EmvEncodable[]>) =>
  fc.tuple(guid, kids).map(([g, cs]): EmvEncodable[] => [{ id: '00', value: g }, ...cs.filter((c) => c.id !== '00')].slice(0, 4));
const amount = fc
  .tuple(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 0, max: 99 }), fc.boolean())
  .map(([units, cents, decimals]) => (decimals ? `${units}.${String(cents).padStart(2, '0')}` : String(units)));

/** Codes every rule accepts strictly: mandatory fields with valid formats, in any order after 00. */
const validObjects: fc.Arbitrary<EmvEncodable[]> = fc
  .record({
    poi: fc.option(fc.constantFrom('11', '12')),
    accounts: fc.uniqueArray(
      fc.oneof(
        fc.record({ id: twoDigits(fc.integer({ min: 2, max: 25 })), value: text(1, 99) }),
        fc.record({ id: twoDigits(fc.integer({ min: 26, max: 51 })), children: withGuid(children(fc.integer({ min: 1, max: 99 }), 0)) }),
      ),
      { minLength: 1, maxLength: 3, selector: (o) => o.id },
    ),
    mcc: digits(4),
    currency: digits(3),
    amount: fc.option(amount),
    tip: fc.option(
      fc.oneof(
        fc.constant<EmvEncodable[]>([{ id: '55', value: '01' }]),
        amount.map((a): EmvEncodable[] => [{ id: '55', value: '02' }, { id: '56', value: a }]),
        fc.constantFrom('1', '5', '0.5', '12.25', '99.99').map((p): EmvEncodable[] => [{ id: '55', value: '03' }, { id: '57', value: p }]),
      ),
    ),
    country: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 2, maxLength: 2 }),
    name: text(1, 25),
    city: text(1, 15),
    postal: fc.option(text(1, 10)),
    additional: fc.option(
      fc
        .uniqueArray(fc.record({ id: twoDigits(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 10, max: 99 }))), value: text(1, 18) }), {
          minLength: 1,
          maxLength: 4,
          selector: (c) => c.id,
        })
        .map((cs): EmvEncodable[] => cs),
    ),
    language: fc.option(
      fc.tuple(text(2, 2), text(1, 25), fc.option(text(1, 15))).map(([lang, name, city]): EmvEncodable[] => [
        { id: '00', value: lang },
        { id: '01', value: name },
        ...(city === null ? [] : [{ id: '02', value: city }]),
      ]),
    ),
    unreserved: fc.uniqueArray(
      fc.record({ id: twoDigits(fc.integer({ min: 80, max: 99 })), children: withGuid(children(fc.integer({ min: 1, max: 99 }), 0)) }),
      { maxLength: 3, selector: (o) => o.id },
    ),
    order: fc.infiniteStream(fc.nat()),
  })
  .map((r) => {
    const rest: EmvEncodable[] = [
      ...(r.poi === null ? [] : [{ id: '01', value: r.poi }]),
      ...r.accounts,
      { id: '52', value: r.mcc },
      { id: '53', value: r.currency },
      ...(r.amount === null ? [] : [{ id: '54', value: r.amount }]),
      ...(r.tip ?? []),
      { id: '58', value: r.country },
      { id: '59', value: r.name },
      { id: '60', value: r.city },
      ...(r.postal === null ? [] : [{ id: '61', value: r.postal }]),
      ...(r.additional === null ? [] : [{ id: '62', children: r.additional }]),
      ...(r.language === null ? [] : [{ id: '64', children: r.language }]),
      ...r.unreserved,
    ];
    // Any order after 00 is valid (only 00 first and 63 last are fixed): a Fisher-Yates shuffle.
    const it = r.order[Symbol.iterator]();
    for (let i = rest.length - 1; i > 0; i--) {
      const j = (it.next().value as number) % (i + 1);
      [rest[i], rest[j]] = [rest[j]!, rest[i]!];
    }
    return [{ id: '00', value: '01' }, ...rest];
  });

/** Anything goes, within the encoder's limits: unique random IDs after 00, random values and templates. */
const randomObjects: fc.Arbitrary<EmvEncodable[]> = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: fc.constant('01') }, { weight: 1, arbitrary: text(1, 3) }),
    fc.uniqueArray(
      fc.integer({ min: 1, max: 99 }).filter((n) => n !== 63),
      { maxLength: 12 },
    ),
    fc.infiniteStream(fc.tuple(fc.boolean(), text(1, 99), children(fc.integer({ min: 0, max: 99 })))),
  )
  .map(([pfi, ids, stream]) => {
    const objects: EmvEncodable[] = [{ id: '00', value: pfi }];
    const it = stream[Symbol.iterator]();
    for (const n of ids) {
      const [asTemplate, value, kids] = it.next().value as [boolean, string, EmvEncodable[]];
      const id = String(n).padStart(2, '0');
      objects.push(isTemplateId(n) && asTemplate ? { id, children: kids } : { id, value });
    }
    return objects;
  });


/** A well-formed code with one object's value replaced by random text, or one random object added. */
const nearlyValidObjects: fc.Arbitrary<EmvEncodable[]> = fc
  .tuple(validObjects, fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 99 }).filter((n) => n !== 63), text(1, 99))
  .map(([objects, at, replace, id, value]) => {
    const out = objects.slice();
    const i = 1 + (at % (out.length - 1));
    if (replace) out[i] = { id: out[i]!.id, value };
    else if (!out.some((o) => o.id === String(id).padStart(2, '0'))) out.splice(i, 0, { id: String(id).padStart(2, '0'), value });
    return out;
  });

const anyObjects = fc.oneof(randomObjects, nearlyValidObjects);

/** The shape of decoded objects, to compare with what was encoded. */
function shape(objects: readonly EmvObject[], root = true): unknown[] {
  return objects
    .filter((o) => !(root && o.id === '63'))
    .map((o) => (o.children ? { id: o.id, children: shape(o.children, false) } : { id: o.id, value: o.value }));
}

describe('EMV round trip', () => {
  it('anything encodable: decodes (either mode) or refuses with a typed error; accepted codes re-encode exactly', () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyObjects, (objects) => {
        accepted += fuzzOne(encodeEmv(objects));
      }),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('well-formed codes (CJK, emoji, templates, any order after 00): accepted strictly, same objects, same payload', () => {
    fc.assert(
      fc.property(validObjects, (objects) => {
        const payload = encodeEmv(objects);
        for (const lenient of MODES) {
          const r = decodeChecked(payload, lenient);
          if (!r.ok) throw new Error(`refused (${lenient ? 'lenient' : 'strict'}) ${JSON.stringify(r.error)}: ${JSON.stringify(payload)}`);
          expect(shape(r.code.objects)).toEqual(objects);
          expect(r.code.warnings.filter((w) => w.code !== 'QR_PAYLOAD_LONG')).toEqual([]);
          checkAccepted(payload, r.code, lenient);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('a template child with sub-ID 63 survives decode -> toEncodable -> encode', () => {
    // Only the root's 63 is the CRC; a sub-ID 63 inside a template is ordinary data.
    const payload = encodeEmv([
      { id: '00', value: '01' },
      { id: '26', children: [{ id: '00', value: 'com.example' }, { id: '63', value: 'X' }] },
      { id: '52', value: '0000' },
      { id: '53', value: '986' },
      { id: '58', value: 'BR' },
      { id: '59', value: 'A' },
      { id: '60', value: 'B' },
    ]);
    const r = decodeEmv(payload);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(encodeEmv(toEncodable(r.code.objects))).toBe(payload);
  });

  const decodable = vectors.filter((v) => decodeEmv(v.payload, { lenient: true }).ok);
  it('decodes the 22 valid vectors (lenient), so the round trips below cover them', () => {
    expect(decodable.map((v) => v.id)).toEqual(vectors.filter((v) => !v.invalid).map((v) => v.id));
  });

  for (const v of decodable) {
    it(`vector ${v.id}: decode -> encode gives the payload; decode(encode(decode(x))) = decode(x)`, () => {
      const upper = (p: string) => p.slice(0, -4) + p.slice(-4).toUpperCase();
      const first = decodeEmv(v.payload, { lenient: true });
      if (!first.ok) throw new Error(JSON.stringify(first.error));
      const encoded = encodeEmv(toEncodable(first.code.objects));
      expect(encoded).toBe(upper(v.payload));
      const second = decodeEmv(encoded, { lenient: true });
      if (!second.ok) throw new Error(JSON.stringify(second.error));
      // The CRC is emitted uppercase: a lowercase original differs only in field 63 and that warning.
      const normal = (c: EmvCode) => ({
        ...c,
        fields: { ...c.fields, '63': String(c.fields['63']).toUpperCase() },
        objects: c.objects.map((o) => (o.id === '63' ? { ...o, value: o.value.toUpperCase() } : o)),
        warnings: c.warnings.filter((w) => w.code !== 'QR_CRC_LOWERCASE'),
      });
      expect(normal(second.code)).toEqual(normal(first.code));
      if (v.payload === upper(v.payload)) expect(second).toEqual(first);
      const strict = decodeEmv(v.payload);
      if (strict.ok) expect(decodeEmv(encodeEmv(toEncodable(strict.code.objects)))).toEqual(decodeEmv(upper(v.payload)));
    });
  }

  // Refused for their content but with a CRC that verifies: the TLV structure still round-trips.
  for (const v of vectors.filter((x) => x.crc_valid === true && !decodeEmv(x.payload, { lenient: true }).ok)) {
    it(`vector ${v.id} (refused, CRC valid): its TLV structure encodes back to the payload`, () => {
      const root = parseTlv(v.payload, 0, '');
      if (!root.ok) throw new Error(JSON.stringify(root.issue));
      const objects = root.objects.map((o): EmvEncodable => {
        const inner = isTemplateId(Number(o.id)) ? parseTlv(o.value, 0, o.id) : undefined;
        return inner?.ok ? { id: o.id, children: inner.objects.map((c) => ({ id: c.id, value: c.value })) } : { id: o.id, value: o.value };
      });
      expect(encodeEmv(objects)).toBe(v.payload.slice(0, -4) + v.payload.slice(-4).toUpperCase());
    });
  }
});

// --- mutations of real payloads ----------------------------------------------------------------------

/** One TLV object found by a tolerant walk (as far as the structure holds), in code points. */
interface Span {
  readonly start: number;
  readonly end: number;
  readonly depth: number;
}

function spansOf(chars: readonly string[]): Span[] {
  const out: Span[] = [];
  const walk = (from: number, to: number, depth: number) => {
    let p = from;
    while (p + 4 <= to) {
      const id = chars.slice(p, p + 2).join('');
      const len = chars.slice(p + 2, p + 4).join('');
      if (!/^\d\d$/.test(id) || !/^\d\d$/.test(len)) return;
      const end = p + 4 + Number(len);
      if (end > to) return;
      out.push({ start: p, end, depth });
      if (depth === 0 && isTemplateId(Number(id))) walk(p + 4, end, 1);
      p = end;
    }
  };
  walk(0, chars.length, 0);
  return out;
}

type Mutation =
  | { kind: 'replace'; at: number; ch: string }
  | { kind: 'insert'; at: number; ch: string }
  | { kind: 'delete'; at: number }
  | { kind: 'swap'; at: number; other: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; field: number }
  | { kind: 'length'; field: number; second: boolean; digit: number }
  | { kind: 'unit'; at: number; unit: number | null }
  | { kind: 'splice'; from: number; field: number; at: number };

/** Replacement characters: digits and ASCII (to keep structure plausible), multi-byte ones, controls, oddities. */
const mutationChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...'0123456789') },
  { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: valueChar },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\u007f', '\u0085', '\u00a0', '\u00e9', 'e\u0301', '\u2028', '\ufeff', '\ufffd', '\ud800', '\udfff', 'a', 'f', 'A', 'F') },
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), ch: mutationChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), ch: mutationChar }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), field: fc.nat() }),
  fc.record({ kind: fc.constant('length' as const), field: fc.nat(), second: fc.boolean(), digit: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('unit' as const), at: fc.nat(), unit: fc.option(fc.integer({ min: 0, max: 0xffff })) }),
  fc.record({ kind: fc.constant('splice' as const), from: fc.nat(), field: fc.nat(), at: fc.nat() }),
);

function mutate(chars: string[], m: Mutation): string[] {
  const n = chars.length;
  const out = chars.slice();
  switch (m.kind) {
    case 'replace':
      if (n > 0) out[m.at % n] = m.ch;
      return out;
    case 'insert':
      out.splice(m.at % (n + 1), 0, m.ch);
      return out;
    case 'delete':
      if (n > 0) out.splice(m.at % n, 1);
      return out;
    case 'swap':
      if (n > 0) [out[m.at % n], out[m.other % n]] = [out[m.other % n]!, out[m.at % n]!];
      return out;
    case 'truncate':
      return out.slice(0, m.at % (n + 1));
    case 'duplicate': {
      const spans = spansOf(chars);
      const s = spans[m.field % Math.max(1, spans.length)];
      if (s) out.splice(s.end, 0, ...chars.slice(s.start, s.end));
      return out;
    }
    case 'length': {
      const spans = spansOf(chars);
      const s = spans[m.field % Math.max(1, spans.length)];
      if (s) out[s.start + 2 + (m.second ? 1 : 0)] = String(m.digit);
      return out;
    }
    case 'unit': {
      // UTF-16 code units: can split a surrogate pair and leave a lone surrogate behind.
      const s = chars.join('');
      if (s.length === 0) return out;
      const i = m.at % s.length;
      return Array.from(s.slice(0, i) + (m.unit === null ? '' : String.fromCharCode(m.unit)) + s.slice(i + 1));
    }
    case 'splice': {
      const donor = Array.from(payloads[m.from % payloads.length]!);
      const spans = spansOf(donor);
      const s = spans[m.field % Math.max(1, spans.length)];
      const here = spansOf(chars);
      const at = here.length === 0 ? 0 : here[m.at % here.length]!.start;
      if (s) out.splice(at, 0, ...donor.slice(s.start, s.end));
      return out;
    }
  }
}

const mutated = fc
  .record({ base: fc.nat({ max: payloads.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }), recompute: fc.boolean() })
  .map(({ base, mutations, recompute }) => {
    const chars = mutations.reduce(mutate, Array.from(payloads[base]!));
    return { payload: recompute ? withCrc(chars) : chars.join(''), recompute };
  });

describe('EMV decoder under mutation', () => {
  it('mutated real payloads: never throws, never accepts a bad CRC, accepted ones re-encode exactly', () => {
    const accepted = { raw: 0, recomputed: 0 };
    fc.assert(
      fc.property(mutated, ({ payload, recompute }) => {
        const n = fuzzOne(payload);
        if (recompute) accepted.recomputed += n;
        else accepted.raw += n;
      }),
      { numRuns: 6000 },
    );
    // Recomputing the CRC gets many mutations past the integrity check into the field rules.
    expect(accepted.recomputed).toBeGreaterThan(100);
  });

  it('every single-character deletion and digit substitution of every real payload, with and without CRC fix', () => {
    for (const p of payloads) {
      const chars = Array.from(p);
      for (let i = 0; i < chars.length; i++) {
        const deleted = chars.slice(0, i).concat(chars.slice(i + 1));
        fuzzOne(deleted.join(''));
        fuzzOne(withCrc(deleted));
        const digit = chars.slice();
        digit[i] = chars[i] === '9' ? '0' : '9';
        fuzzOne(digit.join(''));
        fuzzOne(withCrc(digit));
      }
    }
  });

  it('one changed ASCII character with the original CRC is always refused with QR_CRC_MISMATCH', () => {
    // CRC-16 detects every burst of up to 16 bits, so a single changed byte can never slip through.
    const accepted = vectors.filter((v) => decodeEmv(v.payload, { lenient: true }).ok).map((v) => v.payload);
    fc.assert(
      fc.property(fc.nat({ max: accepted.length - 1 }), fc.nat(), fc.integer({ min: 0x20, max: 0x7e }), (base, at, code) => {
        const chars = Array.from(accepted[base]!);
        const i = at % (chars.length - 8); // before the CRC trailer
        const ch = String.fromCharCode(code);
        fc.pre(chars[i]!.length === 1 && chars[i]! < '\u0080' && chars[i] !== ch);
        chars[i] = ch;
        for (const lenient of MODES) {
          const r = decodeChecked(chars.join(''), lenient);
          expect(r.ok ? 'accepted' : r.error.code).toBe('QR_CRC_MISMATCH');
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// --- arbitrary strings ---------------------------------------------------------------------------------

describe('EMV decoder on arbitrary input', () => {
  const property = (arb: fc.Arbitrary<string>, numRuns: number) =>
    fc.assert(
      fc.property(arb, (s) => {
        fuzzOne(s);
        fuzzOne(withCrc(Array.from(s)));
      }),
      { numRuns },
    );

  it('ASCII strings (fc.string)', () => property(fc.string({ maxLength: 300 }), 1000));
  it('full Unicode strings (unit "binary", the former fc.fullUnicodeString)', () => property(fc.string({ unit: 'binary', maxLength: 300 }), 1000));
  it('UTF-16 code units, lone surrogates included', () =>
    property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 300 }), 1000));
  it('digit soup ending in 6304 and a valid CRC (deep into the TLV rules)', () =>
    property(
      fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 300 }).map((s) => withCrc(Array.from(`${s}63040000`))),
      2000,
    ));
  it('very long strings (up to 10,000 characters) return within the time bound', () =>
    property(fc.string({ unit: fc.oneof(fc.constantFrom(...'0123456789'), valueChar), minLength: 3000, maxLength: 10_000 }), 60));
  it('exactly at and around the 4096-character read limit', () => {
    for (const n of [4088, 4095, 4096, 4097, 10_000]) {
      const body = '0'.repeat(n - 8);
      fuzzOne(withCrc(Array.from(`${body}63040000`)));
      fuzzOne(withCrc(Array.from(`${'\u{1F600}'.repeat(n - 8)}63040000`)));
    }
  });
  it('anything at all (non-strings from JavaScript callers): a typed error, never a throw', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        for (const lenient of MODES) {
          const r = decodeChecked(value as string, lenient);
          if (typeof value !== 'string') expect(r.ok).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
