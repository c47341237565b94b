// A mocha root hook (loaded by .mocharc and the SSH layer's mocha): loads the network guard (network-guard.cjs)
// into the test process and, through NODE_OPTIONS, into every Node process the tests start, and fails the run
// naming any destination outside loopback and the test subnet that one of them tried, even when the code under
// test swallowed the error. (run-all.sh also pins the addresses the test data names unreachable in the kernel.)

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const guard = require('./network-guard.cjs') as { allowedTestHost(host: string): boolean; refused: string[] };

/** Whether `host` (an address or name) is one the tests may connect to. */
export const allowedTestHost = guard.allowedTestHost;

/** Where the test's child processes report what they refused. */
const childReports = path.join(os.tmpdir(), `dvs-net-refused-${process.pid}.log`);
const preload = `--require ${JSON.stringify(require.resolve('./network-guard.cjs'))}`;
fs.rmSync(childReports, { force: true });
process.env['DSTACK_VSC_TEST_NET_REFUSALS'] = childReports;
if (!(process.env['NODE_OPTIONS'] ?? '').includes(preload)) process.env['NODE_OPTIONS'] = `${process.env['NODE_OPTIONS'] ?? ''} ${preload}`.trim();

/** The refused destinations so far, in this process and its children, forgetting them (for the guard's own test). */
export function takeRefused(): string[] {
  let children: string[] = [];
  try {
    children = fs.readFileSync(childReports, 'utf8').split('\n').filter((l) => l !== '');
    fs.rmSync(childReports);
  } catch { /* no child refused anything */ }
  return [...guard.refused.splice(0), ...children];
}

/** Mocha root hooks: the run fails when any test tried to leave the machine. */
export const mochaHooks = {
  afterAll(): void {
    const refused = takeRefused();
    if (refused.length > 0) throw new Error(`tests tried to connect outside loopback and the test subnet: ${[...new Set(refused)].join(', ')}`);
  },
};
