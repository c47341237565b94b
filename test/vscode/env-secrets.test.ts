// Typed env values: secret-looking ones become `${{ secrets.NAME }}` references the scheduler resolves at instance
// creation (the same resolution as any secret), plain ones stay as typed.
import * as assert from 'node:assert/strict';
import { resolveSecrets } from '../../src/orchestrator/plan';
import { looksSecret, typedEnv, typedEnvSecretName } from '../../src/vscode/env-secrets';

suite('typed env values', () => {
  test('secret-looking env names are masked when asked for and kept as secrets', () => {
    assert.deepEqual(['HF_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'API_KEY', 'PYTHONPATH', 'MODE'].map(looksSecret), [true, true, true, true, false, false]);
  });

  test('a secret-looking value becomes a reference that resolves to exactly what was typed; a plain one stays', () => {
    const typed = { HF_TOKEN: 'hf_$$abc ${{ not.a.ref }} "q"', MODE: 'debug' };
    const { env, secrets } = typedEnv(typed, '/work/dev.dstack.yml');
    const name = typedEnvSecretName('/work/dev.dstack.yml', 'HF_TOKEN');
    assert.deepEqual(env, { HF_TOKEN: `\${{ secrets.${name} }}`, MODE: 'debug' });
    assert.deepEqual(secrets, { [name]: typed.HF_TOKEN });
    assert.ok(!JSON.stringify(env).includes('hf_'), 'the env (what the state file gets) holds no typed secret');
    assert.deepEqual(resolveSecrets(env, secrets), typed, 'the scheduler\'s resolution gives the environment the value verbatim');
  });

  test('the secret name is a valid reference, stable per file and env name, distinct otherwise', () => {
    const a = typedEnvSecretName('/work/dev.dstack.yml', 'HF_TOKEN');
    assert.match(a, /^vsc_env_[0-9a-f]{10}_HF_TOKEN$/);
    assert.equal(typedEnvSecretName('/work/dev.dstack.yml', 'HF_TOKEN'), a, 'the next apply of the file replaces the value');
    assert.notEqual(typedEnvSecretName('/other/dev.dstack.yml', 'HF_TOKEN'), a);
    assert.notEqual(typedEnvSecretName('/work/dev.dstack.yml', 'HF-TOKEN'), typedEnvSecretName('/work/dev.dstack.yml', 'HF_TOKEN'));
    assert.match(typedEnvSecretName('/w', 'my.api-key'), /^vsc_env_[0-9a-f]{10}_my_api_key$/);
  });
});
