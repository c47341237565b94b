// The extension's settings as the core takes them: `dstack.sshFleets` (read on every use, so an edit applies
// at the next offer listing), `remote.SSH.configFile` as the user ssh config that gets our Include, and the
// error message with "Open settings" when a setting is malformed.
import * as vscode from 'vscode';
import type { BackendsOptions } from '../orchestrator/backends-registry';
import { fleetsFromSettings } from '../orchestrator/fleets/fleet-settings';
import { showDstackLog, type Log } from './log';

/** The fleet setting's id. */
export const SSH_FLEETS_SETTING = 'dstack.sshFleets';

/** Shows an error with "Open settings" (opens the named setting) and "Show logs" (the dstack channel). */
export function showSettingError(message: string, setting: string): void {
  void vscode.window.showErrorMessage(message, 'Open settings', 'Show logs').then((choice) => {
    if (choice === 'Open settings') void vscode.commands.executeCommand('workbench.action.openSettings', setting);
    if (choice === 'Show logs') showDstackLog();
  });
}

/** The fleet setting's raw value, or undefined when unset or empty. */
export function sshFleetsValue(): unknown {
  const value = vscode.workspace.getConfiguration().get<unknown>(SSH_FLEETS_SETTING);
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  return value;
}

/**
 * The backend options: the fleet setting, re-read on every use. A malformed value is reported once (per
 * distinct value) with the field and fix, and ignored, so the other backends keep working.
 */
export function backendsOptions(log: Log): BackendsOptions {
  let reported = '';
  return {
    get sshFleetsSetting(): unknown {
      const value = sshFleetsValue();
      try {
        fleetsFromSettings(value, SSH_FLEETS_SETTING);
        return value;
      } catch (err) {
        const key = JSON.stringify(value);
        if (key !== reported) {
          reported = key;
          const message = `dstack: the ${SSH_FLEETS_SETTING} setting is ignored: ${(err as Error).message}`;
          log(message);
          showSettingError(message, SSH_FLEETS_SETTING);
        }
        return undefined;
      }
    },
  };
}

/** `remote.SSH.configFile` (Remote-SSH's setting; empty when unset or Remote-SSH is absent). */
export function remoteSshConfigFile(): string {
  return vscode.workspace.getConfiguration('remote.SSH').get<string>('configFile') ?? '';
}

/** The environment the core runs with: `remote.SSH.configFile`, when set, is the user ssh config (DSTACK_VSC_USER_SSH_CONFIG). */
export function runtimeEnv(base: NodeJS.ProcessEnv = process.env, configFile: string = remoteSshConfigFile()): NodeJS.ProcessEnv {
  if (configFile.trim() === '' || (base['DSTACK_VSC_USER_SSH_CONFIG'] ?? '') !== '') return base;
  return { ...base, DSTACK_VSC_USER_SSH_CONFIG: configFile };
}
