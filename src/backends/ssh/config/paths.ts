// Where vscode-dstack keeps its SSH files: its own ssh config, known_hosts, keys and locks.

import * as os from 'node:os';
import * as path from 'node:path';

/** The environment variable that moves the state dir (tests point it at a temp dir). */
export const STATE_DIR_ENV = 'DSTACK_VSC_STATE_DIR';

/** The state dir: $DSTACK_VSC_STATE_DIR, else ~/.local/state/vscode-dstack. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[STATE_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return path.join(env.HOME ?? os.homedir(), '.local', 'state', 'vscode-dstack');
}

/** The SSH files under one state dir. */
export interface SshPaths {
  dir: string;
  /** Our own ssh config, included from the user's. */
  config: string;
  /** Host keys we pinned (lines keyed by HostKeyAlias). */
  knownHosts: string;
  /** The client key we generated (ed25519, OpenSSH format); `.pub` beside it. */
  identity: string;
  /** Guards our config and our edits of the user's config across processes. */
  lock: string;
}

/** The SSH file layout under `state` (default: `stateDir()`). */
export function sshPaths(state: string = stateDir()): SshPaths {
  const dir = path.join(state, 'ssh');
  return { dir, config: path.join(dir, 'config'), knownHosts: path.join(dir, 'known_hosts'), identity: path.join(dir, 'id_ed25519'), lock: path.join(dir, 'config.lock') };
}

/** The user's ssh config: VS Code's `remote.SSH.configFile` when set, else ~/.ssh/config. */
export function userSshConfigPath(remoteSshConfigFile?: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME ?? os.homedir();
  if (remoteSshConfigFile !== undefined && remoteSshConfigFile.trim() !== '') {
    const p = remoteSshConfigFile.trim();
    return p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : path.resolve(p);
  }
  return path.join(home, '.ssh', 'config');
}
