import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SshConfigStore } from '../../../../src/backends/ssh/config/own-config';
import { sshPaths } from '../../../../src/backends/ssh/config/paths';
import { renderHostBlock, SshConfigValueError, type SshHostBlock } from '../../../../src/backends/ssh/config/host-entry';

function store(): { store: SshConfigStore; state: string } {
  const state = mkdtempSync(path.join(os.tmpdir(), 'dvs-state-'));
  return { store: new SshConfigStore(sshPaths(state)), state };
}

const HOST: SshHostBlock = { alias: 'my-run-host', hostName: '10.201.0.5', port: 22, user: 'ubuntu', identityFile: '/st/ssh/id_ed25519', knownHostsFile: '/st/ssh/known_hosts' };
const ENV: SshHostBlock = { alias: 'my-run', hostName: 'localhost', port: 10022, user: 'root', identityFile: '/st/ssh/id_ed25519', knownHostsFile: '/st/ssh/known_hosts', proxyJump: 'my-run-host' };

describe('our own ssh config', () => {
  it('renders dstack-style Host blocks with a pinned key, IdentitiesOnly and ProxyJump', () => {
    assert.deepEqual(renderHostBlock(ENV), [
      'Host my-run',
      '    HostName localhost',
      '    Port 10022',
      '    User root',
      '    IdentityFile "/st/ssh/id_ed25519"',
      '    IdentitiesOnly yes',
      '    UserKnownHostsFile "/st/ssh/known_hosts"',
      '    HostKeyAlias my-run',
      '    StrictHostKeyChecking yes',
      '    ProxyJump my-run-host',
      '    ServerAliveInterval 10',
      '    ServerAliveCountMax 3',
    ]);
    assert.match(renderHostBlock({ ...ENV, identityFile: '/home/a b/100%/key' })[4]!, /^ {4}IdentityFile "\/home\/a b\/100%%\/key"$/);
  });

  it('refuses values that would inject ssh_config directives', () => {
    const bad: Array<Partial<SshHostBlock>> = [
      { alias: 'run\n    ProxyCommand evil' }, { alias: 'a b' }, { user: 'root\nProxyCommand x' }, { hostName: 'h ProxyCommand' },
      { identityFile: '/x"\nProxyCommand y' }, { identityFile: 'relative/key' }, { port: 0 }, { proxyJump: 'j;evil' },
    ];
    for (const b of bad) assert.throws(() => renderHostBlock({ ...ENV, ...b }), SshConfigValueError, JSON.stringify(b));
  });

  it('adds, replaces and removes entries, leaving the others alone', async () => {
    const { store: s } = store();
    await s.upsert('my-run', [HOST, ENV]);
    await s.upsert('other', [{ ...ENV, alias: 'other', proxyJump: 'my-run-host' }]);
    assert.deepEqual(await s.list(), ['my-run', 'other']);
    const text = readFileSync(s.file, 'utf8');
    assert.ok(text.indexOf('Host my-run-host') < text.indexOf('Host my-run\n'), 'the jump host comes first');
    const { proxyJump: _jump, ...direct } = ENV;
    await s.upsert('my-run', [{ ...direct, port: 10023 }]);
    assert.doesNotMatch(readFileSync(s.file, 'utf8'), /Host my-run-host/);
    assert.match(readFileSync(s.file, 'utf8'), /Port 10023/);
    await s.remove('my-run');
    assert.deepEqual(await s.list(), ['other']);
    await s.remove('never-existed');
    assert.deepEqual(await s.list(), ['other']);
  });

  it('loses no entry when several processes write at once (file lock)', async function () {
    this.timeout(60_000);
    const { store: s, state } = store();
    const userConfig = path.join(state, 'home', '.ssh', 'config');
    const writers = ['a', 'b', 'c', 'd'].map((prefix) => new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'concurrent-writer.ts'), state, userConfig, prefix], { stdio: 'inherit' });
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? -1));
    }));
    assert.deepEqual(await Promise.all(writers), [0, 0, 0, 0]);
    const names = await s.list();
    assert.equal(names.length, 20, names.join(','));
    assert.equal(readFileSync(userConfig, 'utf8').match(/# >>> vscode-dstack >>>/g)?.length, 1);
  });
});
