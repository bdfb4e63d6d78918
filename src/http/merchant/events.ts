import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { EventStreamResponse, LastEventIdHeaders, streamEvents, trackEventStreams } from '../sse.js';
import { requireMerchant } from './auth.js';

/** The merchant's live events (any role: the till hears "received ¥12.50"). */
export const merchantEventRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const streams = trackEventStreams(app);
  app.get(
    '/v1/merchant/events',
    {
      onRequest: requireMerchant(platform),
      schema: {
        tags: ['events'],
        summary: "Server-sent events of this merchant's payments, orders and settlements; reconnect with Last-Event-ID to get what was missed",
        security: [{ merchantKey: [] }],
        headers: LastEventIdHeaders,
        response: { 200: EventStreamResponse, ...errorResponses(400, 401, 429, 503) },
      },
    },
    (request, reply) => streamEvents(request, reply, { live: platform.liveEvents, filter: { merchantId: request.merchant!.merchantId }, streams }),
  );
};
