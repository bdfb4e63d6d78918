// `npm run bench -- qr-fuzz`: a seeded, deterministic mutation fuzzer of the EMV decoder over the
// real payloads of test/fixtures/emv-mpm.json (issue 3, "Must show": at least a million mutated
// real payloads). Each mutated payload is decoded in both modes; every other one has its CRC
// recomputed after the mutation, so that it gets past the integrity check into the structure and
// field rules. The decoder must never throw, never hang, never accept a CRC that does not verify,
// and whatever it accepts must encode back to the same payload. The few-seconds version of the same
// properties is test/qr/emv-fuzz.test.ts.

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { decodeEmv, encodeEmv, toEncodable, type EmvDecodeResult } from '../src/core/qr/index.js';
import { BenchOptions, emit, log, round } from './lib.js';
import { Sfc32 } from './random.js';

export const QR_FUZZ_USAGE = `npm run bench -- qr-fuzz [--option value ...]

Seeded mutation fuzzer of the EMV decoder over the real payloads of test/fixtures/emv-mpm.json.
Each mutated payload is decoded strictly and leniently; every other one gets its CRC recomputed
after the mutation. Prints one JSON line; exits 1 when a decode threw, accepted a CRC that does not
verify, accepted a payload its objects do not encode back to, or took longer than --max-ms (a
decode over it is timed three more times: a hang repeats, a pause of the process does not).

Options (each also read from BENCH_<OPTION>, e.g. BENCH_COUNT=10000):
  --count N    mutated payloads, each decoded in both modes    (default 1000000)
  --seed N     PRNG seed, 0 to 4294967295: same seed, same run (default 1)
  --max-ms F   longest single decode allowed (hang guard)      (default 50)`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/emv-mpm.json');
/** Failing inputs printed on stderr, per kind of failure. */
const EXAMPLES_MAX = 5;

// --- deterministic randomness: sfc32 --------------------------------------------------------------

class Random extends Sfc32 {
  /** 0 <= n < bound. */
  int(bound: number): number {
    return bound <= 0 ? 0 : Math.floor((this.next() / 4294967296) * bound);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

// --- an oracle independent of src/core/qr/crc.ts ----------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** CRC-16/CCITT-FALSE of the UTF-8 bytes of `text`, 4 uppercase hex digits. */
function referenceCrc(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** The payload with its last 4 characters replaced by the CRC of everything before them. */
function withCrc(chars: readonly string[]): string {
  if (chars.length < 4) return chars.join('');
  const body = chars.slice(0, -4).join('');
  return body + referenceCrc(body);
}

// --- mutations ---------------------------------------------------------------------------------------

const isTemplateId = (n: number) => (n >= 26 && n <= 51) || n === 62 || n === 64 || n >= 80;
const isDigit = (c: string | undefined) => c !== undefined && c.length === 1 && c >= '0' && c <= '9';

/** TLV objects found by a tolerant walk (as far as the structure holds), root and one level deep. */
interface Span {
  readonly start: number;
  readonly end: number;
}

function spansOf(chars: readonly string[]): Span[] {
  const out: Span[] = [];
  const walk = (from: number, to: number, nested: boolean) => {
    let p = from;
    while (p + 4 <= to) {
      if (!isDigit(chars[p]) || !isDigit(chars[p + 1]) || !isDigit(chars[p + 2]) || !isDigit(chars[p + 3])) return;
      const end = p + 4 + Number(chars[p + 2]! + chars[p + 3]!);
      if (end > to) return;
      out.push({ start: p, end });
      if (!nested && isTemplateId(Number(chars[p]! + chars[p + 1]!))) walk(p + 4, end, true);
      p = end;
    }
  };
  walk(0, chars.length, false);
  return out;
}

const ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const CONTROLS = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).concat('\u007f');
// Characters real decoders and attackers produce: C1 control, NBSP, accents (precomposed and
// combining), separators, BOM, replacement character, lone surrogates, hex letters of both cases.
const ODDITIES = ['\u0085', '\u00a0', '\u00e9', 'e\u0301', '\u2028', '\u200b', '\ufeff', '\ufffd', '\ud800', '\udbff', '\udc00', '\udfff', 'a', 'f', 'A', 'F', 'x', '.', ' '];

function randomChar(rng: Random): string {
  const r = rng.int(100);
  if (r < 35) return String.fromCharCode(0x30 + rng.int(10));
  if (r < 65) return rng.pick(ASCII);
  if (r < 72) return String.fromCodePoint(0xa0 + rng.int(0x250 - 0xa0)); // Latin: 2 UTF-8 bytes
  if (r < 79) return String.fromCodePoint(0x4e00 + rng.int(0x9fff - 0x4e00)); // CJK: 3 bytes
  if (r < 85) return String.fromCodePoint(0x1f300 + rng.int(0x1faff - 0x1f300)); // emoji: 4 bytes
  if (r < 90) return rng.pick(CONTROLS);
  return rng.pick(ODDITIES);
}

const MUTATIONS = ['replace', 'insert', 'delete', 'swap', 'truncate', 'duplicate', 'length', 'unit', 'splice', 'case'] as const;
type MutationKind = (typeof MUTATIONS)[number];
const WEIGHTS: Readonly<Record<MutationKind, number>> = {
  replace: 22, insert: 12, delete: 12, swap: 8, truncate: 4, duplicate: 9, length: 12, unit: 7, splice: 8, case: 6,
};
const WHEEL: MutationKind[] = MUTATIONS.flatMap((kind) => Array<MutationKind>(WEIGHTS[kind]).fill(kind));

interface Donor {
  readonly chars: readonly string[];
  readonly spans: readonly Span[];
}

function mutate(chars: string[], kind: MutationKind, rng: Random, donors: readonly Donor[]): string[] {
  const n = chars.length;
  switch (kind) {
    case 'replace':
      if (n > 0) chars[rng.int(n)] = randomChar(rng);
      return chars;
    case 'insert':
      chars.splice(rng.int(n + 1), 0, randomChar(rng));
      return chars;
    case 'delete':
      if (n > 0) chars.splice(rng.int(n), 1);
      return chars;
    case 'swap': {
      if (n < 2) return chars;
      // Mostly neighbours (transpositions), sometimes anywhere.
      const i = rng.int(n);
      const j = rng.int(2) === 0 ? Math.min(n - 1, i + 1) : rng.int(n);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
      return chars;
    }
    case 'truncate':
      return chars.slice(0, rng.int(n + 1));
    case 'duplicate': {
      const spans = spansOf(chars);
      if (spans.length === 0) return chars;
      const s = rng.pick(spans);
      chars.splice(rng.int(2) === 0 ? s.end : s.start, 0, ...chars.slice(s.start, s.end));
      return chars;
    }
    case 'length': {
      const spans = spansOf(chars);
      if (spans.length === 0) return chars;
      const s = rng.pick(spans);
      const at = s.start + 2 + rng.int(2);
      // Mostly one off (the classic miscount), sometimes any digit.
      const digit = Number(chars[at]);
      chars[at] = String(rng.int(3) === 0 ? rng.int(10) : (digit + (rng.int(2) === 0 ? 1 : 9)) % 10);
      return chars;
    }
    case 'unit': {
      // UTF-16 code units: replacing or deleting one can split a surrogate pair.
      const text = chars.join('');
      if (text.length === 0) return chars;
      const i = rng.int(text.length);
      const unit = rng.int(3) === 0 ? '' : String.fromCharCode(rng.int(4) === 0 ? 0xd800 + rng.int(0x800) : rng.int(0x10000));
      return Array.from(text.slice(0, i) + unit + text.slice(i + 1));
    }
    case 'splice': {
      // A field (or sub-field) of another real payload, inserted at an object boundary of this one.
      const donor = rng.pick(donors);
      if (donor.spans.length === 0) return chars;
      const s = rng.pick(donor.spans);
      const here = spansOf(chars);
      const at = here.length === 0 ? rng.int(n + 1) : rng.pick(here).start;
      chars.splice(at, 0, ...donor.chars.slice(s.start, s.end));
      return chars;
    }
    case 'case': {
      const letters: number[] = [];
      for (let i = 0; i < n; i++) if (/^[A-Za-z]$/.test(chars[i]!)) letters.push(i);
      if (letters.length === 0) return chars;
      // The CRC's hex digits half of the time: lowercase is a lenient deviation, not a mismatch.
      const tail = letters.filter((i) => i >= n - 4);
      const i = tail.length > 0 && rng.int(2) === 0 ? rng.pick(tail) : rng.pick(letters);
      const c = chars[i]!;
      chars[i] = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
      return chars;
    }
  }
}

function mutationCount(rng: Random): number {
  const r = rng.int(100);
  return r < 60 ? 1 : r < 85 ? 2 : 3;
}

// --- the run ---------------------------------------------------------------------------------------

/** The best of three timed decodes, in milliseconds. */
function retime(payload: string, lenient: boolean): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    try {
      decodeEmv(payload, { lenient });
    } catch {
      // Counted by the caller already.
    }
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

interface Fixture {
  readonly id: string;
  readonly payload: string;
}

export async function qrFuzzBench(args: readonly string[]): Promise<number> {
  const options = new BenchOptions(args);
  const count = options.number('count', 1_000_000, { min: 1, integer: true });
  const seed = options.number('seed', 1, { min: 0, max: 0xffffffff, integer: true });
  const maxMs = options.number('max-ms', 50, { min: 0 });
  options.assertAllUsed(['count', 'seed', 'max-ms']);

  const fixtures = (JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as { mpm: Fixture[] }).mpm;
  const donors: Donor[] = fixtures.map((f) => {
    const chars = Array.from(f.payload);
    return { chars, spans: spansOf(chars) };
  });
  log(`qr-fuzz: ${count} mutated payloads of ${fixtures.length} real ones, both modes, seed ${seed}`);

  const rng = new Random(seed);
  const rejectedByCode: Record<string, number> = {};
  const examples: Record<string, string[]> = {};
  const example = (kind: string, text: string) => {
    const list = (examples[kind] ??= []);
    if (list.length < EXAMPLES_MAX) {
      list.push(text);
      log(`${kind}: ${text}`);
    }
  };
  let accepted = 0;
  let acceptedRecomputed = 0;
  let acceptedStrict = 0;
  let acceptedLoneSurrogate = 0;
  let threw = 0;
  let badCrcAccepted = 0;
  let roundTripMismatch = 0;
  let overMaxMs = 0;
  let hangs = 0;
  let maxDecodeMs = 0;
  let decodeMs = 0;

  const progressEvery = Math.max(1, Math.floor(count / 10));
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const base = rng.int(donors.length);
    let chars = donors[base]!.chars.slice();
    for (let k = mutationCount(rng); k > 0; k--) chars = mutate(chars, rng.pick(WHEEL), rng, donors);
    const recompute = (i & 1) === 1;
    const payload = recompute ? withCrc(chars) : chars.join('');

    for (const lenient of [false, true]) {
      const mode = lenient ? 'lenient' : 'strict';
      let result: EmvDecodeResult | undefined;
      const t0 = performance.now();
      try {
        result = decodeEmv(payload, { lenient });
      } catch (error) {
        threw++;
        example('threw', `${mode} ${JSON.stringify(payload)}: ${String((error as Error).stack ?? error)}`);
      }
      const ms = performance.now() - t0;
      decodeMs += ms;
      if (ms > maxDecodeMs) maxDecodeMs = ms;
      if (ms > maxMs) {
        // A hang is a property of the input and happens again; a pause of the process (garbage
        // collection, another process on the CPU) does not. Three more tries tell them apart.
        overMaxMs++;
        const again = retime(payload, lenient);
        if (again > maxMs) {
          hangs++;
          example('hang', `${mode} ${round(ms, 3)} ms, then ${round(again, 3)} ms at best: ${JSON.stringify(payload)}`);
        } else {
          log(`${mode} decode took ${round(ms, 3)} ms once, ${round(again, 3)} ms when timed again: a pause, not a hang`);
        }
      }
      if (result === undefined) continue;
      if (!result.ok) {
        rejectedByCode[result.error.code] = (rejectedByCode[result.error.code] ?? 0) + 1;
        continue;
      }

      accepted++;
      if (recompute) acceptedRecomputed++;
      if (!lenient) acceptedStrict++;
      const all = Array.from(payload);
      const body = all.slice(0, -4).join('');
      const declared = all.slice(-4).join('');
      if (!body.endsWith('6304') || referenceCrc(body) !== declared.toUpperCase()) {
        badCrcAccepted++;
        example('bad_crc_accepted', `${mode} ${JSON.stringify(payload)} (CRC of the UTF-8 bytes: ${referenceCrc(body)})`);
      }
      let again: string;
      try {
        again = encodeEmv(toEncodable(result.code.objects));
      } catch (error) {
        again = `encodeEmv threw: ${(error as Error).message}`;
      }
      if (again !== body + declared.toUpperCase()) {
        roundTripMismatch++;
        example('roundtrip_mismatch', `${mode} ${JSON.stringify(payload)} re-encodes as ${JSON.stringify(again)}`);
      }
      // Not a failure, a finding: strings that are not well-formed UTF-16 have no exact UTF-8 bytes.
      if (/\p{Cs}/u.test(payload)) acceptedLoneSurrogate++;
    }
    if ((i + 1) % progressEvery === 0) {
      log(`${i + 1} payloads, ${round((performance.now() - started) / 1000, 1)} s, accepted ${accepted}, threw ${threw}, bad CRC accepted ${badCrcAccepted}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;

  const failed = threw > 0 || badCrcAccepted > 0 || roundTripMismatch > 0 || hangs > 0;
  emit({
    bench: 'qr-fuzz',
    payloads: count,
    decodes: count * 2,
    seconds: round(seconds, 2),
    per_s: Math.round(count / seconds),
    decodes_per_s: Math.round((count * 2) / (decodeMs / 1000)),
    accepted,
    accepted_strict: acceptedStrict,
    accepted_with_recomputed_crc: acceptedRecomputed,
    accepted_lone_surrogate: acceptedLoneSurrogate,
    rejected_by_code: Object.fromEntries(Object.entries(rejectedByCode).sort(([a], [b]) => a.localeCompare(b))),
    threw,
    bad_crc_accepted: badCrcAccepted,
    roundtrip_mismatch: roundTripMismatch,
    max_ms: round(maxDecodeMs, 3),
    over_max_ms: overMaxMs,
    hangs,
    seed,
    ok: !failed,
  });
  if (failed) log(`qr-fuzz FAILED: threw ${threw}, bad CRC accepted ${badCrcAccepted}, round-trip mismatches ${roundTripMismatch}, decodes over ${maxMs} ms on every try ${hangs}`);
  return failed ? 1 : 0;
}
