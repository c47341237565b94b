// Our own ssh config file: one marked group of `Host` blocks per environment, added when the
// environment comes up and removed when it goes. Every change is atomic and made under a lock.

import { promises as fsp } from 'node:fs';
import { writeFileAtomic } from './atomic-write';
import { withFileLock } from './file-lock';
import { assertAlias, renderHostBlock, type SshHostBlock } from './host-entry';
import type { SshPaths } from './paths';

const HEADER = [
  '# Managed by vscode-dstack: one entry per dev environment, added and removed automatically.',
  '# Edits here are overwritten. It is included from your ssh config by a marked block at its top.',
  '',
];
const BEGIN = '# >>> entry ';
const END = '# <<< entry ';

/** The environments in our ssh config, each as the text of its blocks. */
function parse(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let current: string | null = null;
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(BEGIN)) { current = line.slice(BEGIN.length).trim(); lines = []; continue; }
    if (current !== null && line === `${END}${current}`) { entries.set(current, lines); current = null; continue; }
    if (current !== null) lines.push(line);
  }
  return entries;
}

function render(entries: Map<string, string[]>): string {
  const out = [...HEADER];
  for (const [name, lines] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1))) out.push(`${BEGIN}${name}`, ...lines, `${END}${name}`, '');
  return out.join('\n');
}

/** Adds, replaces and removes environment entries in our own ssh config. */
export class SshConfigStore {
  constructor(private readonly paths: SshPaths) {}

  /** The config file path (what the user's config includes). */
  get file(): string {
    return this.paths.config;
  }

  private async update(fn: (entries: Map<string, string[]>) => boolean): Promise<void> {
    await withFileLock(this.paths.lock, async () => {
      const text = await fsp.readFile(this.paths.config, 'utf8').catch(() => '');
      const entries = parse(text);
      if (fn(entries) || text === '') await writeFileAtomic(this.paths.config, render(entries), 0o600);
    });
  }

  /**
   * Sets the entry of environment `name` to `blocks` (jump host first, the environment's own alias last),
   * replacing what was there. Blocks are validated before anything is written.
   */
  async upsert(name: string, blocks: SshHostBlock[]): Promise<void> {
    assertAlias(name, 'entry name');
    const lines = blocks.flatMap((b) => renderHostBlock(b));
    await this.update((entries) => {
      const old = entries.get(name);
      if (old !== undefined && old.join('\n') === lines.join('\n')) return false;
      entries.set(name, lines);
      return true;
    });
  }

  /** Removes the entry of environment `name` (no-op when absent). */
  async remove(name: string): Promise<void> {
    await this.update((entries) => entries.delete(name));
  }

  /** Names of the environments that have an entry. */
  async list(): Promise<string[]> {
    const text = await fsp.readFile(this.paths.config, 'utf8').catch(() => '');
    return [...parse(text).keys()].sort();
  }
}
