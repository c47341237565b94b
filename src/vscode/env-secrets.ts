// Env values typed at apply (input boxes, masked when the name looks secret) never land in the state file: a
// secret-looking one is kept in SecretStorage under a name of its own, and the run's env holds the
// `${{ secrets.NAME }}` reference, which the scheduler resolves when it creates the instance, as for any secret.
import { createHash } from 'node:crypto';
import type { SecretStore } from '../orchestrator/secrets/secret-store';

/** Env names whose values are masked when asked for and kept as secrets. */
export function looksSecret(name: string): boolean {
  return /TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL/i.test(name);
}

/**
 * The secret a typed value of env `name` applied from `configurationPath` is kept under: stable per file and name,
 * so the next apply of the file replaces it rather than piling up values.
 */
export function typedEnvSecretName(configurationPath: string, name: string): string {
  const key = createHash('sha256').update(`${configurationPath}\0${name}`).digest('hex').slice(0, 10);
  return `vsc_env_${key}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Typed env values as the run's env takes them, and the secret values to keep for its references. */
export interface TypedEnv {
  /** Plain values as typed; secret-looking ones replaced by `${{ secrets.NAME }}`. */
  env: Record<string, string>;
  /** Secret name → typed value, to store before the run is submitted. */
  secrets: Record<string, string>;
}

/** Splits typed values: secret-looking names become references to secrets named by `typedEnvSecretName`. */
export function typedEnv(values: Readonly<Record<string, string>>, configurationPath: string): TypedEnv {
  const out: TypedEnv = { env: {}, secrets: {} };
  for (const [name, value] of Object.entries(values)) {
    if (!looksSecret(name)) {
      out.env[name] = value;
      continue;
    }
    const secret = typedEnvSecretName(configurationPath, name);
    out.secrets[secret] = value;
    out.env[name] = `\${{ secrets.${secret} }}`;
  }
  return out;
}

/** Stores the typed secrets (SecretStorage in VS Code), so the scheduler finds them when it creates the instance. */
export async function keepTypedSecrets(store: SecretStore, secrets: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, value] of Object.entries(secrets)) await store.set(name, value);
}
