import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { PaymentSchema, paymentOut } from '../views.js';
import { requireStaff } from './auth.js';

const HeldPayment = Type.Object({
  payment: PaymentSchema,
  payerConsumerId: Type.String(),
  risk: Type.Union([
    Type.Object({
      score: Type.Integer(),
      hits: Type.Array(Type.Object({ ruleId: Type.String(), score: Type.Number() })),
      reasons: Type.Array(Type.String()),
      ruleSetVersion: Type.String(),
    }),
    Type.Null(),
  ]),
});

/** The review queue: payments the risk engine held, for risk analysts to post or release. */
export const riskOpsRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const analysts = requireStaff(platform.store.db, ['admin', 'risk']);
  const security = [{ staffToken: [] }];
  const Params = Type.Object({ paymentId: Type.String({ minLength: 1, maxLength: 64 }) });

  app.get(
    '/v1/ops/risk/reviews',
    {
      onRequest: analysts,
      schema: {
        tags: ['ops'],
        summary: 'Payments held for review, oldest first, with the rule hits and score that held them',
        security,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ held: Type.Array(HeldPayment) }), ...errorResponses(400, 401, 403, 429, 503) },
      },
    },
    async (request) => {
      const held = await platform.payments.heldPayments(request.query.limit ?? LIST_PAGE_SIZE_DEFAULT);
      return {
        held: held.map(({ payerConsumerId, risk, ...payment }) => ({
          payment: paymentOut(payment),
          payerConsumerId,
          risk: risk as { score: number; hits: { ruleId: string; score: number }[]; reasons: string[]; ruleSetVersion: string } | null,
        })),
      };
    },
  );

  for (const decision of ['approve', 'decline'] as const) {
    app.post(
      `/v1/ops/risk/reviews/:paymentId/${decision}`,
      {
        onRequest: analysts,
        schema: {
          tags: ['ops'],
          summary: decision === 'approve' ? 'Post a held payment: the money moves to the payee' : 'Release a held payment: the money stays with the payer',
          security,
          params: Params,
          response: { 200: PaymentSchema, ...errorResponses(401, 403, 404, 409, 429, 503) },
        },
      },
      async (request) => paymentOut(await platform.payments.review(request.params.paymentId, decision, `staff:${request.staff!.tokenId}`)),
    );
  }
};
