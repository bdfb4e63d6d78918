import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BANK_TRANSFER_STATUSES } from '../../service/bank/index.js';
import { appendAudit } from '../../service/audit.js';
import type { Platform } from '../../service/platform.js';
import type { SettlementStatus } from '../../service/settlement.js';
import { Currency, errorResponses } from '../schemas.js';
import { requireStaff } from './auth.js';

const STATUSES: readonly SettlementStatus[] = [...BANK_TRANSFER_STATUSES, 'skipped', 'error'];

const SettlementResultOut = Type.Object({
  merchantId: Type.String(),
  status: Type.Unsafe<SettlementStatus>({
    type: 'string',
    enum: [...STATUSES],
    description: 'the settlement transfer\'s status (succeeded, declined, … ; bank_sent: awaiting the bank, finished by a job), or skipped (reason says why), or error',
  }),
  settlementId: Type.Union([Type.String(), Type.Null()]),
  amountMinor: Type.Integer({ minimum: 0, description: 'integer minor units paid out (or held) for this day' }),
  currency: Currency,
  accountMasked: Type.Union([Type.String(), Type.Null()]),
  bankReference: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
});

/** Staff: run a day's merchant settlement by hand (the nightly job does the same). */
export const settlementOpsRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.post(
    '/v1/ops/settlements/run',
    {
      onRequest: requireStaff(platform.store.db, ['admin']),
      // Every field is optional, so no body at all means the same as `{}`.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) (request as { body: unknown }).body = {};
      },
      schema: {
        tags: ['settlements'],
        summary: 'Settle every approved merchant\'s available balance for a policy day (once per merchant and day)',
        security: [{ staffToken: [] }],
        body: Type.Object(
          { day: Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'policy day (Asia/Shanghai); default today' })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ day: Type.String(), results: Type.Array(SettlementResultOut) }),
          ...errorResponses(400, 401, 403, 413, 429, 500, 503),
        },
      },
    },
    async (request) => {
      const run = await platform.settlement.run({ day: request.body.day });
      await appendAudit(platform.store.db, { actor: `staff:${request.staff!.tokenId}`, action: 'settlement.run', objectId: run.day, detail: { merchants: run.results.length } }, Date.now());
      return { day: run.day, results: run.results.map((r) => ({ ...r, amountMinor: Number(r.amountMinor) })) };
    },
  );
};
