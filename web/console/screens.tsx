// The console's screens as data: the navigation and the routes are both made from this list, so
// a later issue adds a screen (claims, AML, reconciliation…) by adding one entry here.
import type { ReactElement } from 'react';
import type { Text } from '../shared/i18n.js';
import { AuditScreen } from './audit.js';
import { DashboardScreen } from './dashboard.js';
import { MerchantsScreen } from './merchants.js';
import type { Permission } from './permissions.js';
import { ReportsScreen } from './reports.js';
import { RiskScreen } from './risk.js';
import { RulesScreen } from './rules.js';

export interface Screen {
  /** Path under /console/, without slashes; '' is the start screen. Sub-routes live inside the screen. */
  readonly path: string;
  /** data-testid of its navigation link: `nav-${id}`. */
  readonly id: string;
  readonly label: Text;
  /** The permission needed to see it (and to have it in the navigation). */
  readonly permission: Permission;
  readonly element: ReactElement;
}

export const SCREENS: readonly Screen[] = [
  { path: '', id: 'dashboard', label: { zh: '概览', en: 'Dashboard' }, permission: 'viewDashboard', element: <DashboardScreen /> },
  { path: 'merchants', id: 'merchants', label: { zh: '商户审核', en: 'Merchants' }, permission: 'viewMerchants', element: <MerchantsScreen /> },
  { path: 'risk', id: 'risk', label: { zh: '风控审核', en: 'Risk reviews' }, permission: 'viewRiskReviews', element: <RiskScreen /> },
  { path: 'rules', id: 'rules', label: { zh: '风控规则', en: 'Risk rules' }, permission: 'viewRuleSet', element: <RulesScreen /> },
  { path: 'reports', id: 'reports', label: { zh: '欺诈举报', en: 'Fraud reports' }, permission: 'viewFraudReports', element: <ReportsScreen /> },
  { path: 'audit', id: 'audit', label: { zh: '审计日志', en: 'Audit log' }, permission: 'viewAudit', element: <AuditScreen /> },
];
