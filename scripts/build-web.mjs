#!/usr/bin/env node
// Bundles the React UI (web/main.tsx and web/styles.css) into dist/web/assets with content-hashed names and
// writes dist/web/index.html pointing at them. esbuild only: well under a second.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [path.join(root, 'web/main.tsx'), path.join(root, 'web/styles.css')],
  outdir: path.join(out, 'assets'),
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
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs);
const find = (entry) => {
  const hit = outputs.find(([, o]) => o.entryPoint === entry);
  if (!hit) throw new Error(`esbuild produced no output for ${entry}`);
  return '/' + path.relative(out, path.join(root, hit[0])).split(path.sep).join('/');
};
const script = find('web/main.tsx');
const style = find('web/styles.css');

writeFileSync(
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
