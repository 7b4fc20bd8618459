#!/usr/bin/env node
// Thin shell: the CLI lives in src/cli; `npm install` compiles and bundles it into dist/ (the `prepare` script).
const missing = (err, file) =>
  err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(file);
import('../dist/cutover.mjs')
  .catch((err) => {
    if (missing(err, 'dist/cutover.mjs')) return import('../dist/cli/main.js');
    throw err;
  })
  .catch((err) => {
    if (missing(err, 'dist/cli/main.js')) {
      console.error(
        'cutover: not built yet. Run `npm install` (or `npm run build`) in the repository first.',
      );
      process.exit(1);
    }
    throw err;
  });
