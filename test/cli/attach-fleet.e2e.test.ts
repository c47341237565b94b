// `attach` through an SSH fleet host behind a jump host, on real sshd test hosts in network namespaces:
// the tunnel goes client → jump host → fleet host → the environment's sshd on the host's loopback (the
// same hops and pinned keys as the published `Host <run>` entry), and an HTTP server that init started
// in the environment answers on the forwarded local port; Ctrl+C detaches.

import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateKeyPair } from '../../src/backends/ssh/keys';
import { hostsUnavailable, skipUnless, sshClientUnavailable, TestHosts } from '../harness/hosts';
import { cli } from './cli-process';
import { CliProcess, freePort, httpGet } from './cli-spawn';
import { waitForRun } from './wait-run';

describe('attach through an SSH fleet host behind a jump host (netns sshd hosts)', function () {
  this.timeout(180_000);
  let hosts: TestHosts;
  let project: string;
  let env: Record<string, string>;
  let ipj: string;
  const procs: CliProcess[] = [];

  before(function () {
    skipUnless(this, hostsUnavailable() ?? sshClientUnavailable());
  });

  before(() => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'dvs-attach-e2e-'));
    project = path.join(state, 'project');
    mkdirSync(project);
    const userKey = generateKeyPair('user key');
    writeFileSync(path.join(project, 'id_user'), userKey.privateKey, { mode: 0o600 });
    hosts = new TestHosts(userKey.publicKey);
    const ip1 = hosts.up('a1', 1);
    ipj = hosts.isolated('aj', 'a1');
    env = { DSTACK_VSC_STATE_DIR: state, HOME: state, PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    writeFileSync(path.join(project, 'fleet.dstack.yml'), [
      'type: fleet', 'name: attach-hosts', 'ssh_config:', '  user: root', `  identity_file: ${path.join(project, 'id_user')}`, '  hosts:',
      `    - hostname: ${ipj}`, '      proxy_jump:', `        hostname: ${ip1}`, '        user: root', `        identity_file: ${path.join(project, 'id_user')}`, '',
    ].join('\n'));
  });

  after(() => {
    for (const p of procs) p.kill();
    if (env) cli(['stop', 'fleet-attach', '-x', '-y'], env);
    hosts?.down();
  });

  it('forwards local_port:container_port through the jump host and the fleet host to the environment; Ctrl+C detaches', async () => {
    const fleet = cli(['apply', '-f', path.join(project, 'fleet.dstack.yml'), '-y'], env);
    assert.equal(fleet.code, 0, fleet.stdout + fleet.stderr);
    const local = await freePort();
    const server = `require("http").createServer((q, s) => s.end("from the fleet host")).listen(18080, "127.0.0.1")`;
    writeFileSync(path.join(project, 'dev.dstack.yml'), [
      'type: dev-environment', 'name: fleet-attach', 'ide: vscode', 'backends: [remote]', `regions: ["${ipj}"]`, 'resources:', '  disk: 1GB..',
      `ports: ["${local}:18080"]`, 'init:', `  - ${JSON.stringify(`nohup ${process.execPath} -e '${server}' >/dev/null 2>&1 &`)}`, '',
    ].join('\n'));
    const apply = cli(['apply', '-f', path.join(project, 'dev.dstack.yml'), '-y', '-d', '--no-repo'], env);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.equal((await waitForRun(env['DSTACK_VSC_STATE_DIR'] as string, 'fleet-attach', 120_000)).status, 'running');

    const attach = new CliProcess(['attach', 'fleet-attach'], env);
    procs.push(attach);
    await attach.waitFor(/Press Ctrl\+C to detach\.\.\.\n/, 60_000);
    assert.match(attach.stdout, new RegExp(`^Attached to run fleet-attach \\(replica=0 job=0\\)\\nForwarded ports \\(local -> remote\\):\\n  - localhost:${local} -> 18080\\n`));
    assert.match(attach.stdout, /\n {2}vscode:\/\/vscode-remote\/ssh-remote\+fleet-attach\//);
    assert.equal(await httpGet(local, 20_000), 'from the fleet host');
    attach.interrupt();
    assert.equal(await attach.exited, 0, attach.stderr);
    assert.match(attach.stdout, /\nDetached\n$/);
  });
});
