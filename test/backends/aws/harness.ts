// Where the AWS suite points: the project's fake EC2 on 127.0.0.1 (default), or another EC2-compatible endpoint
// named by the SDK's own AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL (or DSTACK_VSC_AWS_E2E_ENDPOINT) when the suite
// starts: then credentials come from the SDK's default chain, the regions from DSTACK_VSC_AWS_E2E_REGIONS, and only
// the tests that script the fake (faults, its clock, its request log) are skipped; the others read back through the API.
// `npx tsx test/backends/aws/fake-ec2/serve.ts` runs the fake in a process of its own to point the suite at.

import type { ResourceTags } from '../../../src/backends/backend';
import { FakeEc2, type FakeEc2Options } from './fake-ec2/server';

/** The endpoint a test talks to. */
export interface Ec2Endpoint {
  url: string;
  /** The fake, when the suite runs against it (undefined against an external endpoint). */
  fake: FakeEc2 | undefined;
  /** Restores the environment and stops the fake. */
  close(): Promise<void>;
}

/** The external endpoint, when one is configured (read once, before any test sets the variables for the fake). */
export const EXTERNAL_ENDPOINT = process.env['DSTACK_VSC_AWS_E2E_ENDPOINT'] || process.env['AWS_ENDPOINT_URL_EC2'] || process.env['AWS_ENDPOINT_URL'] || undefined;

/** The regions the suite uses: DSTACK_VSC_AWS_E2E_REGIONS against an external endpoint (default us-east-1), two against the fake. */
export const E2E_REGIONS = EXTERNAL_ENDPOINT ? (process.env['DSTACK_VSC_AWS_E2E_REGIONS'] ?? 'us-east-1').split(',').map((r) => r.trim()).filter((r) => r !== '') : ['us-east-1', 'eu-west-1'];

/** The access key the tests use against the fake. */
export const TEST_KEYS = { accessKeyId: 'AKIDDSTACKVSCTEST', secretAccessKey: 'test-secret-not-real' };

/** Starts the fake (or points at the external endpoint) and sets AWS_ENDPOINT_URL_EC2 for the SDK to read. */
export async function openEndpoint(options: FakeEc2Options = {}): Promise<Ec2Endpoint> {
  const saved = process.env['AWS_ENDPOINT_URL_EC2'];
  const savedImds = process.env['AWS_EC2_METADATA_DISABLED'];
  const fake = EXTERNAL_ENDPOINT ? undefined : await FakeEc2.start({ accessKeys: [TEST_KEYS.accessKeyId], ...options });
  const url = fake?.url ?? (EXTERNAL_ENDPOINT as string);
  process.env['AWS_ENDPOINT_URL_EC2'] = url;
  // Nothing may leave the machine: the default chain must never probe the instance metadata service.
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
  return {
    url,
    fake,
    async close() {
      if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_EC2']; else process.env['AWS_ENDPOINT_URL_EC2'] = saved;
      if (savedImds === undefined) delete process.env['AWS_EC2_METADATA_DISABLED']; else process.env['AWS_EC2_METADATA_DISABLED'] = savedImds;
      await fake?.close();
    },
  };
}

/** Explicit keys against the fake; nothing (the SDK's default chain) against an external endpoint. */
export function keysFor(endpoint: Ec2Endpoint): { keys?: typeof TEST_KEYS } {
  return endpoint.fake ? { keys: TEST_KEYS } : {};
}

/**
 * Reads `probe` until `done` holds: against the fake its clock moves a minute before each read (pending and
 * shutting-down end at once); against a real endpoint it waits 5 s between reads, up to 10 minutes.
 */
export async function until<T>(endpoint: Ec2Endpoint, probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + (endpoint.fake ? 10_000 : 600_000);
  for (;;) {
    endpoint.fake?.advance(60_000);
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} at the deadline`);
    await new Promise((resolve) => setTimeout(resolve, endpoint.fake ? 10 : 5_000));
  }
}

let counter = 0;
/** Tells this process's instance ids apart from an earlier run's against the same (external) endpoint. */
const RUN_SUFFIX = Math.floor(Date.now() / 1000).toString(36);
/** Fresh tags for one test's instance. */
export function testTags(installation = 'inst-test'): ResourceTags {
  counter += 1;
  return { installation, runName: `run-${counter}`, instanceId: `iid-${process.pid}-${RUN_SUFFIX}-${counter}` };
}

/** An OpenSSH public key line for the cloud-init assertions. */
export const TEST_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk0dGVzdGtleWZvcmRzdGFja3ZzY2F3c2JhY2tlbmQx dstack-vsc-test';
