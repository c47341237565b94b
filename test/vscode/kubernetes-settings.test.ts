// The `dstack.kubernetes.*` settings reach the Kubernetes backend as the DSTACK_VSC_KUBERNETES / DSTACK_VSC_KUBE_*
// variables the core reads (variables already set win), and are contributed with empty defaults (backend off).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { kubernetesOptionsFromEnv } from '../../src/backends/kubernetes/options';
import { kubernetesSettingsEnv, kubernetesSettingValue } from '../../src/vscode/kubernetes-settings';

suite('Kubernetes settings', () => {
  test('enabled turns the backend on with the context, namespace, price and image settings; variables already set win', () => {
    const settings: Record<string, unknown> = { enabled: true, context: ' gpu-cluster ', namespace: 'ml', price: 1.5, image: 'ghcr.io/me/dev:1' };
    const env = kubernetesSettingsEnv({ DSTACK_VSC_KUBE_NAMESPACE: 'from-env' }, (s) => settings[s]);
    assert.deepEqual(kubernetesOptionsFromEnv(env), { context: 'gpu-cluster', namespace: 'from-env', pricePerHour: 1.5, image: 'ghcr.io/me/dev:1' });
    assert.equal(env['DSTACK_VSC_KUBERNETES'], '1');
  });

  test('off unless enabled (or the environment turns it on): a context setting alone does not turn it on, DSTACK_VSC_KUBERNETES=0 wins', () => {
    const contextOnly: Record<string, unknown> = { enabled: false, context: 'gpu-cluster', namespace: 'ml' };
    assert.equal(kubernetesOptionsFromEnv(kubernetesSettingsEnv({}, (s) => contextOnly[s])), null);
    const on: Record<string, unknown> = { enabled: true, context: 'gpu-cluster' };
    assert.equal(kubernetesOptionsFromEnv(kubernetesSettingsEnv({ DSTACK_VSC_KUBERNETES: '0' }, (s) => on[s])), null);
    assert.deepEqual(kubernetesOptionsFromEnv(kubernetesSettingsEnv({ DSTACK_VSC_KUBERNETES: '1' }, (s) => contextOnly[s])), { context: 'gpu-cluster', namespace: 'ml' }, 'the variable turned it on: the settings fill the rest');
    assert.equal(kubernetesSettingValue(-1), '', 'a negative price is not passed on');
    assert.equal(kubernetesSettingValue(0), '0');
    assert.equal(kubernetesSettingValue(undefined), '');
  });

  test('contributed, off by default', () => {
    const config = vscode.workspace.getConfiguration('dstack.kubernetes');
    assert.equal(config.get('enabled'), false);
    assert.equal(config.get('context'), '');
    assert.equal(config.get('namespace'), '');
    assert.equal(config.get('price'), null);
    assert.equal(config.get('image'), '');
  });
});
