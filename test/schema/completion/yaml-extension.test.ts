// Beside redhat.vscode-yaml only what its schema cannot know is offered: no duplicate keys or enum values.
import { strict as assert } from 'node:assert';
import { candidatesBesideYamlExtension, completeAt } from '../../../src/schema/completion';

describe('candidatesBesideYamlExtension', () => {
  const atEnd = (text: string, secrets: string[] = []) => completeAt(text, text.length, { secrets });
  const keys = atEnd('type: dev-environment\nresources:\n  ');
  const gpus = atEnd('type: dev-environment\nresources:\n  gpu: ');
  const env = atEnd('type: task\nenv:\n  - A=1\ncommands:\n  - echo ${{ env.');
  const secrets = atEnd('type: task\nenv:\n  - A=${{ secrets.', ['tok']);

  it('alone: everything', () => {
    assert.deepEqual(candidatesBesideYamlExtension(keys, false), keys);
    assert.ok(keys.length > 0);
  });

  it('with the YAML extension: schema keys and enums dropped, catalog, env and secret names kept', () => {
    assert.deepEqual(candidatesBesideYamlExtension(keys, true), []);
    assert.deepEqual(candidatesBesideYamlExtension(atEnd('type: dev-environment\nide: '), true), []);
    const kept = candidatesBesideYamlExtension(gpus, true).map((c) => c.label);
    assert.ok(kept.includes('A100') && kept.includes('80GB'), kept.join(','));
    assert.deepEqual(candidatesBesideYamlExtension(env, true).map((c) => c.label), ['A']);
    assert.deepEqual(candidatesBesideYamlExtension(secrets, true).map((c) => c.label), ['tok']);
  });
});
