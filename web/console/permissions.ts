// Who may do what, as the staff routes enforce it (docs/api.md §4 "Staff tokens" and the route
// index). The console shows only what a role may use; the server refuses the rest anyway.
import type { StaffRole } from './types.js';

export const ALL_ROLES: readonly StaffRole[] = ['admin', 'risk', 'compliance', 'support'];

export const PERMISSIONS = {
  viewDashboard: ALL_ROLES,
  viewMerchants: ALL_ROLES,
  reviewMerchants: ['admin', 'risk', 'compliance'],
  viewRiskReviews: ['admin', 'risk'],
  decideRiskReviews: ['admin', 'risk'],
  // Labels: looked up and withdrawn (appeals) by those who make them, as the routes allow.
  withdrawRiskLabels: ['admin', 'risk'],
  viewFraudReports: ALL_ROLES,
  changeFraudReportStatus: ['admin', 'risk', 'support'],
  viewAudit: ['admin', 'risk', 'compliance'],
  // Rule sets: analysts read and dry-run them; only an admin makes one decide real payments.
  viewRuleSet: ['admin', 'risk'],
  dryRunRuleSet: ['admin', 'risk'],
  activateRuleSet: ['admin'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: StaffRole, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly StaffRole[]).includes(role);
}

export const ROLE_NAMES: Record<StaffRole, { zh: string; en: string }> = {
  admin: { zh: '管理员', en: 'Admin' },
  risk: { zh: '风控分析', en: 'Risk analyst' },
  compliance: { zh: '合规', en: 'Compliance' },
  support: { zh: '客服', en: 'Support' },
};
