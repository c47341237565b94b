// The Kubernetes backend's settings (`dstack.kubernetes.enabled`, `.context`, `.namespace`, `.price`, `.image`)
// as the core reads them: the DSTACK_VSC_KUBERNETES / DSTACK_VSC_KUBE_* variables, which win when already set in
// VS Code's environment. Read when the orchestrator starts (a change applies after a window reload).
import * as vscode from 'vscode';
import { kubernetesEnabledInEnv } from '../backends/kubernetes/options';

/** Setting → environment variable of the Kubernetes backend (besides `enabled`). */
const KUBERNETES_SETTINGS: readonly (readonly [setting: string, variable: string])[] = [
  ['context', 'DSTACK_VSC_KUBE_CONTEXT'], ['namespace', 'DSTACK_VSC_KUBE_NAMESPACE'], ['price', 'DSTACK_VSC_KUBE_PRICE'], ['image', 'DSTACK_VSC_KUBE_IMAGE'],
];

/** One setting's value as its variable holds it (a price as its decimal text), or '' when unset or unusable. */
export function kubernetesSettingValue(value: unknown): string {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? String(value) : '';
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * `env` plus the Kubernetes settings as variables (variables already set win). The other settings apply only
 * when the backend is on (`enabled`, or the environment turning it on): a context setting alone, which the core
 * would take as "on", does not turn it on, and DSTACK_VSC_KUBERNETES=0 keeps it off whatever the settings say.
 */
export function kubernetesSettingsEnv(env: NodeJS.ProcessEnv, get: (setting: string) => unknown = (s) => vscode.workspace.getConfiguration('dstack.kubernetes').get<unknown>(s)): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  const flagSet = (env['DSTACK_VSC_KUBERNETES'] ?? '') !== '';
  if (!flagSet && get('enabled') === true) out['DSTACK_VSC_KUBERNETES'] = '1';
  if (!kubernetesEnabledInEnv(out)) return out;
  for (const [setting, variable] of KUBERNETES_SETTINGS) {
    const value = kubernetesSettingValue(get(setting));
    if (value !== '' && (out[variable] ?? '') === '') out[variable] = value;
  }
  return out;
}
