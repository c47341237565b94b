// Completion latency on a 500-line .dstack.yml: our engine (completeAt) beside yaml-language-server 1.x given the
// same JSON schema (schemas/configuration.schema.json, built in-process) and the same documents in the same run.
// Each call sees a new document version, as after a keystroke (yaml-language-server reparses; so do we).
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService } from 'yaml-language-server/lib/umd/languageservice/yamlLanguageService';
import { completeAt } from '../src/schema/completion';
import { configurationSchemaText } from '../src/schema';
import { percentile, report } from './report';

const SCHEMA_URI = 'file:///dstack/configuration.schema.json';
const DOC_URI = 'file:///ws/bench.dstack.yml';

/** A 500-line dev environment with the cursor (`|`) at `at`: the line it replaces is the one being typed. */
function document500(cursorLine: string, where: 'resources' | 'root'): { text: string; offset: number } {
  const lines = ['type: dev-environment', 'name: bench-dev', 'ide: vscode', 'python: "3.12"', 'env:'];
  for (let i = 0; lines.length < 200; i++) lines.push(`  - VAR_${i}=value-${i}`);
  lines.push('init:');
  for (let i = 0; lines.length < 480; i++) lines.push(`  - echo step ${i} && python -c "print(${i})"`);
  lines.push('ports: [8080]', 'max_duration: 8h', 'retry:', '  on_events: [no-capacity]', '  duration: 1h', 'resources:', '  memory: 16GB..', '  disk: 200GB..');
  if (where === 'resources') lines.push(cursorLine);
  while (lines.length < (where === 'root' ? 499 : 500)) lines.push(`# filler ${lines.length}`);
  if (where === 'root') lines.push(cursorLine);
  const marked = `${lines.join('\n')}\n`;
  const offset = marked.indexOf('|');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

const CASES = [
  { name: 'nested key', doc: document500('  gp|', 'resources') },
  { name: 'gpu value', doc: document500('  gpu: A100:|', 'resources') },
  { name: 'root key', doc: document500('spot|', 'root') },
  { name: 'enum value', doc: document500('spot_policy: |', 'root') },
];

async function timeAsync(n: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return samples.sort((a, b) => a - b);
}

/** Prints p50/p99 of both and the speed ratio; targets: >= 5x faster at p50 and p99 <= 5 ms. */
export async function run(): Promise<void> {
  const schema = configurationSchemaText();
  const yamlLs = getLanguageService({
    schemaRequestService: async (uri) => {
      if (uri === SCHEMA_URI) return schema;
      throw new Error(`no schema at ${uri}`);
    },
    workspaceContext: { resolveRelativePath: (p, resource) => new URL(p, resource).toString() },
  });
  yamlLs.configure({ completion: true, hover: false, validate: false, schemas: [{ uri: SCHEMA_URI, fileMatch: ['*.dstack.yml'] }] });

  const lineCount = CASES[0]!.doc.text.trimEnd().split('\n').length;
  if (CASES.some((c) => c.doc.text.trimEnd().split('\n').length !== 500)) throw new Error('every bench document has 500 lines');
  let version = 1;
  const theirs = (c: (typeof CASES)[number]) => {
    const doc = TextDocument.create(DOC_URI, 'yaml', version++, c.doc.text);
    return yamlLs.doComplete(doc, doc.positionAt(c.doc.offset), false);
  };
  for (const c of CASES) {
    const ours = completeAt(c.doc.text, c.doc.offset);
    const them = await theirs(c);
    if (ours.length === 0) throw new Error(`completeAt offers nothing for ${c.name}`);
    console.log(`  ${c.name.padEnd(10)} ours ${String(ours.length).padStart(3)} items (${ours.slice(0, 4).map((x) => x.label).join(', ')}...), yaml-language-server ${String(them.items.length).padStart(3)} items`);
  }
  for (let i = 0; i < 50; i++) for (const c of CASES) {
    completeAt(c.doc.text, c.doc.offset);
    await theirs(c);
  }
  const N = 100;
  const oursSamples = await timeAsync(N * CASES.length, (i) => {
    const c = CASES[i % CASES.length]!;
    return completeAt(c.doc.text, c.doc.offset);
  });
  const theirSamples = await timeAsync(N * CASES.length, (i) => theirs(CASES[i % CASES.length]!));
  const p50 = percentile(oursSamples, 50);
  const p99 = percentile(oursSamples, 99);
  const b50 = percentile(theirSamples, 50);
  const b99 = percentile(theirSamples, 99);
  report({ name: `completeAt ${lineCount} lines p50`, value: p50, unit: 'ms', baseline: { name: 'yaml-language-server p50', value: b50 }, target: '>= 5x faster', met: b50 / p50 >= 5 });
  report({ name: `completeAt ${lineCount} lines p99`, value: p99, unit: 'ms', baseline: { name: 'yaml-language-server p99', value: b99 }, target: '<= 5 ms', met: p99 <= 5 });
  console.log(`  speed ratio (yaml-language-server / ours): p50 ${(b50 / p50).toFixed(1)}x, p99 ${(b99 / p99).toFixed(1)}x`);
}
