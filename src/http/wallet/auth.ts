import type { FastifyReply, FastifyRequest } from 'fastify';
import { SaomaError } from '../../core/errors.js';
import type { ConsumerAuth } from '../../service/consumers.js';
import type { Platform } from '../../service/platform.js';

declare module 'fastify' {
  interface FastifyRequest {
    consumer?: ConsumerAuth;
  }
}

/** The wallet's session token, bound to one device (`Authorization: Bearer ws_…`). */
export function requireConsumer(platform: Platform) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    const consumer = token ? await platform.consumers.authenticate(token) : undefined;
    if (!consumer) throw new SaomaError('UNAUTHENTICATED', 'a wallet session is required: Authorization: Bearer ws_… (sign in from a bound device)');
    request.consumer = consumer;
  };
}
