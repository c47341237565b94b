import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sshDoctor, sshG, hostPatternsMatch } from '../../../../src/backends/ssh/config/doctor';
import { SshConfigStore } from '../../../../src/backends/ssh/config/own-config';
import { sshPaths } from '../../../../src/backends/ssh/config/paths';
import { ensureInclude } from '../../../../src/backends/ssh/config/user-config';
import type { SshHostBlock } from '../../../../src/backends/ssh/config/host-entry';
import { skipUnless, sshClientUnavailable } from '../../../harness/hosts';

/** A temp home with our state dir, one environment entry behind a jump host, and the user's config. */
async function setup(userText: string): Promise<{ userConfig: string; env: SshHostBlock; own: string; lock: string }> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'dvs-doctor-'));
  const paths = sshPaths(path.join(home, 'state'));
  const env: SshHostBlock = { alias: 'gpu-run', hostName: 'localhost', port: 10022, user: 'root', identityFile: paths.identity, knownHostsFile: paths.knownHosts, proxyJump: 'gpu-run-host' };
  await new SshConfigStore(paths).upsert('gpu-run', [
    { alias: 'gpu-run-host', hostName: '10.200.0.11', port: 22, user: 'ubuntu', identityFile: paths.identity, knownHostsFile: paths.knownHosts },
    env,
  ]);
  const userConfig = path.join(home, '.ssh', 'config');
  mkdirSync(path.dirname(userConfig));
  writeFileSync(userConfig, userText);
  return { userConfig, env, own: paths.config, lock: paths.lock };
}

const USER_HOST_STAR = 'Host *\n    User bob\n    Port 2222\n    HostName override.example\n    IdentityFile ~/.ssh/id_rsa\n';

describe('ssh doctor (real OpenSSH ssh -G)', () => {
  before(function () {
    skipUnless(this, sshClientUnavailable());
  });

  it('resolves the environment to our entry through the Include, even with a user Host * block below it', async () => {
    const s = await setup(USER_HOST_STAR);
    await ensureInclude(s.userConfig, s.own, s.lock);
    const report = await sshDoctor(s.userConfig, s.env, s.own);
    assert.equal(report.status, 'ok', report.message);
    const g = await sshG(s.userConfig, 'gpu-run');
    assert.deepEqual(g.get('hostkeyalias'), ['gpu-run']);
    assert.deepEqual(g.get('stricthostkeychecking'), ['true']);
    assert.deepEqual(g.get('identitiesonly'), ['yes']);
    assert.equal(g.get('identityfile')?.[0], s.env.identityFile);
    const jump = await sshG(s.userConfig, 'gpu-run-host');
    assert.deepEqual(jump.get('hostname'), ['10.200.0.11']);
  });

  it('reports a user Host * block above our block, with the line and the fix', async () => {
    const s = await setup('');
    await ensureInclude(s.userConfig, s.own, s.lock);
    const ours = readFileSync(s.userConfig, 'utf8');
    writeFileSync(s.userConfig, `# my settings\n${USER_HOST_STAR}\n${ours}`);
    const report = await sshDoctor(s.userConfig, s.env, s.own);
    assert.equal(report.status, 'overridden');
    assert.deepEqual(report.mismatches.map((m) => [m.option, m.actual]), [['hostname', 'override.example'], ['port', '2222'], ['user', 'bob'], ['identityfile', '~/.ssh/id_rsa']]);
    assert.deepEqual(report.culprits, [{ line: 2, text: 'Host *' }]);
    assert.match(report.message, /line 2 "Host \*"/);
    assert.match(report.message, /Move the '# >>> vscode-dstack >>>' block .* to the very top/);
    assert.match(report.message, /Host \* !gpu-run/);
  });

  it('reports a missing Include with the line to add', async () => {
    const s = await setup('Host other\n  User x\n');
    const report = await sshDoctor(s.userConfig, s.env, s.own);
    assert.equal(report.status, 'include_missing');
    assert.ok(report.message.includes(`Include "${s.own}"`));
  });

  it('says how to install ssh when the client is missing', async () => {
    const s = await setup('');
    const report = await sshDoctor(s.userConfig, s.env, s.own, '/nonexistent/ssh');
    assert.equal(report.status, 'ssh_missing');
    assert.match(report.message, /openssh-client/);
  });

  it('matches Host patterns as ssh does, negation included', () => {
    assert.equal(hostPatternsMatch(['*'], 'gpu-run'), true);
    assert.equal(hostPatternsMatch(['gpu-*'], 'gpu-run'), true);
    assert.equal(hostPatternsMatch(['*', '!gpu-run'], 'gpu-run'), false);
    assert.equal(hostPatternsMatch(['g?u-run'], 'gpu-run'), true);
    assert.equal(hostPatternsMatch(['gitlab'], 'gpu-run'), false);
  });
});
