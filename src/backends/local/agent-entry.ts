// Source entry of the local agent (tests and `tsx`): `node --require tsx/cjs agent-entry.ts <dir> <logFile>`.
import { runLocalAgent } from './agent';

const [dir, logFile] = process.argv.slice(2);
if (dir === undefined || logFile === undefined) {
  process.stderr.write('usage: agent-entry.ts <instanceDir> <logFile>\n');
  process.exit(2);
}
runLocalAgent(dir, logFile).catch((err: unknown) => {
  process.stderr.write(`local agent failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
