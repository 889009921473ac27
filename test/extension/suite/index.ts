/**
 * Entry point VS Code calls in the extension host (`extensionTestsPath`): runs every
 * *.test.js beside this file with mocha. A run in which no test ran is a failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 180_000, reporter: 'spec' });
  const grep = process.env.SWE_GYM_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  console.log('[swe-gym-suite] start');
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      const passed = stats?.passes ?? 0;
      const ran = stats?.tests ?? 0;
      // The plain closing line the CI reads.
      console.log(`extension: ${passed} passed, ${failures} failed${stats?.pending ? `, ${stats.pending} skipped` : ''}`);
      if (ran === 0) reject(new Error('No extension test ran: the suite is empty or the grep matched nothing.'));
      else if (failures > 0) reject(new Error(`${failures} extension test(s) failed.`));
      else resolve();
    });
  });
}
