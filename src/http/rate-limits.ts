import type { FastifyInstance } from 'fastify';
import { HTTP_PUBLIC_RATE_LIMIT_PER_MINUTE } from '../core/limits.js';

/** The tighter per-address limit of unauthenticated entry points (sign-up, sign-in, merchant applications). */
export function publicRateLimit(app: FastifyInstance, perMinute: number | undefined) {
  return app.rateLimit({
    max: perMinute ?? HTTP_PUBLIC_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) => `public:${request.ip}`,
    errorResponseBuilder: () => Object.assign(new Error('Too many requests; retry later.'), { statusCode: 429 }),
  });
}
