// `dstack-vsc secret set|list|delete`: secrets for `${{ secrets.X }}`, kept in a 0600 file in the state
// dir. Values are read from the command line or stdin and never printed.

import { openRuntime } from '../orchestrator/runtime';
import { parseArgs } from './args';
import { UsageError, type CliCommand } from './command';
import { renderTable } from './format/table';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The `secret` command. */
export const secretCommand: CliCommand = {
  name: 'secret',
  summary: 'Set, list or delete secrets used as ${{ secrets.NAME }}',
  usage: 'secret set NAME [VALUE] | secret list | secret delete NAME',
  async run(argv, io) {
    const args = parseArgs(argv, []);
    const [action, name, value, ...extra] = args.positionals;
    const { secrets } = openRuntime(io.env);
    switch (action) {
      case 'set': {
        if (!name || extra.length > 0) throw new UsageError('secret set NAME [VALUE] (without VALUE it is read from stdin)');
        if (value === undefined && process.stdin.isTTY) throw new UsageError('no VALUE given: pass it, or pipe it on stdin');
        await secrets.set(name, value ?? (await readStdin()));
        io.stdout(`Secret ${name} set\n`);
        return 0;
      }
      case 'list':
      case 'ls': {
        if (name) throw new UsageError('secret list takes no arguments');
        const names = await secrets.list();
        io.stdout(renderTable([{ header: 'NAME' }], names.map((n) => [n])));
        return 0;
      }
      case 'delete':
      case 'rm': {
        if (!name || value !== undefined) throw new UsageError('secret delete NAME');
        if (!(await secrets.delete(name))) {
          io.stderr(`Secret ${name} not found; see dstack-vsc secret list\n`);
          return 1;
        }
        io.stdout(`Secret ${name} deleted\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action '${action ?? ''}': use set, list or delete`);
    }
  },
};
