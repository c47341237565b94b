// The shape of one CLI subcommand. Each lives in its own file and is listed in src/cli/commands.ts.

/** Where a command writes; tests pass buffers, `main` passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Asks a yes/no question on the terminal; resolves false when there is no terminal. */
  confirm: (question: string) => Promise<boolean>;
}

export interface CliCommand {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Usage line after the program name, e.g. `validate FILE... [--json]`. */
  usage: string;
  /** Runs the command and returns the process exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** A usage mistake: printed with the command's usage line and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
