// The default rule set: one group of rules per fraud scenario of issue 6, written from how each
// scenario works, not fitted to any traffic. Amounts are CNY fen (minor units); a deployment in
// another currency ships its own rule set. Scores: 30 asks for a step-up, 60 holds the payment for
// an analyst, 100 declines; signals add up, and a rule may force an outcome on its own.

import type { FeatureName } from './catalogue.js';
import type { Comparison, Condition, Rule, RuleSet } from './rules.js';

const all = (...parts: Condition[]): Condition => ({ all: parts });
const any = (...parts: Condition[]): Condition => ({ any: parts });
const cmp = (feature: FeatureName, op: Comparison, value: number | boolean): Condition => ({ feature, op, value });
const is = (feature: FeatureName): Condition => cmp(feature, 'eq', true);
const isNot = (feature: FeatureName): Condition => cmp(feature, 'eq', false);
const ge = (feature: FeatureName, value: number): Condition => cmp(feature, 'ge', value);
const lt = (feature: FeatureName, value: number): Condition => cmp(feature, 'lt', value);
const le = (feature: FeatureName, value: number): Condition => cmp(feature, 'le', value);

const YUAN = 100;
/** New credentials or a new phone stay "recent" for three days: long enough to cover a thief's first spree. */
const RECENT_HOURS = 72;
const newPayee = is('new_payee');
const stranger = isNot('related');
const toPerson = is('payee_is_person');
const toBusiness = isNot('payee_is_person');
/**
 * Under `days` old, on a platform older than that: at a launch (a campus, a new scheme, the demo)
 * every account is young, and youth says nothing until the platform has lived that long.
 */
const youngPayee = (days: number): Condition => all(ge('platform_age_days', days), lt('payee_account_age_days', days));
const youngPayer = (days: number): Condition => all(ge('platform_age_days', days), lt('payer_account_age_days', days));
const recentlyChangedCredentials = any(lt('hours_since_credential_change', RECENT_HOURS), lt('hours_since_new_device', RECENT_HOURS));

const STEP_UP = { score: 30, outcome: 'challenge' } as const;
/** "Please confirm it is you": a step-up aimed at thieves, who cannot pass it; it adds little to the score, so two of them do not hold a customer's payment. */
const ASK = { score: 10, outcome: 'challenge' } as const;
const HOLD = { score: 60, outcome: 'review' } as const;
const DECLINE = { score: 100, outcome: 'decline' } as const;

const accountTakeover: Rule[] = [
  {
    id: 'ato.new-credentials-new-payee',
    description: 'A new phone or changed credentials, then a sizeable payment to someone you never paid before: please confirm it is you.',
    showCustomer: true,
    when: all(recentlyChangedCredentials, newPayee, any(ge('amount_minor', 100 * YUAN), ge('amount_over_typical', 3))),
    ...ASK,
  },
  {
    id: 'ato.new-credentials-payee-spree',
    description: 'Credentials changed in the last day, then the third or later new payee within an hour: please confirm it is you.',
    showCustomer: true,
    when: all(lt('hours_since_credential_change', 24), ge('payer_new_payees_1h', 2), newPayee),
    ...ASK,
  },
  {
    id: 'ato.far-above-history',
    description: 'Much larger than anything you paid before, to someone new: please confirm it is you.',
    showCustomer: true,
    when: all(newPayee, ge('payer_history_count', 10), ge('amount_over_max', 2), ge('amount_minor', 500 * YUAN)),
    ...ASK,
  },
  {
    id: 'ato.many-new-payees',
    description: 'Four or more payments within an hour, three or more of them to new payees.',
    when: all(ge('payer_count_1h', 4), ge('payer_new_payees_1h', 3), newPayee),
    ...STEP_UP,
  },
];

const takeoverSpending: Rule[] = [
  {
    id: 'ato.sizeable-to-young-stranger',
    description: 'A sizeable payment to a personal account under 90 days old that you never paid: please confirm it is you.',
    showCustomer: true,
    when: all(toPerson, stranger, youngPayee(90), ge('amount_minor', 300 * YUAN)),
    ...ASK,
  },
  {
    id: 'ato.reverified-device-new-payee',
    description: 'A phone added by re-verifying your identity in the last day, paying someone new: please confirm it is you.',
    showCustomer: true,
    when: all(is('device_via_reverification'), lt('device_age_hours', 24), newPayee),
    ...ASK,
  },
  {
    id: 'ato.second-new-payee-sizeable',
    description: 'A sizeable payment to a second new payee within the hour: please confirm it is you.',
    showCustomer: true,
    when: all(newPayee, ge('payer_new_payees_1h', 1), ge('amount_minor', 300 * YUAN)),
    ...ASK,
  },
  {
    id: 'ato.large-new-high-tier',
    description: 'A large first payment to a high-risk merchant, three times your usual: please confirm it is you.',
    showCustomer: true,
    when: all(toBusiness, newPayee, ge('merchant_tier', 3), ge('amount_minor', 300 * YUAN), ge('amount_over_typical', 3)),
    ...ASK,
  },
];

const probing: Rule[] = [
  {
    id: 'probe.shared-device',
    description: 'Two or more other accounts paid from this device in the last day.',
    when: ge('device_other_payers_24h', 2),
    ...HOLD,
  },
  {
    id: 'probe.device-farm',
    description: 'Four or more other accounts paid from this device in the last day.',
    when: ge('device_other_payers_24h', 4),
    ...DECLINE,
  },
  {
    id: 'probe.micro-from-new-device',
    description: 'A tiny payment to a new payee from a new device or after a credential change (testing whether an account works).',
    when: all(le('amount_minor', 1 * YUAN), newPayee, any(lt('device_age_hours', RECENT_HOURS), lt('hours_since_credential_change', RECENT_HOURS))),
    ...STEP_UP,
  },
  {
    id: 'probe.micro-burst',
    description: 'Several tiny payments to new payees within an hour.',
    when: all(le('amount_minor', 2 * YUAN), ge('payer_count_1h', 3), ge('payer_new_payees_1h', 2), newPayee),
    ...STEP_UP,
  },
  {
    id: 'probe.micro-collector',
    description: 'A person receiving tiny payments from five or more strangers within an hour.',
    when: all(le('amount_minor', 1 * YUAN), toPerson, ge('payee_new_payers_1h', 5)),
    ...HOLD,
  },
  {
    id: 'probe.busy-address-new-device',
    description: 'A new device on a network address used by many payers in the last hour, paying someone new.',
    when: all(ge('ip_payers_1h', 5), lt('device_age_hours', 24), newPayee),
    score: 20,
  },
];

const telecomFraud: Rule[] = [
  {
    id: 'telecom.large-first-to-young-person',
    description:
      'A large first payment to a personal account opened recently is held for a check. Callers posing as police, banks or customer service ask for exactly this.',
    showCustomer: true,
    when: all(toPerson, stranger, youngPayee(30), ge('amount_minor', 1_000 * YUAN)),
    ...HOLD,
  },
  {
    id: 'telecom.to-collecting-person',
    description: 'A sizeable first payment to a recent personal account that many strangers have paid this week.',
    showCustomer: true,
    when: all(toPerson, stranger, ge('amount_minor', 500 * YUAN), ge('payee_new_payers_7d', 3), youngPayee(90)),
    ...HOLD,
  },
  {
    id: 'telecom.far-above-habit-to-person',
    description: 'A first payment to a person, several times larger than anything the payer paid before.',
    when: all(toPerson, stranger, ge('payer_history_count', 10), ge('amount_over_max', 3), ge('amount_minor', 2_000 * YUAN)),
    score: 40,
  },
  {
    id: 'telecom.repeated-large-to-strangers',
    description: 'Another large payment to a new person after paying new people a lot today.',
    when: all(toPerson, stranger, ge('amount_minor', 1_000 * YUAN), ge('payer_new_payees_24h', 1), ge('payer_sum_24h_minor', 3_000 * YUAN)),
    score: 40,
  },
];

const muleAccounts: Rule[] = [
  {
    id: 'mule.empty-account-large-payment',
    description: 'An account under 90 days old with almost no payments of its own suddenly paying a stranger a large sum (accounts opened or bought for fraud).',
    when: all(stranger, youngPayer(90), lt('payer_history_count', 3), ge('amount_minor', 500 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.young-person-collecting',
    description: 'A payment from a stranger to a personal account under 90 days old that other strangers paid in the last two days.',
    when: all(toPerson, stranger, youngPayee(90), ge('payee_new_payers_24h', 2), ge('amount_minor', 300 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.pass-through-to-person',
    description: 'Money from three or more strangers in two days, for nothing the account bought, sent on to a person (80% or more of it).',
    when: all(toPerson, ge('payer_unexplained_transfers_48h', 3), ge('payer_fast_out_after', 0.8), ge('amount_minor', 500 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.young-pass-through',
    description: 'An account under 30 days old passing on 80% or more of what several payers sent it in two days.',
    when: all(youngPayer(30), ge('payer_fan_in_7d', 2), ge('payer_received_48h_minor', 2_000 * YUAN), ge('payer_fast_out_after', 0.8)),
    ...HOLD,
  },
  {
    id: 'mule.relay-to-new-person',
    description: "Passing a stranger's money straight on to another new person.",
    when: all(toPerson, stranger, ge('payer_unexplained_transfers_48h', 1), ge('payer_received_48h_minor', 1_000 * YUAN), ge('payer_fast_out_after', 0.8), ge('amount_minor', 500 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.young-account-first-receipt',
    description: 'A sizeable transfer from a stranger to a personal account under 30 days old that has never received money before.',
    when: all(is('kind_p2p'), toPerson, stranger, youngPayee(30), lt('payee_history_count', 1), ge('amount_minor', 300 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.young-collector-paying-on',
    description: 'An account under 90 days old that four or more strangers paid in the last two days (not paying back a bill), paying a new person.',
    when: all(toPerson, newPayee, youngPayer(90), ge('payer_unexplained_transfers_48h', 4), ge('amount_minor', 20 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.collector-paying-on',
    description: 'An account that six or more strangers paid in the last two days (not paying back a bill), paying a new person.',
    when: all(toPerson, newPayee, ge('payer_unexplained_transfers_48h', 6), ge('amount_minor', 20 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.relay-from-several',
    description: 'Passing on at once most of what two or more strangers sent in the last two days, to a new person.',
    when: all(toPerson, stranger, ge('payer_unexplained_transfers_48h', 2), ge('payer_received_48h_minor', 500 * YUAN), ge('payer_fast_out_after', 0.7), ge('amount_minor', 200 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.relay-to-new-merchant',
    description: "Spending a stranger's money at once, a large sum at a merchant never paid before (gold, game credit).",
    when: all(toBusiness, newPayee, ge('payer_unexplained_transfers_48h', 1), ge('payer_received_48h_minor', 1_000 * YUAN), ge('payer_fast_out_after', 0.8), ge('amount_minor', 500 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.person-collecting-transfers',
    description: 'A sizeable transfer from a stranger to a person that two or more other strangers paid in the last two days, not to pay back a bill.',
    when: all(is('kind_p2p'), toPerson, stranger, ge('payee_unexplained_transfers_48h', 3), ge('amount_minor', 300 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.paying-into-pass-through',
    description: 'Paying a person who sends on most of what strangers pay them.',
    when: all(toPerson, stranger, ge('payee_fast_out_ratio', 0.8), ge('payee_unexplained_transfers_48h', 3), ge('amount_minor', 200 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.strangers-paying-for-nothing',
    description: 'A transfer from a stranger to someone that two or more other strangers paid 1,000 yuan or more in two days, not to pay back anything they bought.',
    when: all(is('kind_p2p'), stranger, ge('payee_unexplained_transfers_48h', 3), ge('payee_unexplained_in_48h_minor', 1_000 * YUAN), ge('amount_minor', 100 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.strangers-paying-large-sums',
    description: 'A transfer from a stranger to someone another stranger paid for nothing in the last two days, 2,000 yuan or more between them.',
    when: all(is('kind_p2p'), stranger, ge('payee_unexplained_transfers_48h', 2), ge('payee_unexplained_in_48h_minor', 2_000 * YUAN), ge('amount_minor', 100 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.spending-strangers-money',
    description: 'Paying someone new after two or more strangers sent 1,000 yuan or more in two days for nothing bought.',
    when: all(newPayee, ge('payer_unexplained_transfers_48h', 2), ge('payer_unexplained_in_48h_minor', 1_000 * YUAN), ge('amount_minor', 100 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.receive-only-account',
    // From a week old: a new account (and every account of a deployment launched this week) has had no time to pay for anything.
    description: 'A transfer of 100 yuan or more from a stranger to an account between a week and six months old that has made almost no payments of its own: an account opened to collect, not a person who lives on it.',
    when: all(is('kind_p2p'), newPayee, stranger, lt('payee_payments_made', 3), ge('payee_account_age_days', 7), youngPayee(180), ge('amount_minor', 100 * YUAN)),
    ...HOLD,
  },
  {
    id: 'mule.strangers-suddenly-paying',
    description: 'A transfer from a stranger to an account over a month old that no stranger paid in the month before, now the second or later for nothing bought in two days, 500 yuan or more between them: an account just recruited to collect.',
    when: all(is('kind_p2p'), stranger, ge('payee_account_age_days', 30), lt('payee_stranger_receipts_before_30d', 1), ge('payee_unexplained_transfers_48h', 2), ge('payee_unexplained_in_48h_minor', 500 * YUAN), ge('amount_minor', 100 * YUAN)),
    ...HOLD,
  },
];

const stickerSwap: Rule[] = [
  {
    id: 'swap.diverted-to-personal-code',
    description: "This code belongs to a person, not to the shop you usually pay here. Check the name on the code with the shop before paying.",
    showCustomer: true,
    when: all(is('kind_personal_code'), is('diverted_at_place')),
    ...STEP_UP,
  },
  {
    id: 'swap.personal-code-diverting',
    description: "A personal code first used this week that other shops' regular customers started paying today.",
    showCustomer: true,
    when: all(is('kind_personal_code'), newPayee, ge('code_diverted_24h', 2), lt('code_age_hours', 7 * 24)),
    ...DECLINE,
  },
  {
    id: 'swap.code-diverting-one-shops-customers',
    description: "A code that five or more of one shop's regular customers paid instead of that shop today.",
    when: all(newPayee, ge('code_diverted_same_24h', 5)),
    ...HOLD,
  },
  {
    id: 'swap.new-personal-code-diverted',
    description: "A personal code first used this week, paid instead of the shop you usually pay here. Check the name on the code with the shop.",
    showCustomer: true,
    when: all(is('kind_personal_code'), is('diverted_at_place'), lt('code_age_hours', 7 * 24)),
    ...HOLD,
  },
  {
    id: 'swap.new-personal-code-strangers',
    description: 'A personal code first used in the last two days that four or more strangers paid today.',
    when: all(is('kind_personal_code'), newPayee, lt('code_age_hours', 48), ge('code_new_payers_24h', 4)),
    ...HOLD,
  },
  {
    id: 'swap.new-personal-code-busy',
    description: 'A personal code first used in the last two days that three or more strangers paid within the hour, like a shop.',
    showCustomer: true,
    when: all(is('kind_personal_code'), newPayee, lt('code_age_hours', 48), ge('code_new_payers_1h', 3)),
    ...HOLD,
  },
  {
    id: 'swap.new-code-diverting',
    description: "A printed code first used in the last two days that a shop's regular customer paid instead, and another stranger this hour.",
    when: all(newPayee, lt('code_age_hours', 48), ge('code_diverted_24h', 1), ge('code_new_payers_1h', 2)),
    ...HOLD,
  },
  {
    id: 'swap.receive-only-personal-code',
    description: "A personal code of an account between a week and six months old that has made almost no payments of its own, paid by a stranger: check the name on the code with the shop before paying.",
    showCustomer: true,
    when: all(is('kind_personal_code'), newPayee, stranger, lt('payee_payments_made', 3), ge('payee_account_age_days', 7), youngPayee(180), lt('payee_history_count', 10)),
    ...HOLD,
  },
  {
    id: 'swap.personal-code-merchant-traffic',
    description: 'A personal code receiving shop-like traffic: ten or more strangers today.',
    when: all(is('kind_personal_code'), newPayee, ge('code_new_payers_24h', 10)),
    ...HOLD,
  },
  {
    id: 'report.code-reported',
    description: 'Someone reported this code as fraud; it is held until checked.',
    showCustomer: true,
    when: ge('code_reports', 1),
    ...HOLD,
  },
  {
    id: 'report.code-reported-often',
    description: 'Three or more people reported this code as fraud.',
    showCustomer: true,
    when: ge('code_reports', 3),
    ...DECLINE,
  },
  {
    id: 'report.payee-reported',
    description: 'Someone reported this payee as fraud; payments to them are held until checked.',
    showCustomer: true,
    when: ge('payee_reports', 1),
    ...HOLD,
  },
  {
    id: 'report.payee-reported-often',
    description: 'Three or more people reported this payee as fraud.',
    showCustomer: true,
    when: ge('payee_reports', 3),
    ...DECLINE,
  },
  {
    id: 'code.not-genuine',
    description: 'The code did not verify as a saoma code.',
    showCustomer: true,
    when: isNot('code_genuine'),
    ...DECLINE,
  },
];

const collusion: Rule[] = [
  {
    id: 'collusion.refund-heavy-merchant',
    description: 'A merchant that refunded five or more payments and 30% or more of its takings this week.',
    when: all(toBusiness, ge('payee_refunds_7d', 5), ge('payee_refund_ratio_7d', 0.3)),
    ...HOLD,
  },
  {
    id: 'collusion.pass-through-money-to-merchant',
    description: 'Money just received from several strangers spent at once at a new or high-risk merchant.',
    when: all(
      toBusiness,
      ge('payer_unexplained_transfers_48h', 3),
      ge('payer_fast_out_after', 0.8),
      ge('amount_minor', 500 * YUAN),
      any(youngPayee(90), ge('merchant_tier', 3)),
    ),
    ...HOLD,
  },
  {
    id: 'collusion.new-merchant-large-first-sales',
    description: "One of the first sales of a merchant under four months old, 1,000 yuan or more from a stranger.",
    when: all(toBusiness, stranger, youngPayee(120), lt('payee_history_count', 5), ge('amount_minor', 1_000 * YUAN)),
    ...HOLD,
  },
  {
    id: 'collusion.outsized-ticket',
    description: "Ten times the merchant's usual sale at a merchant under six months old.",
    when: all(toBusiness, ge('payee_history_count', 20), ge('amount_over_payee_typical', 10), ge('amount_minor', 1_000 * YUAN), youngPayee(180)),
    score: 30,
  },
  {
    id: 'collusion.high-tier-large-first',
    description: 'A large first payment to a high-risk-tier merchant.',
    when: all(ge('merchant_tier', 3), newPayee, ge('amount_minor', 2_000 * YUAN)),
    score: 30,
  },
  {
    id: 'collusion.young-merchant-strangers-large',
    description: 'A large payment from a stranger to a merchant under four months old that three or more strangers paid 3,000 yuan or more today.',
    when: all(toBusiness, stranger, youngPayee(120), ge('payee_new_payers_24h', 3), ge('payee_sum_24h_minor', 3_000 * YUAN), ge('amount_minor', 300 * YUAN)),
    ...HOLD,
  },
  {
    id: 'collusion.empty-account-young-merchant',
    description: "A payment of 200 yuan or more from an account under four months old with almost no payments of its own to a merchant under six months old whose week's takings come at 500 yuan or more per buyer (a ring member opened for the job, not a new customer of a new shop).",
    when: all(
      toBusiness,
      youngPayer(120),
      lt('payer_history_count', 5),
      youngPayee(180),
      ge('payee_received_per_payer_7d_minor', 500 * YUAN),
      ge('amount_minor', 200 * YUAN),
    ),
    ...HOLD,
  },
  {
    id: 'collusion.repeat-large-young-merchant',
    description: 'Buying again, 1,000 yuan or more, at a merchant under six months old whose takings this week come at 500 yuan or more per buyer.',
    when: all(toBusiness, ge('pair_count', 1), youngPayee(180), ge('amount_minor', 1_000 * YUAN), ge('payee_received_per_payer_7d_minor', 500 * YUAN)),
    ...HOLD,
  },
  {
    id: 'collusion.few-payers-large-takings',
    description: 'A sizeable payment to a young merchant that took 10,000 yuan or more this week from few customers: 1,000 yuan or more each (under four months old) or 2,000 or more (under six): a ring of buyers, not a shop.',
    when: all(
      toBusiness,
      any(all(youngPayee(120), ge('payee_received_per_payer_7d_minor', 1_000 * YUAN)), all(youngPayee(180), ge('payee_received_per_payer_7d_minor', 2_000 * YUAN))),
      ge('payee_received_7d_minor', 10_000 * YUAN),
      ge('amount_minor', 300 * YUAN),
    ),
    ...HOLD,
  },
  {
    id: 'collusion.new-accounts-buying-large',
    description: "A payment of 200 yuan or more to a merchant under six months old that three or more brand-new, near-empty accounts paid 200 yuan or more this week: buyers opened for fake sales, not the shop's customers.",
    when: all(toBusiness, youngPayee(180), ge('payee_new_account_payers_7d', 3), ge('amount_minor', 200 * YUAN)),
    ...HOLD,
  },
];

/**
 * What analysts found: labels from reviewed payments and confirmed reports (decisions feed back).
 * A label stops what the fraudster does next, not the relations that were there before it: a
 * recruited mule's family still pays them, a robbed customer's usual noodle stall still gets paid.
 * One analyst's label does not freeze a payee with a long record (a shop, a stall: that takes a
 * merchant case); its new customers are asked to confirm instead.
 */
const establishedPayee = all(ge('payee_account_age_days', 180), ge('payee_history_count', 100));
const labels: Rule[] = [
  {
    id: 'label.payee-confirmed-fraud',
    description: 'This payee was confirmed as fraudulent after an investigation; payments to it are stopped.',
    showCustomer: true,
    when: all(is('payee_confirmed_fraud'), stranger, { not: establishedPayee }),
    ...DECLINE,
  },
  {
    id: 'label.established-payee-flagged',
    description: 'An analyst flagged this long-standing payee: a new customer is asked to confirm.',
    showCustomer: true,
    when: all(is('payee_confirmed_fraud'), stranger, establishedPayee),
    ...STEP_UP,
  },
  {
    id: 'label.code-confirmed-fraud',
    description: 'This code was confirmed as fraudulent after an investigation; payments through it are stopped.',
    showCustomer: true,
    when: all(is('code_confirmed_fraud'), stranger),
    ...DECLINE,
  },
  {
    id: 'label.device-confirmed-fraud',
    description: "An analyst found this device to be a fraudster's (a thief's phone, a device farm): it pays no one new.",
    when: all(is('device_confirmed_fraud'), stranger),
    ...DECLINE,
  },
  {
    id: 'label.payer-confirmed-fraud',
    description: "An analyst found this account to be a fraudster's (a mule): money strangers just sent it goes on to no one new.",
    when: all(is('payer_confirmed_fraud'), stranger, ge('amount_minor', 100 * YUAN), ge('payer_unexplained_transfers_48h', 1)),
    ...DECLINE,
  },
];

const velocity: Rule[] = [
  {
    id: 'velocity.payer-burst',
    description: 'Five or more payments within a minute.',
    when: ge('payer_count_1m', 5),
    ...STEP_UP,
  },
  {
    id: 'velocity.device-burst',
    description: 'Ten or more payments from one device within a minute.',
    when: ge('device_count_1m', 10),
    ...HOLD,
  },
  {
    id: 'trust.regular-payee',
    description: 'A payee paid five or more times before: lowers the score (not a forced outcome).',
    when: ge('pair_count', 5),
    score: -20,
  },
];

export const DEFAULT_RULE_SET: RuleSet = {
  version: 'default-8',
  thresholds: { challenge: 30, review: 60, decline: 100 },
  rules: [...accountTakeover, ...takeoverSpending, ...probing, ...telecomFraud, ...muleAccounts, ...stickerSwap, ...collusion, ...labels, ...velocity],
  allow: [],
  block: [],
};
