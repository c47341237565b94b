// Layer 3: the whole Apply flow on a REAL test host. A namespaced OpenSSH sshd (test/harness/testhosts.sh, its
// own random prefix and subnet) is passed to code-server as an SSH fleet (DSTACK_VSC_SSH_HOSTS); the .vsix is
// installed; Chromium right-clicks a .dstack.yml → "dstack: Apply"; the offers view lists the local offer AND the
// test host's; choosing the test host's provisions it over SSH (agent, code upload, init) until running; the runs
// view and the status bar show it with a ticking countdown; "dstack: Stop" from the palette ends it.
// Needs root and `ip netns` (CI runs as root); elsewhere every test is skipped with the reason.
// Run: CS_VERSION=4.139.1 VSIX=dist/vscode-dstack.vsix node --test --test-concurrency=1 test/ui/apply-flow.test.mjs
// Screenshots: .artifacts/screenshots/apply-flow-<version>/ (git-ignored).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS, ROOT, codeServer, freePort, freshDir, launchBrowser, runOnce, serverEnv, startServer, stopAll,
  userDataDir, waitHttp, workspaceCopy,
} from './harness.mjs';

const version = process.env.CS_VERSION || '4.139.1';
const VSIX = path.resolve(ROOT, process.env.VSIX || 'dist/vscode-dstack.vsix');
const SHOTS = path.join(ARTIFACTS, 'screenshots', `apply-flow-${version}`);
const HARNESS = path.join(ROOT, 'test/harness/testhosts.sh');
const RUN = 'ui-remote';

/** Why the namespaced test host can't run here, or null. */
function unavailable() {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (network namespaces need root)';
  if (!fs.existsSync('/usr/sbin/sshd')) return 'no /usr/sbin/sshd (test/harness/testhosts.sh install)';
  if (spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` is not available';
  return null;
}

const skip = unavailable();
if (skip) console.log(`SKIP apply-flow UI test: ${skip}`);
let hostEnv;
let hostIp;
let ctx;
let page;

before(async () => {
  if (skip) return;
  freshDir('screenshots', `apply-flow-${version}`);
  const scratch = freshDir('vscode', `apply-flow-${version}`);
  // The test host: its own prefix/subnet (concurrent runs don't collide), the fleet's key authorized for root.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dvs-ui-hosts-'));
  const key = path.join(work, 'id_user');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ui test', '-f', key]);
  const net = 100 + 2 * Math.floor(Math.random() * 50);
  hostEnv = { ...process.env, TH_PREFIX: `u${randomBytes(2).toString('hex')}`, TH_NET: String(net), TH_WORK: work, TH_PUBKEY: `${key}.pub` };
  execFileSync(HARNESS, ['up', 'h1', '1'], { env: hostEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  hostIp = `10.201.${net}.11`;
  // The workspace is its own git repo, so its upload is just these files.
  const ws = workspaceCopy('vscode', `apply-flow-${version}`, 'ws');
  fs.writeFileSync(path.join(ws, 'remote.dstack.yml'), [
    'type: dev-environment', `name: ${RUN}`, 'ide: vscode', 'inactivity_duration: 30m', 'idle_duration: 0',
    'init:', '  - echo "init ran in $(pwd)"', 'resources:', '  cpu: 1..', '  memory: 0.5GB..', '  disk: 1GB..', '',
  ].join('\n'));
  execFileSync('git', ['init', '-q', ws]);
  const fleet = { name: 'ui-lab', ssh_config: { user: 'root', identity_file: key, hosts: [hostIp] }, price: 0.5 };
  const env = serverEnv(scratch, { DSTACK_VSC_STATE_DIR: path.join(scratch, 'state'), DSTACK_VSC_SSH_HOSTS: JSON.stringify(fleet) });
  const cs = codeServer(version);
  const userData = userDataDir('vscode', `apply-flow-${version}`, 'user-data');
  const extensions = path.join(scratch, 'extensions');
  await runOnce(cs.node, [cs.entry, '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', VSIX], env);
  const port = await freePort();
  startServer(cs.node, [cs.entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', userData, '--extensions-dir', extensions], env, path.join(scratch, 'code-server.log'));
  await waitHttp(`http://127.0.0.1:${port}/healthz`);
  ctx = await launchBrowser(path.join(scratch, 'chromium-profile'));
  page = ctx.pages()[0] ?? await ctx.newPage();
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  await row('remote.dstack.yml').waitFor({ timeout: 120_000 });
});

after(async () => {
  await ctx?.close().catch(() => {});
  stopAll();
  if (hostEnv) {
    spawnSync(HARNESS, ['down'], { env: hostEnv, stdio: 'inherit' });
    fs.rmSync(hostEnv.TH_WORK, { recursive: true, force: true });
  }
});

function row(name) {
  return page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.getByText(name, { exact: true }) }).first();
}

function offersFrame() {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

async function shot(name) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, name) });
}

/** Waits for a locator; on a timeout saves a screenshot and fails with the page's toasts. */
async function expectVisible(locator, name, timeout = 30_000) {
  try {
    await locator.first().waitFor({ timeout });
  } catch (error) {
    await page.screenshot({ path: path.join(SHOTS, `FAILED-${name}.png`) }).catch(() => {});
    const toasts = await page.locator('.notifications-toasts').allInnerTexts().catch(() => []);
    throw new Error(`${error.message}\nnotifications: ${toasts.join(' | ')}`);
  }
}

/** Right-click → "dstack: Apply". A right-click or a menu click can be dropped while the workbench is busy, and
 *  the menu lacks our item until the extension's contributions are in: both are retried. */
async function applyFromExplorer(name) {
  const menu = page.locator('.context-view .monaco-menu');
  const item = page.getByRole('menuitem', { name: 'dstack: Apply', exact: true });
  for (let attempt = 1; ; attempt++) {
    await row(name).click({ button: 'right' });
    try {
      await menu.first().waitFor({ timeout: 10_000 });
      await item.waitFor({ timeout: 3_000 });
      break;
    } catch (error) {
      if (attempt === 10) {
        await page.screenshot({ path: path.join(SHOTS, 'FAILED-context-menu.png') }).catch(() => {});
        throw error;
      }
      await page.keyboard.press('Escape');
      await page.waitForTimeout(2_000);
    }
  }
  await shot('1-context-menu.png');
  for (let attempt = 1; ; attempt++) {
    await item.click();
    try {
      await menu.first().waitFor({ state: 'hidden', timeout: 3_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function palette(command) {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill(`>${command}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`^${command}`) }).first().waitFor();
  await page.keyboard.press('Enter');
}

test('Apply lists the local offer and the test host\'s offer in the offers view', { skip: skip ?? false }, async () => {
  await applyFromExplorer('remote.dstack.yml');
  const rows = offersFrame().locator('tr.offer');
  await expectVisible(rows.filter({ hasText: hostIp }), 'offers-view', 60_000);
  const texts = await rows.allInnerTexts();
  assert.ok(texts.some((t) => /local/i.test(t)), `a local offer: ${texts.join(' | ')}`);
  assert.ok(texts.some((t) => t.includes(hostIp)), `the test host ${hostIp}: ${texts.join(' | ')}`);
  await shot('2-offers-view.png');
});

test('choosing the test host\'s offer provisions it over SSH until running; the runs view and a ticking status bar show it', { skip: skip ?? false }, async () => {
  await offersFrame().locator('tr.offer', { hasText: hostIp }).locator('vscode-button').click();
  await page.waitForTimeout(1500);
  await shot('3-provisioning.png');
  await expectVisible(page.locator('.notifications-toasts').getByText(new RegExp(`dstack: ${RUN} is running`)), 'running', 180_000);
  await expectVisible(page.locator('.monaco-list-row', { hasText: RUN }).filter({ hasText: /running/ }), 'runs-view');
  const item = page.locator('.statusbar-item', { hasText: RUN }).first();
  await expectVisible(item, 'status-bar');
  // The countdown runs from the environment's last SSH activity, which its agent reports: read it until it
  // moves (at most 90 s; it moves once the first report without a connection is in).
  const countdown = async () => /stops in ([^·]+)/.exec(await item.innerText())?.[1]?.trim();
  const first = await countdown();
  assert.ok(first, `the countdown is shown: ${await item.innerText()}`);
  let second = first;
  for (let waited = 0; second === first && waited < 90_000; waited += 1_000) {
    await page.waitForTimeout(1_000);
    second = await countdown();
  }
  assert.notEqual(second, first, `the countdown ticks: "${first}" then "${second}"`);
  await shot('4-running.png');
});

test('"dstack: Stop" from the palette ends the run', { skip: skip ?? false }, async () => {
  await palette('dstack: Stop');
  await expectVisible(page.locator('.notifications-toasts').getByText(new RegExp(`dstack: stopping ${RUN}`)), 'stop');
  await shot('5-stopping.png');
  await page.locator('.statusbar-item', { hasText: RUN }).first().waitFor({ state: 'hidden', timeout: 90_000 });
  await expectVisible(page.locator('.monaco-list-row', { hasText: RUN }).filter({ hasText: /terminated|stopped|done/ }), 'stopped', 60_000);
  await shot('6-stopped.png');
});
