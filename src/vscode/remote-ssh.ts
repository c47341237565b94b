// Opens a run in a new window through Remote-SSH (`vscode.openFolder` on a vscode-remote URI), after
// setting `remote.SSH.remotePlatform` for its host by editing settings.json directly: the configuration
// API can hang while a remote authority resolves (see Coder's extension).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../orchestrator/store/atomic-file';
import { remoteFolderUri, withRemotePlatform } from './remote-ssh-settings';

/** The options of `vscode.openFolder` this extension uses. */
export interface OpenFolderOptions {
  forceNewWindow: boolean;
}

/** Opens a URI in VS Code with `vscode.openFolder`'s options (the real one runs it; tests pass their own to intercept it). */
export type FolderOpener = (uri: vscode.Uri, options: OpenFolderOptions) => Thenable<unknown>;

/** The default opener: `vscode.openFolder` with the options as given. */
export const openFolderCommand: FolderOpener = (uri, options) => vscode.commands.executeCommand('vscode.openFolder', uri, options);

/** Extensions that resolve `ssh-remote+<host>` authorities: Microsoft's Remote-SSH, VSCodium's and Cursor's. */
export const REMOTE_SSH_EXTENSIONS: readonly string[] = ['ms-vscode-remote.remote-ssh', 'jeanp413.open-remote-ssh', 'anysphere.remote-ssh'];

/** Whether this VS Code can open `vscode-remote://ssh-remote+...` folders (one of REMOTE_SSH_EXTENSIONS is installed). */
export function remoteSshInstalled(): boolean {
  return REMOTE_SSH_EXTENSIONS.some((id) => vscode.extensions.getExtension(id) !== undefined);
}

/** The user's settings.json: globalStorageUri is `<user-data>/User/globalStorage/<extension id>`. */
export function userSettingsFile(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, '..', '..', 'settings.json');
}

/** Sets remotePlatform = linux for `host` in `file` (atomic write, rest of the file kept). Returns whether it wrote. */
export function ensureRemotePlatform(file: string, host: string): boolean {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const next = withRemotePlatform(text, file, host, 'linux');
  if (next === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const mode = fs.existsSync(file) ? fs.statSync(file).mode & 0o777 : 0o600;
  writeFileAtomic(file, next, mode);
  return true;
}

/** Opens `folder` on ssh host `host` in a new window (this window keeps its workspace); returns the URI it opened. */
export async function openRemoteFolder(settingsFile: string, host: string, folder: string, open: FolderOpener = openFolderCommand): Promise<vscode.Uri> {
  ensureRemotePlatform(settingsFile, host);
  const uri = vscode.Uri.parse(remoteFolderUri(host, folder), true);
  await open(uri, { forceNewWindow: true });
  return uri;
}
