import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { allowedTestHost, takeRefused } from '../harness/network-guard';

describe('test network guard (mocha root hook)', () => {
  it('allows loopback and the namespaced test subnet only', () => {
    for (const h of ['127.0.0.1', '127.3.4.5', 'localhost', '::1', '::ffff:127.0.0.1', '10.200.0.1', '10.201.118.11']) assert.ok(allowedTestHost(h), h);
    for (const h of ['3.255.177.51', '10.0.0.1', '10.202.0.1', '192.0.2.1', 'bastion.example', '0.0.0.0']) assert.ok(!allowedTestHost(h), h);
  });

  it('refuses a connection to a corpus fleet address before anything is sent, and records it', async () => {
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const s = net.connect({ host: '3.255.177.51', port: 22 });
      s.on('connect', () => resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' })));
      s.on('error', resolve);
    });
    assert.equal(err.code, 'ECONNREFUSED');
    assert.match(err.message, /test network guard: connecting to 3\.255\.177\.51:22 is refused/);
    assert.deepEqual(takeRefused(), ['3.255.177.51:22']);
  });

  it('lets loopback through', async () => {
    const server = net.createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve, reject) => net.connect({ host: '127.0.0.1', port }).on('connect', function (this: net.Socket) { this.destroy(); resolve(); }).on('error', reject));
    server.close();
  });
});
