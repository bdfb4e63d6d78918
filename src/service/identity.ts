import type { AccountClass } from '../core/policy/cn-pboc.js';

/** Real-name verification behind an interface: a deployment plugs in its provider. */
export interface IdentityProvider {
  verify(request: { name: string; idNumber: string; bankAccount?: string | undefined }): Promise<IdentityResult>;
}

export type IdentityResult = { readonly verified: true; readonly accountClass: AccountClass } | { readonly verified: false; readonly reason: string };

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The check character of an 18-character PRC resident identity number (GB 11643, ISO 7064 MOD 11-2). */
export function residentIdCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

export function isResidentIdNumber(text: string): boolean {
  return /^[1-9][0-9]{16}[0-9X]$/.test(text) && residentIdCheck(text.slice(0, 17)) === text[17];
}

/**
 * The sandbox provider: a well-formed resident id number with a valid check character and a name
 * verifies. Class II with the id alone; class III when a bank account (8-30 digits) is verified too,
 * standing for PBOC's "five external sources". Names containing "fail" are refused, for tests.
 */
export class SandboxIdentityProvider implements IdentityProvider {
  async verify(request: { name: string; idNumber: string; bankAccount?: string | undefined }): Promise<IdentityResult> {
    if (!isResidentIdNumber(request.idNumber)) return { verified: false, reason: 'the id number is not a valid resident identity number' };
    if (request.name.trim().length === 0 || /fail/i.test(request.name)) return { verified: false, reason: 'the name does not match the id number' };
    const withBank = request.bankAccount !== undefined && /^[0-9]{8,30}$/.test(request.bankAccount);
    return { verified: true, accountClass: withBank ? 'III' : 'II' };
  }
}
