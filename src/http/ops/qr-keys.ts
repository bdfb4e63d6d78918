import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { appendAudit } from '../../service/audit.js';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { requireStaff } from './auth.js';

/** Admins rotate and revoke the QR signing keys; every change is audited. */
export const qrKeyOpsRoutes: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  const admins = requireStaff(platform.store.db, ['admin']);
  const security = [{ staffToken: [] }];
  app.post(
    '/v1/ops/qr/keys/rotate',
    {
      onRequest: admins,
      schema: { tags: ['qr'], summary: 'Make a new signing key active; the old one is retired (its codes stay valid)', security, response: { 200: Type.Object({ keyId: Type.String() }), ...errorResponses(400, 401, 403, 413, 429, 503) } },
    },
    async (request) => {
      const keyId = await platform.qrKeys.rotate(Date.now());
      await appendAudit(platform.store.db, { actor: `staff:${request.staff!.tokenId}`, action: 'qr.keys.rotate', objectId: keyId }, Date.now());
      return { keyId };
    },
  );
  app.post(
    '/v1/ops/qr/keys/:keyId/revoke',
    {
      onRequest: admins,
      schema: {
        tags: ['qr'],
        summary: 'Revoke a signing key: every code it signed is counterfeit from now on',
        security,
        params: Type.Object({ keyId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,14}$' }) }),
        response: { 200: Type.Object({ keyId: Type.String(), status: Type.Literal('revoked') }), ...errorResponses(400, 401, 403, 404, 413, 429, 503) },
      },
    },
    async (request) => {
      await platform.qrKeys.revoke(request.params.keyId, Date.now());
      await appendAudit(platform.store.db, { actor: `staff:${request.staff!.tokenId}`, action: 'qr.keys.revoke', objectId: request.params.keyId }, Date.now());
      return { keyId: request.params.keyId, status: 'revoked' as const };
    },
  );
};
