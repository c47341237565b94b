// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) in order.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).sort()
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
  for (const file of files) {
    console.log(`\n== ${file.replace(/\.bench\.ts$/, '')}`);
    const mod = (await import(path.join(__dirname, file))) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
