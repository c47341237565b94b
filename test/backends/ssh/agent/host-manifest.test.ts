// The environment's manifest on the host, listed by the real sh from a HOME laid out as the agent lays it out:
// live environments only, one line each, and nothing a malformed or misplaced file could smuggle in.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listManifestsCommand, manifestText, parseManifestListing, type HostManifest } from '../../../../src/backends/ssh/agent/host-manifest';

const M = (id: string, over: Partial<HostManifest> = {}): HostManifest => ({
  installation: 'vsc-1', runName: `run-${id}`, instanceId: id, sshPort: 10022, hostPublicKey: 'ssh-ed25519 AAAA host', createdAt: 1700000000000, ...over,
});

describe('SSH host agent: the manifest on the host', () => {
  let home: string;
  beforeEach(() => { home = mkdtempSync(path.join(tmpdir(), 'dvs-manifest-')); });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  function agentDir(id: string, files: Record<string, string>): void {
    mkdirSync(path.join(home, '.dstack-vsc', id), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(home, '.dstack-vsc', id, name), text);
  }

  function list(): string {
    const r = spawnSync('sh', ['-c', listManifestsCommand()], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  }

  it('lists the live environments\' manifests, skipping stopped ones, dirs without one, and malformed or misplaced ones', () => {
    agentDir('a-1', { 'manifest.json': manifestText(M('a-1')), state: 'ready\n' });
    agentDir('a-2', { 'manifest.json': manifestText(M('a-2', { installation: 'vsc-other' })) }); // starting: no state yet
    agentDir('a-3', { 'manifest.json': manifestText(M('a-3')), state: 'stopped\n' });
    agentDir('a-4', { state: 'ready\n' });
    agentDir('a-5', { 'manifest.json': manifestText(M('a-1')), state: 'ready\n' }); // names another dir
    agentDir('a-6', { 'manifest.json': '{"installation": "vsc-1", "runName": "x"', state: 'ready\n' });
    agentDir('a-7', { 'manifest.json': manifestText({ ...M('a-7'), sshPort: 'x' as unknown as number }) });
    assert.deepEqual(parseManifestListing(list()).sort((x, y) => x.instanceId.localeCompare(y.instanceId)), [M('a-1'), M('a-2', { installation: 'vsc-other' })]);
  });

  it('prints nothing (and succeeds) where there is no environment at all', () => {
    assert.equal(list(), '');
    assert.deepEqual(parseManifestListing(''), []);
  });
});
