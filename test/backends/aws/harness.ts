// Where the AWS suite points: the project's fake EC2 on 127.0.0.1 (default), or another EC2-compatible endpoint
// named by the SDK's own AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL (or DSTACK_VSC_AWS_E2E_ENDPOINT) when the suite
// starts: then credentials come from the SDK's default chain and tests that script the fake are skipped.

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

let counter = 0;
/** Fresh tags for one test's instance. */
export function testTags(installation = 'inst-test'): ResourceTags {
  counter += 1;
  return { installation, runName: `run-${counter}`, instanceId: `iid-${process.pid}-${counter}` };
}

/** An OpenSSH public key line for the cloud-init assertions. */
export const TEST_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk0dGVzdGtleWZvcmRzdGFja3ZzY2F3c2JhY2tlbmQx dstack-vsc-test';
