// What the risk engine is told: the payment being decided, and the events that change features.

/** The payment flows of src/service/payments.ts. */
export type PaymentKind = 'merchant' | 'personal_code' | 'p2p';
/** How the payee was chosen: a printed static code, an order code, the consumer's payment code scanned by a till, a personal receiving code, or no code (a transfer to a contact). */
export type CodeKind = 'static' | 'dynamic' | 'payment_code' | 'personal' | 'none';
/** The wallet's scan verdict (src/core/qr/scan.ts); `none` when no code was scanned. */
export type CodeVerdict = 'genuine' | 'counterfeit' | 'none';
/** Risk tier set for a business merchant at onboarding and by analysts. */
export type MerchantTier = 'low' | 'standard' | 'high';
export type Outcome = 'approve' | 'challenge' | 'review' | 'decline';

export interface RiskPayment {
  readonly kind: PaymentKind;
  /** The consumer who pays. */
  readonly payerId: string;
  /** The payer's bound device that approved (or showed the code for) the payment. */
  readonly deviceId: string;
  /** Client address as the service sees it; carrier NAT puts many people behind one. */
  readonly ip: string | undefined;
  /** The account that receives: a merchant id, or the consumer behind a personal code or transfer. */
  readonly payeeId: string;
  readonly payeeKind: 'business' | 'person';
  /** Business payees only. */
  readonly merchantTier: MerchantTier | undefined;
  /** The static code, till or personal code scanned; undefined for transfers and order codes. */
  readonly codeId: string | undefined;
  readonly codeKind: CodeKind;
  readonly codeVerdict: CodeVerdict;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** A coarse location cell (about 150 m) the wallet reported with the scan, if the customer shares location. */
  readonly placeId: string | undefined;
}

/** Everything a feature store learns from. Times are the event's own, in ms since the epoch. */
export type RiskEvent =
  | { readonly type: 'account_opened'; readonly accountId: string; readonly atMs: number }
  /** `approval`: an existing device approved it; `reverification`: the identity was verified again (decision 0014). */
  | { readonly type: 'device_bound'; readonly payerId: string; readonly deviceId: string; readonly via: 'signup' | 'approval' | 'reverification'; readonly atMs: number }
  | { readonly type: 'credentials_changed'; readonly payerId: string; readonly what: 'pin_reset' | 'identifier'; readonly atMs: number }
  /** Every decided attempt; `completed` when the money moved (approved, or challenged and passed, or released by an analyst). */
  | { readonly type: 'payment'; readonly payment: RiskPayment; readonly completed: boolean; readonly atMs: number }
  | { readonly type: 'refund'; readonly payerId: string; readonly payeeId: string; readonly amountMinor: bigint; readonly atMs: number }
  /** Money leaving an account for a bank (withdrawal, settlement). */
  | { readonly type: 'withdrawal'; readonly accountId: string; readonly amountMinor: bigint; readonly atMs: number }
  | { readonly type: 'report'; readonly payeeId: string | undefined; readonly codeId: string | undefined; readonly atMs: number }
  /**
   * An analyst's verdict fed back as a label, on a held payment it reviewed or a fraud report it
   * confirmed. `fraud` names what the investigation found to be the fraudster's: accounts (a
   * collector, a mule, a colluding merchant), devices (a thief's phone, a farm's), codes (a sticker).
   * `legitimate` makes the payer and payee a trusted pair at once and withdraws a fraud label on the
   * payee (an analyst posted a payment to it, or upheld an appeal against a refusal).
   * `withdrawn` takes back fraud labels found to be mistaken (an appeal upheld without a payment to
   * post): `culprits` names the accounts, devices and codes it clears. Labels apply in time order,
   * so a fraud label after a withdrawal labels the party again.
   */
  | { readonly type: 'label'; readonly verdict: 'fraud'; readonly culprits: Culprits; readonly atMs: number }
  | { readonly type: 'label'; readonly verdict: 'legitimate'; readonly payerId: string; readonly payeeId: string; readonly atMs: number }
  | { readonly type: 'label'; readonly verdict: 'withdrawn'; readonly culprits: Culprits; readonly atMs: number };

/** What a label names: the fraudster's accounts, devices and codes (or, withdrawn, the ones cleared). */
export interface Culprits {
  readonly accountIds: readonly string[];
  readonly deviceIds: readonly string[];
  readonly codeIds: readonly string[];
}
