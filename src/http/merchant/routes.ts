import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  DESCRIPTION_CHARS_MAX,
  LIST_PAGE_SIZE_DEFAULT,
  LIST_PAGE_SIZE_MAX,
  NAME_CHARS_MAX,
  ORDER_TTL_MS_MAX,
  REFERENCE_CHARS_MAX,
} from '../../core/limits.js';
import { renderPosterSvg } from '../../images/poster.js';
import type { Platform } from '../../service/platform.js';
import { AmountMinor, Currency, errorResponses } from '../schemas.js';
import { publicRateLimit } from '../rate-limits.js';
import { ApiKeySchema, MerchantSchema, OrderSchema, PaymentSchema, TillSchema, apiKeyOut, merchantOut, orderOut, paymentOut, tillOut } from '../views.js';
import { requireMerchant } from './auth.js';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Id = Type.String({ minLength: 1, maxLength: 64 });
const KeyParams = Type.Object({ keyId: Id });
const TillParams = Type.Object({ tillId: Id });
const OrderParams = Type.Object({ orderId: Id });
const PaymentParams = Type.Object({ paymentId: Id });
const Page = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX })), beforeMs: Type.Optional(Type.Integer({ minimum: 0 })) });
const Role = Type.Union([Type.Literal('owner'), Type.Literal('manager'), Type.Literal('cashier')]);

/**
 * The merchant API (secret keys with roles). Owners do everything; managers also refund, cancel,
 * and manage tills; cashiers take payments (orders, scans) and read them.
 */
export const merchantRoutes: FastifyPluginAsyncTypebox<{ platform: Platform; publicRateLimitPerMinute?: number | undefined }> = async (
  app,
  { platform, publicRateLimitPerMinute },
) => {
  const { merchants, payments } = platform;
  const anyRole = requireMerchant(platform);
  const managers = requireMerchant(platform, 'manager');
  const owners = requireMerchant(platform, 'owner');
  const security = [{ merchantKey: [] }];
  const publicLimit = publicRateLimit(app, publicRateLimitPerMinute);

  app.post(
    '/v1/merchants',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['merchant'],
        summary: 'Apply as a merchant: business details and settlement account; returns the owner API key once. Payments open after review.',
        security: [],
        body: Type.Object(
          {
            legalName: Text(NAME_CHARS_MAX),
            displayName: Text(NAME_CHARS_MAX),
            licenceNumber: Type.String({ minLength: 6, maxLength: 32, pattern: '^[0-9A-Z]+$', description: 'business licence number (unified social credit code)' }),
            mcc: Type.String({ pattern: '^[0-9]{4}$', description: 'ISO 18245 merchant category code' }),
            address: Text(200),
            city: Text(NAME_CHARS_MAX),
            countryCode: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
            currency: Type.Optional(Type.Literal('CNY')),
            settlementAccount: Type.String({ pattern: '^[0-9]{8,30}$', description: 'bank account for settlement (stored encrypted, shown masked)' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ merchant: MerchantSchema, apiKey: Type.String({ description: 'secret key, shown once' }), apiKeyId: Type.String() }), ...errorResponses(400, 413, 429, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await merchants.apply(request.body).then((r) => ({ ...r, merchant: merchantOut(r.merchant) }))),
  );

  app.get(
    '/v1/merchant',
    {
      onRequest: anyRole,
      schema: {
        tags: ['merchant'],
        summary: 'This merchant, with its review status and balance, and the role of the key in use',
        security,
        response: {
          200: Type.Object({
            merchant: MerchantSchema,
            balance: Type.Object({ availableMinor: Type.Integer(), currency: Type.String() }),
            key: Type.Object({ id: Type.String(), role: Type.String({ description: 'owner, manager or cashier: what this key may do' }) }),
          }),
          ...errorResponses(401, 429, 503),
        },
      },
    },
    async (request) => {
      const merchant = await merchants.view(request.merchant!.merchantId);
      let available = 0n;
      if (merchant.kind === 'business') {
        const a = await platform.ledger.account(`merchant:${merchant.id}:${merchant.currency}`);
        available = a.creditsPosted - a.debitsPosted - a.debitsPending;
      }
      return {
        merchant: merchantOut(merchant),
        balance: { availableMinor: Number(available), currency: merchant.currency },
        key: { id: request.merchant!.keyId, role: request.merchant!.role },
      };
    },
  );

  app.get(
    '/v1/merchant/api-keys',
    { onRequest: owners, schema: { tags: ['merchant'], summary: 'API keys (never their secrets)', security, response: { 200: Type.Object({ keys: Type.Array(ApiKeySchema) }), ...errorResponses(401, 403, 429, 503) } } },
    async (request) => ({ keys: (await merchants.apiKeys(request.merchant!.merchantId)).map(apiKeyOut) }),
  );

  app.post(
    '/v1/merchant/api-keys',
    {
      onRequest: owners,
      schema: {
        tags: ['merchant'],
        summary: 'Create a key for a staff member or system; the secret is shown once',
        security,
        body: Type.Object({ role: Role, label: Text(NAME_CHARS_MAX) }, { additionalProperties: false }),
        response: { 201: Type.Object({ key: ApiKeySchema, secret: Type.String() }), ...errorResponses(400, 401, 403, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const created = await merchants.createApiKey(request.merchant!.merchantId, request.body.role, request.body.label);
      return reply.status(201).send({ key: apiKeyOut(created.key), secret: created.secret });
    },
  );

  app.post(
    '/v1/merchant/api-keys/:keyId/revoke',
    { onRequest: owners, schema: { tags: ['merchant'], summary: 'Revoke a key at once', security, params: KeyParams, response: { 200: ApiKeySchema, ...errorResponses(400, 401, 403, 404, 429, 503) } } },
    async (request) => apiKeyOut(await merchants.revokeApiKey(request.merchant!.merchantId, request.params.keyId)),
  );

  app.get(
    '/v1/merchant/tills',
    { onRequest: anyRole, schema: { tags: ['merchant'], summary: 'Tills and their signed static codes', security, response: { 200: Type.Object({ tills: Type.Array(TillSchema) }), ...errorResponses(401, 429, 503) } } },
    async (request) => ({ tills: (await merchants.tills(request.merchant!.merchantId)).map(tillOut) }),
  );

  app.post(
    '/v1/merchant/tills',
    {
      onRequest: managers,
      schema: {
        tags: ['merchant'],
        summary: 'A till with its platform-signed static code',
        security,
        body: Type.Object({ label: Text(NAME_CHARS_MAX) }, { additionalProperties: false }),
        response: { 201: TillSchema, ...errorResponses(400, 401, 403, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(tillOut(await merchants.createTill(request.merchant!.merchantId, request.body.label))),
  );

  app.get(
    '/v1/merchant/tills/:tillId/poster.svg',
    {
      onRequest: anyRole,
      schema: {
        tags: ['merchant'],
        summary: 'The printable poster of a till’s code (SVG, A6), with the registered name',
        security,
        params: TillParams,
        response: { 200: { description: 'SVG document', content: { 'image/svg+xml': { schema: Type.String() } } }, ...errorResponses(401, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      const m = await merchants.view(request.merchant!.merchantId);
      const till = await merchants.till(m.id, request.params.tillId);
      const svg = renderPosterSvg({ payload: till.payload, registeredName: m.displayName, subtitle: till.label, verifiedMark: m.status === 'approved' });
      return reply.type('image/svg+xml; charset=utf-8').send(svg);
    },
  );

  // ---- orders (dynamic codes) ----
  app.post(
    '/v1/orders',
    {
      onRequest: anyRole,
      schema: {
        tags: ['orders'],
        summary: 'Create an order; returns its signed dynamic code (single use, expires). The reference makes it idempotent.',
        security,
        body: Type.Object(
          {
            amountMinor: AmountMinor,
            currency: Type.Optional(Currency),
            reference: Type.String({ minLength: 1, maxLength: REFERENCE_CHARS_MAX, pattern: '^[A-Za-z0-9_.:-]+$' }),
            description: Type.Optional(Type.String({ maxLength: DESCRIPTION_CHARS_MAX })),
            ttlMs: Type.Optional(Type.Integer({ minimum: 10_000, maximum: ORDER_TTL_MS_MAX })),
          },
          { additionalProperties: false },
        ),
        response: { 201: OrderSchema, ...errorResponses(400, 401, 403, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const order = await payments.createOrder(request.merchant!, { ...b, amountMinor: BigInt(b.amountMinor) });
      return reply.status(201).send(orderOut(order));
    },
  );

  app.get(
    '/v1/orders/:orderId',
    { onRequest: anyRole, schema: { tags: ['orders'], summary: 'Query an order', security, params: OrderParams, response: { 200: OrderSchema, ...errorResponses(401, 404, 429, 503) } } },
    async (request) => orderOut(await payments.order(request.merchant!, request.params.orderId)),
  );

  app.get(
    '/v1/orders',
    {
      onRequest: anyRole,
      schema: {
        tags: ['orders'],
        summary: 'Find an order by the merchant’s reference',
        security,
        querystring: Type.Object({ reference: Type.String({ minLength: 1, maxLength: REFERENCE_CHARS_MAX }) }),
        response: { 200: OrderSchema, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => orderOut(await payments.orderByReference(request.merchant!, request.query.reference)),
  );

  app.post(
    '/v1/orders/:orderId/close',
    { onRequest: anyRole, schema: { tags: ['orders'], summary: 'Close an unpaid order: its code can no longer pay', security, params: OrderParams, response: { 200: OrderSchema, ...errorResponses(401, 404, 409, 429, 503) } } },
    async (request) => orderOut(await payments.closeOrder(request.merchant!, request.params.orderId)),
  );

  // ---- payments ----
  app.post(
    '/v1/payments/scan',
    {
      onRequest: anyRole,
      schema: {
        tags: ['payments'],
        summary: 'Charge a consumer’s payment code (18 digits). Up to the password-free limit it pays at once; above, it waits for the consumer’s confirmation.',
        security,
        body: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 64 }), amountMinor: AmountMinor, currency: Type.Optional(Currency), description: Type.Optional(Type.String({ maxLength: DESCRIPTION_CHARS_MAX })) },
          { additionalProperties: false },
        ),
        response: { 201: PaymentSchema, ...errorResponses(400, 401, 402, 403, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      return reply.status(201).send(paymentOut(await payments.scan(request.merchant!, { ...b, amountMinor: BigInt(b.amountMinor) })));
    },
  );

  app.get(
    '/v1/payments',
    { onRequest: anyRole, schema: { tags: ['payments'], summary: 'This merchant’s payments, newest first', security, querystring: Page, response: { 200: Type.Object({ payments: Type.Array(PaymentSchema) }), ...errorResponses(400, 401, 429, 503) } } },
    async (request) => ({ payments: (await payments.merchantPayments(request.merchant!, request.query.limit ?? LIST_PAGE_SIZE_DEFAULT, request.query.beforeMs)).map(paymentOut) }),
  );

  app.get(
    '/v1/payments/:paymentId',
    { onRequest: anyRole, schema: { tags: ['payments'], summary: 'One payment of this merchant', security, params: PaymentParams, response: { 200: PaymentSchema, ...errorResponses(401, 404, 429, 503) } } },
    async (request) => paymentOut(await payments.merchantPayment(request.merchant!, request.params.paymentId)),
  );

  app.post(
    '/v1/payments/:paymentId/refunds',
    {
      onRequest: managers,
      schema: {
        tags: ['payments'],
        summary: 'Refund all or part of a payment (never beyond what was captured); the fee is returned in proportion',
        security,
        params: PaymentParams,
        body: Type.Object({ amountMinor: AmountMinor, reason: Type.Optional(Type.String({ maxLength: DESCRIPTION_CHARS_MAX })) }, { additionalProperties: false }),
        response: { 201: PaymentSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 429, 503) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(paymentOut(await payments.refund(request.merchant!, request.params.paymentId, { amountMinor: BigInt(request.body.amountMinor), reason: request.body.reason }))),
  );

  app.post(
    '/v1/payments/:paymentId/cancel',
    {
      onRequest: managers,
      schema: { tags: ['payments'], summary: 'Cancel: release a waiting payment, or refund a captured one in full', security, params: PaymentParams, response: { 200: PaymentSchema, ...errorResponses(401, 403, 404, 409, 429, 503) } },
    },
    async (request) => paymentOut(await payments.cancel(request.merchant!, request.params.paymentId)),
  );
};
