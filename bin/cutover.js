#!/usr/bin/env node
// Thin shell: the CLI lives in src/cli; `npm install` compiles it to dist/ (the `prepare` script).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('cutover: not built yet. Run `npm install` (or `npm run build`) in the repository first.');
    process.exit(1);
  }
  throw err;
});
