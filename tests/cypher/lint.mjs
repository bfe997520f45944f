// Lint Cypher statements with Neo4j's own front end (parser + semantic analysis), no server needed.
//
//   node tests/cypher/lint.mjs ['{"labels": [...], "relationshipTypes": [...]}'] < statements.json
//
// stdin:  [{"name", "text", "parameters": ["name", ...]}, ...]
// stdout: [{"name", "diagnostics": [{"severity", "level", "message", "offsets", "range"}]}, ...]
// severity is the LSP / Neo4j code: 1 error, 2 warning, 3 information, 4 hint; level names it.
// The optional argument declares the labels and relationship types that exist: with it, any other
// label or type in a statement is reported. Each statement may use exactly the parameters it lists.
// See docs/cypher-check.md.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The package's ESM build has extension-less imports that Node cannot resolve; its CommonJS build works.
const cypher = createRequire(import.meta.url)('@neo4j-cypher/language-support');

const LEVELS = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
const VERSION = 'CYPHER 5'; // what a statement without a CYPHER prefix is checked as (Neo4j 5's default)

// The only catalogue of Neo4j's functions and procedures the package ships is its test schema (taken
// from a real server). Keep what every Neo4j has: built-in functions and the db/dbms/tx/cdc procedures,
// not APOC or GDS, which are plugins graphsvc does not require.
const catalogue = cypher.testData.mockSchema;
const pick = (scoped, keep) =>
  Object.fromEntries(Object.entries(scoped).map(([version, registry]) =>
    [version, Object.fromEntries(Object.entries(registry).filter(([, v]) => keep(v)))]));
const FUNCTIONS = pick(catalogue.functions, (f) => f.isBuiltIn);
const PROCEDURES = pick(catalogue.procedures, (p) => /^(db|dbms|tx|cdc)\./.test(p.name));

// The linter only checks that a parameter is declared; the values are plausible examples by name.
function sampleValue(name) {
  if (/^(limit|skip|offset|depth|k|max_?hops|count|n|seq|since_seq)$/i.test(name)) return 1;
  if (/(props|properties|map|patch|changes)$/i.test(name)) return { name: 'example' };
  if (/(ids|rows|items|batch|list|names|types|labels)$/i.test(name)) return ['example'];
  return 'example';
}

function diagnostic(severity, message, start = 0, end = 0) {
  return { severity, message, offsets: { start, end } };
}

function lint({ text, parameters = [] }, declared) {
  if (typeof text !== 'string' || !text.trim()) return [diagnostic(1, 'empty statement')];
  const schema = {
    ...declared,
    defaultLanguage: VERSION,
    functions: FUNCTIONS,
    procedures: PROCEDURES,
    parameters: Object.fromEntries(parameters.map((p) => [p, sampleValue(p)])),
  };
  const found = cypher.lintCypherQuery(text, schema);
  // Checks the front end leaves to us: the driver sends one statement per query, and the declared
  // parameters must be the ones the statement uses (an unused one means the declaration is stale).
  const count = cypher.parseStatementsStrs(text).filter((s) => s.trim()).length;
  if (count > 1) found.push(diagnostic(1, `${count} statements in one text; the driver runs one at a time`));
  const used = new Set(cypher.parseParameters(text, false));
  for (const p of parameters) {
    if (!used.has(p)) found.push(diagnostic(2, `Parameter $${p} is declared but not used.`));
  }
  // The front end skips labels and types that CREATE or MERGE may make; a misspelt one there makes a new one.
  if (declared.labels && declared.relationshipTypes) {
    const known = new Set([...declared.labels, ...declared.relationshipTypes]);
    for (const parsed of cypher.parserWrapper.parse(text).statementsParsing) {
      for (const label of parsed.collectedLabelOrRelTypes.filter((l) => l.couldCreateNewLabel)) {
        const bare = label.labelText.replace(/^`|`$/g, '');
        if (!known.has(bare)) {
          const { start, end } = label.offsets;
          found.push(diagnostic(2, `${label.labelType} ${bare} is not declared; this statement would create it.`, start, end));
        }
      }
    }
  }
  return found;
}

const declared = process.argv[2] ? JSON.parse(process.argv[2]) : {};
const statements = JSON.parse(readFileSync(0, 'utf8'));
const results = statements.map((statement) => {
  let diagnostics;
  try {
    diagnostics = lint(statement, declared);
  } catch (error) {
    diagnostics = [diagnostic(1, `linter crashed: ${error}`)];
  }
  return { name: statement.name, diagnostics: diagnostics.map((d) => ({ ...d, level: LEVELS[d.severity] })) };
});
process.stdout.write(JSON.stringify(results, null, 1) + '\n');
