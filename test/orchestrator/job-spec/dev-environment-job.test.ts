// The job spec cases dstack's vectors do not cover (the six vectors themselves are compared in the corpus test).
import { strict as assert } from 'node:assert';
import {
  DSTACK_BASE_IMAGE, devEnvironmentJobSpec, dstackImageCommands, jobImageName, jobShell, joinShellCommands, usesDstackImage,
} from '../../../src/orchestrator/job-spec/dev-environment-job';
import { IDES, ideOf } from '../../../src/orchestrator/job-spec/ides';

describe('dev environment job spec', () => {
  it('picks the shell: an absolute path as is, a bare name in /bin, else bash on dstack\'s images and sh on a custom one', () => {
    assert.equal(jobShell({ shell: '/usr/bin/zsh' }), '/usr/bin/zsh');
    assert.equal(jobShell({ shell: 'sh' }), '/bin/sh');
    assert.equal(jobShell({ shell: 'bash', image: 'ubuntu' }), '/bin/bash');
    assert.equal(jobShell({}), '/bin/bash');
    assert.equal(jobShell({ docker: true }), '/bin/bash');
    assert.equal(jobShell({ image: 'ubuntu' }), '/bin/sh');
  });

  it('picks the image: dind with docker, the devel base image with nvcc, the configured one otherwise', () => {
    assert.equal(jobImageName({ nvcc: true }), 'dstackai/base:0.15-devel-ubuntu24.04');
    assert.equal(jobImageName({}), DSTACK_BASE_IMAGE);
    assert.equal(jobImageName({ image: 'ubuntu:24.04' }), 'ubuntu:24.04');
    assert.equal(jobImageName({ docker: true }), 'dstackai/dind');
    assert.deepEqual([usesDstackImage({}), usesDstackImage({ docker: true }), usesDstackImage({ image: 'x' })], [true, true, false]);
  });

  it('creates the venv with the configured python, only on the base image', () => {
    assert.match(dstackImageCommands({ python: '3.13' }).join('\n'), /uv venv -q --prompt dstack -p 3\.13 --seed \$DSTACK_VENV_DIR/);
    assert.match(dstackImageCommands({}, '3.12').join('\n'), / -p 3\.12 /);
    assert.deepEqual(dstackImageCommands({ image: 'ubuntu', python: '3.12' }), []);
    assert.deepEqual(dstackImageCommands({ entrypoint: 'x' }), []);
    assert.deepEqual(dstackImageCommands({ docker: true, python: '3.12' }), ['start-dockerd']);
  });

  it('joins like dstack: trimmed, background commands braced', () => {
    assert.equal(joinShellCommands(['  echo a  ', 'sleep 1 &', 'b&']), 'echo a && { sleep 1 & } && { b& }');
  });

  it('turns off durations set to off and keeps explicit policies', () => {
    const spec = devEnvironmentJobSpec({ max_duration: 3600, stop_duration: 'off', spot_policy: 'auto', single_branch: true }, 'r');
    assert.deepEqual([spec.maxDuration, spec.stopDuration, spec.spotPolicy, spec.singleBranch], [3600, null, 'auto', true]);
    assert.equal(devEnvironmentJobSpec({ max_duration: 'off' }, 'r').maxDuration, null);
  });

  it('installs an IDE server only with a version it can read; zed and unknown IDEs install nothing', () => {
    assert.deepEqual(IDES.vscode.installCommands(null, ['x']), []);
    assert.deepEqual(IDES.windsurf.installCommands('1.2.3', ['x']), [], 'windsurf needs version@commit');
    assert.deepEqual(IDES.zed.installCommands('1', ['x']), []);
    assert.equal(IDES.cursor.installCommands('0.48.0', []).some((c) => c.includes('--install-extension')), false, 'no extensions: no install line');
    assert.equal(ideOf('emacs'), null);
    assert.equal(ideOf('toString'), null);
  });
});
