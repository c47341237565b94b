import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { configuredPorts, parsePortRequest, PortUsedError, releasePorts, reservePorts } from '../../../src/orchestrator/attach/ports';
import { attachText, ideLinkText } from '../../../src/orchestrator/attach/attach-text';

function listenOn(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

async function freePort(): Promise<number> {
  const s = await listenOn(0);
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('attach ports (PortsLock)', () => {
  it('reads the configuration: bare port = same local port, L:C, *:C automatic, objects, reserved range dropped, last mapping of a container port wins', () => {
    assert.deepEqual(configuredPorts({ ports: [8080, '9000:3000', '*:7000', { container_port: 6006 }, { local_port: 1, container_port: 2 }, 10022, '10999', '5000:8080'] }), [
      { local: 5000, container: 8080 }, { local: 9000, container: 3000 }, { local: null, container: 7000 }, { local: null, container: 6006 }, { local: 1, container: 2 },
    ]);
    assert.deepEqual(configuredPorts({}), []);
    assert.deepEqual(configuredPorts({ ports: [{ local_port: 8888, container_port: 8888 }] }), [{ local: 8888, container: 8888 }]);
    assert.deepEqual(parsePortRequest('*:80'), { local: null, container: 80 });
    assert.throws(() => parsePortRequest('80:'), /Invalid port mapping/);
    assert.throws(() => parsePortRequest('0'), /greater than 0/);
  });

  it('an explicit local port that is taken is "Port N is already in use"; the others reserved meanwhile are released', async () => {
    const busy = await listenOn(0);
    const taken = (busy.address() as net.AddressInfo).port;
    const free = await freePort();
    try {
      await assert.rejects(reservePorts([{ local: free, container: 1 }, { local: taken, container: 2 }]), (e: unknown) => e instanceof PortUsedError && e.message === `Port ${taken} is already in use`);
      const again = await listenOn(free); // released after the failure
      again.close();
      await assert.rejects(reservePorts([{ local: free, container: 1 }, { local: free, container: 2 }]), /Port \d+ is already in use/);
    } finally {
      busy.close();
    }
  });

  it('an automatic port takes the first free one from the container port up, skipping ports this attach took', async () => {
    const busy = await listenOn(0);
    const base = (busy.address() as net.AddressInfo).port;
    try {
      const got = await reservePorts([{ local: null, container: base }, { local: 0, container: base }]);
      try {
        assert.equal(got.length, 2);
        assert.ok(got.every((p) => p.local > base && p.server?.listening === true));
        assert.notEqual(got[0]?.local, got[1]?.local);
      } finally {
        await releasePorts(got);
      }
      assert.ok(got.every((p) => p.server?.listening === false));
    } finally {
      busy.close();
    }
  });

  it('on the same host (local backend) same-port and automatic mappings need no listener; remapped ones get one, in configuration order', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const busy = await listenOn(0);
    const envPort = (busy.address() as net.AddressInfo).port; // the environment's own server holds it
    try {
      const got = await reservePorts([{ local: a, container: b }, { local: envPort, container: envPort }, { local: null, container: envPort + 1 }], { sameHost: true });
      try {
        assert.deepEqual(got.map((p) => [p.local, p.container, p.server !== null]), [[a, b, true], [envPort, envPort, false], [envPort + 1, envPort + 1, false]]);
      } finally {
        await releasePorts(got);
      }
    } finally {
      busy.close();
    }
  });

  it("prints dstack's attach text and IDE links", () => {
    assert.equal(attachText('vscode', [{ local: 8888, container: 8888 }], ''), 'Attached to run vscode (replica=0 job=0)\nForwarded ports (local -> remote):\n  - localhost:8888 -> 8888\n'
      + 'To connect to the run via SSH, use `ssh vscode`.\nPress Ctrl+C to detach...\n');
    assert.equal(attachText('r', [], ''), 'Attached to run r (replica=0 job=0)\nTo connect to the run via SSH, use `ssh r`.\nPress Ctrl+C to detach...\n');
    assert.equal(ideLinkText('dev', 'vscode', '/root/workflow'), 'To open in VS Code, use link below:\n\n  vscode://vscode-remote/ssh-remote+dev/root/workflow\n\n');
    assert.equal(ideLinkText('dev', 'cursor', '/w'), 'To open in Cursor, use link below:\n\n  cursor://vscode-remote/ssh-remote+dev/w\n\n');
    assert.equal(ideLinkText('dev', 'zed', '/w'), 'To open in Zed, use link below:\n\n  zed://ssh/dev/w\n\n');
    assert.equal(ideLinkText('dev', undefined, '/w'), '');
  });
});
