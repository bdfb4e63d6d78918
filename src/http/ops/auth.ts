import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { SaomaError } from '../../core/errors.js';
import { authenticateStaff, type StaffPrincipal, type StaffRole } from '../../service/staff.js';
import type { Database } from '../../store/schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffPrincipal;
  }
}

/**
 * An onRequest hook that admits staff tokens of the given roles only. It runs before the body is
 * read and validated, so an anonymous caller neither costs a parse nor learns about the schema.
 */
export function requireStaff(db: Kysely<Database>, roles: readonly StaffRole[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    // The auth scheme is case-insensitive (RFC 7235 §2.1).
    const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
    const token = match?.[1];
    const staff = token ? await authenticateStaff(db, token) : undefined;
    if (!staff) throw new SaomaError('UNAUTHENTICATED', 'a staff token is required: Authorization: Bearer sk_staff_…');
    if (!roles.includes(staff.role)) throw new SaomaError('FORBIDDEN', `role ${staff.role} may not do this`);
    request.staff = staff;
  };
}
