import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  LIST_PAGE_SIZE_DEFAULT,
  LIST_PAGE_SIZE_MAX,
  RISK_LABEL_HISTORY_ROWS_MAX,
  RISK_LABEL_REASON_CHARS_MAX,
  RISK_LABEL_REASON_CHARS_MIN,
  RISK_LABEL_WITHDRAW_IDS_MAX,
  RISK_PARTY_ID_CHARS_MAX,
} from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { PaymentSchema, paymentOut } from '../views.js';
import { requireStaff } from './auth.js';
import { FRAUD_PARTIES, type FraudParty } from '../../service/risk.js';
import type { LabelView } from '../../service/risk-labels.js';

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

/** Every id the API hands out is `prefix_` and base64url (src/service/crypto.ts newId). */
const PartyId = Type.String({ minLength: 1, maxLength: RISK_PARTY_ID_CHARS_MAX, pattern: '^[A-Za-z0-9_-]+$', description: 'a consumer, merchant, device or code id' });
const Culprits = Type.Object({ accountIds: Type.Array(Type.String()), deviceIds: Type.Array(Type.String()), codeIds: Type.Array(Type.String()) });
const Label = Type.Object({
  id: Type.String(),
  verdict: Type.Union([Type.Literal('fraud'), Type.Literal('legitimate'), Type.Literal('withdrawn')], { description: '`fraud`: found to be the fraudster\'s; `legitimate`: a posted payment, clears a fraud label on its payee; `withdrawn`: fraud labels taken back' }),
  paymentId: Type.Union([Type.String(), Type.Null()], { description: 'the payment the verdict was about; null for a withdrawal' }),
  culprits: Type.Object(Culprits.properties, { description: 'what a fraud label names, or what a withdrawal clears; empty for `legitimate`' }),
  actor: Type.String({ description: 'who decided: `staff:<token id>`' }),
  createdAtMs: Type.Integer(),
});
const labelOut = (l: LabelView) => ({ ...l, culprits: { accountIds: [...l.culprits.accountIds], deviceIds: [...l.culprits.deviceIds], codeIds: [...l.culprits.codeIds] } });
const WithdrawIds = (what: string) =>
  Type.Optional(Type.Array(PartyId, { uniqueItems: true, maxItems: RISK_LABEL_WITHDRAW_IDS_MAX, description: `${what} whose fraud label is withdrawn` }));

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

  const admins = requireStaff(platform.store.db, ['admin']);
  const RuleSetBody = Type.Object({ ruleSet: Type.Object({}, { additionalProperties: true, description: 'a rule set (docs/risk.md): version, thresholds, rules, allow, block' }) }, { additionalProperties: false });
  const Counts = Type.Object({ approve: Type.Integer(), challenge: Type.Integer(), review: Type.Integer(), decline: Type.Integer() });

  app.get(
    '/v1/ops/risk/rule-set',
    {
      onRequest: analysts,
      schema: {
        tags: ['ops'],
        summary: 'The active rule set of the risk engine',
        security,
        response: { 200: Type.Object({ ruleSet: Type.Object({}, { additionalProperties: true }), rules: Type.Integer() }), ...errorResponses(401, 403, 429, 503) },
      },
    },
    async () => ({ ruleSet: platform.risk.ruleSet.source as unknown as Record<string, unknown>, rules: platform.risk.ruleSet.ruleCount }),
  );

  app.post(
    '/v1/ops/risk/rule-set/dry-run',
    {
      onRequest: analysts,
      config: { jsonRatios: true },
      schema: {
        tags: ['ops'],
        summary: 'Replay recent decisions through a candidate rule set: outcomes before and after, what changes, shadow rules that fire',
        security,
        body: RuleSetBody,
        response: {
          200: Type.Object({
            candidateVersion: Type.String(),
            activeVersion: Type.String(),
            decisions: Type.Integer(),
            active: Counts,
            candidate: Counts,
            changed: Type.Array(Type.Object({ decisionId: Type.String(), paymentId: Type.Union([Type.String(), Type.Null()]), from: Type.String(), to: Type.String(), hits: Type.Array(Type.String()) })),
            shadowHits: Type.Record(Type.String(), Type.Integer()),
          }),
          ...errorResponses(400, 401, 403, 413, 429, 503),
        },
      },
    },
    async (request) => {
      const run = await platform.risk.dryRun(request.body.ruleSet);
      return { ...run, changed: run.changed.map((c) => ({ ...c, hits: [...c.hits] })) };
    },
  );

  app.post(
    '/v1/ops/risk/rule-set',
    {
      onRequest: admins,
      config: { jsonRatios: true },
      schema: {
        tags: ['ops'],
        summary: 'Activate a rule set (validated first; audited; kept across restarts)',
        security,
        body: RuleSetBody,
        response: { 200: Type.Object({ version: Type.String(), rules: Type.Integer() }), ...errorResponses(400, 401, 403, 413, 429, 503) },
      },
    },
    async (request) => {
      const loaded = await platform.risk.activate(request.body.ruleSet, `staff:${request.staff!.tokenId}`);
      return { version: loaded.source.version, rules: loaded.ruleCount };
    },
  );

  for (const decision of ['approve', 'decline'] as const) {
    app.post(
      `/v1/ops/risk/reviews/:paymentId/${decision}`,
      {
        onRequest: analysts,
        // The body is optional: none at all means `{}` (released without a label).
        preValidation: async (request) => {
          if (request.body === undefined || request.body === null) (request as { body: unknown }).body = {};
        },
        schema: {
          tags: ['ops'],
          summary: decision === 'approve' ? 'Post a held payment: the money moves to the payee' : 'Release a held payment: the money stays with the payer',
          security,
          params: Params,
          ...(decision === 'decline'
            ? {
                body: (
                  Type.Object(
                    {
                      confirmedFraud: Type.Optional(
                        Type.Array(Type.Union(FRAUD_PARTIES.map((p) => Type.Literal(p))), {
                          uniqueItems: true,
                          maxItems: FRAUD_PARTIES.length,
                          description: "What the analyst found to be the fraudster's; each is labelled fraud and the risk engine stops its next payments (rules label.*). Empty or absent: released without a label.",
                        }),
                      ),
                    },
                    { additionalProperties: false },
                  )
                ),
              }
            : {}),
          response: { 200: PaymentSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 429, 503) },
        },
      },
      async (request) => {
        const body = request.body as { confirmedFraud?: FraudParty[] } | undefined;
        return paymentOut(await platform.payments.review(request.params.paymentId, decision, `staff:${request.staff!.tokenId}`, body?.confirmedFraud ?? []));
      },
    );
  }
  // ---- labels: look one party up, withdraw a mistaken fraud label (appeals; docs/risk-labels.md) ----

  app.get(
    '/v1/ops/risk/labels',
    {
      onRequest: analysts,
      schema: {
        tags: ['ops'],
        summary: 'Whether a party (account, device or code) is labelled fraud now, and the labels naming it, newest first',
        security,
        querystring: Type.Object({ party: PartyId }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            party: Type.String(),
            labelled: Type.Boolean({ description: 'labelled fraud now as an account, a device or a code: rules label.* stop its payments with strangers' }),
            labelledAs: Type.Array(Type.Union([Type.Literal('account'), Type.Literal('device'), Type.Literal('code')]), { description: 'what it is labelled fraud as (a merchant can be both its account and its code)' }),
            labels: Type.Array(Label, { maxItems: RISK_LABEL_HISTORY_ROWS_MAX }),
          }),
          ...errorResponses(400, 401, 403, 429, 503),
        },
      },
    },
    async (request) => {
      const party = request.query.party;
      const found = await platform.risk.partyLabels(party);
      return { party, labelled: found.labelledAs.length > 0, labelledAs: [...found.labelledAs], labels: found.labels.map(labelOut) };
    },
  );

  app.post(
    '/v1/ops/risk/labels/withdraw',
    {
      onRequest: analysts,
      schema: {
        tags: ['ops'],
        summary: 'Withdraw fraud labels found to be mistaken (an appeal upheld), with a reason; audited, in force at once',
        description: `Every id named must be labelled fraud now as what it is named (409 RISK_LABEL_NOT_ACTIVE otherwise, and nothing changes). 1 to ${RISK_LABEL_WITHDRAW_IDS_MAX} ids in all.`,
        security,
        body: Type.Object(
          {
            accountIds: WithdrawIds('consumer and merchant accounts'),
            deviceIds: WithdrawIds('devices'),
            codeIds: WithdrawIds('codes'),
            reason: Type.String({ minLength: RISK_LABEL_REASON_CHARS_MIN, maxLength: RISK_LABEL_REASON_CHARS_MAX, description: 'why the label was wrong (kept in the audit log)' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ label: Label }), ...errorResponses(400, 401, 403, 409, 413, 429, 503) },
      },
    },
    async (request) => {
      const { accountIds = [], deviceIds = [], codeIds = [], reason } = request.body;
      const label = await platform.risk.withdrawLabels({ accountIds, deviceIds, codeIds }, reason, `staff:${request.staff!.tokenId}`);
      return { label: labelOut(label) };
    },
  );
};
