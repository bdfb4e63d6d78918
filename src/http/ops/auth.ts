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

/** A preHandler that admits staff tokens of the given roles only. */
export function requireStaff(db: Kysely<Database>, roles: readonly StaffRole[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const staff = token ? await authenticateStaff(db, token) : undefined;
    if (!staff) throw new SaomaError('UNAUTHENTICATED', 'a staff token is required: Authorization: Bearer sk_staff_…');
    if (!roles.includes(staff.role)) throw new SaomaError('FORBIDDEN', `role ${staff.role} may not do this`);
    request.staff = staff;
  };
}
