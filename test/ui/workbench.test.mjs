// Layer 3: UI tests. code-server (real VS Code: server, web workbench, Node extension host) with the extension
// installed from the packaged .vsix, driven by headless Debian Chromium through playwright-core.
// Run: CS_VERSION=4.100.3 VSIX=dist/vscode-dstack.vsix node --test --test-concurrency=1 test/ui/workbench.test.mjs
// Screenshots go to .artifacts/screenshots/<version>/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  ARTIFACTS, ROOT, codeServer, freePort, freshDir, launchBrowser, runOnce, serverEnv, startServer, stopAll,
  userDataDir, waitHttp, workspaceCopy,
} from './harness.mjs';

const version = process.env.CS_VERSION || '4.100.3';
const VSIX = path.resolve(ROOT, process.env.VSIX || 'dist/vscode-dstack.vsix');
const SHOTS = path.join(ARTIFACTS, 'screenshots', version);
let ctx;
let page;

before(async () => {
  const cs = codeServer(version);
  const scratch = freshDir('vscode', `ui-${version}`);
  freshDir('screenshots', version);
  const ws = workspaceCopy('vscode', `ui-${version}`, 'ws');
  // The orchestrator's state and a scripted fake backend with two 24GB-GPU offers (train.dstack.yml asks for one).
  const fakeFile = path.join(scratch, 'fake-backend.json');
  const gpuOffer = (instanceType, pricePerHour) => ({
    backend: 'fake', region: 'fake-1', instanceType, pricePerHour, availability: 'available',
    resources: { cpuArch: 'x86', cpus: 4, memoryGB: 16, diskGB: 100, gpus: [{ name: 'A10G', vendor: 'nvidia', memoryGB: 24 }], spot: false },
  });
  fs.writeFileSync(fakeFile, JSON.stringify({ version: 1, instances: [], script: {
    offers: [gpuOffer('g5.xlarge', 1.006), gpuOffer('g6.xlarge', 0.805)], capacity: {}, failures: {}, createLatencyMs: 0, readyAfterMs: 0, terminateAfterMs: 0,
  } }));
  const env = serverEnv(scratch, { DSTACK_VSC_STATE_DIR: path.join(scratch, 'state'), DSTACK_VSC_FAKE_BACKEND: fakeFile });
  const userData = userDataDir('vscode', `ui-${version}`, 'user-data');
  const extensions = path.join(scratch, 'extensions');
  // Installed from the .vsix exactly as a user would: this proves the package loads.
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
  await row('train.dstack.yml').waitFor({ timeout: 120_000 });
});

after(async () => {
  await ctx?.close().catch(() => {});
  stopAll();
});

// getByText('string') is a case-insensitive substring match: assertions use regexes.
function row(name) {
  return page.locator('.explorer-folders-view .monaco-list-row').filter({ has: page.getByText(name, { exact: true }) }).first();
}

/** Right-clicks an Explorer row and returns the context menu's items. A right-click can be dropped while the
 *  workbench is busy (seen on 1.139 under load), so it is repeated until the menu shows (at most 3 tries). */
async function contextMenuItems(name) {
  const menu = page.locator('.context-view .monaco-menu').first();
  for (let attempt = 1; ; attempt++) {
    await row(name).click({ button: 'right' });
    try {
      await menu.waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt === 3) {
        await page.screenshot({ path: path.join(SHOTS, `FAILED-context-menu-${name}.png`) }).catch(() => {});
        throw error;
      }
      await page.keyboard.press('Escape');
    }
  }
  return page.getByRole('menuitem').allInnerTexts();
}

/** Clicks a context-menu item. VS Code's menu can drop a click that lands while it is still opening,
 *  so the click is repeated until the menu closes (at most 3 tries). */
async function clickMenuItem(name) {
  const item = page.getByRole('menuitem', { name, exact: true });
  const menu = page.locator('.context-view .monaco-menu');
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

/** Waits for a locator; on a timeout saves a screenshot named after the step, then fails with the page's toasts. */
async function expectVisible(locator, name, timeout = 30_000) {
  try {
    await locator.first().waitFor({ timeout });
  } catch (error) {
    await page.screenshot({ path: path.join(SHOTS, `FAILED-${name}.png`) }).catch(() => {});
    const toasts = await page.locator('.notifications-toasts').allInnerTexts().catch(() => []);
    throw new Error(`${error.message}\nnotifications: ${toasts.join(' | ')}`);
  }
}

/** The offers picker's document: the webview's outer iframe holds the active frame with our page. */
function offersFrame() {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

async function shot(name) {
  await page.waitForTimeout(300);                        // toasts slide in; only for a readable picture
  await page.screenshot({ path: path.join(SHOTS, name) });
}

test('a broken .dstack.yml shows its problems in the Problems panel', async () => {
  await row('broken.dstack.yml').dblclick();
  await page.locator('.tabs-container').getByText(/broken\.dstack\.yml/).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Control+Shift+M');         // View: Problems
  const markers = page.locator('.markers-panel .monaco-list-row');
  await expectVisible(markers.filter({ hasText: /banana/ }), 'problems', 90_000);
  const rows = await markers.allInnerTexts();
  assert.ok(rows.some((t) => /broken\.dstack\.yml/.test(t)), `a file row for broken.dstack.yml: ${rows.join(' | ')}`);
  assert.ok(rows.some((t) => /dstack/.test(t) && /gpu/.test(t)), `a dstack problem naming gpu: ${rows.join(' | ')}`);
  await shot('1-problems-panel.png');
});

test('right-click on a plain .yml offers no "dstack: Apply"', async () => {
  const items = await contextMenuItems('other.yml');
  await page.keyboard.press('Escape');
  assert.ok(items.length > 3, `the context menu opened: ${items.join(' | ')}`);
  assert.ok(!items.some((t) => /dstack: Apply/.test(t)), `no dstack item for other.yml: ${items.join(' | ')}`);
});

test('right-click on a .dstack.yml runs "dstack: Apply": the offers view lists the plan\'s offers', async () => {
  const items = await contextMenuItems('train.dstack.yml');
  assert.ok(items.some((t) => /^dstack: Apply$/.test(t.trim())), `dstack: Apply in the menu: ${items.join(' | ')}`);
  await shot('2-context-menu.png');
  await clickMenuItem('dstack: Apply');
  const toast = page.locator('.notifications-toasts').getByText(/2 offer\(s\) for train\.dstack\.yml\. Provision fake \(fake-1\) g6\.xlarge/);
  await expectVisible(toast, 'apply-plan');
  const rows = offersFrame().locator('tr.offer');
  await expectVisible(rows, 'offers-view', 60_000);
  const texts = await rows.allInnerTexts();
  assert.equal(texts.length, 2, `two offers: ${texts.join(' | ')}`);
  assert.match(texts[0] ?? '', /g6\.xlarge[\s\S]*\$0\.805/, 'cheapest first');
  // In the sidebar's width the price and the Provision button are in view without scrolling sideways.
  for (const selector of ['td:nth-child(5)' /* $/h */, 'td:last-child' /* Provision */]) {
    const inView = await rows.first().locator(selector).evaluate((e) => e.getBoundingClientRect().right <= document.documentElement.clientWidth + 0.5);
    assert.ok(inView, `${selector} of the first offer is within the view's width`);
  }
  await shot('3-offers-view.png');
});

test('choosing an offer provisions it: once ready the notification says to install Remote-SSH (code-server has none), nothing opens; the runs view and the status bar show the run; Stop from the palette', async () => {
  const workbench = page.url();
  let opened = 0;
  ctx.on('page', () => { opened += 1; });
  await offersFrame().locator('tr.offer', { hasText: 'g5.xlarge' }).locator('vscode-button').click();
  // dstack.openOnReady opens the run with vscode.openFolder only where a Remote-SSH extension resolves ssh-remote+<run>;
  // this web workbench has none, so the notification offers to install it instead of opening a useless tab.
  await expectVisible(page.locator('.notifications-toasts').getByText(/dstack: train is running \(train\.dstack\.yml\); install Remote-SSH to open it in VS Code/), 'apply-running', 60_000);
  await expectVisible(page.locator('.notifications-toasts').getByRole('button', { name: 'Install Remote-SSH' }), 'install-remote-ssh');
  assert.equal(opened, 0, 'no new window or tab was opened');
  assert.equal(page.url(), workbench, 'the applying window keeps its workspace');
  await expectVisible(page.locator('.monaco-list-row', { hasText: /train/ }).filter({ hasText: /running/ }), 'runs-view');
  await expectVisible(page.locator('.statusbar-item', { hasText: /train/ }), 'status-bar');
  await shot('4-run-running.png');
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>dstack: Stop');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: /^dstack: Stop/ }).first().waitFor();
  await page.keyboard.press('Enter');
  await expectVisible(page.locator('.notifications-toasts').getByText(/dstack: stopping train/), 'stop');
  await shot('5-stopped.png');
});

test('"dstack: Apply" on a broken file says it was not applied', async () => {
  await page.keyboard.press('Control+Shift+E');         // back to the Explorer (Apply revealed the dstack views)
  await row('broken.dstack.yml').waitFor();
  await contextMenuItems('broken.dstack.yml');
  await clickMenuItem('dstack: Apply');
  const toast = page.locator('.notifications-toasts').getByText(/broken\.dstack\.yml has \d+ problem\(s\) and was not applied/);
  await expectVisible(toast, 'apply-invalid');
  await shot('6-apply-invalid.png');
});

test('the offers view keeps its plan and filter when hidden and shown again (getState, no retainContextWhenHidden)', async () => {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>dstack: Show Offers');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: /^dstack: Show Offers/ }).first().waitFor();
  await page.keyboard.press('Enter');
  await expectVisible(offersFrame().locator('tr.offer'), 'offers-shown');
  await offersFrame().locator('vscode-textfield input').fill('g5');
  await expectVisible(offersFrame().locator('tr.offer', { hasText: 'g5.xlarge' }), 'offers-filtered');
  assert.equal(await offersFrame().locator('tr.offer').count(), 1, 'the filter keeps g5.xlarge only');
  await page.keyboard.press('Control+Shift+E');          // hide the dstack views
  await row('train.dstack.yml').waitFor();
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').fill('>dstack: Show Offers');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: /^dstack: Show Offers/ }).first().waitFor();
  await page.keyboard.press('Enter');
  await expectVisible(offersFrame().locator('tr.offer', { hasText: 'g5.xlarge' }), 'offers-restored');
  assert.equal(await offersFrame().locator('tr.offer').count(), 1, 'the restored view is still filtered');
  assert.equal(await offersFrame().locator('vscode-textfield').getAttribute('value'), 'g5');
  await shot('7-offers-restored.png');
});
