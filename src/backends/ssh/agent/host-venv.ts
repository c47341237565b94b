// The venv of an environment that runs outside a container (bare mode on an SSH host, the local backend).
// dstack only runs containers: its default image gets a venv at DSTACK_VENV_DIR made by `uv venv -p <python>`.
// A host is not that image, so a venv is made only when the configuration asks for a `python` (on the default
// image, i.e. without `image` and `docker`): with uv where the host has it (which fetches that Python), else
// with python3's venv module (saying so when its version differs), else the run's log says why there is none.
// Init and the SSH sessions then run with the venv activated.

import { usesDstackImage, type JobConfiguration } from '../../../orchestrator/job-spec/dev-environment-job';
import { shellQuote } from '../shell-quote';

/** The `python` of the host venv, or null when the run gets none (no `python`, a custom `image`, or `docker: true`). */
export function hostVenvPython(c: JobConfiguration | undefined): string | null {
  if (!c || c.docker === true || !usesDstackImage(c)) return null;
  return typeof c.python === 'string' && c.python !== '' ? c.python : null;
}

/**
 * POSIX sh that (re)creates the venv at "$DSTACK_VENV_DIR" for `python`; its status is 0 when the venv exists
 * afterwards. Every way it falls short is said on stdout (the run's log); it never aborts a `set -e` caller
 * when used as an `if` condition.
 */
export function hostVenvScript(python: string): string {
  return [
    `PY=${shellQuote(python)}`,
    'rm -rf "$DSTACK_VENV_DIR"',
    'if command -v uv >/dev/null 2>&1 && uv venv -q --prompt dstack -p "$PY" --seed "$DSTACK_VENV_DIR"; then :',
    'elif command -v python3 >/dev/null 2>&1; then',
    `  V=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)`,
    '  if command -v uv >/dev/null 2>&1; then echo "uv could not create a Python $PY venv: using this host\'s python3 ($V) instead"',
    '  elif [ "$V" != "$PY" ]; then echo "python: $PY is set, but this host has no uv to install that Python: the venv uses its python3 ($V); install uv on the host to get $PY"; fi',
    '  rm -rf "$DSTACK_VENV_DIR"',
    '  python3 -m venv --prompt dstack "$DSTACK_VENV_DIR" >/dev/null 2>&1 || { rm -rf "$DSTACK_VENV_DIR"; python3 -m venv --without-pip --prompt dstack "$DSTACK_VENV_DIR" && echo "python3 on this host has no ensurepip (python3-venv): the venv has no pip"; }',
    '  [ -f "$DSTACK_VENV_DIR/bin/activate" ] || echo "python3 -m venv failed: no venv at $DSTACK_VENV_DIR"',
    'else',
    '  echo "python: $PY is set, but this host has neither uv nor python3: no venv at $DSTACK_VENV_DIR; install uv on the host"',
    'fi',
    '[ -f "$DSTACK_VENV_DIR/bin/activate" ]',
  ].join('\n');
}
