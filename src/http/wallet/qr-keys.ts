import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { base64UrlEncode } from '../../core/qr/index.js';
import { QR_KEYS_CACHE_SECONDS } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';

/** The published key set: wallets verify merchant codes offline against it and cache it briefly. */
export const qrKeyRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.get(
    '/v1/qr/keys',
    {
      schema: {
        tags: ['qr'],
        summary: 'Public keys that sign saoma merchant codes, with retired and revoked ids',
        response: {
          200: Type.Object({
            keys: Type.Array(
              Type.Object({
                keyId: Type.String(),
                algorithm: Type.Literal('Ed25519'),
                publicKey: Type.String({ description: 'raw 32-byte key, base64url' }),
                status: Type.Union([Type.Literal('active'), Type.Literal('retired'), Type.Literal('revoked')]),
              }),
            ),
            cacheSeconds: Type.Integer(),
          }),
          ...errorResponses(429, 503),
        },
      },
    },
    async (_request, reply) => {
      const keys = await platform.qrKeys.list();
      reply.header('cache-control', `public, max-age=${QR_KEYS_CACHE_SECONDS}`);
      return {
        keys: keys.map((k) => ({ keyId: k.keyId, algorithm: 'Ed25519' as const, publicKey: base64UrlEncode(k.publicKey), status: k.status })),
        cacheSeconds: QR_KEYS_CACHE_SECONDS,
      };
    },
  );
};
