// Rewrites the generated parts of docs/risk.md (the features table, the default rule table and the
// "version `…`, N rules" phrase) from the built code, which is what the docs describe:
//   npm run build && node scripts/risk-doc-tables.mjs [path/to/risk.md]
// test/risk/docs.test.ts fails when they are stale. The rewriting itself is rewriteRiskDoc in
// src/core/risk/explain.ts (pure, unit-tested); this only reads and writes the file.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RULE_SET, featureTableMarkdown, rewriteRiskDoc, ruleTableMarkdown } from '../dist/src/core/risk/index.js';

const docPath = process.argv[2] ?? fileURLToPath(new URL('../docs/risk.md', import.meta.url));
const before = fs.readFileSync(docPath, 'utf8');
const { markdown, changes } = rewriteRiskDoc(before, {
  featureTable: featureTableMarkdown(),
  ruleTable: ruleTableMarkdown(DEFAULT_RULE_SET),
  version: DEFAULT_RULE_SET.version,
  ruleCount: DEFAULT_RULE_SET.rules.length,
});

if (changes.length === 0) {
  console.log(`${docPath}: up to date (rule set ${DEFAULT_RULE_SET.version}, ${DEFAULT_RULE_SET.rules.length} rules)`);
} else {
  fs.writeFileSync(docPath, markdown);
  console.log(`${docPath}: rewritten`);
  for (const change of changes) console.log(`  ${change}`);
}
