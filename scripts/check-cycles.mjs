#!/usr/bin/env node
// `npm run lint` step: no import cycles in src/ or web/, type-only imports included (a type cycle still ties
// two modules together, and is where a runtime cycle starts). Uses the TypeScript compiler (already a
// dependency) to read each file's imports and re-exports and resolve them as tsc does; `--edges` prints the
// import graph between top-level folders instead (to see which layer depends on which).
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOTS = ['src', 'web'].map((d) => path.join(root, d) + path.sep);
const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
const config = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
const files = config.fileNames.filter((f) => ROOTS.some((r) => f.startsWith(r)) && !/\.test\.tsx?$/.test(f));
const host = ts.createCompilerHost(config.options);

/** The project files `file` imports (static imports, re-exports, `import()` and `import('x').T` types). */
function importsOf(file) {
  const source = ts.createSourceFile(file, ts.sys.readFile(file) ?? '', ts.ScriptTarget.Latest, true);
  const specs = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      specs.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) specs.push(arg.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      specs.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  const out = new Set();
  for (const spec of specs) {
    const r = ts.resolveModuleName(spec, file, config.options, host).resolvedModule;
    if (r && !r.isExternalLibraryImport && ROOTS.some((d) => r.resolvedFileName.startsWith(d)))
      out.add(path.resolve(r.resolvedFileName));
  }
  return [...out];
}

const graph = new Map(files.map((f) => [path.resolve(f), importsOf(f)]));
const rel = (f) => path.relative(root, f);

if (process.argv.includes('--edges')) {
  // Folder → folder edges (src/<dir> or web), with one example each.
  const layer = (f) => {
    const parts = rel(f).split(path.sep);
    return parts[0] === 'src' ? (parts.length > 2 ? `src/${parts[1]}` : rel(f)) : parts[0];
  };
  const edges = new Map();
  for (const [from, tos] of graph)
    for (const to of tos) {
      const key = `${layer(from)} → ${layer(to)}`;
      if (layer(from) !== layer(to) && !edges.has(key)) edges.set(key, `${rel(from)} → ${rel(to)}`);
    }
  for (const [k, v] of [...edges].sort()) console.log(`${k.padEnd(40)} ${v}`);
  process.exit(0);
}

// Tarjan's strongly connected components: every component with more than one file is a cycle.
let index = 0;
const stack = [];
const info = new Map();
const cycles = [];
function strongConnect(v) {
  info.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!info.has(w)) {
      strongConnect(w);
      info.get(v).low = Math.min(info.get(v).low, info.get(w).low);
    } else if (info.get(w).onStack) info.get(v).low = Math.min(info.get(v).low, info.get(w).index);
  }
  if (info.get(v).low === info.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      info.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component);
  }
}
for (const v of graph.keys()) if (!info.has(v)) strongConnect(v);

const found = cycles.map((c) => c.map(rel).sort().join(' ↔ '));
if (found.length) {
  console.error(`Import cycles (type-only imports count): ${found.length}`);
  for (const c of found) console.error(`  ${c}`);
  console.error('Move what both files need into a third file that neither imports back.');
  process.exit(1);
}
console.log(`No import cycles among ${graph.size} files in src/ and web/.`);
