// What the AWS backend can do, known without loading the SDK.
import type { BackendCapabilities } from '../backend';

/** EC2 instances: spot, billable, disk sized at create, kept idle for the run's idle_duration and reused by the next matching run. */
export const AWS_CAPABILITIES: BackendCapabilities = { spot: true, containerNative: false, billable: true, configurableDisk: true, reusable: true };
