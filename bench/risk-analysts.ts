// Risk analysts working the review queue, for the risk bench (issue 6: "decisions feed back as
// labels"). Every held payment is decided some minutes later. A fraud is recognised with some
// probability, and then the investigation finds what the traffic says is the fraudster's (the
// collector, the mule, the thief's phone, the sticker); otherwise the analyst posts it and the
// money moves. A legitimate payment is posted and the pair trusted, or now and then taken for fraud,
// which flags its payee. Someone refused because of a label may appeal (a stall's customer, or a
// scam victim who still believes the caller); the analyst looks again and withdraws the label
// unless they see fraud. The rates are drawn once per run from the ranges below, which describe a
// busy human queue; nothing here reads the rules (only which of a refusal's hits came from a label).

import type { RiskEvent } from '../src/core/risk/types.js';
import { Random, type TrafficItem } from './risk-traffic.js';

type Range = readonly [number, number];

export const ANALYST_RANGES = {
  /** Waiting in the queue plus the investigation (a call to the payer, a look at the payee). */
  minutesToDecide: [5, 240] as Range,
  /** Held frauds the analyst recognises as fraud. */
  fraudRecognised: [0.8, 0.95] as Range,
  /** Held legitimate payments the analyst takes for fraud. */
  legitimateTakenForFraud: [0.01, 0.05] as Range,
  /** People refused because of a label who complain (the refusal tells them why). */
  appealShare: [0.2, 0.6] as Range,
};

type Payment = Extract<TrafficItem, { kind: 'payment' }>;

interface Pending {
  readonly dueMs: number;
  readonly event: RiskEvent;
  /** Called when the analyst posts a held payment: its money moves after all. */
  readonly onPosted: (() => void) | undefined;
}

export class Analysts {
  private readonly rng: Random;
  private readonly fraudRecognised: number;
  private readonly legitimateTakenForFraud: number;
  private readonly appealShare: number;
  /** Sorted by due time, soonest last (so that taking the due ones is a pop). */
  private readonly queue: Pending[] = [];
  decided = 0;

  constructor(seed: number) {
    this.rng = new Random((seed ^ 0x5eed_a11) >>> 0);
    this.fraudRecognised = this.rng.range(ANALYST_RANGES.fraudRecognised);
    this.legitimateTakenForFraud = this.rng.range(ANALYST_RANGES.legitimateTakenForFraud);
    this.appealShare = this.rng.range(ANALYST_RANGES.appealShare);
  }

  get rates(): { fraud_recognised: number; legitimate_taken_for_fraud: number; appeal_share: number } {
    return { fraud_recognised: this.fraudRecognised, legitimate_taken_for_fraud: this.legitimateTakenForFraud, appeal_share: this.appealShare };
  }

  /** A payment refused because of a label: its payer may appeal; the analyst upholds the label, or withdraws it. */
  refusedByLabel(item: Payment): void {
    if (!this.rng.chance(this.appealShare)) return;
    const dueMs = item.atMs + this.rng.logUniform(ANALYST_RANGES.minutesToDecide[0], ANALYST_RANGES.minutesToDecide[1]) * 60_000;
    const fraud = item.label !== 'legitimate';
    const upheld = this.rng.chance(fraud ? this.fraudRecognised : this.legitimateTakenForFraud);
    if (upheld) return;
    const p = item.payment;
    this.enqueue({ dueMs, event: { type: 'label', verdict: 'legitimate', payerId: p.payerId, payeeId: p.payeeId, atMs: dueMs }, onPosted: undefined });
  }

  /** A payment the engine held: the analyst will decide it. `onPosted` runs if it is posted. */
  hold(item: Payment, onPosted: () => void): void {
    const dueMs = item.atMs + this.rng.logUniform(ANALYST_RANGES.minutesToDecide[0], ANALYST_RANGES.minutesToDecide[1]) * 60_000;
    const p = item.payment;
    const fraud = item.label !== 'legitimate';
    const judgedFraud = this.rng.chance(fraud ? this.fraudRecognised : this.legitimateTakenForFraud);
    let pending: Pending;
    if (judgedFraud) {
      const culprits = fraud && item.culprits ? item.culprits : { accountIds: [p.payeeId], deviceIds: [], codeIds: [] };
      pending = { dueMs, event: { type: 'label', verdict: 'fraud', culprits, atMs: dueMs }, onPosted: undefined };
    } else {
      pending = { dueMs, event: { type: 'label', verdict: 'legitimate', payerId: p.payerId, payeeId: p.payeeId, atMs: dueMs }, onPosted };
    }
    this.enqueue(pending);
  }

  private enqueue(pending: Pending): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.dueMs < pending.dueMs) i--;
    this.queue.splice(i, 0, pending);
  }

  /** The decisions made up to nowMs, in time order. */
  *due(nowMs: number): Generator<Pending> {
    while (this.queue.length > 0 && this.queue[this.queue.length - 1]!.dueMs <= nowMs) {
      this.decided++;
      yield this.queue.pop()!;
    }
  }
}
