// The fake backend's disk format: its script (offers, capacity, latency, failures, interruptions) and
// every instance it ever created, so crash tests can count leaks after a SIGKILL.

import type { CreateErrorCode, ResourceTags, AgentReport } from '../backend';
import type { Offer } from '../offer';

/** How the fake behaves; tests edit it with `FakeBackend.script`. */
export interface FakeScript {
  offers: Offer[];
  /** Max live instances per offer key (`offerKey`); absent = unlimited. */
  capacity: Record<string, number>;
  /** Create of this offer key fails with this code (before capacity is checked). */
  failures: Record<string, { code: CreateErrorCode; message: string }>;
  /** Real milliseconds `create` sleeps before answering (to widen crash windows). */
  createLatencyMs: number;
  /** Clock milliseconds from create until the instance is `running`. */
  readyAfterMs: number;
  /** Clock milliseconds from terminate until the instance is `gone`. */
  terminateAfterMs: number;
  /** Exit code `init` ends with (non-zero = failure); absent = success. */
  initExitCode?: number;
  /** A network outage: refresh reaches no instance (each stays in its state, `unreachable`, without a report). */
  unreachable?: boolean;
  /** The provider's API is down: `listTagged` (the orphan sweep) fails with this message. */
  listTaggedError?: string | undefined;
}

/** One instance the fake created. */
export interface FakeInstance {
  instanceId: string;
  tags: ResourceTags;
  offerKey: string;
  spot: boolean;
  createdAt: number;
  /** When terminate was first called; null while alive. */
  terminatedAt: number | null;
  /** Spot interruption time (clock ms); the instance is gone and `interrupted` from then on. */
  interruptAt: number | null;
  /** Last SSH activity the agent saw (clock ms); null = none since ready. */
  activityAt: number | null;
  /** GPU utilization per GPU, percent; null = no GPU report. */
  gpuUtilization: number[] | null;
  /** How many create calls named this id (idempotency: always one instance). */
  createCalls: number;
  /** When the latest create call naming this id started (clock ms): a call after its outcome was stored provisioned it twice. */
  lastCreateCallAt: number;
}

/** The fake's whole file. */
export interface FakeFile {
  version: 1;
  script: FakeScript;
  instances: FakeInstance[];
}

/** A default script: no offers, unlimited capacity, instant. */
export function defaultFakeScript(): FakeScript {
  return { offers: [], capacity: {}, failures: {}, createLatencyMs: 0, readyAfterMs: 0, terminateAfterMs: 0 };
}

/** The key capacity and failures are scripted by: `backend/region/instanceType[/spot]`. */
export function offerKey(offer: Offer): string {
  return `${offer.backend}/${offer.region}/${offer.instanceType}${offer.resources.spot ? '/spot' : ''}`;
}

/** Re-exported for the report type the fake computes. */
export type { AgentReport };
