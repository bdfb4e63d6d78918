import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { Currency, errorResponses } from '../schemas.js';
import { requireStaff } from './auth.js';

const Counts = Type.Object({ decisions: Type.Integer(), approved: Type.Integer(), challenged: Type.Integer(), held: Type.Integer(), declined: Type.Integer() });

/** The console's landing: who is signed in, the dashboard, the audit trail. */
export const overviewOpsRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const anyStaff = requireStaff(platform.store.db, ['admin', 'risk', 'support', 'compliance']);
  const auditors = requireStaff(platform.store.db, ['admin', 'compliance', 'risk']);
  const security = [{ staffToken: [] }];

  app.get(
    '/v1/ops/me',
    {
      onRequest: anyStaff,
      schema: {
        tags: ['ops'],
        summary: 'The staff token in use: its role and label (what the console may show)',
        security,
        response: { 200: Type.Object({ id: Type.String(), role: Type.String(), label: Type.String() }), ...errorResponses(401, 403, 429, 503) },
      },
    },
    async (request) => ({ id: request.staff!.tokenId, role: request.staff!.role, label: request.staff!.label }),
  );

  app.get(
    '/v1/ops/dashboard',
    {
      onRequest: anyStaff,
      schema: {
        tags: ['ops'],
        summary: 'Payments per minute (last hour), risk outcomes, the reserve invariant and open cases',
        security,
        querystring: Type.Object({ currency: Type.Optional(Currency) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            nowMs: Type.Integer(),
            windowMinutes: Type.Integer(),
            currency: Type.String(),
            perMinute: Type.Array(Type.Object({ minuteMs: Type.Integer(), payments: Type.Integer(), amountMinor: Type.Integer() })),
            risk: Counts,
            reserve: Type.Object({ ok: Type.Boolean(), message: Type.String(), checkedAtMs: Type.Integer() }),
            openCases: Type.Object({ riskReviews: Type.Integer(), fraudReports: Type.Integer(), pendingMerchants: Type.Integer() }),
          }),
          ...errorResponses(400, 401, 403, 429, 503),
        },
      },
    },
    async (request) => platform.summaries.dashboard(request.query.currency ?? 'CNY'),
  );

  app.get(
    '/v1/ops/audit',
    {
      onRequest: auditors,
      schema: {
        tags: ['ops'],
        summary: 'The append-only audit trail, newest first; page with beforeSeq',
        security,
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX })), beforeSeq: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                seq: Type.Integer(),
                atMs: Type.Integer(),
                actor: Type.String(),
                action: Type.String(),
                objectId: Type.Union([Type.String(), Type.Null()]),
                detail: Type.Object({}, { additionalProperties: true }),
              }),
            ),
            nextBeforeSeq: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errorResponses(400, 401, 403, 429, 503),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? LIST_PAGE_SIZE_DEFAULT;
      let query = platform.store.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(limit);
      if (request.query.beforeSeq !== undefined) query = query.where('seq', '<', BigInt(request.query.beforeSeq));
      const rows = await query.execute();
      const items = rows.map((r) => ({
        seq: Number(r.seq),
        atMs: Number(r.at_ms),
        actor: r.actor,
        action: r.action,
        objectId: r.object_id,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
      return { items, nextBeforeSeq: rows.length === limit ? items[items.length - 1]!.seq : null };
    },
  );
};
