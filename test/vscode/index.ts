// Runs INSIDE the VS Code extension host (the extensionTestsPath module, same contract as @vscode/test-electron):
// loads every bundled *.test.js beside it into mocha and reports the counts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Test counts written to $DSTACK_EXT_TEST_RESULT (JSON) for the runner outside the extension host. */
export interface SuiteCounts {
  passed: number;
  failed: number;
  vscodeVersion: string;
}

/** Called by VS Code once the development extension is loaded; rejects when any test fails. */
export async function run(): Promise<void> {
  const vscode = await import('vscode');
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000, reporter: 'spec' });
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  const counts = await new Promise<SuiteCounts>((resolve) => {
    const runner = mocha.run(() => resolve({
      passed: runner.stats?.passes ?? 0,
      failed: runner.stats?.failures ?? 0,
      vscodeVersion: vscode.version,
    }));
  });
  console.log(`extension host (VS Code ${counts.vscodeVersion}): ${counts.passed} passed, ${counts.failed} failed`);
  const out = process.env['DSTACK_EXT_TEST_RESULT'];
  if (out) fs.writeFileSync(out, JSON.stringify(counts) + '\n');
  if (counts.failed > 0 || counts.passed === 0) throw new Error(`${counts.failed} of ${counts.passed + counts.failed} tests failed`);
}
