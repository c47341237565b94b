// Container mode of the host agent: which runtime, image and flags a run gets on an SSH host, from the
// host's probe and the configuration (image, nvcc, docker, privileged, python, resources.shm_size,
// registry_auth), with dstack's defaults and the commands dstack's own images need.

import {
  DSTACK_VENV_DIR, dstackImageCommands, jobImageName, jobPrivileged, makesDstackVenv, type JobConfiguration,
} from '../../../orchestrator/job-spec/dev-environment-job';
import type { ContainerRuntime } from '../probe';

/** How the agent runs the environment's container. */
export interface ContainerSpec {
  runtime: ContainerRuntime;
  image: string;
  /** `--privileged` (forced by `docker: true`). */
  privileged: boolean;
  /** `--shm-size`, bytes; absent = the runtime's default. */
  shmSizeBytes?: number;
  /** The host has GPUs: pass them all (CDI / --gpus all). */
  gpus: boolean;
  /** Registry to `login` to before the pull (the password goes on stdin only). */
  registry?: { server: string; username: string; password: string };
  /** dstack's commands for its own images, run before init: the venv on the base image, start-dockerd on dind; none on a custom image. */
  imageCommands: string[];
  /** DSTACK_VENV_DIR where `imageCommands` make dstack's venv, else null. */
  venvDir: string | null;
}

/** The registry server of an image reference (`docker.io` for Docker Hub names). */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** The container spec of a run, or null for bare mode (no working runtime on the host, or `bare` asked). */
export function containerSpecFor(
  configuration: Readonly<Record<string, unknown>> | undefined,
  host: { runtime: ContainerRuntime | null; gpus: number },
  registryAuth?: { username: string; password: string },
  bare = false,
): ContainerSpec | null {
  if (bare || host.runtime === null) return null;
  const c = (configuration ?? {}) as JobConfiguration;
  const spec: ContainerSpec = {
    runtime: host.runtime, image: jobImageName(c), privileged: jobPrivileged(c), gpus: host.gpus > 0,
    imageCommands: dstackImageCommands(c), venvDir: makesDstackVenv(c) ? DSTACK_VENV_DIR : null,
  };
  const shm = (configuration?.['resources'] as { shm_size?: unknown } | undefined)?.shm_size;
  if (typeof shm === 'number' && shm > 0) spec.shmSizeBytes = Math.round(shm * 1024 ** 3);
  if (registryAuth) spec.registry = { server: registryOf(spec.image), ...registryAuth };
  return spec;
}
