// Shared by the VS Code test layers: finds a cached code-server, starts VS Code servers in their own process
// groups, and launches Debian's Chromium (headless, loopback only) through playwright-core.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The project root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Git-ignored scratch and artifact folder. */
export const ARTIFACTS = path.join(ROOT, '.artifacts');
const TOOLS = process.env.VSCODE_CI_TOOLS || '/opt/vscode-ci';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** User settings that keep the workbench quiet and deterministic (no walkthrough, chat, updates, git toasts). */
const SETTINGS = {
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'update.mode': 'none',
  'chat.disableAIFeatures': true, 'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.openRepositoryInParentFolders': 'never', 'git.enabled': false, 'security.workspace.trust.enabled': false,
};

/** A cached code-server install made by .ci/vscode-tools.sh: { version, home, node, entry, server }. */
export function codeServer(version) {
  const home = path.join(TOOLS, `code-server-${version}`);
  if (!fs.existsSync(path.join(home, '.complete'))) {
    throw new Error(`code-server ${version} is not installed in ${home}: run  bash .ci/vscode-tools.sh code-server ${version}`);
  }
  const pkg = path.join(home, 'node_modules/code-server');
  return {
    version, home, node: fs.readFileSync(path.join(home, 'node'), 'utf8').trim(),
    entry: path.join(pkg, 'out/node/entry.js'), server: path.join(pkg, 'lib/vscode/out/server-main.js'),
  };
}

/** Empties and returns a folder under .artifacts/. */
export function freshDir(...parts) {
  const dir = path.join(ARTIFACTS, ...parts);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A user-data folder with the quiet settings. */
export function userDataDir(...parts) {
  const dir = freshDir(...parts);
  fs.mkdirSync(path.join(dir, 'User'));
  fs.writeFileSync(path.join(dir, 'User/settings.json'), JSON.stringify(SETTINGS, null, 2));
  return dir;
}

/** A scratch copy of test/fixtures/ws (tests may edit it; the fixture stays clean). */
export function workspaceCopy(...parts) {
  const dir = freshDir(...parts);
  fs.cpSync(path.join(ROOT, 'test/fixtures/ws'), dir, { recursive: true });
  return dir;
}

/** A free TCP port on 127.0.0.1 (other engineers run servers on this machine too). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/** The environment for VS Code processes: XDG dirs in scratch (code-server writes config there), no gallery. */
export function serverEnv(scratch, extra = {}) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(scratch, 'xdg/config'), XDG_DATA_HOME: path.join(scratch, 'xdg/data'),
    XDG_CACHE_HOME: path.join(scratch, 'xdg/cache'),
    EXTENSIONS_GALLERY: '{}',
    ...extra,
  };
}

/** Runs a one-shot command (e.g. --install-extension); rejects on a non-zero exit. */
export function runOnce(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? cmd)} exited ${code}`))));
  });
}

/** Servers started by this process; stopAll() kills their process groups (extension hosts outlive the browser). */
const started = [];

/** Starts a long-running server in its own process group, logging to logFile. */
export function startServer(cmd, args, env, logFile) {
  const log = fs.openSync(logFile, 'w');
  const p = spawn(cmd, args, { env, stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  started.push(p);
  return p;
}

/** Kills the process groups of every server this process started, by their ids. */
export function stopAll() {
  for (const p of started.splice(0)) { try { process.kill(-p.pid, 'SIGTERM'); } catch { /* already gone */ } }
}

/** Waits until an HTTP endpoint answers below 500. */
export async function waitHttp(url, ms = 90_000) {
  const end = Date.now() + ms;
  for (;;) {
    try { if ((await fetch(url)).status < 500) return; } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error(`server did not come up: ${url}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Launches headless Debian Chromium that resolves no host but loopback; returns the persistent context. */
export function launchBrowser(profileDir) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1'],
  });
}
