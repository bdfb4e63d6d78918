import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { EventStreamResponse, LastEventIdHeaders, streamEvents, trackEventStreams } from '../sse.js';
import { requireConsumer } from './auth.js';

/** The wallet's live events: payments it made or received, refunds, top-ups. */
export const walletEventRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const streams = trackEventStreams(app);
  app.get(
    '/v1/wallet/events',
    {
      onRequest: requireConsumer(platform),
      schema: {
        tags: ['events'],
        summary: "Server-sent events of this wallet: payments sent and received, confirmations asked for, refunds, devices added; reconnect with Last-Event-ID to get what was missed",
        security: [{ consumerSession: [] }],
        headers: LastEventIdHeaders,
        response: { 200: EventStreamResponse, ...errorResponses(400, 401, 429, 503) },
      },
    },
    (request, reply) => streamEvents(request, reply, { live: platform.liveEvents, filter: { consumerId: request.consumer!.consumerId }, streams }),
  );
};
