// Container mode of the host agent: which runtime, image and flags a run gets on an SSH host, from the
// host's probe and the configuration (image, nvcc, docker, privileged, resources.shm_size, registry_auth),
// with dstack's defaults.

import type { ContainerRuntime } from '../probe';

/** dstack's default base image (settings.py), `-devel-` with `nvcc: true`. */
export const DEFAULT_BASE_IMAGE = 'dstackai/base:0.15-base-ubuntu24.04';
/** dstack's docker-in-docker image for `docker: true`. */
export const DIND_IMAGE = 'dstackai/dind';

/** How the agent runs the environment's container. */
export interface ContainerSpec {
  runtime: ContainerRuntime;
  image: string;
  /** `--privileged` (forced by `docker: true`). */
  privileged: boolean;
  /** `docker: true`: dockerd is started (start-dockerd) before init. */
  dockerInDocker: boolean;
  /** `--shm-size`, bytes; absent = the runtime's default. */
  shmSizeBytes?: number;
  /** The host has GPUs: pass them all (CDI / --gpus all). */
  gpus: boolean;
  /** Registry to `login` to before the pull (the password goes on stdin only). */
  registry?: { server: string; username: string; password: string };
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
  const c = configuration ?? {};
  const docker = c['docker'] === true;
  const image = typeof c['image'] === 'string' && c['image'] !== ''
    ? c['image']
    : docker ? DIND_IMAGE : c['nvcc'] === true ? DEFAULT_BASE_IMAGE.replace('-base-', '-devel-') : DEFAULT_BASE_IMAGE;
  const spec: ContainerSpec = { runtime: host.runtime, image, privileged: docker || c['privileged'] === true, dockerInDocker: docker, gpus: host.gpus > 0 };
  const shm = (c['resources'] as { shm_size?: unknown } | undefined)?.shm_size;
  if (typeof shm === 'number' && shm > 0) spec.shmSizeBytes = Math.round(shm * 1024 ** 3);
  if (registryAuth) spec.registry = { server: registryOf(image), ...registryAuth };
  return spec;
}
