import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { FRAUD_REPORT_DESCRIPTION_CHARS_MAX, LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX, QR_PAYLOAD_CHARS_MAX } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { CodeResolutionSchema, FraudReportSchema } from '../views.js';
import { requireConsumer } from './auth.js';

const Code = Type.String({ minLength: 1, maxLength: QR_PAYLOAD_CHARS_MAX });
const Description = Type.String({ maxLength: FRAUD_REPORT_DESCRIPTION_CHARS_MAX });

/** What a scanned code is, and the wallet's fraud reports ("this wasn't me", "report this code"). */
export const walletReportRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const auth = requireConsumer(platform);
  const security = [{ consumerSession: [] }];

  app.post(
    '/v1/wallet/codes/resolve',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'What a scanned code is: genuine (with the registered payee), counterfeit, expired, used, foreign, a link or text',
        description: 'Always 200 for a code of acceptable length: a counterfeit is an answer, shown red, not an error. Nothing is paid or reserved.',
        security,
        body: Type.Object({ code: Code }, { additionalProperties: false }),
        response: { 200: CodeResolutionSchema, ...errorResponses(400, 401, 413, 429, 503) },
      },
    },
    async (request) => platform.payments.resolveCode(request.body.code),
  );

  app.post(
    '/v1/wallet/payments/:paymentId/report',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: '"This wasn\'t me": report a payment you made as fraud; it is stored with its evidence for the fraud team',
        security,
        params: Type.Object({ paymentId: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object(
          {
            reason: Type.Union([Type.Literal('unauthorised'), Type.Literal('scam'), Type.Literal('wrong_payee'), Type.Literal('other')]),
            description: Type.Optional(Description),
          },
          { additionalProperties: false },
        ),
        response: { 201: FraudReportSchema, ...errorResponses(400, 401, 404, 409, 413, 429, 503) },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await platform.fraudReports.reportPayment(request.consumer!.consumerId, request.params.paymentId, { reason: request.body.reason, description: request.body.description ?? '' })),
  );

  app.post(
    '/v1/wallet/code-reports',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Report a scanned code as fraud (a counterfeit, or a code stuck over a merchant\'s)',
        security,
        body: Type.Object({ code: Code, description: Type.Optional(Description) }, { additionalProperties: false }),
        response: { 201: FraudReportSchema, ...errorResponses(400, 401, 413, 429, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await platform.fraudReports.reportCode(request.consumer!.consumerId, request.body.code, request.body.description ?? '')),
  );

  app.get(
    '/v1/wallet/reports',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Your fraud reports and their status, newest first',
        security,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(FraudReportSchema) }), ...errorResponses(400, 401, 429, 503) },
      },
    },
    async (request) => ({ items: await platform.fraudReports.listForConsumer(request.consumer!.consumerId, request.query.limit ?? LIST_PAGE_SIZE_DEFAULT) }),
  );
};
