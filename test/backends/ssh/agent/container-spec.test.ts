// Container mode decisions: bare without a runtime (or when asked), dstack's default images, docker: true
// forcing privileged docker-in-docker, shm_size in bytes, the registry of an image for registry_auth.

import { strict as assert } from 'node:assert';
import { containerSpecFor, registryOf } from '../../../../src/backends/ssh/agent/container-spec';
import { DSTACK_BASE_IMAGE, DSTACK_DIND_IMAGE, dstackImageCommands } from '../../../../src/orchestrator/job-spec/dev-environment-job';

describe('SSH host agent: container spec', () => {
  it('is bare mode without a working runtime or when bare is asked', () => {
    assert.equal(containerSpecFor({ image: 'ubuntu' }, { runtime: null, gpus: 0 }), null);
    assert.equal(containerSpecFor({ image: 'ubuntu' }, { runtime: 'podman', gpus: 0 }, undefined, true), null);
  });

  it("uses the configured image, else dstack's base image (-devel- with nvcc), dind with docker: true", () => {
    assert.equal(containerSpecFor({ image: 'ghcr.io/me/img:1' }, { runtime: 'docker', gpus: 0 })?.image, 'ghcr.io/me/img:1');
    assert.equal(containerSpecFor({}, { runtime: 'docker', gpus: 0 })?.image, DSTACK_BASE_IMAGE);
    assert.equal(containerSpecFor({ nvcc: true }, { runtime: 'docker', gpus: 0 })?.image, 'dstackai/base:0.15-devel-ubuntu24.04');
    const dind = containerSpecFor({ docker: true, privileged: false }, { runtime: 'podman', gpus: 2 });
    assert.deepEqual(dind, { runtime: 'podman', image: DSTACK_DIND_IMAGE, privileged: true, gpus: true, imageCommands: ['start-dockerd'], venvDir: null });
  });

  it("runs dstack's own commands on its images: the venv with the configured python on the base image, none on a custom image", () => {
    const base = containerSpecFor({ python: '3.12' }, { runtime: 'podman', gpus: 0 });
    assert.deepEqual(base?.imageCommands, dstackImageCommands({ python: '3.12' }));
    assert.ok(base?.imageCommands.includes('uv venv -q --prompt dstack -p 3.12 --seed $DSTACK_VENV_DIR'));
    assert.equal(base?.venvDir, '/dstack/venv');
    const custom = containerSpecFor({ image: 'ubuntu', python: '3.12' }, { runtime: 'podman', gpus: 0 });
    assert.deepEqual([custom?.imageCommands, custom?.venvDir], [[], null]);
  });

  it('passes privileged, shm_size (GB → bytes) and registry_auth with the image registry', () => {
    const s = containerSpecFor({ image: '10.200.0.5:5000/team/img', privileged: true, resources: { shm_size: 1.5 } }, { runtime: 'docker', gpus: 0 }, { username: 'u', password: 'p' });
    assert.deepEqual(s, {
      runtime: 'docker', image: '10.200.0.5:5000/team/img', privileged: true, gpus: false, imageCommands: [], venvDir: null,
      shmSizeBytes: 1.5 * 1024 ** 3, registry: { server: '10.200.0.5:5000', username: 'u', password: 'p' },
    });
  });

  it('names the registry of an image reference', () => {
    assert.equal(registryOf('ubuntu'), 'docker.io');
    assert.equal(registryOf('dstackai/base:0.15'), 'docker.io');
    assert.equal(registryOf('localhost/dvs-mini:latest'), 'localhost');
    assert.equal(registryOf('nvcr.io/nvidia/pytorch:24.01-py3'), 'nvcr.io');
  });
});
