import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { HTTP_BODY_BYTES_MAX, HTTP_INFLIGHT_REQUESTS_MAX, HTTP_RATE_LIMIT_PER_MINUTE } from '../core/limits.js';
import type { Platform } from '../service/platform.js';
import { errorBody, installErrorHandling } from './errors.js';
import { parseStrictJson } from './strict-json.js';
import { installIdempotency } from './idempotency.js';
import { registerWebApps } from './web.js';
import { walletReportRoutes } from './wallet/reports.js';
import { fraudReportOpsRoutes } from './ops/cases.js';
import { overviewOpsRoutes } from './ops/overview.js';
import { merchantSummaryRoutes } from './merchant/summary.js';
import { ErrorResponse } from './schemas.js';
import { ledgerOpsRoutes } from './ops/ledger.js';
import { qrKeyOpsRoutes } from './ops/qr-keys.js';
import { settlementOpsRoutes } from './ops/settlements.js';
import { qrKeyRoutes } from './wallet/qr-keys.js';
import { walletConsumerRoutes } from './wallet/consumers.js';
import { walletPaymentRoutes } from './wallet/payments.js';
import { walletFundsRoutes } from './wallet/funds.js';
import { merchantRoutes } from './merchant/routes.js';
import { merchantOpsRoutes } from './ops/merchants.js';
import { riskOpsRoutes } from './ops/risk.js';
import { merchantWebhookRoutes } from './merchant/webhooks.js';
import { merchantEventRoutes } from './merchant/events.js';
import { walletEventRoutes } from './wallet/events.js';

export interface AppOptions {
  readonly platform: Platform;
  readonly logger?: boolean;
  readonly rateLimitPerMinute?: number;
  readonly inflightMax?: number;
  /** Requests per minute per address on the unauthenticated sign-up and sign-in routes. */
  readonly publicRateLimitPerMinute?: number;
  readonly version?: string;
}

/** The HTTP app: thin routes over the services, each audience its own plugin. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { platform } = options;
  const app = Fastify({
    logger: options.logger
      ? { level: 'info', redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'] }
      : false,
    bodyLimit: HTTP_BODY_BYTES_MAX,
    // Errors Fastify raises before routing (a malformed URL, say) leave in the same format.
    frameworkErrors: (error, _request, reply) => {
      // The reply here is not yet typed by any route.
      const raw = reply as unknown as { status(code: number): { send(body: unknown): void } };
      raw.status(400).send(errorBody('INVALID_REQUEST', error.message));
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandling(app);

  // Past capacity, answer at once with "retry later" instead of queueing without bound.
  const inflightMax = options.inflightMax ?? HTTP_INFLIGHT_REQUESTS_MAX;
  let inflight = 0;
  app.addHook('onRequest', async (_request, reply) => {
    if (inflight >= inflightMax) {
      reply.header('retry-after', '1');
      return reply.status(503).send(errorBody('LEDGER_OVERLOADED', 'the server is at capacity; retry later'));
    }
    inflight++;
    reply.raw.once('close', () => inflight--);
  });

  // Query strings arrive as text, and the validator never coerces (a JSON body's "100" must stay
  // a string and be refused). So the integers a route declares in its querystring schema are
  // converted here, strictly: canonical decimal within the safe range; anything else stays text
  // and fails validation with a 400.
  app.addHook('preValidation', async (request) => {
    const properties = (request.routeOptions.schema?.querystring as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties;
    const query = request.query as Record<string, unknown> | undefined;
    if (!properties || !query || typeof query !== 'object') return;
    for (const [key, value] of Object.entries(query)) {
      if (properties[key]?.type !== 'integer' || typeof value !== 'string' || !/^-?(0|[1-9][0-9]{0,15})$/.test(value)) continue;
      const n = Number(value);
      if (Number.isSafeInteger(n)) query[key] = n;
    }
  });

  // JSON only, through the strict parser (Fastify's default text/plain parser would hand a string
  // to the routes, and bodies of other types get 415).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      // Routes whose body holds thresholds, never money, say so in their config (risk rule sets).
      const ratios = request.routeOptions.config?.jsonRatios === true;
      done(null, body === '' ? undefined : parseStrictJson(body as string, { ratios }));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      // The web apps load only their own scripts; camera frames are blob: media; the wallet's
      // service worker comes from its own origin.
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  await app.register(rateLimit, {
    // Installed below as an instance-wide onRequest hook rather than per route (where the plugin
    // would append it after the route's own onRequest hooks): the limit must come before the
    // staff-token check, or callers without a valid token would never be limited.
    global: false,
    max: options.rateLimitPerMinute ?? HTTP_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    errorResponseBuilder: () => {
      const error = new Error('Too many requests; retry later.') as Error & { statusCode: number };
      error.statusCode = 429;
      return error;
    },
  });
  app.addHook('onRequest', app.rateLimit());
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'saoma API', version: options.version ?? '0.1.0', description: 'Open QR-code payment platform. Amounts are integer minor units with an ISO 4217 currency.' },
      components: {
        securitySchemes: {
          staffToken: { type: 'http', scheme: 'bearer', description: 'staff token (sk_staff_…)' },
          consumerSession: { type: 'http', scheme: 'bearer', description: 'wallet session bound to a device (ws_…), from POST /v1/sessions' },
          merchantKey: { type: 'http', scheme: 'bearer', description: 'merchant secret API key (sk_m_…)' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    '/healthz',
    {
      schema: {
        tags: ['meta'],
        summary: 'Liveness and database reachability',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), store: Type.String() }),
          429: ErrorResponse,
          // The database is unreachable, or the server is at capacity (the overload guard's error body).
          503: Type.Union([Type.Object({ status: Type.Literal('unavailable'), store: Type.String() }), ErrorResponse]),
        },
      },
    },
    async (_request, reply) => {
      try {
        await sql`SELECT 1`.execute(platform.store.db);
        return { status: 'ok' as const, store: platform.store.kind };
      } catch {
        return reply.status(503).send({ status: 'unavailable' as const, store: platform.store.kind });
      }
    },
  );

  installIdempotency(app, platform.store.db);
  await app.register(ledgerOpsRoutes, { platform });
  await app.register(qrKeyOpsRoutes, { platform });
  await app.register(settlementOpsRoutes, { platform });
  await app.register(qrKeyRoutes, { platform });
  await app.register(walletConsumerRoutes, { platform, publicRateLimitPerMinute: options.publicRateLimitPerMinute });
  await app.register(walletPaymentRoutes, { platform });
  await app.register(walletFundsRoutes, { platform });
  await app.register(merchantRoutes, { platform, publicRateLimitPerMinute: options.publicRateLimitPerMinute });
  await app.register(merchantOpsRoutes, { platform });
  await app.register(riskOpsRoutes, { platform });
  await app.register(merchantWebhookRoutes, { platform });
  await app.register(merchantEventRoutes, { platform });
  await app.register(walletEventRoutes, { platform });
  await app.register(walletReportRoutes, { platform });
  await app.register(fraudReportOpsRoutes, { platform });
  await app.register(overviewOpsRoutes, { platform });
  await app.register(merchantSummaryRoutes, { platform });
  registerWebApps(app);
  return app;
}
