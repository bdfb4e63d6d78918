import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SaomaError } from '../../core/errors.js';
import {
  ACCOUNT_RESULTS,
  ACCOUNT_TYPE_NAMES,
  TRANSFER_FLAGS,
  TRANSFER_RESULTS,
  type Account,
  type AccountResult,
  type AccountType,
  type TransferResult,
  type Balances,
  type Transfer,
  type TransferInput,
} from '../../core/ledger/index.js';
import { LEDGER_BATCH_ITEMS_MAX, LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { AmountMinor, BalanceMinor, Currency, LedgerId, NetMinor, TimeoutMs, UserData, errorResponses, minorOut } from '../schemas.js';
import { requireStaff } from './auth.js';

const TransferFlags = Type.Object(
  {
    linked: Type.Optional(Type.Boolean({ description: 'linked with the next transfer: all or none' })),
    pending: Type.Optional(Type.Boolean({ description: 'first phase: reserve the amount' })),
    postPending: Type.Optional(Type.Boolean()),
    voidPending: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const NewTransfer = Type.Object(
  {
    id: LedgerId,
    debitAccountId: Type.Optional(LedgerId),
    creditAccountId: Type.Optional(LedgerId),
    amountMinor: Type.Optional(AmountMinor),
    currency: Type.Optional(Currency),
    pendingId: Type.Optional(LedgerId),
    timeoutMs: Type.Optional(TimeoutMs),
    flags: Type.Optional(TransferFlags),
    userData: Type.Optional(UserData),
  },
  { additionalProperties: false },
);

const NewAccount = Type.Object(
  {
    id: LedgerId,
    type: Type.Unsafe<AccountType>({ type: 'string', enum: [...ACCOUNT_TYPE_NAMES] }),
    currency: Currency,
    userData: Type.Optional(UserData),
  },
  { additionalProperties: false },
);

const BalancesOut = Type.Object({
  debitsPendingMinor: BalanceMinor,
  debitsPostedMinor: BalanceMinor,
  creditsPendingMinor: BalanceMinor,
  creditsPostedMinor: BalanceMinor,
});

const AccountOut = Type.Object({
  id: Type.String(),
  type: Type.String(),
  currency: Type.String(),
  flags: Type.Object({ debitsMustNotExceedCredits: Type.Boolean(), creditsMustNotExceedDebits: Type.Boolean() }),
  userData: UserData,
  createdAtMs: Type.Integer(),
  balances: BalancesOut,
});

const TransferOut = Type.Object({
  id: Type.String(),
  debitAccountId: Type.String(),
  creditAccountId: Type.String(),
  amountMinor: Type.Integer(),
  currency: Type.String(),
  flags: Type.Object({
    linked: Type.Boolean(),
    pending: Type.Boolean(),
    postPending: Type.Boolean(),
    voidPending: Type.Boolean(),
    expirePending: Type.Boolean(),
  }),
  pendingId: Type.Union([Type.String(), Type.Null()]),
  timeoutMs: Type.Integer(),
  userData: UserData,
  createdAtMs: Type.Integer(),
  timestamp: Type.String({ description: 'unique, increasing ledger timestamp (microseconds)' }),
});

const IdParams = Type.Object({ id: LedgerId });

/** JSON carries amounts as integers; balances beyond 2^53−1 would be rounded, so they stop here. */
function safe(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SaomaError('INVARIANT_VIOLATED', `${what} exceeds the JSON-safe integer range`);
  }
  return Number(v);
}

function balancesOut(b: Balances) {
  return {
    debitsPendingMinor: minorOut(b.debitsPending),
    debitsPostedMinor: minorOut(b.debitsPosted),
    creditsPendingMinor: minorOut(b.creditsPending),
    creditsPostedMinor: minorOut(b.creditsPosted),
  };
}

export function accountOut(a: Account) {
  return {
    id: a.id,
    type: a.code,
    currency: a.currency,
    flags: { debitsMustNotExceedCredits: (a.flags & 1) !== 0, creditsMustNotExceedDebits: (a.flags & 2) !== 0 },
    userData: a.userData,
    createdAtMs: safe(a.ts / 1000n, 'timestamp'),
    balances: balancesOut(a),
  };
}

export function transferOut(t: Transfer) {
  return {
    id: t.id,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amountMinor: safe(t.amountMinor, 'amount'),
    currency: t.currency,
    flags: {
      linked: (t.flags & TRANSFER_FLAGS.LINKED) !== 0,
      pending: (t.flags & TRANSFER_FLAGS.PENDING) !== 0,
      postPending: (t.flags & TRANSFER_FLAGS.POST_PENDING) !== 0,
      voidPending: (t.flags & TRANSFER_FLAGS.VOID_PENDING) !== 0,
      expirePending: (t.flags & TRANSFER_FLAGS.EXPIRE_PENDING) !== 0,
    },
    pendingId: t.pendingId,
    timeoutMs: t.timeoutMs,
    userData: t.userData,
    createdAtMs: safe(t.ts / 1000n, 'timestamp'),
    timestamp: t.ts.toString(),
  };
}

function flagsIn(f: { linked?: boolean; pending?: boolean; postPending?: boolean; voidPending?: boolean } | undefined): number {
  if (!f) return 0;
  return (
    (f.linked ? TRANSFER_FLAGS.LINKED : 0) |
    (f.pending ? TRANSFER_FLAGS.PENDING : 0) |
    (f.postPending ? TRANSFER_FLAGS.POST_PENDING : 0) |
    (f.voidPending ? TRANSFER_FLAGS.VOID_PENDING : 0)
  );
}

function encodeCursor(ts: bigint): string {
  return Buffer.from(`ts:${ts}`).toString('base64url');
}

const TS_MAX = 2n ** 63n - 1n;

function decodeCursor(cursor: string): bigint {
  const text = Buffer.from(cursor, 'base64url').toString();
  const match = /^ts:(\d{1,19})$/.exec(text);
  // Timestamps are signed 64-bit in the database: a larger one would fail there as a 500.
  if (!match || BigInt(match[1]!) > TS_MAX) throw new SaomaError('INVALID_CURSOR', undefined, 'cursor');
  return BigInt(match[1]!);
}

/** The staff ledger API: admins write; every staff role may read. */
export const ledgerOpsRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const { ledger, store } = platform;
  const writers = requireStaff(store.db, ['admin']);
  const readers = requireStaff(store.db, ['admin', 'compliance', 'risk', 'support']);
  const security = [{ staffToken: [] }];

  app.post(
    '/v1/ledger/accounts',
    {
      onRequest: writers,
      schema: {
        tags: ['ledger'],
        summary: 'Create ledger accounts (idempotent by id)',
        security,
        body: Type.Object({ accounts: Type.Array(NewAccount, { minItems: 1, maxItems: LEDGER_BATCH_ITEMS_MAX }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ results: Type.Array(Type.Object({ id: Type.String(), result: Type.Unsafe<AccountResult>({ type: 'string', enum: [...ACCOUNT_RESULTS] }) })) }),
          ...errorResponses(400, 401, 403, 413, 429, 503),
        },
      },
    },
    async (request) => {
      const accounts = request.body.accounts;
      const results = await ledger.createAccounts(accounts, { audit: { actor: `staff:${request.staff!.tokenId}`, action: 'ledger.accounts.create' } });
      return { results: accounts.map((a, i) => ({ id: a.id, result: results[i]! })) };
    },
  );

  app.post(
    '/v1/ledger/transfers',
    {
      onRequest: writers,
      schema: {
        tags: ['ledger'],
        summary: 'Create transfers in a batch (idempotent by id; linked transfers apply all or none)',
        security,
        body: Type.Object({ transfers: Type.Array(NewTransfer, { minItems: 1, maxItems: LEDGER_BATCH_ITEMS_MAX }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ results: Type.Array(Type.Object({ id: Type.String(), result: Type.Unsafe<TransferResult>({ type: 'string', enum: [...TRANSFER_RESULTS] }) })) }),
          ...errorResponses(400, 401, 403, 413, 429, 503),
        },
      },
    },
    async (request) => {
      const transfers = request.body.transfers;
      const inputs: TransferInput[] = transfers.map((t) => ({
        id: t.id,
        debitAccountId: t.debitAccountId,
        creditAccountId: t.creditAccountId,
        amountMinor: t.amountMinor === undefined ? undefined : BigInt(t.amountMinor),
        currency: t.currency,
        pendingId: t.pendingId,
        timeoutMs: t.timeoutMs,
        flags: flagsIn(t.flags),
        userData: t.userData,
      }));
      const results = await ledger.createTransfers(inputs, { audit: { actor: `staff:${request.staff!.tokenId}`, action: 'ledger.transfers.create' } });
      return { results: transfers.map((t, i) => ({ id: t.id, result: results[i]! })) };
    },
  );

  app.get(
    '/v1/ledger/accounts/:id',
    { onRequest: readers, schema: { tags: ['ledger'], summary: 'An account with its balances', security, params: IdParams, response: { 200: AccountOut, ...errorResponses(400, 401, 403, 404, 429, 503) } } },
    async (request) => accountOut(await ledger.account(request.params.id)),
  );

  app.get(
    '/v1/ledger/accounts/:id/transfers',
    {
      onRequest: readers,
      schema: {
        tags: ['ledger'],
        summary: "An account's transfers, newest first, with cursor pagination",
        security,
        params: IdParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX })),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: Type.Object({ transfers: Type.Array(TransferOut), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => {
      const before = request.query.cursor === undefined ? null : decodeCursor(request.query.cursor);
      const page = await ledger.accountTransfers(request.params.id, request.query.limit ?? LIST_PAGE_SIZE_DEFAULT, before);
      return { transfers: page.transfers.map(transferOut), nextCursor: page.nextCursorTs === null ? null : encodeCursor(page.nextCursorTs) };
    },
  );

  app.get(
    '/v1/ledger/accounts/:id/balances',
    {
      onRequest: readers,
      schema: {
        tags: ['ledger'],
        summary: "An account's balances as they stood at a past moment",
        security,
        params: IdParams,
        querystring: Type.Object({ atMs: Type.Integer({ minimum: 0, description: 'milliseconds since the Unix epoch' }) }),
        response: { 200: Type.Object({ accountId: Type.String(), atMs: Type.Integer(), balances: BalancesOut }), ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => ({
      accountId: request.params.id,
      atMs: request.query.atMs,
      balances: balancesOut(await ledger.balancesAsOf(request.params.id, request.query.atMs)),
    }),
  );

  app.get(
    '/v1/ledger/transfers/:id',
    { onRequest: readers, schema: { tags: ['ledger'], summary: 'One transfer', security, params: IdParams, response: { 200: TransferOut, ...errorResponses(400, 401, 403, 404, 429, 503) } } },
    async (request) => transferOut(await ledger.transfer(request.params.id)),
  );

  app.get(
    '/v1/ledger/verify',
    {
      onRequest: readers,
      schema: {
        tags: ['ledger'],
        summary: 'Check the books: balanced, every balance matches its transfers, 100% reserve, no overdraft',
        security,
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            accounts: Type.Integer(),
            currencies: Type.Array(Type.Object({ currency: Type.String(), reserveMinor: NetMinor, customerFundsMinor: NetMinor, platformClaimsMinor: NetMinor })),
            violations: Type.Array(Type.Object({ check: Type.String(), detail: Type.String() })),
          }),
          ...errorResponses(401, 403, 429, 503),
        },
      },
    },
    async () => {
      const v = await ledger.verify();
      return {
        ok: v.ok,
        accounts: v.accounts,
        currencies: v.currencies.map((c) => ({ currency: c.currency, reserveMinor: minorOut(c.reserveMinor), customerFundsMinor: minorOut(c.customerFundsMinor), platformClaimsMinor: minorOut(c.platformClaimsMinor) })),
        violations: [...v.violations],
      };
    },
  );
};
