import type { FastifyError, FastifyInstance } from 'fastify';
import { ERROR_CODES, SaomaError, type ErrorCode } from '../core/errors.js';

export interface ErrorBody {
  error: { type: string; code: string; message: string; param?: string };
}

export function errorBody(code: ErrorCode, message?: string, param?: string): ErrorBody {
  const def = ERROR_CODES[code];
  return { error: { type: def.type, code, message: message ?? def.message, ...(param ? { param } : {}) } };
}

function paramOf(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  // The offending field itself: a missing one, or one the schema does not know.
  const params = first.params as { missingProperty?: string; additionalProperty?: string } | undefined;
  const field = params?.missingProperty ?? params?.additionalProperty;
  const path = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  return [path, field].filter(Boolean).join('.') || undefined;
}

/**
 * Too many items in a ledger batch body (`{"transfers": [...]}` or `{"accounts": [...]}` past its
 * maxItems) has its own code; other arrays past their bound are plain INVALID_REQUEST.
 */
function isBatchTooLarge(error: FastifyError): boolean {
  const first = error.validation?.[0];
  return error.validationContext === 'body' && first?.keyword === 'maxItems' && /^\/(transfers|accounts)$/.test(first.instancePath);
}

/** Every error leaves as `{"error": {type, code, message, param?}}`; bad input is never a 5xx. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | SaomaError, request, reply) => {
    if (error instanceof SaomaError) {
      if (error.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
      if (error.code === 'LEDGER_OVERLOADED' || error.code === 'LEDGER_UNAVAILABLE') reply.header('retry-after', '1');
      if (error.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer');
      return reply.status(error.httpStatus).send(errorBody(error.code, error.message, error.param));
    }
    const fe = error as FastifyError;
    if (fe.validation) {
      const param = paramOf(fe);
      if (isBatchTooLarge(fe)) return reply.status(400).send(errorBody('BATCH_TOO_LARGE', `${param}: ${fe.validation[0]?.message ?? 'too many items'}`, param));
      return reply.status(400).send(errorBody('INVALID_REQUEST', `${param ?? 'request'}: ${fe.validation[0]?.message ?? 'invalid'}`, param));
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send(errorBody('BODY_TOO_LARGE'));
    if (fe.statusCode === 429) return reply.status(429).send(errorBody('RATE_LIMITED'));
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send(errorBody('INVALID_REQUEST', fe.message));
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.status(500).send(errorBody('INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
}
