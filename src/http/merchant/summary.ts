import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { requireMerchant } from './auth.js';

/** Today at the counter: what came in, what went back, the fee, hour by hour. */
export const merchantSummaryRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.get(
    '/v1/merchant/summary',
    {
      onRequest: requireMerchant(platform),
      schema: {
        tags: ['merchant'],
        summary: "Today's totals (the policy day, Asia/Shanghai) with an hourly breakdown",
        security: [{ merchantKey: [] }],
        response: {
          200: Type.Object({
            day: Type.String({ description: 'YYYY-MM-DD' }),
            currency: Type.String(),
            payments: Type.Integer(),
            grossMinor: Type.Integer(),
            refundedMinor: Type.Integer(),
            feeMinor: Type.Integer(),
            netMinor: Type.Integer(),
            hourly: Type.Array(Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), payments: Type.Integer(), amountMinor: Type.Integer() })),
          }),
          ...errorResponses(401, 429, 503),
        },
      },
    },
    async (request) => {
      const merchant = await platform.merchants.row(request.merchant!.merchantId);
      return platform.summaries.merchantDay(merchant.id, merchant.currency);
    },
  );
};
