import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { SaomaError } from '../core/errors.js';
import { IDEMPOTENCY_INFLIGHT_STALE_MS, IDEMPOTENCY_KEY_LENGTH_MAX, IDEMPOTENCY_KEY_TTL_MS } from '../core/limits.js';
import type { Database } from '../store/schema.js';
import { isUniqueViolation } from '../store/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { actor: string; key: string };
  }
}

const KEY_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_LENGTH_MAX}}$`);

/** Who is asking: keys are scoped per caller, so two callers never see each other's responses. */
function actorOf(request: FastifyRequest): string | undefined {
  if (request.staff) return `staff:${request.staff.tokenId}`;
  if (request.merchant) return `merchant:${request.merchant.merchantId}`;
  if (request.consumer) return `consumer:${request.consumer.consumerId}`;
  return undefined;
}


/**
 * `Idempotency-Key` on state-changing POSTs (DESIGN §6): the first request with a key runs and its
 * response is stored; a replay with the same body gets the stored response (with
 * `idempotent-replayed: true`); the same key with another body is refused; a replay while the first
 * is still running is told to retry. Server errors are not stored, so the client may retry them.
 */
export function installIdempotency(app: FastifyInstance, db: Kysely<Database>, nowMs: () => number = Date.now): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) throw new SaomaError('IDEMPOTENCY_KEY_INVALID', undefined, 'Idempotency-Key');
    const actor = actorOf(request);
    if (!actor) return;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\n`)
      .update(JSON.stringify(request.body ?? null))
      .digest('hex');
    const now = nowMs();
    await db
      .deleteFrom('idempotency_keys')
      .where('actor', '=', actor)
      .where('key', '=', header)
      .where('created_at_ms', '<', BigInt(now - IDEMPOTENCY_KEY_TTL_MS))
      .execute();
    try {
      await db.insertInto('idempotency_keys').values({ actor, key: header, fingerprint, status_code: null, response_body: null, created_at_ms: BigInt(now) }).execute();
      request.idempotency = { actor, key: header };
      return;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const stored = await db.selectFrom('idempotency_keys').selectAll().where('actor', '=', actor).where('key', '=', header).executeTakeFirst();
    if (!stored) throw new SaomaError('IDEMPOTENCY_KEY_IN_USE', undefined, 'Idempotency-Key');
    if (stored.fingerprint !== fingerprint) throw new SaomaError('IDEMPOTENCY_KEY_MISMATCH', undefined, 'Idempotency-Key');
    if (stored.status_code === null || stored.response_body === null) {
      // A first request that never finished (its process died) leaves its key in flight; after a
      // while a retry takes the key over. Safe: the operations themselves are idempotent in the
      // ledger (ids derived from the request, guards on challenges, codes and orders).
      if (Number(stored.created_at_ms) < now - IDEMPOTENCY_INFLIGHT_STALE_MS) {
        const claimed = await db
          .updateTable('idempotency_keys')
          .set({ created_at_ms: BigInt(now) })
          .where('actor', '=', actor)
          .where('key', '=', header)
          .where('status_code', 'is', null)
          .where('created_at_ms', '=', stored.created_at_ms)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) === 1) {
          request.idempotency = { actor, key: header };
          return;
        }
      }
      reply.header('retry-after', '1');
      throw new SaomaError('IDEMPOTENCY_KEY_IN_USE', undefined, 'Idempotency-Key');
    }
    const statusCode = Number(stored.status_code);
    reply.header('idempotent-replayed', 'true');
    reply.header('content-type', 'application/json; charset=utf-8');
    reply.status(statusCode);
    // The stored text is already the serialized response: send it byte for byte.
    reply.serializer((payload: unknown) => (typeof payload === 'string' ? payload : JSON.stringify(payload)));
    return reply.send(stored.response_body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const scope = request.idempotency;
    if (!scope) return payload;
    request.idempotency = undefined;
    const where = db.deleteFrom('idempotency_keys').where('actor', '=', scope.actor).where('key', '=', scope.key);
    if (reply.statusCode >= 500 || typeof payload !== 'string') {
      await where.execute();
      return payload;
    }
    await db
      .updateTable('idempotency_keys')
      .set({ status_code: reply.statusCode, response_body: payload })
      .where('actor', '=', scope.actor)
      .where('key', '=', scope.key)
      .execute();
    return payload;
  });
}
