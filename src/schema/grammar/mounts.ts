// `files` and `volumes` entries (dstack's files.py and volumes.py): shorthand strings or objects.
import type { FilePathMapping, VolumeMount } from '../model';
import { GrammarError } from './grammar-error';

const WINDOWS_ABS_RE = /^[A-Za-z]:[\\/]/;

function isDrive(first: string | undefined, second: string | undefined): boolean {
  return first !== undefined && second !== undefined && /^[A-Za-z]$/.test(first) && /^[\\/]/.test(second);
}

/** Splits `a:b` shorthand, re-joining a leading Windows drive (`C:\x:/y` → [`C:\x`, `/y`]). */
export function splitPathPair(v: string): string[] {
  const parts = v.split(':');
  if (isDrive(parts[0], parts[1])) return [`${parts[0]}:${parts[1]}`, ...parts.slice(2)];
  return parts;
}

function checkUnixPath(path: string): string {
  if (WINDOWS_ABS_RE.test(path)) throw new GrammarError(`path must be a Unix file path: ${path}`);
  return path;
}

/** One `files` entry: `"local[:container]"` (container defaults to the same string) or `{local_path, path}`. */
export function parseFilePathMapping(v: unknown): FilePathMapping {
  if (typeof v === 'string') {
    const parts = splitPathPair(v);
    if (parts.length === 1) return { local_path: v, path: checkUnixPath(v) };
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new GrammarError(`invalid file path mapping: ${v}`);
    return { local_path: parts[0] as string, path: checkUnixPath(parts[1] as string) };
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== 'local_path' && key !== 'path') throw new GrammarError(`Unknown files field \`${key}\`; allowed: \`local_path\`, \`path\``);
    }
    if (typeof o['local_path'] !== 'string' || typeof o['path'] !== 'string') throw new GrammarError('A files mapping needs both `local_path` and `path` as strings');
    return { local_path: o['local_path'], path: checkUnixPath(o['path']) };
  }
  throw new GrammarError('A files entry must be `local[:container]` or `{local_path, path}`');
}

function checkMountPath(path: string): string {
  if (path.split('/').includes('..')) throw new GrammarError(`.. are not allowed: ${path}`);
  return path;
}

/** One `volumes` entry: `"name:/path"` (network volume), `"/host:/path"` (instance volume) or an object. */
export function parseVolumeMount(v: unknown): VolumeMount {
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new GrammarError(`invalid mount point format: ${v}`);
    const [source, path] = parts as [string, string];
    if (source.includes('/')) return { kind: 'InstanceMountPoint', instance_path: source, path: checkMountPath(path), optional: false };
    return { kind: 'VolumeMountPoint', name: source, path: checkMountPath(path) };
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if ('instance_path' in o) {
      const extra = keys.filter((k) => !['instance_path', 'path', 'optional'].includes(k));
      if (extra.length) throw new GrammarError(`Unknown instance volume field \`${extra[0]}\`; allowed: \`instance_path\`, \`path\`, \`optional\``);
      if (typeof o['instance_path'] !== 'string' || typeof o['path'] !== 'string') throw new GrammarError('An instance volume needs `instance_path` and `path` as strings');
      if (o['optional'] != null && typeof o['optional'] !== 'boolean') throw new GrammarError('`optional` must be true or false');
      return { kind: 'InstanceMountPoint', instance_path: o['instance_path'], path: checkMountPath(o['path']), optional: o['optional'] === true };
    }
    const extra = keys.filter((k) => !['name', 'path'].includes(k));
    if (extra.length) {
      throw new GrammarError(`Unknown volume field \`${extra[0]}\`: a network volume has \`name\` and \`path\`; an instance volume has \`instance_path\`, \`path\` and \`optional\``);
    }
    const name = o['name'];
    const okName = typeof name === 'string' || (Array.isArray(name) && name.length > 0 && name.every((n) => typeof n === 'string'));
    if (!okName || typeof o['path'] !== 'string') throw new GrammarError('A volume needs `name` (a string or a list of strings) and `path`');
    return { kind: 'VolumeMountPoint', name: name as string | string[], path: checkMountPath(o['path']) };
  }
  throw new GrammarError('A volume must be `name:/path`, `/host/path:/path` or a mapping');
}
