import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { BANK_ACCOUNT_DIGITS_MAX, BANK_ACCOUNT_DIGITS_MIN, LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX, TOPUP_MINOR_MAX, WITHDRAWAL_MINOR_MAX } from '../../core/limits.js';
import { BANK_TRANSFER_STATUSES, type BankTransfer, type BankTransferStatus } from '../../service/bank/index.js';
import type { Platform } from '../../service/platform.js';
import { Currency, errorResponses } from '../schemas.js';
import { requireConsumer } from './auth.js';

const BankTransferSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('topup'), Type.Literal('withdrawal')]),
  status: Type.Unsafe<BankTransferStatus>({
    type: 'string',
    enum: [...BANK_TRANSFER_STATUSES],
    description: 'created → bank_sent → succeeded | declined | failed; bank_sent waits for the bank and is finished by the platform',
  }),
  amountMinor: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'integer minor units' }),
  currency: Type.String(),
  accountMasked: Type.String({ description: 'the bank account, masked: ****1234' }),
  bankReference: Type.Union([Type.String(), Type.Null()], { description: "the bank's reference, once it answered" }),
  reason: Type.Union([Type.String(), Type.Null()], { description: "the bank's reason for a decline (e.g. insufficient_funds)" }),
  createdAtMs: Type.Integer(),
  updatedAtMs: Type.Integer(),
});

function bankTransferOut(t: BankTransfer): Static<typeof BankTransferSchema> {
  return {
    id: t.id,
    kind: t.kind as 'topup' | 'withdrawal',
    status: t.status,
    amountMinor: Number(t.amountMinor),
    currency: t.currency,
    accountMasked: t.accountMasked,
    bankReference: t.bankReference,
    reason: t.reason,
    createdAtMs: t.createdAtMs,
    updatedAtMs: t.updatedAtMs,
  };
}

// Looser than the rule on purpose: a number with spaces or a digit too many reaches the service,
// which answers BANK_ACCOUNT_INVALID (a code a wallet can act on) rather than a schema error.
const BankAccount = Type.String({
  minLength: 1,
  maxLength: 64,
  description: `the bank account number: ${BANK_ACCOUNT_DIGITS_MIN} to ${BANK_ACCOUNT_DIGITS_MAX} digits, no spaces`,
});

function fundsBody(amountMinorMax: number) {
  return Type.Object(
    {
      amountMinor: Type.Integer({ minimum: 1, maximum: amountMinorMax, description: 'integer minor units (e.g. fen)' }),
      currency: Currency,
      bankAccount: BankAccount,
    },
    { additionalProperties: false },
  );
}

/** Money leaving to an account the caller names also needs the payment PIN (decision 0014). */
const WithdrawalBody = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 1, maximum: WITHDRAWAL_MINOR_MAX, description: 'integer minor units (e.g. fen)' }),
    currency: Currency,
    bankAccount: BankAccount,
    pin: Type.String({ pattern: '^[0-9]{6}$', description: 'the payment PIN' }),
  },
  { additionalProperties: false },
);

/** Money in and out of the wallet through the consumer's bank account (docs/decisions/0011). */
export const walletFundsRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const auth = requireConsumer(platform);
  const security = [{ consumerSession: [] }];

  app.post(
    '/v1/wallet/topups',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Top up the wallet from a bank account',
        description:
          'The platform asks the bank to debit the account; the wallet is credited when the bank confirms. The answer is the top-up as far as it got: `bank_sent` means the bank has not answered yet and the platform finishes it (GET it again later).',
        security,
        body: fundsBody(TOPUP_MINOR_MAX),
        response: { 201: BankTransferSchema, ...errorResponses(400, 401, 409, 413, 422, 429, 500, 503) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const topUp = await platform.funds.topUp({ consumerId: request.consumer!.consumerId, amountMinor: BigInt(b.amountMinor), currency: b.currency, bankAccount: b.bankAccount });
      return reply.status(201).send(bankTransferOut(topUp));
    },
  );

  app.post(
    '/v1/wallet/withdrawals',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Withdraw from the wallet to a bank account',
        description:
          'The amount leaves the wallet at once (INSUFFICIENT_FUNDS when the balance does not cover it) and is paid out by the bank; a declined payout comes back to the wallet.',
        security,
        body: WithdrawalBody,
        response: { 201: BankTransferSchema, ...errorResponses(400, 401, 402, 403, 409, 413, 422, 423, 429, 500, 503) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      await platform.consumers.authorizeWithdrawal(request.consumer!, BigInt(b.amountMinor), b.pin);
      const withdrawal = await platform.funds.withdraw({ consumerId: request.consumer!.consumerId, amountMinor: BigInt(b.amountMinor), currency: b.currency, bankAccount: b.bankAccount });
      // Money out, for the mule and fast-out features of the risk engine.
      if (withdrawal.status !== 'declined') platform.risk.observe({ type: 'withdrawal', accountId: request.consumer!.consumerId, amountMinor: BigInt(b.amountMinor), atMs: Date.now() });
      return reply.status(201).send(bankTransferOut(withdrawal));
    },
  );

  app.get(
    '/v1/wallet/bank-transfers',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: "The consumer's top-ups and withdrawals, newest first",
        security,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(BankTransferSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses(400, 401, 429, 503),
        },
      },
    },
    async (request) => {
      const page = await platform.funds.list(request.consumer!.consumerId, { limit: request.query.limit ?? LIST_PAGE_SIZE_DEFAULT, cursor: request.query.cursor });
      return { items: page.items.map(bankTransferOut), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/wallet/bank-transfers/:id',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'One of the consumer’s top-ups or withdrawals',
        security,
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: BankTransferSchema, ...errorResponses(400, 401, 404, 429, 503) },
      },
    },
    async (request) => bankTransferOut(await platform.funds.get(request.consumer!.consumerId, request.params.id)),
  );
};
