// The features rules may name: each a number or a boolean, with its meaning. A rule set that names
// anything else is refused when it is loaded.

interface FeatureSpec {
  readonly type: 'number' | 'boolean';
  readonly description: string;
}

const num = (description: string) => ({ type: 'number', description }) as const;
const bool = (description: string) => ({ type: 'boolean', description }) as const;

/** Written for the hours-since features when the thing never happened. */
export const NEVER_HOURS = 1e9;

export const FEATURES = {
  // the payment
  amount_minor: num('amount of this payment, minor units'),
  kind_merchant: bool('a payment to a business merchant'),
  kind_personal_code: bool("a payment through a person's receiving code"),
  kind_p2p: bool('a transfer to another consumer'),
  payee_is_person: bool('the payee is a person (personal code or transfer), not a business'),
  code_static: bool('the payer scanned a printed static merchant code'),
  code_dynamic: bool('the payer scanned an order code'),
  code_payment_code: bool("a till scanned the payer's payment code"),
  code_genuine: bool('the scanned code verified as a saoma code (true when no code was scanned)'),
  merchant_tier: num('merchant risk tier: 0 not a business, 1 low, 2 standard, 3 high'),
  has_place: bool('the wallet reported a location with the scan'),

  // the payer
  payer_account_age_days: num("days since the payer's account was opened"),
  payer_history_count: num('completed payments the payer made before'),
  payer_amount_typical_minor: num("the payer's typical payment (exponentially weighted mean), minor units"),
  payer_amount_max_minor: num("the payer's largest completed payment, minor units"),
  amount_over_typical: num("this amount over the payer's typical payment (floor 10.00)"),
  amount_over_max: num("this amount over the payer's largest payment (floor 10.00)"),
  payer_count_1m: num('payment attempts by the payer in the last minute'),
  payer_count_1h: num('payment attempts by the payer in the last hour'),
  payer_count_24h: num('payment attempts by the payer in the last 24 hours'),
  payer_sum_1m_minor: num('amount attempted by the payer in the last minute'),
  payer_sum_1h_minor: num('amount attempted by the payer in the last hour'),
  payer_sum_24h_minor: num('amount attempted by the payer in the last 24 hours'),
  payer_new_payees_1h: num('attempts to new payees (see new_payee), last hour'),
  payer_new_payees_24h: num('attempts to new payees (see new_payee), last 24 hours'),
  hours_since_credential_change: num('hours since a device was bound by re-verification, the PIN was reset or the identifier changed'),
  hours_since_new_device: num('hours since the payer last bound a device after sign-up'),
  payer_fan_in_7d: num('distinct consumers who paid (or tried to pay) the payer in the last 7 days'),
  payer_new_payers_in_48h: num('distinct unrelated consumers who paid (or tried to pay) the payer for the first time in the last 48 hours'),
  payer_received_48h_minor: num('money the payer received from others in the last 48 hours'),
  payer_unexplained_transfers_48h: num("transfers from unrelated payers to the payer in the last 48 hours that were not paying back what the payer had just spent at shops (a group dinner's host is paid back)"),
  payer_unexplained_in_48h_minor: num('the money in those transfers beyond what they paid back, minor units'),
  payer_stranger_receipts_before_30d: num('transfers and personal-code payments the payer received from unrelated payers between about 30 and 2 days ago, whole days (the life before a sudden change)'),
  payer_fast_out_after: num('share of the money the payer received in the last 48 hours that has left again, counting this payment (0 to 1)'),

  // the device
  device_age_hours: num('hours since the device was bound (or first seen)'),
  device_via_reverification: bool('the device was bound by re-verifying the identity, not approved by another device'),
  device_confirmed_fraud: bool("an analyst found the device to be a fraudster's (a thief's phone, a farm)"),
  device_other_payers_24h: num('other consumers who paid from this device in the last 24 hours'),
  device_count_1m: num('payment attempts from the device in the last minute'),
  device_count_1h: num('payment attempts from the device in the last hour'),
  device_count_24h: num('payment attempts from the device in the last 24 hours'),

  // the network address
  ip_count_1m: num('payment attempts from this address in the last minute'),
  ip_count_1h: num('payment attempts from this address in the last hour'),
  ip_count_24h: num('payment attempts from this address in the last 24 hours'),
  ip_payers_1h: num('distinct payers from this address in the last hour'),

  // payer and payee together
  first_payment_to_payee: bool('the payer never completed a payment to this payee'),
  new_payee: bool('the payer never paid this payee, or first did less than 24 hours ago'),
  related: bool('payer and payee paid each other, in either direction, first at least 24 hours ago'),
  pair_count: num('completed payments from this payer to this payee'),
  diverted_at_place: bool('a printed code (static or personal) that is a new payee, where the payer usually pays another printed code'),

  // the payee
  payee_account_age_days: num("days since the payee's account was opened"),
  payee_history_count: num('completed payments the payee received before'),
  payee_payments_made: num('completed payments the payee made as a payer (an account kept only to receive has none)'),
  payee_amount_typical_minor: num("the payee's typical receipt (exponentially weighted mean), minor units"),
  amount_over_payee_typical: num("this amount over the payee's typical receipt (floor 10.00)"),
  payee_count_1m: num('payment attempts to the payee in the last minute'),
  payee_count_1h: num('payment attempts to the payee in the last hour'),
  payee_count_24h: num('payment attempts to the payee in the last 24 hours'),
  payee_sum_1h_minor: num('amount attempted to the payee in the last hour'),
  payee_sum_24h_minor: num('amount attempted to the payee in the last 24 hours'),
  payee_fan_in_24h: num('distinct payers who paid (or tried to pay) the payee in the last 24 hours'),
  payee_fan_in_7d: num('distinct payers who paid (or tried to pay) the payee in the last 7 days'),
  payee_new_payers_1h: num('distinct unrelated payers paying (or trying to pay) the payee for the first time, in the last hour'),
  payee_new_payers_24h: num('distinct unrelated payers paying (or trying to pay) the payee for the first time, in the last 24 hours'),
  payee_new_payers_7d: num('distinct unrelated payers paying (or trying to pay) the payee for the first time, in the last 7 days'),
  payee_received_48h_minor: num('money the payee received in the last 48 hours'),
  payee_unexplained_transfers_48h: num("transfers from unrelated payers to the payee in the last 48 hours, counting this one, that were not paying back what the payee had just spent at shops"),
  payee_unexplained_in_48h_minor: num('the money in those transfers beyond what they paid back, counting this one, minor units'),
  payee_received_7d_minor: num('money the payee received in the last 7 days, minor units'),
  payee_received_per_payer_7d_minor: num('that money divided by the distinct payers who paid (or tried to pay) the payee in the last 7 days, minor units'),
  payee_payments_per_payer_7d: num('payments the payee received in the last 7 days divided by those distinct payers'),
  payee_fast_out_ratio: num('share of the money the payee received in the last 48 hours that has left again, paid on or withdrawn (0 to 1)'),
  payee_new_account_payers_7d: num('distinct payers of the last 7 days, counting this one, that paid (or tried to pay) 200.00 or more from an account under 90 days old with at most 2 payments of its own'),
  payee_stranger_receipts_before_30d: num('transfers and personal-code payments the payee received from unrelated payers between about 30 and 2 days ago, whole days'),
  payee_refunds_7d: num('refunds the payee made in the last 7 days'),
  payee_refund_ratio_7d: num("refunded over received value of the payee's last 7 days (0 when nothing was received)"),
  payee_reports: num('fraud reports against the payee'),
  payee_confirmed_fraud: bool("an analyst found the payee to be a fraudster's account (a reviewed payment or a confirmed report)"),
  payer_confirmed_fraud: bool("an analyst found the payer to be a fraudster's account (a mule, a colluding ring)"),

  // the code
  code_age_hours: num('hours since the code was first used to pay (0 for a first use or no code)'),
  code_count_1m: num('payment attempts through the code in the last minute'),
  code_count_1h: num('payment attempts through the code in the last hour'),
  code_count_24h: num('payment attempts through the code in the last 24 hours'),
  code_new_payers_1h: num('distinct unrelated payers paying (or trying to pay) the payee through the code for the first time, in the last hour'),
  code_new_payers_24h: num('distinct unrelated payers paying (or trying to pay) the payee through the code for the first time, in the last 24 hours'),
  code_diverted_24h: num('payments through the code in the last 24 hours by payers who usually pay another payee at that place'),
  code_diverted_same_24h: num('the most of those diverted from one and the same usual payee'),
  code_reports: num('fraud reports against the code'),
  code_confirmed_fraud: bool("an analyst found the code to be a fraudster's"),

  // the platform
  platform_age_days: num('days since the first account on the platform was opened (on a platform launched this month every account is young, so youth tells nothing)'),
} as const satisfies Record<string, FeatureSpec>;

export type FeatureName = keyof typeof FEATURES;
export type Features = { -readonly [K in FeatureName]: (typeof FEATURES)[K]['type'] extends 'number' ? number : boolean };

export function isFeatureName(name: string): name is FeatureName {
  return Object.hasOwn(FEATURES, name);
}
