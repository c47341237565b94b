// What the Kubernetes backend can do (SDK-free, so the registry and the lazy wrapper can read it).

import type { BackendCapabilities } from '../backend';

/** Pods: container-native, no spot, not billed by us (price is what the user configures), no disk sizing, one run per pod. */
export const KUBERNETES_CAPABILITIES: BackendCapabilities = {
  spot: false, containerNative: true, billable: false, configurableDisk: false, reusable: false,
};
