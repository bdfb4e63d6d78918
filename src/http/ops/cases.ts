import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { FRAUD_REPORT_NOTE_CHARS_MAX, LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { OpsFraudReportSchema } from '../views.js';
import { requireStaff } from './auth.js';

const Status = Type.Union([Type.Literal('open'), Type.Literal('investigating'), Type.Literal('closed')]);

/** The console's cases: fraud reports filed from wallets, for the fraud team. */
export const fraudReportOpsRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const readers = requireStaff(platform.store.db, ['admin', 'risk', 'support', 'compliance']);
  const handlers = requireStaff(platform.store.db, ['admin', 'risk', 'support']);
  const security = [{ staffToken: [] }];
  const Params = Type.Object({ reportId: Type.String({ minLength: 1, maxLength: 64 }) });

  app.get(
    '/v1/ops/fraud-reports',
    {
      onRequest: readers,
      schema: {
        tags: ['ops'],
        summary: 'Fraud reports, newest first, optionally by status, with their evidence',
        security,
        querystring: Type.Object(
          { status: Type.Optional(Status), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX })), beforeMs: Type.Optional(Type.Integer({ minimum: 0 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(OpsFraudReportSchema) }), ...errorResponses(400, 401, 403, 429, 503) },
      },
    },
    async (request) => ({
      items: await platform.fraudReports.list({ status: request.query.status, limit: request.query.limit ?? LIST_PAGE_SIZE_DEFAULT, beforeMs: request.query.beforeMs }),
    }),
  );

  app.get(
    '/v1/ops/fraud-reports/:reportId',
    {
      onRequest: readers,
      schema: { tags: ['ops'], summary: 'One fraud report with its evidence', security, params: Params, response: { 200: OpsFraudReportSchema, ...errorResponses(400, 401, 403, 404, 429, 503) } },
    },
    async (request) => platform.fraudReports.get(request.params.reportId),
  );

  app.post(
    '/v1/ops/fraud-reports/:reportId/status',
    {
      onRequest: handlers,
      schema: {
        tags: ['ops'],
        summary: 'Move a fraud report on (investigating, closed) with a note; audited',
        security,
        params: Params,
        body: Type.Object(
          {
            status: Status,
            note: Type.Optional(Type.String({ maxLength: FRAUD_REPORT_NOTE_CHARS_MAX })),
            confirmedFraud: Type.Optional(Type.Boolean({ description: "the investigation found the reported payee (and a reported code) to be a fraudster's: labelled fraud, the risk engine stops its next payments" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: OpsFraudReportSchema, ...errorResponses(400, 401, 403, 404, 413, 429, 503) },
      },
    },
    async (request) => platform.fraudReports.setStatus(request.params.reportId, request.body.status, request.body.note ?? '', `staff:${request.staff!.tokenId}`, request.body.confirmedFraud ?? false),
  );
};
