// apply's Ctrl+C on a real terminal: the CLI runs under `script` (a pseudo-terminal, so stdin is a TTY),
// ^C goes through the terminal's line discipline as SIGINT, and the answer is typed: `y` stops the run
// (`Stopped`), `n` detaches and leaves it running, and so does a second ^C at the question.

import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../orchestrator/helpers';
import { cli } from './cli-process';

const ROOT = path.resolve(__dirname, '..', '..');
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

class TtyCli {
  out = '';
  readonly exited: Promise<number>;
  readonly p: ChildProcessWithoutNullStreams;
  constructor(args: string[], env: Record<string, string>) {
    // `exec`: the CLI replaces script's shell. Left as its child, a non-interactive dash (CI's SHELL is unset,
    // so script runs /bin/sh) dies of the ^C's SIGINT itself, and script reports 130 whatever the CLI did.
    const cmd = `exec ${[process.execPath, '--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args].map(sq).join(' ')}`;
    this.p = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env } });
    this.p.stdout.on('data', (b: Buffer) => { this.out += b.toString('utf8'); });
    this.p.stderr.on('data', (b: Buffer) => { this.out += b.toString('utf8'); });
    this.exited = new Promise((r) => this.p.on('exit', (code) => r(code ?? -1)));
  }
  async waitFor(re: RegExp): Promise<void> {
    for (let i = 0; i < 600 && !re.test(this.out); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(this.out, re);
  }
  type(text: string): void {
    this.p.stdin.write(text);
  }
}

describe('cli apply Ctrl+C on a terminal', function () {
  this.timeout(90_000);
  let env: Record<string, string>;
  let dir: string;
  const names: string[] = [];

  before(function () {
    if (spawnSync('script', ['--version']).status !== 0) this.skip();
    dir = tempDir('dstack-vsc-tty-');
    env = { HOME: dir, DSTACK_VSC_STATE_DIR: path.join(dir, 'state'), DSTACK_VSC_USER_SSH_CONFIG: path.join(dir, 'ssh_config') };
  });
  after(() => { for (const n of names) cli(['stop', n, '-x', '-y'], env); });

  function config(name: string): string {
    names.push(name);
    const file = path.join(dir, `${name}.dstack.yml`);
    fs.writeFileSync(file, `type: dev-environment\nname: ${name}\nide: vscode\nresources:\n  cpu: 1..\n  memory: 1GB..\n  disk: 1GB..\n`);
    return file;
  }

  it('asks "Stop the run NAME before detaching?"; y stops the run', async () => {
    const name = `tty-y-${process.pid}`;
    const t = new TtyCli(['apply', '-f', config(name), '-y', '--no-repo'], env);
    await t.waitFor(/Press Ctrl\+C to detach\.\.\./);
    t.type('\x03');
    await t.waitFor(new RegExp(`Stop the run ${name} before detaching\\? \\[y/n\\]: `));
    t.type('y\r');
    assert.equal(await t.exited, 0, t.out);
    assert.match(t.out, /\r\nStopped\r\n$/);
    assert.match(cli(['ps', '-a'], env).stdout, new RegExp(`^ ${name} .* stopped `, 'm'));
  });

  it('Ctrl+C at the question answers no: it detaches instead of hanging, and the run keeps running', async () => {
    const name = `tty-c-${process.pid}`;
    const t = new TtyCli(['apply', '-f', config(name), '-y', '--no-repo'], env);
    await t.waitFor(/Press Ctrl\+C to detach\.\.\./);
    t.type('\x03');
    await t.waitFor(/before detaching\? \[y\/n\]: /);
    t.type('\x03');
    assert.equal(await t.exited, 0, t.out);
    assert.match(t.out, /\r\nDetached\r\n$/);
    assert.match(cli(['ps'], env).stdout, new RegExp(`^ ${name} .* running `, 'm'));
  });

  it('n detaches and the run keeps running', async () => {
    const name = `tty-n-${process.pid}`;
    const t = new TtyCli(['apply', '-f', config(name), '-y', '--no-repo'], env);
    await t.waitFor(/Press Ctrl\+C to detach\.\.\./);
    t.type('\x03');
    await t.waitFor(/before detaching\? \[y\/n\]: /);
    t.type('n\r');
    assert.equal(await t.exited, 0, t.out);
    assert.match(t.out, /\r\nDetached\r\n$/);
    assert.match(cli(['ps'], env).stdout, new RegExp(`^ ${name} .* running `, 'm'));
  });
});
