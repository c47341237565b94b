// `dstack-vsc` entry point: the same core as the extension, for scripts and tests.
import * as readline from 'node:readline/promises';
import { runCli } from './run-cli';
import { LOCAL_AGENT_COMMAND } from '../backends/local/agent-launch';
import { runLocalAgent } from '../backends/local/agent';
import { DRIVE_COMMAND, driveDetached } from './detached-driver';

/**
 * Asks on the terminal (no terminal: no). Ctrl+C at the prompt answers no and is passed on as the process's
 * SIGINT: readline catches it on a terminal and would otherwise just pause, leaving the question hanging.
 */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string | null>((resolve) => {
      rl.once('SIGINT', () => resolve(null));
      rl.question(`${question} [y/n]: `).then(resolve, () => resolve(null));
    });
    if (answer === null) {
      process.stderr.write('\n');
      process.kill(process.pid, 'SIGINT');
      return false;
    }
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

// Hidden: the local backend's detached agent runs from this bundle so that it has ssh2 (see agent-launch.ts).
if (process.argv[2] === LOCAL_AGENT_COMMAND) {
  runLocalAgent(process.argv[3] ?? '', process.argv[4] ?? '').catch((err: unknown) => {
    process.stderr.write(`local agent failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
} else if (process.argv[2] === DRIVE_COMMAND) {
  // Hidden: `apply -d`'s detached driver (see detached-driver.ts).
  driveDetached(process.argv[3] ?? '', process.env).then((code) => {
    process.exitCode = code;
  }, (err: unknown) => {
    process.stderr.write(`driver failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
} else runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  confirm,
}).then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`dstack-vsc: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
