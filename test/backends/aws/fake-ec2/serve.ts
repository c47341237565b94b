// The EC2 fake in a process of its own, to point the AWS suite at it as an external endpoint:
//   npx tsx test/backends/aws/fake-ec2/serve.ts            # prints the URL, serves until SIGINT/SIGTERM
//   AWS_ENDPOINT_URL_EC2=<url> AWS_ACCESS_KEY_ID=AKIDDSTACKVSCTEST AWS_SECRET_ACCESS_KEY=test-secret-not-real \
//     DSTACK_VSC_AWS_E2E_REGIONS=us-east-1,eu-west-1 npx mocha --no-config -r tsx/cjs --extension ts test/backends/aws/*.test.ts
// Instances move on the real clock here (a few seconds pending and shutting-down), as they would on AWS.

import { TEST_KEYS } from '../harness';
import { FakeEc2 } from './server';

async function main(): Promise<void> {
  const fake = await FakeEc2.start({ accessKeys: [TEST_KEYS.accessKeyId], pendingMs: 2_000, shuttingDownMs: 2_000 });
  process.stdout.write(`${fake.url}\n`);
  const stop = (): void => { void fake.close().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
