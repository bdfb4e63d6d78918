export * from './types.js';
export { FEATURES, NEVER_HOURS, isFeatureName, type FeatureName, type Features } from './catalogue.js';
export { InMemoryFeatureStore, type FeatureStore } from './features.js';
export {
  decide,
  loadRuleSet,
  mustLoadRuleSet,
  worse,
  type Comparison,
  type Condition,
  type Decision,
  type ListEntry,
  type ListKey,
  type LoadedRuleSet,
  type Parties,
  type Rule,
  type RuleSet,
  type RuleSetProblem,
} from './rules.js';
export { DEFAULT_RULE_SET } from './default-rules.js';
export { conditionText, featureTableMarkdown, rewriteRiskDoc, ruleTableMarkdown, type RiskDocRewrite, type RiskDocTables } from './explain.js';
