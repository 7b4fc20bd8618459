#!/usr/bin/env node
// Bundles the React UI (web/main.tsx and web/styles.css) into dist/web/assets with content-hashed names and
// writes dist/web/index.html pointing at them. esbuild only: well under a second.
// A server may be serving dist/web while this runs (tests, `cutover serve`): every file is written to a
// temporary name and renamed into place, and assets of earlier builds stay for a while, so a page never
// reads a half-written or missing file.
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'web');
const assets = path.join(out, 'assets');
/** Assets of earlier builds are removed once this old (a page loaded before may still ask for them). */
const KEEP_OLD_MS = 60 * 60 * 1000;
mkdirSync(assets, { recursive: true });

const result = await build({
  entryPoints: [path.join(root, 'web/main.tsx'), path.join(root, 'web/styles.css')],
  outdir: assets,
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox120', 'safari17'],
  jsx: 'automatic',
  minify: true,
  sourcemap: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  write: false,
  logLevel: 'warning',
});

/** Write `file` by renaming a finished temporary file over it. */
function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

for (const f of result.outputFiles) writeAtomically(f.path, f.contents);
const written = new Set(result.outputFiles.map((f) => path.basename(f.path)));
for (const name of readdirSync(assets)) {
  const file = path.join(assets, name);
  if (!written.has(name) && Date.now() - statSync(file).mtimeMs > KEEP_OLD_MS) rmSync(file, { force: true });
}

const outputs = Object.entries(result.metafile.outputs);
const find = (entry) => {
  const hit = outputs.find(([, o]) => o.entryPoint === entry);
  if (!hit) throw new Error(`esbuild produced no output for ${entry}`);
  return '/' + path.relative(out, path.join(root, hit[0])).split(path.sep).join('/');
};
const script = find('web/main.tsx');
const style = find('web/styles.css');

writeAtomically(
  path.join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cutover</title>
<link rel="stylesheet" href="${style}">
<script type="module" src="${script}"></script>
</head>
<body>
<div id="root"></div>
<noscript>Cutover's web UI needs JavaScript.</noscript>
</body>
</html>
`,
);
