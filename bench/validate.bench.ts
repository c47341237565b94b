// validateText latency for a 30-line and a 500-line configuration, beside bare `yaml.parseDocument` of the same text,
// and the bundled CLI's `validate` cold start (its ajv validators precompiled at build time) beside its `--help`.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { validateText } from '../src/schema';
import { coldStartsMs, percentile, report, timeMany } from './report';

const ROOT = path.resolve(__dirname, '..');

const CONFIG_30 = `type: dev-environment
name: bench-dev
ide: vscode
python: "3.12"
env:
  - HF_TOKEN
  - WANDB_PROJECT=demo
  - A=1
init:
  - pip install -r requirements.txt
  - echo ready
ports:
  - 8888
  - "*:3000"
files:
  - .:examples
  - ~/.ssh/id_rsa:/root/.ssh/id_rsa
inactivity_duration: 2h
max_duration: 8h
priority: 10
spot_policy: auto
retry:
  on_events: [no-capacity]
  duration: 1h
resources:
  cpu: x86:4..
  memory: 16GB..
  gpu: A100:80GB:2
  disk: 200GB..
  shm_size: 8GB
`;

function config500(): string {
  const lines = ['type: task', 'name: bench-task', 'image: python:3.12', 'env:'];
  for (let i = 0; lines.length < 250; i++) lines.push(`  - VAR_${i}=value-${i}`);
  lines.push('commands:');
  for (let i = 0; lines.length < 490; i++) lines.push(`  - echo step ${i} && python -c "print(${i})"`);
  lines.push('ports: [8080]', 'resources:', '  gpu: 24GB..:1..2', '  memory: 32GB..', 'max_duration: 2h', 'retry: true', 'idle_duration: 1h', 'spot_policy: spot', 'backends: [aws, gcp]', 'regions: [eu-west-1]');
  return `${lines.join('\n')}\n`;
}

function measure(label: string, text: string, n: number): void {
  const lines = text.trimEnd().split('\n').length;
  if (validateText(text).diagnostics.some((d) => d.severity === 'error')) throw new Error(`${label} config is invalid`);
  for (let i = 0; i < 200; i++) validateText(text);
  const validate = timeMany(n, () => validateText(text));
  const parse = timeMany(n, () => parseDocument(text));
  const baseline50 = percentile(parse, 50);
  const p50 = percentile(validate, 50);
  const p99 = percentile(validate, 99);
  const target = lines <= 30;
  report({ name: `validateText ${lines} lines p50`, value: p50, unit: 'ms', baseline: { name: 'yaml.parseDocument p50', value: baseline50 }, ...(target ? { target: '<= 1 ms', met: p50 <= 1 } : {}) });
  report({ name: `validateText ${lines} lines p99`, value: p99, unit: 'ms', baseline: { name: 'yaml.parseDocument p99', value: percentile(parse, 99) } });
}

/** Runs the validate benchmark. */
export async function run(): Promise<void> {
  const first = process.hrtime.bigint();
  validateText(CONFIG_30);
  report({ name: 'first validateText (sources: ajv compile, cold)', value: Number(process.hrtime.bigint() - first) / 1e6, unit: 'ms' });
  measure('30-line', CONFIG_30, 3000);
  measure('500-line', config500(), 500);
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
  const [help = NaN, validate = NaN] = coldStartsMs([['dist/cli.js', '--help'], ['dist/cli.js', 'validate', 'examples/dev.dstack.yml']], 9, ROOT);
  report({ name: 'validate dev.dstack.yml cold start (dist/cli.js)', value: validate, unit: 'ms', baseline: { name: 'dist/cli.js --help', value: help } });
}
