import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DESCRIPTION_CHARS_MAX, MERCHANT_FEE_RATE_BP_MAX } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { MerchantSchema, merchantOut } from '../views.js';
import { requireStaff } from './auth.js';

/** Staff review merchants (risk, compliance, admin) and set fee rates (admin); every decision is audited. */
export const merchantOpsRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const reviewers = requireStaff(platform.store.db, ['admin', 'risk', 'compliance']);
  const readers = requireStaff(platform.store.db, ['admin', 'risk', 'compliance', 'support']);
  const admins = requireStaff(platform.store.db, ['admin']);
  const security = [{ staffToken: [] }];
  const Params = Type.Object({ merchantId: Type.String({ minLength: 1, maxLength: 64 }) });

  app.get(
    '/v1/ops/merchants',
    {
      onRequest: readers,
      schema: {
        tags: ['ops'],
        summary: 'Merchants, newest first, optionally by status',
        security,
        querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('suspended')])) }),
        response: { 200: Type.Object({ merchants: Type.Array(MerchantSchema) }), ...errorResponses(400, 401, 403, 429, 503) },
      },
    },
    async (request) => ({ merchants: (await platform.merchants.list(request.query.status)).map(merchantOut) }),
  );

  app.post(
    '/v1/ops/merchants/:merchantId/review',
    {
      onRequest: reviewers,
      schema: {
        tags: ['ops'],
        summary: 'Approve or suspend a merchant',
        security,
        params: Params,
        body: Type.Object({ decision: Type.Union([Type.Literal('approve'), Type.Literal('suspend')]), note: Type.Optional(Type.String({ maxLength: DESCRIPTION_CHARS_MAX })) }, { additionalProperties: false }),
        response: { 200: MerchantSchema, ...errorResponses(400, 401, 403, 404, 413, 429, 503) },
      },
    },
    async (request) => merchantOut(await platform.merchants.review(request.params.merchantId, request.body.decision, `staff:${request.staff!.tokenId}`, request.body.note)),
  );

  app.post(
    '/v1/ops/merchants/:merchantId/fee-rate',
    {
      onRequest: admins,
      schema: {
        tags: ['ops'],
        summary: 'Set a merchant’s discount rate (basis points)',
        security,
        params: Params,
        body: Type.Object({ feeRateBp: Type.Integer({ minimum: 0, maximum: MERCHANT_FEE_RATE_BP_MAX }) }, { additionalProperties: false }),
        response: { 200: MerchantSchema, ...errorResponses(400, 401, 403, 404, 413, 429, 503) },
      },
    },
    async (request) => merchantOut(await platform.merchants.setFeeRate(request.params.merchantId, request.body.feeRateBp, `staff:${request.staff!.tokenId}`)),
  );
};
