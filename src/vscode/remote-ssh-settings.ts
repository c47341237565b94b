// Pure functions for opening a run with Remote-SSH (no vscode import): the folder URI and the edit of
// the user's settings.json that sets `remote.SSH.remotePlatform` for the run's host, keeping the rest.
// jsonc-parser's ESM build: its UMD main loads ./impl/* with dynamic requires that no bundle can follow.
import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser/lib/esm/main.js';

/** The `vscode-remote://ssh-remote+<host><path>` URI string for a host alias and an absolute folder. */
export function remoteFolderUri(hostAlias: string, folder: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(hostAlias)) throw new Error(`ssh host alias '${hostAlias}': use letters, digits, '.', '_' and '-'`);
  const absolute = folder.startsWith('/') ? folder : `/${folder}`;
  return `vscode-remote://ssh-remote+${hostAlias}${absolute.split('/').map(encodeURIComponent).join('/')}`;
}

/** settings.json cannot be edited safely (it is not JSON with comments); the message names the file and the fix. */
export class SettingsFileError extends Error {
  override name = 'SettingsFileError';
}

/**
 * Returns settings.json text with `remote.SSH.remotePlatform[host] = platform`, comments and every other
 * setting kept; returns the text unchanged when it is already set.
 */
export function withRemotePlatform(text: string, file: string, host: string, platform: 'linux' | 'macOS' | 'windows'): string {
  const errors: ParseError[] = [];
  const current: unknown = text.trim() === '' ? {} : parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || typeof current !== 'object' || current === null || Array.isArray(current)) {
    throw new SettingsFileError(`${file}: not a JSON object (with comments); fix the file, then open the run again`);
  }
  const map = (current as Record<string, unknown>)['remote.SSH.remotePlatform'];
  if (typeof map === 'object' && map !== null && (map as Record<string, unknown>)[host] === platform) return text;
  const base = text.trim() === '' ? '{}' : text;
  const edits = modify(base, ['remote.SSH.remotePlatform', host], platform, { formattingOptions: { insertSpaces: true, tabSize: 4, eol: '\n' } });
  return applyEdits(base, edits);
}
