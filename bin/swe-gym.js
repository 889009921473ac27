#!/usr/bin/env node
// The CLI ships as one esbuild bundle. In a checkout it is built by `npm ci` / `npm install`
// (the `prepare` script); say how to build it rather than print a loader stack trace.
const fs = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write(
    `swe-gym: the CLI is not built (${path.relative(process.cwd(), bundle) || bundle} is missing).\n` +
      `Run \`npm run build\` in ${path.dirname(__dirname)} (npm ci and npm install run it for you).\n`,
  );
  process.exit(2);
}
require(bundle);
