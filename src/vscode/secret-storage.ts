// The orchestrator's SecretStore over VS Code's SecretStorage (OS keychain); names are indexed in a
// secret of their own because SecretStorage cannot list keys.
import type * as vscode from 'vscode';
import type { SecretStore } from '../orchestrator/secrets/secret-store';

const PREFIX = 'dstack.secret.';
const INDEX = 'dstack.secrets.index';

/** A SecretStore backed by `context.secrets`. Values are never logged. */
export class VscodeSecretStore implements SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(name: string): Promise<string | undefined> {
    return this.storage.get(PREFIX + name);
  }

  async set(name: string, value: string): Promise<void> {
    await this.storage.store(PREFIX + name, value);
    const names = new Set(await this.list());
    names.add(name);
    await this.storage.store(INDEX, JSON.stringify([...names].sort()));
  }

  async delete(name: string): Promise<boolean> {
    const names = new Set(await this.list());
    const had = names.delete(name);
    await this.storage.delete(PREFIX + name);
    await this.storage.store(INDEX, JSON.stringify([...names].sort()));
    return had;
  }

  async list(): Promise<string[]> {
    const raw = await this.storage.get(INDEX);
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string').sort() : [];
    } catch {
      return [];
    }
  }

  async all(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of await this.list()) {
      const value = await this.get(name);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
}

/**
 * SecretStorage first, then the CLI's secrets file (so `dstack-vsc secret set` values work in VS Code too).
 * Writes and deletes from VS Code go to SecretStorage only; the CLI's file is read, never changed.
 */
export class LayeredSecretStore implements SecretStore {
  constructor(private readonly primary: SecretStore, private readonly fallback: SecretStore) {}

  async get(name: string): Promise<string | undefined> {
    return (await this.primary.get(name)) ?? (await this.fallback.get(name));
  }

  set(name: string, value: string): Promise<void> {
    return this.primary.set(name, value);
  }

  delete(name: string): Promise<boolean> {
    return this.primary.delete(name);
  }

  async list(): Promise<string[]> {
    return [...new Set([...(await this.primary.list()), ...(await this.fallback.list())])].sort();
  }

  async all(): Promise<Record<string, string>> {
    return { ...(await this.fallback.all()), ...(await this.primary.all()) };
  }
}
