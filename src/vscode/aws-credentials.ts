// "dstack: Set AWS Credentials": AWS keys entered by the user, kept in VS Code's SecretStorage (the OS keychain)
// and handed to the AWS backend on each call (a change applies at once). Nothing is written to settings, the state
// dir or the logs; without stored keys the AWS SDK's default chain (environment, profiles, SSO) applies.
import * as vscode from 'vscode';
import type { AwsKeys } from '../backends/aws/client';
import type { BackendsOptions } from '../orchestrator/backends-registry';
import type { Log } from './log';

/** The SecretStorage key the credentials are stored under (one JSON value). */
export const AWS_CREDENTIALS_SECRET = 'dstack.aws.credentials';

/** The stored keys, or undefined when none (or unreadable) are stored. */
export function parseStoredKeys(raw: string | undefined): AwsKeys | undefined {
  if (raw === undefined || raw === '') return undefined;
  try {
    const v = JSON.parse(raw) as Partial<AwsKeys>;
    if (typeof v.accessKeyId !== 'string' || typeof v.secretAccessKey !== 'string' || v.accessKeyId === '' || v.secretAccessKey === '') return undefined;
    return { accessKeyId: v.accessKeyId, secretAccessKey: v.secretAccessKey, ...(typeof v.sessionToken === 'string' && v.sessionToken !== '' ? { sessionToken: v.sessionToken } : {}) };
  } catch {
    return undefined;
  }
}

/** Why an access key id is not one (null when it looks right). */
export function accessKeyIdProblem(value: string): string | null {
  return /^[A-Z0-9]{16,128}$/.test(value.trim()) ? null : 'An access key ID is 16 or more upper-case letters and digits, e.g. AKIAIOSFODNN7EXAMPLE.';
}

/** Reads the stored keys on every call (the AWS backend asks before each API call). */
export function awsKeysProvider(secrets: vscode.SecretStorage): () => Promise<AwsKeys | undefined> {
  return async () => parseStoredKeys(await secrets.get(AWS_CREDENTIALS_SECRET));
}

/** The backend options with the stored AWS keys added (the same object: its live getters stay live). */
export function withAwsKeys(options: BackendsOptions, secrets: vscode.SecretStorage): BackendsOptions {
  options.awsKeys = awsKeysProvider(secrets);
  return options;
}

/** Prompts for the keys (or clearing them) and stores them in SecretStorage. */
export async function setAwsCredentials(secrets: vscode.SecretStorage, log: Log): Promise<'saved' | 'cleared' | 'cancelled'> {
  const existing = parseStoredKeys(await secrets.get(AWS_CREDENTIALS_SECRET));
  if (existing) {
    const choice = await vscode.window.showQuickPick(['Replace the stored keys', 'Clear them (use the AWS default credential chain)'], {
      title: `dstack: AWS keys ending in ${existing.accessKeyId.slice(-4)} are stored`,
    });
    if (choice === undefined) return 'cancelled';
    if (choice.startsWith('Clear')) {
      await secrets.delete(AWS_CREDENTIALS_SECRET);
      log('AWS credentials cleared from SecretStorage; the AWS SDK default chain applies');
      void vscode.window.showInformationMessage('dstack: AWS keys cleared. The AWS backend uses the SDK\'s default credentials (environment, profiles, SSO).');
      return 'cleared';
    }
  }
  const accessKeyId = await vscode.window.showInputBox({
    title: 'dstack: AWS access key ID', prompt: 'Stored in VS Code\'s SecretStorage only', ignoreFocusOut: true, validateInput: accessKeyIdProblem,
  });
  if (accessKeyId === undefined) return 'cancelled';
  const secretAccessKey = await vscode.window.showInputBox({
    title: 'dstack: AWS secret access key', password: true, ignoreFocusOut: true,
    validateInput: (v) => (v.trim().length >= 16 ? null : 'Paste the secret access key that belongs to the access key ID.'),
  });
  if (secretAccessKey === undefined) return 'cancelled';
  const sessionToken = await vscode.window.showInputBox({
    title: 'dstack: AWS session token (temporary keys only; leave empty otherwise)', password: true, ignoreFocusOut: true,
  });
  if (sessionToken === undefined) return 'cancelled';
  const keys: AwsKeys = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim(), ...(sessionToken.trim() !== '' ? { sessionToken: sessionToken.trim() } : {}) };
  await secrets.store(AWS_CREDENTIALS_SECRET, JSON.stringify(keys));
  log(`AWS credentials stored in SecretStorage (access key ending in ${keys.accessKeyId.slice(-4)})`);
  void vscode.window.showInformationMessage('dstack: AWS keys stored. The AWS backend (regions from DSTACK_VSC_AWS_REGIONS) uses them from its next call.');
  return 'saved';
}
