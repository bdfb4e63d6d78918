import type { FastifyReply, FastifyRequest } from 'fastify';
import { SaomaError } from '../../core/errors.js';
import type { MerchantAuth, MerchantRole } from '../../service/merchants.js';
import type { Platform } from '../../service/platform.js';

declare module 'fastify' {
  interface FastifyRequest {
    merchant?: MerchantAuth;
  }
}

/**
 * A merchant's secret API key (`Authorization: Bearer sk_m_…`) whose role is among `roles`
 * (none given: any role). Owners may do everything.
 */
export function requireMerchant(platform: Platform, ...roles: MerchantRole[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    const merchant = token ? await platform.merchants.authenticate(token) : undefined;
    if (!merchant) throw new SaomaError('UNAUTHENTICATED', 'a merchant API key is required: Authorization: Bearer sk_m_…');
    if (roles.length > 0 && merchant.role !== 'owner' && !roles.includes(merchant.role)) {
      throw new SaomaError('FORBIDDEN', `a ${merchant.role} key may not do this`);
    }
    request.merchant = merchant;
  };
}
