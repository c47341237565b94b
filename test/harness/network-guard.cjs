// The tests' network guard itself, in plain JavaScript so that every Node process a test starts can preload it:
// network-guard.ts loads it into the test process and puts it in NODE_OPTIONS for the children (the CLI, its
// detached drivers and local agents). A socket may reach only this machine (127.0.0.0/8, ::1, Unix sockets) and the
// namespaced test subnet 10.200.0.0/15; anything else (a corpus fleet's 3.255.177.51, a name to resolve) is refused
// before a packet leaves. A child also appends what it refused to DSTACK_VSC_TEST_NET_REFUSALS, so the test run
// fails naming it even when the child swallowed the error.
'use strict';
const fs = require('node:fs');
const net = require('node:net');

/** Where this process reports refusals for its parent test run: set for children, unset in the test process. */
const report = process.env.DSTACK_VSC_TEST_NET_REFUSALS;
/** The destinations refused in this process. */
const refused = [];

/** Whether `host` (an address or name) is one the tests may connect to. */
function allowedTestHost(host) {
  const h = host.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  if (h === 'localhost' || h === '::1') return true;
  if (net.isIPv4(h)) {
    const [a, b] = h.split('.').map(Number);
    return a === 127 || (a === 10 && (b === 200 || b === 201));
  }
  return false;
}

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = args[0];
  const options = Array.isArray(first) ? first[0] : first;
  let host;
  if (typeof options === 'object' && options !== null) host = options.path !== undefined ? undefined : (options.host ?? 'localhost');
  else if (typeof options === 'number') host = typeof args[1] === 'string' ? args[1] : 'localhost';
  if (host !== undefined && !allowedTestHost(host)) {
    const what = `${host}${typeof options === 'object' && options?.port !== undefined ? `:${options.port}` : ''}`;
    refused.push(what);
    if (report !== undefined) {
      try { fs.appendFileSync(report, `${what}\n`); } catch { /* the test run ended; the refusal itself still holds */ }
    }
    const err = Object.assign(new Error(`test network guard: connecting to ${what} is refused (tests reach only 127.0.0.0/8 and 10.200.0.0/15)`), { code: 'ECONNREFUSED' });
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return original.apply(this, args);
};

module.exports = { allowedTestHost, refused };
