import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
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

  it('guards the Node processes a test starts too, and reports their refusals to the test run', () => {
    const connect = "require('node:net').connect({ host: '3.255.177.52', port: 22 }).on('error', (e) => { console.log(e.message); })";
    const child = spawnSync(process.execPath, ['-e', connect], { env: process.env, encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /test network guard: connecting to 3\.255\.177\.52:22 is refused/);
    assert.deepEqual(takeRefused(), ['3.255.177.52:22'], 'the child swallowed the error; the run still hears of it');
  });

  it('lets loopback through', async () => {
    const server = net.createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve, reject) => net.connect({ host: '127.0.0.1', port }).on('connect', function (this: net.Socket) { this.destroy(); resolve(); }).on('error', reject));
    server.close();
  });

  it('in the kernel too (after run-all.sh pinned them): every address the test data names is unreachable, corpus fleets included', function () {
    if (process.env['DSTACK_VSC_NET_PINNED'] !== '1') this.skip();
    const script = path.resolve(__dirname, '..', 'harness', 'testhosts.sh');
    const listed = spawnSync('bash', [script, 'data-addresses'], { encoding: 'utf8' }).stdout.split('\n').filter((a) => a !== '');
    for (const a of ['3.255.177.51', '3.255.177.52', '10.0.0.1']) assert.ok(listed.includes(a), `${a} is among the pinned addresses`);
    const kept = spawnSync('bash', ['-c', `source <(sed -n '/^kept_addresses()/,/^}/p' ${JSON.stringify(script)}); kept_addresses`], { encoding: 'utf8' }).stdout.split('\n');
    for (const a of listed.filter((x) => !kept.includes(x))) {
      assert.match(spawnSync('ip', ['-4', 'route', 'show', 'exact', `${a}/32`], { encoding: 'utf8' }).stdout, /^unreachable /, `${a} is pinned`);
      const route = spawnSync('ip', ['-4', 'route', 'get', a], { encoding: 'utf8' });
      assert.notEqual(route.status, 0, `${a} is routable: ${route.stdout}`);
      assert.match(route.stderr, /No route to host/, a);
    }
  });
});
