// Bundles the compiled CLI into dist/cutover.mjs and its chunks (dist/chunks/): Node then loads a few modules instead of
// hundreds (imapflow, kysely, commander…), which cuts start-up from ~0.65 s to ~0.3 s — paid by every
// command, and most of an unchanged delta pass. better-sqlite3 stays external (native addon), and so does
// pdfkit, which loads its font data and ICC profile from files next to its own modules at run time, and
// @fastify/swagger-ui, which serves its static files the same way.
import { build } from 'esbuild';

// Split into chunks: main.ts loads each command's module only when it runs, so `--help` and `migrate`
// never parse the web server (Fastify, Ajv, Swagger), the PDF writer or the mail sender.
await build({
  entryPoints: { cutover: 'src/cli/main.ts' },
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pdfkit', '@fastify/swagger-ui'],
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __cutoverRequire } from 'node:module'; const require = __cutoverRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
