// The SSH doctor: asks the real OpenSSH client (`ssh -G`) what `ssh <run-name>` would use and compares it
// with our entry. ssh_config is first-match-wins, so a user `Host *` block above our Include overrides us.

import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { blockLine, BLOCK_BEGIN, renderBlock } from './user-config';
import type { SshHostBlock } from './host-entry';

/** Outcome of a doctor check (closed). */
export type DoctorStatus = 'ok' | 'overridden' | 'include_missing' | 'ssh_missing' | 'ssh_error';

/** One option `ssh -G` resolved differently from our entry. */
export interface DoctorMismatch {
  option: string;
  expected: string;
  actual: string;
}

/** A line of the user's config that takes precedence over our entry. */
export interface DoctorCulprit {
  line: number;
  text: string;
}

/** What the doctor found, with a message and fix for the user. */
export interface DoctorReport {
  status: DoctorStatus;
  alias: string;
  mismatches: DoctorMismatch[];
  culprits: DoctorCulprit[];
  message: string;
}

/** Runs `ssh -G -F <config> <alias>` and returns its options (lower-case keys, values in order). */
export function sshG(userConfig: string, alias: string, sshBinary = 'ssh'): Promise<Map<string, string[]>> {
  return new Promise((resolve, reject) => {
    const child = spawn(sshBinary, ['-G', '-F', userConfig, alias], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`ssh -G -F ${userConfig} ${alias} failed (exit ${code}): ${err.trim()}`)); return; }
      const opts = new Map<string, string[]>();
      for (const line of out.split('\n')) {
        const sp = line.indexOf(' ');
        if (sp <= 0) continue;
        const key = line.slice(0, sp);
        opts.set(key, [...(opts.get(key) ?? []), line.slice(sp + 1)]);
      }
      resolve(opts);
    });
  });
}

/** Whether an ssh_config `Host` pattern list matches `alias` (`*`, `?`, `!negation`). */
export function hostPatternsMatch(patterns: string[], alias: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    const glob = negated ? p.slice(1) : p;
    const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
    if (re.test(alias)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** `Host`/`Match` lines of the user's file above our block that apply to `alias`. */
function culpritsAbove(text: string, alias: string, stopLine: number | null): DoctorCulprit[] {
  const out: DoctorCulprit[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length && (stopLine === null || i + 1 < stopLine); i++) {
    const line = (lines[i] as string).trim();
    const m = /^(host|match)\s*=?\s*(.*)$/i.exec(line);
    if (!m) continue;
    const kind = (m[1] as string).toLowerCase();
    const args = (m[2] as string).split(/\s+/).filter(Boolean);
    if (kind === 'match' || hostPatternsMatch(args, alias)) out.push({ line: i + 1, text: line });
  }
  return out;
}

function expectations(b: SshHostBlock): DoctorMismatch[] {
  const exp: DoctorMismatch[] = [
    { option: 'hostname', expected: b.hostName, actual: '' },
    { option: 'port', expected: String(b.port), actual: '' },
    { option: 'user', expected: b.user, actual: '' },
  ];
  if (b.identityFile !== undefined) exp.push({ option: 'identityfile', expected: b.identityFile, actual: '' });
  if (b.knownHostsFile !== undefined) exp.push({ option: 'userknownhostsfile', expected: b.knownHostsFile, actual: '' });
  if (b.proxyJump !== undefined) exp.push({ option: 'proxyjump', expected: b.proxyJump, actual: '' });
  return exp;
}

/**
 * Checks that `ssh <alias>` with the user's config resolves to `expected` (our entry for the alias).
 * Reports overriding lines with the fix instead of failing later with a confusing SSH error.
 */
export async function sshDoctor(userConfig: string, expected: SshHostBlock, ownConfig: string, sshBinary = 'ssh'): Promise<DoctorReport> {
  const alias = expected.alias;
  const includeHint = renderBlock(ownConfig, '\n').split('\n').filter((l) => l.startsWith('Include')).join('');
  const text = (await fsp.readFile(userConfig).catch(() => Buffer.alloc(0))).toString('latin1');
  let opts: Map<string, string[]>;
  try {
    opts = await sshG(userConfig, alias, sshBinary);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      status: missing ? 'ssh_missing' : 'ssh_error', alias, mismatches: [], culprits: [],
      message: missing ? 'The OpenSSH client (ssh) is not installed or not on PATH. Install it (Debian/Ubuntu: apt install openssh-client; Windows: the OpenSSH Client optional feature).' : (e as Error).message,
    };
  }
  const mismatches: DoctorMismatch[] = [];
  for (const m of expectations(expected)) {
    const values = opts.get(m.option) ?? [];
    // IdentityFile accumulates: ours must come first (with IdentitiesOnly, ssh tries them in order).
    const actual = values[0] ?? '(unset)';
    if (actual !== m.expected) mismatches.push({ ...m, actual });
  }
  const line = blockLine(text, userConfig);
  if (line === null) {
    return { status: 'include_missing', alias, mismatches, culprits: [],
      message: `${userConfig} does not include the vscode-dstack ssh config, so \`ssh ${alias}\` cannot find the environment. Connecting from vscode-dstack adds the '${BLOCK_BEGIN}' block back at its top; or add it yourself as the first lines: ${includeHint}` };
  }
  if (mismatches.length === 0) return { status: 'ok', alias, mismatches, culprits: [], message: `\`ssh ${alias}\` resolves to the vscode-dstack entry.` };
  const culprits = culpritsAbove(text, alias, line);
  const what = mismatches.map((m) => `${m.option} is ${m.actual} instead of ${m.expected}`).join('; ');
  const where = culprits.length > 0
    ? `Lines above the vscode-dstack block apply first (ssh uses the first value it finds): ${culprits.map((c) => `line ${c.line} "${c.text}"`).join(', ')}. Move the '${BLOCK_BEGIN}' block (4 lines) to the very top of ${userConfig}, or exclude the environment from that block (e.g. "Host * !${alias}").`
    : `Something in ${userConfig} (or a file it includes) sets these options for ${alias} before the vscode-dstack block; keep that block at the very top.`;
  return { status: 'overridden', alias, mismatches, culprits, message: `\`ssh ${alias}\` does not use the vscode-dstack entry: ${what}. ${where}` };
}
