import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DESCRIPTION_CHARS_MAX, LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX, NAME_CHARS_MAX, PIN_DIGITS, QR_PAYLOAD_CHARS_MAX } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { AmountMinor, Currency, errorResponses } from '../schemas.js';
import { MerchantSchema, PaymentSchema, PreparedPaymentSchema, TillSchema, merchantOut, paymentOut, preparedOut, tillOut } from '../views.js';
import { requireConsumer } from './auth.js';
import { Assertion, Signature, proofOf } from './proof.js';

const Pin = Type.String({ pattern: `^[0-9]{${PIN_DIGITS}}$` });
const PaymentIdParams = Type.Object({ paymentId: Type.String({ minLength: 1, maxLength: 64 }) });
const Page = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX })), beforeMs: Type.Optional(Type.Integer({ minimum: 0 })) });

/** The consumer pays: scanned codes and people, confirmations of merchant-scanned codes, history. */
export const walletPaymentRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const payments = platform.payments;
  const auth = requireConsumer(platform);
  const security = [{ consumerSession: [] }];

  app.post(
    '/v1/wallet/payments/prepare',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Resolve a scanned code (or a person) to its registered payee and get the challenge to sign',
        description:
          'Give `code` (the scanned text) or `payeeIdentifier` (a person). Counterfeit codes are refused with QR_COUNTERFEIT; foreign codes, links and text with QR_NOT_PAYABLE. A static code needs `amountMinor`; an order code fixes it.',
        security,
        body: Type.Object(
          {
            code: Type.Optional(Type.String({ minLength: 1, maxLength: QR_PAYLOAD_CHARS_MAX })),
            payeeIdentifier: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
            amountMinor: Type.Optional(AmountMinor),
            currency: Type.Optional(Currency),
            description: Type.Optional(Type.String({ maxLength: DESCRIPTION_CHARS_MAX })),
          },
          { additionalProperties: false },
        ),
        response: { 201: PreparedPaymentSchema, ...errorResponses(400, 401, 404, 409, 413, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const prepared = await payments.prepare(request.consumer!, {
        code: b.code,
        payeeIdentifier: b.payeeIdentifier,
        amountMinor: b.amountMinor === undefined ? undefined : BigInt(b.amountMinor),
        currency: b.currency,
        description: b.description,
      });
      return reply.status(201).send(preparedOut(prepared));
    },
  );

  app.post(
    '/v1/wallet/payments',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Pay: the device’s signature over the challenge (and the PIN above the password-free limit)',
        security,
        body: Type.Object(
          { challengeId: Type.String({ minLength: 1, maxLength: 64 }), signature: Type.Optional(Signature), assertion: Type.Optional(Assertion), pin: Type.Optional(Pin) },
          { additionalProperties: false },
        ),
        response: { 201: PaymentSchema, ...errorResponses(400, 401, 402, 403, 404, 409, 413, 423, 429, 503) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(paymentOut(await payments.pay(request.consumer!, { challengeId: request.body.challengeId, proof: proofOf(request.body), pin: request.body.pin, ip: request.ip }))),
  );

  app.get(
    '/v1/wallet/payments',
    { onRequest: auth, schema: { tags: ['wallet'], summary: 'Payments sent and received, newest first', security, querystring: Page, response: { 200: Type.Object({ payments: Type.Array(PaymentSchema) }), ...errorResponses(400, 401, 429, 503) } } },
    async (request) => ({
      payments: (await payments.consumerPayments(request.consumer!, request.query.limit ?? LIST_PAGE_SIZE_DEFAULT, request.query.beforeMs)).map(paymentOut),
    }),
  );

  app.get(
    '/v1/wallet/payments/:paymentId',
    { onRequest: auth, schema: { tags: ['wallet'], summary: 'One payment (sent or received)', security, params: PaymentIdParams, response: { 200: PaymentSchema, ...errorResponses(401, 404, 429, 503) } } },
    async (request) => paymentOut(await payments.consumerPayment(request.consumer!, request.params.paymentId)),
  );

  app.get(
    '/v1/wallet/confirmations',
    {
      onRequest: auth,
      schema: { tags: ['wallet'], summary: 'Merchant-scanned payments waiting for this consumer’s confirmation', security, response: { 200: Type.Object({ payments: Type.Array(PaymentSchema) }), ...errorResponses(401, 429, 503) } },
    },
    async (request) => ({ payments: (await payments.awaitingConfirmation(request.consumer!)).map(paymentOut) }),
  );

  app.post(
    '/v1/wallet/confirmations/:paymentId/challenge',
    {
      onRequest: auth,
      schema: { tags: ['wallet'], summary: 'The text to sign to confirm a waiting payment', security, params: PaymentIdParams, response: { 201: PreparedPaymentSchema, ...errorResponses(401, 404, 409, 429, 503) } },
    },
    async (request, reply) => reply.status(201).send(preparedOut(await payments.confirmChallenge(request.consumer!, request.params.paymentId))),
  );

  app.post(
    '/v1/wallet/confirmations/:paymentId',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Confirm a waiting payment with the device signature and the PIN',
        security,
        params: PaymentIdParams,
        body: Type.Object(
          { challengeId: Type.String({ minLength: 1, maxLength: 64 }), signature: Type.Optional(Signature), assertion: Type.Optional(Assertion), pin: Type.Optional(Pin) },
          { additionalProperties: false },
        ),
        response: { 200: PaymentSchema, ...errorResponses(400, 401, 402, 403, 404, 409, 413, 423, 429, 503) },
      },
    },
    async (request) =>
      paymentOut(await payments.confirm(request.consumer!, request.params.paymentId, { challengeId: request.body.challengeId, proof: proofOf(request.body), pin: request.body.pin, ip: request.ip })),
  );

  app.post(
    '/v1/wallet/confirmations/:paymentId/decline',
    {
      onRequest: auth,
      schema: { tags: ['wallet'], summary: 'Decline a waiting payment: the held amount is released', security, params: PaymentIdParams, response: { 200: PaymentSchema, ...errorResponses(401, 404, 409, 429, 503) } },
    },
    async (request) => paymentOut(await payments.decline(request.consumer!, request.params.paymentId)),
  );

  app.post(
    '/v1/wallet/receiving-code',
    {
      onRequest: auth,
      // The body is optional: no body at all is the same as {}.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) (request as { body: unknown }).body = {};
      },
      schema: {
        tags: ['wallet'],
        summary: 'A personal receiving code (signed static code paying into this wallet; capped by policy, not for business)',
        security,
        body: Type.Object({ displayName: Type.Optional(Type.String({ minLength: 1, maxLength: NAME_CHARS_MAX })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ merchant: MerchantSchema, till: TillSchema }), ...errorResponses(400, 401, 413, 429, 503) },
      },
    },
    async (request) => {
      const consumer = await platform.consumers.view(request.consumer!.consumerId);
      const merchant = await platform.merchants.personal(consumer.id, request.body.displayName ?? consumer.displayName);
      const tills = await platform.merchants.tills(merchant.id);
      const till = tills[0] ?? (await platform.merchants.createTill(merchant.id, 'personal'));
      return { merchant: merchantOut(merchant), till: tillOut(till) };
    },
  );
};
