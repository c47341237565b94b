// Secrets for `${{ secrets.X }}`: an interface (the extension plugs VS Code's SecretStorage in) and the
// CLI's implementation, a 0600 JSON file in the state dir. Values are never printed or logged.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFileIfExists, writeFileAtomic } from '../store/atomic-file';
import { withFileLock } from '../store/lock';

/** Where secrets live. Names follow env-variable rules; values are opaque. */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  /** Returns false when there was no such secret. */
  delete(name: string): Promise<boolean>;
  /** Secret names, sorted (never values). */
  list(): Promise<string[]>;
  /** Every secret (for interpolation at apply only). */
  all(): Promise<Record<string, string>>;
}

/** The secret name grammar (dstack: letters, digits, `-` and `_`). */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

/** A secret store in `<stateDir>/secrets.json`, mode 0600, written atomically under a lock. */
export class FileSecretStore implements SecretStore {
  readonly file: string;

  constructor(stateDir: string) {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    this.file = path.join(stateDir, 'secrets.json');
  }

  async get(name: string): Promise<string | undefined> {
    return this.read()[name];
  }

  async set(name: string, value: string): Promise<void> {
    if (!SECRET_NAME_PATTERN.test(name)) throw new Error(`invalid secret name '${name}': use letters, digits, '-' and '_'`);
    await this.mutate((s) => {
      s[name] = value;
    });
  }

  async delete(name: string): Promise<boolean> {
    return this.mutate((s) => {
      if (!(name in s)) return false;
      delete s[name];
      return true;
    });
  }

  async list(): Promise<string[]> {
    return Object.keys(this.read()).sort();
  }

  async all(): Promise<Record<string, string>> {
    return this.read();
  }

  private read(): Record<string, string> {
    const text = readFileIfExists(this.file);
    if (text === null) return {};
    try {
      return JSON.parse(text) as Record<string, string>;
    } catch {
      throw new Error(`${this.file}: not valid JSON; fix or delete the file (its values are not shown here)`);
    }
  }

  private async mutate<T>(fn: (s: Record<string, string>) => T): Promise<T> {
    return withFileLock(`${this.file}.lock`, () => {
      const s = this.read();
      const out = fn(s);
      writeFileAtomic(this.file, JSON.stringify(s), 0o600);
      return out;
    });
  }
}
