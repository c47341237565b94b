// Layer 2: runs the extension-host mocha suite (out/test/vscode, built by `node esbuild.mjs --tests`) inside a
// REAL VS Code extension host: the VS Code server shipped in code-server (lib/vscode/out/server-main.js, with
// --enable-smoke-test-driver so the workbench honours extensionDevelopmentPath/extensionTestsPath), and headless
// Chromium as the workbench that starts the extension host. Same contract as @vscode/test-electron.
// Usage: node test/ui/extension-host.mjs 4.100.3      Exit code: 0 when every test passed.
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, codeServer, freePort, freshDir, launchBrowser, serverEnv, startServer, stopAll, userDataDir, waitHttp, workspaceCopy,
} from './harness.mjs';

const version = process.argv[2] || '4.100.3';
const SUITE_TIMEOUT_MS = 300_000;

async function main() {
  const cs = codeServer(version);
  const scratch = freshDir('vscode', `ext-host-${version}`);
  const ws = workspaceCopy('vscode', `ext-host-${version}`, 'ws');
  const resultFile = path.join(scratch, 'result.json');
  const suite = path.join(ROOT, 'out/test/vscode/index.js');
  if (!fs.existsSync(suite)) throw new Error(`${suite} is missing: run  node esbuild.mjs --tests`);
  if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) throw new Error('dist/extension.js is missing: run  npm run build');
  const port = await freePort();
  startServer(cs.node, [cs.server, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token',
    '--accept-server-license-terms', '--enable-smoke-test-driver', '--disable-telemetry', '--disable-workspace-trust',
    '--user-data-dir', userDataDir('vscode', `ext-host-${version}`, 'user-data'),
    '--server-data-dir', path.join(scratch, 'server-data'), '--extensions-dir', path.join(scratch, 'extensions')],
  serverEnv(scratch, {
    DSTACK_EXT_TEST_RESULT: resultFile,
    // The orchestrator's state and the fake backend (the apply tests script its offers) live in the scratch dir.
    DSTACK_VSC_STATE_DIR: path.join(scratch, 'state'), DSTACK_VSC_FAKE_BACKEND: path.join(scratch, 'fake-backend.json'),
  }), path.join(scratch, 'server.log'));
  await waitHttp(`http://127.0.0.1:${port}/`);

  const ctx = await launchBrowser(path.join(scratch, 'chromium-profile'));
  // The workbench's clipboard is the browser's: Copy SSH Command's test reads back what it wrote.
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${port}` });
  let timer;
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    let exited;
    const exit = new Promise((resolve) => { exited = resolve; });
    await page.exposeFunction('codeAutomationLog', (_type, args) => console.log(...args));
    await page.exposeFunction('codeAutomationExit', (code) => exited(code));   // the workbench calls it when run() settles
    page.on('console', (m) => {
      const text = m.text();
      if (text.includes('Extension Host')) console.log(text.replace(/%c|color: \S+;?|\[Extension Host\]\s*/g, '').trimEnd());
    });
    const auth = `127.0.0.1:${port}`;
    const payload = [['extensionDevelopmentPath', `vscode-remote://${auth}${ROOT}`],
      ['extensionTestsPath', `vscode-remote://${auth}${suite}`]];
    await page.goto(`http://${auth}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const code = await Promise.race([exit, new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), SUITE_TIMEOUT_MS); })]);
    const counts = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : { passed: 0, failed: 0 };
    if (code === 'timeout') counts.failed += 1;
    console.log(`[vscode ${version}] extension-host suite: exit ${code}; ${counts.passed} passed, ${counts.failed} failed` +
      (counts.vscodeVersion ? ` (VS Code ${counts.vscodeVersion})` : ''));
    return code === 0 && counts.failed === 0 && counts.passed > 0 ? 0 : 1;
  } finally {
    clearTimeout(timer);                                   // or node waits for it
    await ctx.close().catch(() => {});
  }
}

main().then((code) => { stopAll(); process.exitCode = code; },
  (error) => { stopAll(); console.error(`[vscode ${version}] extension-host suite failed to run: ${error.stack ?? error}`); console.log('0 passed, 1 failed'); process.exitCode = 1; });
