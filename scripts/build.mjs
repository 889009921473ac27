// Bundles the extension (vscode external), the CLI and the webview app with esbuild.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// --quiet: `npm ci` runs this as `prepare`; only errors are worth its output there.
const logLevel = process.argv.includes('--quiet') ? 'error' : 'info';
const common = { bundle: true, sourcemap: !production, minify: production, logLevel };

const builds = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode', 'cpu-features', '*.node'] },
  { ...common, entryPoints: ['src/cli/index.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', external: ['cpu-features', 'ssh2'] },
  { ...common, entryPoints: ['webview-ui/src/instancePage/main.ts'], outfile: 'dist/webview/main.js', platform: 'browser', format: 'iife', target: 'es2022', loader: { '.ttf': 'file', '.css': 'css' } },
  // The agent live view: its own page, sharing the protocol and the element helpers.
  { ...common, entryPoints: ['webview-ui/src/agentView/main.ts'], outfile: 'dist/webview/agent.js', platform: 'browser', format: 'iife', target: 'es2022', loader: { '.ttf': 'file', '.css': 'css' } },
  // Imported runs of other scaffolds: the agent view's step cards plus grade and replay.
  { ...common, entryPoints: ['webview-ui/src/trajectoryView/main.ts'], outfile: 'dist/webview/trajectory.js', platform: 'browser', format: 'iife', target: 'es2022', loader: { '.ttf': 'file', '.css': 'css' } },
  // A demonstration as it is recorded: steps, notes, test runs, controls.
  { ...common, entryPoints: ['webview-ui/src/demoPanel/main.ts'], outfile: 'dist/webview/demo.js', platform: 'browser', format: 'iife', target: 'es2022', loader: { '.ttf': 'file', '.css': 'css' } },
];

const existing = [];
for (const b of builds) {
  const fs = await import('node:fs');
  if (fs.existsSync(b.entryPoints[0])) existing.push(b);
}
// The webview loads the codicon font through a <link id="vscode-codicon-stylesheet"> (what
// @vscode-elements/elements looks for); packages are not shipped in the .vsix, so copy it.
if (existing.some((b) => b.outfile === 'dist/webview/main.js')) {
  const fs = await import('node:fs');
  fs.mkdirSync('dist/webview/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/webview/codicons/${f}`);
}
if (watch) {
  for (const b of existing) (await esbuild.context(b)).watch();
} else {
  await Promise.all(existing.map((b) => esbuild.build(b)));
}
