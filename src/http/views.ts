import { Type, type Static } from 'typebox';
import type { ConsumerView, DeviceView } from '../service/consumers.js';
import type { ApiKeyView, MerchantView, TillView } from '../service/merchants.js';
import type { OrderView, PaymentView, PreparedPayment } from '../service/payments.js';

// Response shapes shared by the wallet, merchant and ops plugins. A response schema is also the
// list of fields that may leave: anything else on the object is dropped by the serializer.

const Amount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'integer minor units' });

export const PaymentSchema = Type.Object({
    id: Type.String(),
    kind: Type.Union([Type.Literal('merchant'), Type.Literal('personal_code'), Type.Literal('p2p')]),
    channel: Type.String(),
    status: Type.Union([
      Type.Literal('awaiting_confirmation'),
      Type.Literal('held_for_review'),
      Type.Literal('succeeded'),
      Type.Literal('voided'),
      Type.Literal('expired'),
      Type.Literal('refunded'),
      Type.Literal('declined'),
    ]),
    amountMinor: Amount,
    currency: Type.String(),
    feeMinor: Amount,
    refundedMinor: Amount,
    level: Type.String({ description: 'PBOC verification level A-D' }),
    compensationPromise: Type.Boolean({ description: 'level C: losses are compensated unconditionally' }),
    merchantId: Type.Union([Type.String(), Type.Null()]),
    payeeName: Type.String({ description: 'the registered name of the payee' }),
    orderId: Type.Union([Type.String(), Type.Null()]),
    description: Type.String(),
    createdAtMs: Type.Integer(),
    updatedAtMs: Type.Integer(),
    direction: Type.Optional(Type.Union([Type.Literal('sent'), Type.Literal('received')])),
    refundId: Type.Optional(Type.String()),
  }
);

export function paymentOut(p: PaymentView & { refundId?: string }): Static<typeof PaymentSchema> {
  return { ...p, amountMinor: Number(p.amountMinor), feeMinor: Number(p.feeMinor), refundedMinor: Number(p.refundedMinor) };
}

export const OrderSchema = Type.Object({
    id: Type.String(),
    reference: Type.String(),
    description: Type.String(),
    amountMinor: Amount,
    currency: Type.String(),
    status: Type.Union([Type.Literal('open'), Type.Literal('held'), Type.Literal('paid'), Type.Literal('closed'), Type.Literal('expired')]),
    payload: Type.String({ description: 'the signed dynamic EMVCo code to show as a QR code' }),
    expiresAtMs: Type.Integer(),
    paymentId: Type.Union([Type.String(), Type.Null()]),
    createdAtMs: Type.Integer(),
  }
);

export function orderOut(o: OrderView): Static<typeof OrderSchema> {
  return { ...o, amountMinor: Number(o.amountMinor) };
}

export const PreparedPaymentSchema = Type.Object({
    challengeId: Type.String(),
    message: Type.String({ description: 'the exact text the device signs (payee, amount, currency, nonce)' }),
    expiresAtMs: Type.Integer(),
    payee: Type.Object({ kind: Type.String(), id: Type.String(), name: Type.String(), verified: Type.Boolean() }),
    amountMinor: Amount,
    currency: Type.String(),
    channel: Type.String(),
    pinRequired: Type.Boolean(),
    assertionOptions: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'options for navigator.credentials.get (passkey devices only)' })),
  }
);

export function preparedOut(p: PreparedPayment): Static<typeof PreparedPaymentSchema> {
  return { ...p, amountMinor: Number(p.amountMinor) };
}

export const MerchantSchema = Type.Object({
    id: Type.String(),
    kind: Type.String(),
    legalName: Type.String(),
    displayName: Type.String(),
    licenceNumber: Type.Union([Type.String(), Type.Null()]),
    mcc: Type.String(),
    address: Type.String(),
    city: Type.String(),
    countryCode: Type.String(),
    currency: Type.String(),
    settlementAccountMasked: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    feeRateBp: Type.Integer(),
    createdAtMs: Type.Integer(),
  }
);

export function merchantOut(m: MerchantView): Static<typeof MerchantSchema> {
  return m;
}

export const ApiKeySchema = Type.Object({
  id: Type.String(),
  role: Type.String(),
  label: Type.String(),
  last4: Type.String(),
  createdAtMs: Type.Integer(),
  revokedAtMs: Type.Union([Type.Integer(), Type.Null()]),
});

export function apiKeyOut(k: ApiKeyView): Static<typeof ApiKeySchema> {
  return k;
}

export const TillSchema = Type.Object({ id: Type.String(), label: Type.String(), payload: Type.String(), createdAtMs: Type.Integer() });
export function tillOut(t: TillView): Static<typeof TillSchema> {
  return t;
}

export const ConsumerSchema = Type.Object({
    id: Type.String(),
    identifier: Type.String(),
    displayName: Type.String(),
    accountClass: Type.String(),
    status: Type.String(),
    identityVerified: Type.Boolean(),
    identityNumberMasked: Type.Union([Type.String(), Type.Null()]),
    pinSet: Type.Boolean(),
    createdAtMs: Type.Integer(),
  }
);
export function consumerOut(c: ConsumerView): Static<typeof ConsumerSchema> {
  return c;
}

export const DeviceSchema = Type.Object({
    id: Type.String(),
    label: Type.String(),
    kind: Type.String(),
    status: Type.String(),
    deviceIndex: Type.Integer(),
    trustedFromMs: Type.Integer(),
    paymentCodeLocked: Type.Boolean(),
    createdAtMs: Type.Integer(),
  }
);
export function deviceOut(d: DeviceView): Static<typeof DeviceSchema> {
  return d;
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const CodeResolutionSchema = Type.Object(
  {
    verdict: Type.Union([Type.Literal('genuine'), Type.Literal('counterfeit'), Type.Literal('expired'), Type.Literal('used'), Type.Literal('foreign'), Type.Literal('url'), Type.Literal('text')]),
    message: Type.String({ description: 'plain words for the person holding the phone' }),
    reason: Type.Optional(Type.String({ description: 'counterfeit: what failed' })),
    payee: Type.Optional(
      Type.Object({
        kind: Type.Union([Type.Literal('merchant'), Type.Literal('personal')]),
        id: Type.String(),
        name: Type.String({ description: 'the registered name, never the name printed in the code' }),
        city: Type.String(),
        verified: Type.Boolean(),
        status: Type.String(),
      }),
    ),
    initiation: Type.Optional(Type.Union([Type.Literal('static'), Type.Literal('dynamic')])),
    amountMinor: Type.Optional(Type.Integer({ description: 'an order code fixes the amount' })),
    currency: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    expiresAtMs: Type.Optional(Type.Integer()),
    scheme: Type.Optional(Type.String({ description: 'foreign: the scheme it belongs to' })),
    nameInCode: Type.Optional(Type.String({ description: 'foreign: the name the code claims, unverified' })),
    url: Type.Optional(
      Type.Object({ href: Type.String(), domain: Type.String(), scheme: Type.String(), warnings: Type.Array(Type.String()), imitates: Type.Optional(Type.String()) }),
    ),
    text: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const FraudReportFields = {
  id: Type.String(),
  kind: Type.Union([Type.Literal('payment'), Type.Literal('code')]),
  reason: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('investigating'), Type.Literal('closed')]),
  description: Type.String(),
  paymentId: Nullable(Type.String()),
  merchantId: Nullable(Type.String()),
  payeeName: Nullable(Type.String()),
  amountMinor: Nullable(Type.Integer()),
  currency: Nullable(Type.String()),
  codeVerdict: Nullable(Type.String()),
  resolution: Nullable(Type.String()),
  createdAtMs: Type.Integer(),
  updatedAtMs: Type.Integer(),
};

export const FraudReportSchema = Type.Object(FraudReportFields);

export const OpsFraudReportSchema = Type.Object(
  {
    ...FraudReportFields,
    reporterConsumerId: Type.String(),
    payeeId: Nullable(Type.String()),
    codePayload: Nullable(Type.String()),
    handledBy: Nullable(Type.String()),
    evidence: Type.Object({}, { additionalProperties: true, description: 'what was known when it was filed: the payment, its risk decisions, the device' }),
  },
  {},
);
