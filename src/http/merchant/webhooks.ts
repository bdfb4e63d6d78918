import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX, WEBHOOK_DESCRIPTION_CHARS_MAX, WEBHOOK_URL_CHARS_MAX } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import type { WebhookEndpoint } from '../../service/webhooks.js';
import { errorResponses } from '../schemas.js';
import { requireMerchant } from './auth.js';

const EndpointFields = {
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  createdAtMs: Type.Integer(),
  disabledAtMs: Type.Union([Type.Integer(), Type.Null()]),
};
/** An endpoint as listed: never its secret. */
const EndpointSchema = Type.Object(EndpointFields);
const EndpointParams = Type.Object({ endpointId: Type.String({ minLength: 1, maxLength: 64 }) });
const AttemptSchema = Type.Object({
  eventId: Type.String(),
  attempt: Type.Integer({ description: 'which attempt of this delivery (1 = the first)' }),
  statusCode: Type.Union([Type.Integer(), Type.Null()], { description: 'the HTTP status the endpoint answered; null when none came (refused, timed out)' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why the attempt failed; null when it was delivered (2xx)' }),
  durationMs: Type.Integer(),
  atMs: Type.Integer(),
});

const endpointOut = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  status: e.status,
  createdAtMs: e.createdAtMs,
  disabledAtMs: e.disabledAtMs,
});

/** Webhook endpoints of the merchant (owners and managers): register, list, disable, and the delivery log. */
export const merchantWebhookRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const managers = requireMerchant(platform, 'manager');
  const security = [{ merchantKey: [] }];
  const tags = ['webhooks'];

  app.post(
    '/v1/merchant/webhook-endpoints',
    {
      onRequest: managers,
      schema: {
        tags,
        summary: 'Register an endpoint for signed event deliveries; its signing secret (whsec_…) is shown this once',
        security,
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: WEBHOOK_URL_CHARS_MAX, description: 'http or https URL, no credentials' }),
            description: Type.Optional(Type.String({ maxLength: WEBHOOK_DESCRIPTION_CHARS_MAX })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ ...EndpointFields, secret: Type.String({ description: 'the HMAC-SHA256 signing secret; shown once, stored encrypted' }) }),
          ...errorResponses(400, 401, 403, 409, 413, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await platform.webhooks.create(request.merchant!.merchantId, request.body);
      return reply.status(201).send({ ...endpointOut(endpoint), secret });
    },
  );

  app.get(
    '/v1/merchant/webhook-endpoints',
    {
      onRequest: managers,
      schema: { tags, summary: 'The endpoints, active and disabled (never their secrets)', security, response: { 200: Type.Object({ endpoints: Type.Array(EndpointSchema) }), ...errorResponses(401, 403, 429, 503) } },
    },
    async (request) => ({ endpoints: (await platform.webhooks.list(request.merchant!.merchantId)).map(endpointOut) }),
  );

  app.post(
    '/v1/merchant/webhook-endpoints/:endpointId/disable',
    {
      onRequest: managers,
      schema: {
        tags,
        summary: 'Stop deliveries to an endpoint, retries already queued included',
        security,
        params: EndpointParams,
        response: { 200: EndpointSchema, ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => endpointOut(await platform.webhooks.disable(request.merchant!.merchantId, request.params.endpointId)),
  );

  app.get(
    '/v1/merchant/webhook-endpoints/:endpointId/attempts',
    {
      onRequest: managers,
      schema: {
        tags,
        summary: 'Delivery attempts to an endpoint, newest first',
        security,
        params: EndpointParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ attempts: Type.Array(AttemptSchema) }), ...errorResponses(400, 401, 403, 404, 429, 503) },
      },
    },
    async (request) => ({
      attempts: await platform.webhooks.attempts(request.merchant!.merchantId, request.params.endpointId, request.query.limit ?? LIST_PAGE_SIZE_DEFAULT),
    }),
  );
};
