// A throwaway copy of the project's build inputs in the OS temp folder, so build-rule tests can plant a
// forbidden import without ever writing into the shared src/ tree (other engineers compile it concurrently).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The project root. */
export const ROOT = path.resolve(__dirname, '../..');

const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.core.json', 'eslint.config.mjs', 'esbuild.mjs', 'build', 'src', 'webview-ui'];

/** Copies the build inputs into a fresh temp folder (node_modules linked) and returns its path. */
export function tempProjectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dstack-build-rule-'));
  for (const entry of BUILD_INPUTS) {
    if (fs.existsSync(path.join(ROOT, entry))) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Removes a temp copy. */
export function removeCopy(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs a command in a folder; returns its exit status and combined output. */
export function run(cwd: string, command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** A project binary from node_modules/.bin. */
export function bin(name: string): string {
  return path.join(ROOT, 'node_modules/.bin', name);
}
