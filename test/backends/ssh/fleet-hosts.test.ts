import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fleetHosts, FleetConfigError, fleetHostKeyAlias } from '../../../src/backends/ssh/fleet-hosts';

function dirs(): { configDir: string; home: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dvs-fleet-'));
  const configDir = path.join(root, 'project');
  const home = path.join(root, 'home');
  mkdirSync(path.join(home, '.ssh'), { recursive: true });
  mkdirSync(path.join(configDir, 'keys'), { recursive: true });
  writeFileSync(path.join(home, '.ssh', 'id_fleet'), 'HOME-KEY');
  writeFileSync(path.join(configDir, 'keys', 'bastion'), 'BASTION-KEY');
  writeFileSync(path.join(configDir, 'keys', 'special'), 'SPECIAL-KEY');
  return { configDir, home };
}

describe('SSH fleet hosts from ssh_config', () => {
  it('applies fleet-wide values, per-host overrides, ~ and relative identity files, and proxy_jump', async () => {
    const d = dirs();
    const hosts = await fleetHosts({
      user: 'ubuntu', identity_file: '~/.ssh/id_fleet',
      proxy_jump: { hostname: 'bastion.example', user: 'jump', identity_file: 'keys/bastion' },
      hosts: [
        { hostname: '10.0.0.5' },
        { hostname: '10.0.0.6', port: 2222, user: 'root', identity_file: './keys/special', blocks: 4, internal_ip: '192.168.0.6' },
      ],
    }, { ...d, ownKey: 'OUR-KEY' });
    const [a, b] = hosts;
    assert.equal(a!.target.user, 'ubuntu');
    assert.equal(a!.target.port, 22);
    assert.deepEqual(a!.target.privateKeys.map(String), ['HOME-KEY', 'OUR-KEY']);
    assert.equal(a!.target.hostKeyAlias, 'fleet-host-10.0.0.5');
    assert.deepEqual({ ...a!.target.jump, privateKeys: a!.target.jump!.privateKeys.map(String) },
      { host: 'bastion.example', port: 22, user: 'jump', privateKeys: ['BASTION-KEY', 'HOME-KEY', 'OUR-KEY'], hostKeyAlias: 'fleet-jump-bastion.example' });
    assert.equal(b!.target.user, 'root');
    assert.equal(b!.target.port, 2222);
    assert.deepEqual(b!.target.privateKeys.map(String), ['SPECIAL-KEY', 'OUR-KEY']);
    assert.equal(b!.blocks, 4);
    assert.equal(b!.internalIp, '192.168.0.6');
    assert.deepEqual(b!.identityFiles, [path.join(d.configDir, 'keys/special'), path.join(d.configDir, 'keys/bastion')]);
  });

  it('names the field and the fix for a missing user, key or unreadable identity file', async () => {
    const d = dirs();
    await assert.rejects(fleetHosts({ identity_file: '~/.ssh/id_fleet', hosts: [{ hostname: 'h' }] }, d),
      (e: unknown) => e instanceof FleetConfigError && e.field === 'ssh_config.hosts[0].user' && /set ssh_config\.user/.test(e.message));
    await assert.rejects(fleetHosts({ user: 'u', hosts: [{ hostname: 'a', identity_file: '~/.ssh/id_fleet' }, { hostname: 'b' }] }, d),
      (e: unknown) => e instanceof FleetConfigError && e.field === 'ssh_config.hosts[1].identity_file');
    await assert.rejects(fleetHosts({ user: 'u', identity_file: 'missing/key', hosts: [{ hostname: 'a' }] }, d),
      (e: unknown) => e instanceof FleetConfigError && e.message.includes(path.join(d.configDir, 'missing/key')) && /ENOENT/.test(e.message));
    await assert.rejects(fleetHosts({ user: 'u', identity_file: '~/.ssh/id_fleet', proxy_jump: { hostname: 'b' }, hosts: [{ hostname: 'a' }] }, d),
      (e: unknown) => e instanceof FleetConfigError && e.field === 'ssh_config.proxy_jump.user');
  });

  it('makes host key aliases valid in ssh_config for IPv6 hosts and odd ports', () => {
    assert.equal(fleetHostKeyAlias('host', 'fe80::1', 2222), 'fleet-host-fe80__1-2222');
  });
});
