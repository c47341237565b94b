// Completion over a table of cursor positions: top level, nested, list items, gpu shorthand, interpolation,
// broken YAML, tabs, empty file and end of file; then ranges, snippets and documentation of the candidates.
import { strict as assert } from 'node:assert';
import { catalogGpuNames, catalogRegions } from '../../../src/backends/catalog';
import { completeAt, type CompletionCandidate } from '../../../src/schema/completion';
import { cursor } from './cursor';

function labels(marked: string, secrets: string[] = []): string[] {
  const { text, offset } = cursor(marked);
  return completeAt(text, offset, { secrets }).map((c) => c.label);
}

function candidates(marked: string): { text: string; offset: number; items: CompletionCandidate[] } {
  const { text, offset } = cursor(marked);
  return { text, offset, items: completeAt(text, offset) };
}

const DEV = 'type: dev-environment\n';

interface Row {
  name: string;
  marked: string;
  includes: string[];
  excludes?: string[];
  secrets?: string[];
}

const TABLE: Row[] = [
  { name: 'empty file: root keys, type first', marked: '|', includes: ['type', 'ide', 'resources', 'python'] },
  { name: 'top level, partial key', marked: `${DEV}id|`, includes: ['ide', 'image', 'init'], excludes: ['type'] },
  { name: 'top level, keys already present are left out', marked: `${DEV}ide: vscode\n|\npython: "3.12"\n`, includes: ['resources', 'env'], excludes: ['ide', 'python', 'type'] },
  { name: 'nested: resources.gp', marked: `${DEV}resources:\n  gp|`, includes: ['gpu', 'cpu', 'memory', 'disk', 'shm_size'], excludes: ['ide'] },
  { name: 'nested: present sibling left out', marked: `${DEV}resources:\n  cpu: 4\n  |\n  disk: 100GB\n`, includes: ['gpu', 'memory'], excludes: ['cpu', 'disk', 'ide'] },
  { name: 'deeper: retry object', marked: `${DEV}retry:\n  |`, includes: ['on_events', 'duration'] },
  { name: 'list item scalar enum: retry.on_events', marked: `${DEV}retry:\n  on_events:\n    - |`, includes: ['no-capacity', 'interruption', 'error'] },
  { name: 'list of objects, second key of an item', marked: 'type: service\nreplicas:\n  - name: a\n    |', includes: ['replicas', 'commands', 'resources'], excludes: ['name', 'port'] },
  { name: 'list of objects, first key after the dash', marked: 'type: service\nreplicas:\n  - |', includes: ['name', 'replicas'] },
  { name: 'enum value: ide', marked: `${DEV}ide: |`, includes: ['vscode', 'cursor', 'windsurf', 'zed'] },
  { name: 'enum value: spot_policy, partially typed', marked: `${DEV}spot_policy: sp|`, includes: ['spot', 'on-demand', 'auto'] },
  { name: 'enum value: type', marked: 'type: |', includes: ['dev-environment', 'task', 'service', 'fleet', 'gateway', 'volume'] },
  { name: 'python versions', marked: `${DEV}python: |`, includes: ['3.10', '3.12', '3.13'] },
  { name: 'backends in a flow list, present ones left out', marked: `${DEV}backends: [aws, |]`, includes: ['gcp', 'azure', 'runpod'], excludes: ['aws'] },
  { name: 'backends block list', marked: `${DEV}backends:\n  - |`, includes: ['aws', 'gcp'] },
  { name: 'duration examples', marked: `${DEV}max_duration: |`, includes: ['1h', '2h', '1d', 'off'] },
  { name: 'boolean', marked: `${DEV}privileged: |`, includes: ['true', 'false'] },
  { name: 'gpu: vendors, catalog names, memory', marked: `${DEV}resources:\n  gpu: |`, includes: ['nvidia', 'amd', 'A100', 'H100', 'L4', 'T4', '24GB..'] },
  { name: 'gpu shorthand after `:`: memory sizes of that GPU and counts', marked: `${DEV}resources:\n  gpu: A100:|`, includes: ['40GB', '80GB', '1', '2', '8'], excludes: ['H100', 'nvidia'] },
  { name: 'gpu shorthand after memory: counts only', marked: `${DEV}resources:\n  gpu: A100:80GB:|`, includes: ['1', '8'], excludes: ['80GB', 'H100'] },
  { name: 'gpu shorthand after a vendor: that vendor\'s names', marked: `${DEV}resources:\n  gpu: amd:|`, includes: ['MI300X'], excludes: ['H100', 'nvidia'] },
  { name: 'gpu name list after `,`', marked: `${DEV}resources:\n  gpu: H100,|`, includes: ['A100'], excludes: ['H100', '1'] },
  { name: 'regions of the catalog backends', marked: `${DEV}backends: [aws]\nregions:\n  - |`, includes: catalogRegions('aws') },
  { name: 'regions in a flow list', marked: `${DEV}regions: [|]`, includes: catalogRegions('aws') },
  { name: 'regions of a backend without a catalog: none', marked: `${DEV}backends: [gcp]\nregions:\n  - |`, includes: [], excludes: catalogRegions('aws') },
  { name: 'inside ${{ env.', marked: `${DEV}env:\n  - HF_TOKEN\n  - WANDB_PROJECT=demo\nregistry_auth:\n  username: \${{ env.|`, includes: ['HF_TOKEN', 'WANDB_PROJECT'] },
  { name: 'inside ${{ env. with a mapping env', marked: 'type: task\nenv:\n  MODEL: llama\n  TOKEN: x\ncommands:\n  - echo ${{ env.M|', includes: ['MODEL', 'TOKEN'] },
  { name: 'inside ${{ secrets. from the host list', marked: `${DEV}env:\n  - TOKEN=\${{ secrets.|`, includes: ['hf_token', 'wandb'], secrets: ['wandb', 'hf_token'] },
  { name: 'after ${{ : the namespaces', marked: `${DEV}env:\n  - A=\${{ |`, includes: ['env', 'secrets'] },
  { name: 'broken YAML above (unclosed flow, bad indent) still completes resources', marked: `${DEV}ports: [8080\n   ide: : :\nresources:\n  gp|`, includes: ['gpu'] },
  { name: 'broken YAML: the key being typed under an unfinished parent', marked: `${DEV}resources:\n  gpu: A100:\n  memory: 16GB..\n  shm|\nide: vsc`, includes: ['shm_size'], excludes: ['gpu', 'memory'] },
  { name: 'tab indentation', marked: `${DEV}resources:\n\tgp|`, includes: ['gpu'] },
  { name: 'tab under a scalar line falls back to the root', marked: `${DEV}\tid|`, includes: ['ide'] },
  { name: 'end of file without a newline', marked: `${DEV}resources:\n  gpu: 24GB\nspot_policy: au|`, includes: ['auto'] },
  { name: 'end of file after a newline', marked: `${DEV}ide: vscode\n|`, includes: ['resources'], excludes: ['ide'] },
  { name: 'CRLF line endings', marked: 'type: dev-environment\r\nresources:\r\n  gp|\r\n', includes: ['gpu'] },
  { name: 'task type: task fields', marked: 'type: task\n|', includes: ['commands', 'nodes'], excludes: ['ide', 'type'] },
  { name: 'after a comment: nothing', marked: `${DEV}# gp|`, includes: [], excludes: ['gpu', 'ide'] },
];

describe('completeAt: cursor table', () => {
  for (const row of TABLE) {
    it(row.name, () => {
      const got = labels(row.marked, row.secrets ?? []);
      for (const want of row.includes) assert.ok(got.includes(want), `${want} missing; got ${got.join(', ')}`);
      for (const not of row.excludes ?? []) assert.ok(!got.includes(not), `${not} should not be offered; got ${got.join(', ')}`);
      if (row.includes.length === 0) assert.deepEqual(got.filter((g) => row.excludes?.includes(g)), []);
    });
  }
});

describe('completeAt: candidates', () => {
  it('the replace range covers the typed word, and what follows it on the line', () => {
    const { text, offset, items } = candidates(`${DEV}resources:\n  gp|u: A100\n`);
    const gpu = items.find((c) => c.label === 'gpu')!;
    assert.equal(text.slice(gpu.range.start, gpu.range.end), 'gpu');
    assert.ok(gpu.range.start < offset && gpu.range.end > offset);
    assert.equal(gpu.insertText, 'gpu', 'a key that already has its `:` gets no second one');
  });

  it('object keys insert a block snippet, lists a `- ` item, enums a choice, scalars their example', () => {
    const { items } = candidates(`${DEV}|`);
    const by = (l: string) => items.find((c) => c.label === l)!;
    assert.equal(by('resources').insertText, 'resources:\n  $0');
    assert.equal(by('init').insertText, 'init:\n  - $0');
    assert.equal(by('ide').insertText, 'ide: ${1|vscode,cursor,windsurf,zed|}');
    assert.equal(by('max_duration').insertText, 'max_duration: ${1:8h}');
    assert.match(by('python').insertText, /^python: "\$\{1\|3\.9,3\.10,/);
  });

  it('a block snippet after `- ` indents its body under the key, not under the dash', () => {
    const resources = candidates('type: service\nreplicas:\n  - |').items.find((c) => c.label === 'resources')!;
    assert.equal(resources.insertText, 'resources:\n    $0');
  });

  it('documentation is markdown from the field table: doc, type, default, example', () => {
    const gpu = candidates(`${DEV}resources:\n  |`).items.find((c) => c.label === 'gpu')!;
    assert.match(gpu.documentation, /^\*\*gpu\*\*/);
    assert.match(gpu.documentation, /The GPU requirements/);
    assert.match(gpu.documentation, /Default: `"0\.\."`/);
    assert.match(gpu.documentation, /```yaml\ngpu: 24GB\n```/);
    assert.equal(gpu.kind, 'property');
    assert.equal(gpu.source, 'schema');
  });

  it('without a `type`, `type` sorts first and offers every configuration type', () => {
    const items = candidates('|').items.sort((a, b) => (a.sortText < b.sortText ? -1 : 1));
    assert.equal(items[0]?.label, 'type');
    assert.match(items[0]!.insertText, /dev-environment,task,service,fleet,gateway,volume,preset/);
  });

  it('deprecated keys sort last and say so', () => {
    const items = candidates(`${DEV}|`).items.sort((a, b) => (a.sortText < b.sortText ? -1 : 1));
    assert.equal(items.at(-1)?.detail.includes('deprecated'), true);
  });

  it('gpu names come from the catalog (source catalog, catalog ones first, with vendor and memory)', () => {
    const items = candidates(`${DEV}resources:\n  gpu: |`).items;
    const names = items.filter((c) => c.kind === 'gpu');
    assert.deepEqual(names.slice(0, catalogGpuNames().length).map((c) => c.label).sort(), [...catalogGpuNames()].sort());
    const a100 = items.find((c) => c.label === 'A100')!;
    assert.equal(a100.source, 'catalog');
    assert.match(a100.detail, /nvidia 40GB, 80GB/);
  });

  it('a gpu token after `:` replaces only that token', () => {
    const { text, items } = candidates(`${DEV}resources:\n  gpu: A100:8|`);
    const c = items.find((x) => x.label === '80GB')!;
    assert.equal(text.slice(c.range.start, c.range.end), '8');
  });

  it('a value right after `key:` with no space inserts one', () => {
    const c = candidates(`${DEV}ide:|`).items.find((x) => x.label === 'vscode')!;
    assert.equal(c.insertText, ' vscode');
  });

  it('a quoted value keeps its quotes: the range starts after the opening quote', () => {
    const { text, items } = candidates(`${DEV}python: "3.1|"`);
    const c = items.find((x) => x.label === '3.12')!;
    assert.equal(c.insertText, '3.12');
    assert.equal(text.slice(c.range.start, c.range.end), '3.1');
  });

  it('never throws on arbitrary cursor positions in odd text', () => {
    const texts = ['', '\n\n', ':', '- - -', 'type: dev-environment\nresources: [\n  gpu: {', '\t\t:\t', '${{ env.', 'a: "unclosed\nb: |\n  x\n'];
    for (const t of texts) for (let i = 0; i <= t.length; i++) assert.ok(Array.isArray(completeAt(t, i)));
    assert.ok(Array.isArray(completeAt('type: task', 999)));
    assert.ok(Array.isArray(completeAt('type: task', -5)));
  });
});
