// "dstack: Set AWS Credentials": the command is contributed and registered, and the keys it stores in SecretStorage
// are what the AWS backend is handed (read on every call), never anything else.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { accessKeyIdProblem, AWS_CREDENTIALS_SECRET, awsKeysProvider, parseStoredKeys } from '../../src/vscode/aws-credentials';
import { awsSettingsEnv, awsSettingValue } from '../../src/vscode/aws-settings';
import { activatedApi } from './helpers';

suite('AWS credentials in SecretStorage', () => {
  test('the command is registered; stored keys are read back on every call and cleared keys fall back to the default chain', async () => {
    const api = await activatedApi();
    assert.ok((await vscode.commands.getCommands(true)).includes('dstack.setAwsCredentials'));
    const secrets = api.experience.extension.secrets;
    const keys = awsKeysProvider(secrets);
    await secrets.delete(AWS_CREDENTIALS_SECRET);
    assert.equal(await keys(), undefined);
    await secrets.store(AWS_CREDENTIALS_SECRET, JSON.stringify({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }));
    assert.deepEqual(await keys(), { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    await secrets.store(AWS_CREDENTIALS_SECRET, JSON.stringify({ accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'other-secret-value-x', sessionToken: 'tok' }));
    assert.equal((await keys())?.sessionToken, 'tok', 'a change is seen by the next call');
    await secrets.delete(AWS_CREDENTIALS_SECRET);
    assert.equal(await keys(), undefined);
  });

  test('unreadable values are no keys; access key ids are checked before storing', () => {
    assert.equal(parseStoredKeys('not json'), undefined);
    assert.equal(parseStoredKeys(JSON.stringify({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' })), undefined);
    assert.equal(accessKeyIdProblem('AKIAIOSFODNN7EXAMPLE'), null);
    assert.match(accessKeyIdProblem('my key') ?? '', /16 or more upper-case letters and digits/);
  });

  test('dstack.aws.* settings become the DSTACK_VSC_AWS_* variables; variables already set win', () => {
    const settings: Record<string, unknown> = { regions: [' us-east-1', 'eu-west-1', ''], profile: 'dev', sshCidr: '', sshUser: 42 };
    const env = awsSettingsEnv({ DSTACK_VSC_AWS_PROFILE: 'from-env' }, (s) => settings[s]);
    assert.equal(env['DSTACK_VSC_AWS_REGIONS'], 'us-east-1,eu-west-1');
    assert.equal(env['DSTACK_VSC_AWS_PROFILE'], 'from-env');
    assert.equal(env['DSTACK_VSC_AWS_SSH_CIDR'], undefined);
    assert.equal(env['DSTACK_VSC_AWS_SSH_USER'], undefined);
    assert.equal(awsSettingValue(undefined), '');
    assert.deepEqual(vscode.workspace.getConfiguration('dstack.aws').get('regions'), [], 'contributed, empty by default');
  });
});
