// dstack's job spec of a dev environment (server/services/jobs/configurators/{base,dev}.py), from a normalized
// configuration: the image, privileged, the shell, the commands dstack's default images need
// (`dstack_image_commands`: the venv, or start-dockerd), the dev environment's shell commands (IDE server
// pre-install, ipykernel, setup, init, the links, `tail -f /dev/null`), the joined entrypoint, and the
// policy defaults. Pure: the same configuration gives the same strings dstack generates.

import type { DevEnvironmentConfiguration, SpotPolicy } from '../../schema/model';
import { ideOf } from './ides';

/** dstack's default base image (settings.py); `-devel-` with `nvcc: true`. */
export const DSTACK_BASE_IMAGE = 'dstackai/base:0.15-base-ubuntu24.04';
/** dstack's docker-in-docker image for `docker: true`. */
export const DSTACK_DIND_IMAGE = 'dstackai/dind';
/** Where the runner keeps its files in the container (`/dstack/profile` is sourced by every login shell). */
export const DSTACK_DIR = '/dstack';
/** The profile every SSH login shell sources in dstack's container. */
export const DSTACK_PROFILE = `${DSTACK_DIR}/profile`;
/** DSTACK_VENV_DIR on the default image. */
export const DSTACK_VENV_DIR = `${DSTACK_DIR}/venv`;
/** The `python` of the default image when the configuration sets none (dstack's: the server's Python, 3.11 in the vectors). */
export const DEFAULT_PYTHON = '3.11';
/** dstack's DEFAULT_STOP_DURATION (seconds). */
export const DEFAULT_STOP_DURATION = 300;
/** Extensions dstack pre-installs with the IDE server. */
export const IDE_EXTENSIONS: readonly string[] = ['ms-python.python', 'ms-toolsai.jupyter'];

/** ipykernel with uv, else pip, else a message: never fails the job. */
export const INSTALL_IPYKERNEL = "(echo 'uv pip install ipykernel...' && uv pip install -q --no-cache-dir ipykernel 2> /dev/null) || "
  + "(echo 'pip install ipykernel...' && pip install -q --no-cache-dir ipykernel 2> /dev/null) || "
  + "echo 'no uv or pip found, ipykernel was not installed'";

/** The configuration fields the job spec is made of (a normalized configuration, or its JSON copy). */
export type JobConfiguration = Readonly<Partial<Pick<DevEnvironmentConfiguration,
  'image' | 'docker' | 'nvcc' | 'privileged' | 'shell' | 'python' | 'entrypoint' | 'ide' | 'version' | 'setup' | 'init'
  | 'single_branch' | 'max_duration' | 'stop_duration' | 'spot_policy'>>>;

/** What dstack puts in the JobSpec of a dev environment (the fields a backend needs to run it). */
export interface DevEnvironmentJobSpec {
  imageName: string;
  privileged: boolean;
  /** The shell the commands run in (`/bin/bash` on dstack's images, `/bin/sh` on a custom one, or `shell`). */
  shell: string;
  /** What dstack's own images need first: the venv (base image) or `start-dockerd` (dind); none on a custom image. */
  dstackImageCommands: string[];
  shellCommands: string[];
  /** Entrypoint and args: `[shell, '-i', '-c', 'cmd1 && cmd2 && ...']`. */
  commands: string[];
  singleBranch: boolean;
  /** Seconds; null = off. */
  maxDuration: number | null;
  /** Seconds; null = off. */
  stopDuration: number | null;
  spotPolicy: SpotPolicy;
}

/** The image the job runs: dind with `docker: true`, else `image`, else dstack's base image (`-devel-` with nvcc). */
export function jobImageName(c: JobConfiguration): string {
  if (c.docker === true) return DSTACK_DIND_IMAGE;
  if (typeof c.image === 'string') return c.image;
  return c.nvcc === true ? DSTACK_BASE_IMAGE.replace('-base-', '-devel-') : DSTACK_BASE_IMAGE;
}

/** Whether the job runs on one of dstack's own images (no `image`; `docker: true` is dstack's dind image). */
export function usesDstackImage(c: JobConfiguration): boolean {
  return c.docker === true || typeof c.image !== 'string';
}

/** Whether dstack makes its venv (DSTACK_VENV_DIR) for the job: on the base image (no `image`, `docker` or `entrypoint`). */
export function makesDstackVenv(c: JobConfiguration): boolean {
  return c.docker !== true && typeof c.image !== 'string' && typeof c.entrypoint !== 'string';
}

/** `--privileged`: forced by `docker: true`. */
export function jobPrivileged(c: JobConfiguration): boolean {
  return c.docker === true || c.privileged === true;
}

/** The shell: `shell` (a bare name lives in /bin), else /bin/bash without `image`, else /bin/sh. */
export function jobShell(c: JobConfiguration): string {
  if (typeof c.shell === 'string' && c.shell !== '') return c.shell.startsWith('/') ? c.shell : `/bin/${c.shell}`;
  return typeof c.image === 'string' ? '/bin/sh' : '/bin/bash';
}

/** The `python` of the venv on the default image. */
export function jobPython(c: JobConfiguration, defaultPython = DEFAULT_PYTHON): string {
  return typeof c.python === 'string' && c.python !== '' ? c.python : defaultPython;
}

/**
 * What dstack's images need before anything else: `start-dockerd` on dind; on the base image, DSTACK_VENV_DIR
 * exported in /dstack/profile, the venv recreated owned by the user with `uv venv -p <python> --seed`, and its
 * activation appended to /dstack/profile; nothing on a custom image.
 */
export function dstackImageCommands(c: JobConfiguration, defaultPython = DEFAULT_PYTHON): string[] {
  if (c.docker === true) return ['start-dockerd'];
  if (!makesDstackVenv(c)) return [];
  return [
    `eval $(echo 'export DSTACK_VENV_DIR=${DSTACK_VENV_DIR}' | sudo tee -a ${DSTACK_PROFILE})`,
    'sudo rm -rf $DSTACK_VENV_DIR',
    'sudo mkdir $DSTACK_VENV_DIR',
    'sudo chown $(id -u):$(id -g) $DSTACK_VENV_DIR',
    `uv venv -q --prompt dstack -p ${jobPython(c, defaultPython)} --seed $DSTACK_VENV_DIR`,
    `eval $(echo '. $DSTACK_VENV_DIR/bin/activate' | sudo tee -a ${DSTACK_PROFILE})`,
  ];
}

/** The dev environment's commands: IDE server pre-install, ipykernel, setup, init, the links, then idle until stopped. */
export function devEnvironmentShellCommands(c: JobConfiguration, runName: string): string[] {
  const ide = ideOf(c.ide);
  const version = typeof c.version === 'string' ? c.version : null;
  return [
    ...(ide ? ide.installCommands(version, IDE_EXTENSIONS) : []),
    INSTALL_IPYKERNEL,
    ...(c.setup ?? []),
    'echo',
    ...(c.init ?? []),
    ...(ide ? [`echo 'To open in ${ide.label}, use link below:'`, 'echo', `echo "  ${ide.url(runName, '$DSTACK_WORKING_DIR')}"`, 'echo'] : []),
    `echo 'To connect via SSH, use: \`ssh ${runName}\`'`,
    'echo',
    "echo -n 'To exit, press Ctrl+C.'",
    'tail -f /dev/null',
  ];
}

/** dstack's join: each command trimmed, a background one (`... &`) braced, all joined with ` && `. */
export function joinShellCommands(commands: readonly string[]): string {
  return commands.map((cmd) => {
    const t = cmd.trim();
    return t.endsWith('&') ? `{ ${t} }` : t;
  }).join(' && ');
}

/** The whole job spec of a dev environment named `runName`. */
export function devEnvironmentJobSpec(c: JobConfiguration, runName: string, defaultPython = DEFAULT_PYTHON): DevEnvironmentJobSpec {
  const shell = jobShell(c);
  const image = dstackImageCommands(c, defaultPython);
  const shellCommands = devEnvironmentShellCommands(c, runName);
  const duration = (v: number | 'off' | null | undefined, dflt: number | null): number | null => v === 'off' ? null : typeof v === 'number' ? v : dflt;
  return {
    imageName: jobImageName(c),
    privileged: jobPrivileged(c),
    shell,
    dstackImageCommands: image,
    shellCommands,
    commands: [shell, '-i', '-c', joinShellCommands([...image, ...shellCommands])],
    singleBranch: c.single_branch ?? false,
    maxDuration: duration(c.max_duration, null),
    stopDuration: duration(c.stop_duration, DEFAULT_STOP_DURATION),
    spotPolicy: c.spot_policy ?? 'on-demand',
  };
}
