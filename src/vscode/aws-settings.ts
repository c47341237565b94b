// The AWS backend's settings (`dstack.aws.regions`, `dstack.aws.profile`, `dstack.aws.sshCidr`, `dstack.aws.sshUser`)
// as the core reads them: the DSTACK_VSC_AWS_* variables, which win when already set in VS Code's environment.
// Read when the orchestrator starts (a change applies after a window reload). Credentials never go here.
import * as vscode from 'vscode';

/** Setting → environment variable of the AWS backend. */
const AWS_SETTINGS: readonly (readonly [setting: string, variable: string])[] = [
  ['regions', 'DSTACK_VSC_AWS_REGIONS'], ['profile', 'DSTACK_VSC_AWS_PROFILE'], ['sshCidr', 'DSTACK_VSC_AWS_SSH_CIDR'], ['sshUser', 'DSTACK_VSC_AWS_SSH_USER'],
];

/** The value of one setting as the variable holds it (a regions list joined with commas), or '' when unset. */
export function awsSettingValue(value: unknown): string {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter((v) => v !== '').join(',');
  return typeof value === 'string' ? value.trim() : '';
}

/** `env` plus the AWS settings as DSTACK_VSC_AWS_* (variables already set win). */
export function awsSettingsEnv(env: NodeJS.ProcessEnv, get: (setting: string) => unknown = (s) => vscode.workspace.getConfiguration('dstack.aws').get<unknown>(s)): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [setting, variable] of AWS_SETTINGS) {
    const value = awsSettingValue(get(setting));
    if (value !== '' && (out[variable] ?? '') === '') out[variable] = value;
  }
  return out;
}
