import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import { fleetsFromEnv, fleetsFromSettings, FleetSettingsError, SSH_HOSTS_ENV } from '../../../src/orchestrator/fleets/fleet-settings';

describe('SSH fleets from DSTACK_VSC_SSH_HOSTS and the extension setting', () => {
  it('is empty when unset or blank', () => {
    assert.deepEqual(fleetsFromEnv({}), []);
    assert.deepEqual(fleetsFromEnv({ [SSH_HOSTS_ENV]: '  ' }), []);
    assert.deepEqual(fleetsFromSettings(undefined, 'dstack.sshFleets'), []);
  });

  it('takes a bare ssh_config, host names as strings or objects, identity files relative to home', () => {
    const [f] = fleetsFromEnv({ [SSH_HOSTS_ENV]: JSON.stringify({ user: 'ubuntu', identity_file: '.ssh/id', hosts: ['10.201.0.5', { hostname: 'gpu-1', port: 2222 }] }) });
    assert.equal(f?.name, 'settings-fleet');
    assert.equal(f?.configDir, os.homedir());
    assert.equal(f?.source, SSH_HOSTS_ENV);
    assert.deepEqual(f?.sshConfig, { user: 'ubuntu', identity_file: '.ssh/id', hosts: [{ hostname: '10.201.0.5' }, { hostname: 'gpu-1', port: 2222 }] });
    assert.equal(f?.pricePerHour, null);
  });

  it('takes a list of named fleets with a price', () => {
    const fleets = fleetsFromSettings([{ name: 'lab', price: 0.25, ssh_config: { user: 'root', hosts: ['a'] } }, { ssh_config: { user: 'root', hosts: ['b'] } }], 'dstack.sshFleets');
    assert.deepEqual(fleets.map((f) => [f.name, f.pricePerHour, f.sshConfig.hosts[0]?.hostname]), [['lab', 0.25, 'a'], ['settings-fleet-1', null, 'b']]);
  });

  it('names the setting and the field of every mistake', () => {
    assert.throws(() => fleetsFromEnv({ [SSH_HOSTS_ENV]: '{hosts' }), (e: unknown) => e instanceof FleetSettingsError && /^DSTACK_VSC_SSH_HOSTS: not valid JSON/.test(e.message));
    assert.throws(() => fleetsFromSettings({ hosts: [] }, 'dstack.sshFleets'), /dstack\.sshFleets: value: expected \{"hosts"/);
    assert.throws(() => fleetsFromSettings([{ ssh_config: { hosts: [''] } }], 'dstack.sshFleets'), /dstack\.sshFleets: \[0\]\.ssh_config\.hosts\[0\]: expected a host name/);
    assert.throws(() => fleetsFromSettings({ price: -1, ssh_config: { hosts: ['a'] } }, 's'), /s: value\.price: expected a price per hour of 0 or more/);
    assert.throws(() => fleetsFromSettings(3, 's'), /s: value: expected a fleet object/);
  });
});
