// The rule "the core never imports vscode" is enforced three times: tsc (tsconfig.core.json), eslint and the
// CLI esbuild bundle. Each is shown to FAIL on a planted import, in a temp copy of the project (never in src/).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bin, removeCopy, run, tempProjectCopy } from './temp-copy';

const LEAK = "import * as vscode from 'vscode';\n\n/** Planted by test/build: the core reaching for VS Code. */\nexport const leaked: string = vscode.version;\n";

describe('build rule: the core never imports vscode', function () {
  this.timeout(180_000);
  let copy: string;

  before(() => {
    copy = tempProjectCopy();
    fs.writeFileSync(path.join(copy, 'src/cli/leak.ts'), LEAK);
    fs.appendFileSync(path.join(copy, 'src/cli/main.ts'), "\nimport './leak';\n");
    fs.writeFileSync(path.join(copy, 'src/vscode/allowed-probe.ts'), LEAK);
  });
  after(() => removeCopy(copy));

  it('tsc -p tsconfig.core.json rejects `import ... from "vscode"` in the core', () => {
    const { status, output } = run(copy, bin('tsc'), ['-p', 'tsconfig.core.json', '--noEmit']);
    assert.notEqual(status, 0);
    assert.match(output, /src\/cli\/leak\.ts\(1,\d+\): error TS2306: File '.*build\/no-vscode\.d\.ts' is not a module/);
  });

  it('eslint reports the import with a message that says where VS Code code belongs', () => {
    const { status, output } = run(copy, bin('eslint'), ['--no-warn-ignored', 'src/cli/leak.ts', 'src/vscode/allowed-probe.ts']);
    assert.equal(status, 1, output);
    assert.match(output, /src\/cli\/leak\.ts[\s\S]*The core \(src\/schema, src\/orchestrator, src\/backends, src\/cli\) must run without VS Code[\s\S]*no-restricted-imports/);
    assert.doesNotMatch(output, /allowed-probe\.ts/, 'the same import is fine in src/vscode');
  });

  it('the CLI bundle (esbuild.mjs) fails and names the importer', () => {
    const { status, output } = run(copy, process.execPath, ['esbuild.mjs']);
    assert.notEqual(status, 0);
    assert.match(output, /The core must not import 'vscode' \(imported by .*src\/cli\/leak\.ts\)/);
  });
});
