// Beside redhat.vscode-yaml only what its schema cannot know is offered: no duplicate keys or values. Checked
// against the REAL yaml-language-server (the engine of redhat.vscode-yaml) fed the shipped schema with the
// package.json `yamlValidation` file patterns, over the same documents and cursor positions.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { getLanguageService } from 'yaml-language-server/lib/umd/languageservice/yamlLanguageService';
import { candidatesBesideYamlExtension, completeAt } from '../../../src/schema/completion';
import { EXAMPLES_DIR } from '../corpus-helpers';
import { cursor } from './cursor';

const ROOT = join(__dirname, '..', '..', '..');
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { yamlValidation: { fileMatch: string[]; url: string }[] } };
const CONTRIBUTION = MANIFEST.contributes.yamlValidation[0]!;
const SCHEMA_URI = 'file:///extension/schemas/configuration.schema.json';

/** yaml-language-server as redhat.vscode-yaml runs it for this extension's `yamlValidation` contribution. */
function yamlLanguageServer() {
  const shipped = readFileSync(join(ROOT, CONTRIBUTION.url), 'utf8');
  const ls = getLanguageService({
    schemaRequestService: async (uri) => {
      if (uri === SCHEMA_URI) return shipped;
      throw new Error(`no schema at ${uri}`);
    },
    workspaceContext: { resolveRelativePath: (p, resource) => new URL(p, resource).toString() },
  });
  ls.configure({ completion: true, hover: false, validate: false, schemas: [{ uri: SCHEMA_URI, fileMatch: CONTRIBUTION.fileMatch }] });
  let version = 0;
  return async (uri: string, text: string, offset: number): Promise<string[]> => {
    const doc = TextDocument.create(uri, 'yaml', ++version, text);
    return (await ls.doComplete(doc, doc.positionAt(offset), false)).items.map((i) => i.label);
  };
}

/** Hand-picked cursor positions: values the catalog, the schema or both know, half-typed values, lists, other types. */
const TABLE = [
  'type: dev-environment\nresources:\n  gpu: |',
  'type: dev-environment\nresources:\n  gpu: |\n  disk: 100GB..\n',
  'type: dev-environment\nresources:\n  gpu: 2|',
  'type: dev-environment\nresources:\n  gpu: 24|',
  'type: dev-environment\nresources:\n  gpu: "|"',
  'type: dev-environment\nresources:\n  gpu: |24GB',
  'type: dev-environment\nresources:\n  gpu: A|',
  'type: dev-environment\nresources:\n  gpu: A100:|',
  'type: dev-environment\nresources:\n  gpu: L4:|',
  'type: dev-environment\nresources:\n  gpu: 24GB:|',
  'type: dev-environment\nresources:\n  gpu: nvidia:|',
  'type: dev-environment\nresources:\n  gpu: A100,|',
  'type: dev-environment\nresources:\n  gpu: A100:80GB:|',
  'type: dev-environment\nresources:\n  gpu:\n    name: |',
  'type: dev-environment\nresources:\n  gpu:\n    memory: |',
  'type: dev-environment\nresources:\n  gpu:\n    count: |',
  'type: dev-environment\nresources:\n  gpu:\n    vendor: |',
  'type: dev-environment\nresources:\n  memory: |',
  'type: dev-environment\nresources:\n  disk: |',
  'type: dev-environment\nresources:\n  disk: 1|',
  'type: dev-environment\nresources:\n  cpu: |',
  'type: dev-environment\nresources:\n  shm_size: |',
  'type: dev-environment\nresources:\n  |',
  'type: dev-environment\nresources:\n  g|',
  'type: dev-environment\n|',
  'type: dev-environment\nsp|',
  'type: dev-environment\nide: |',
  'type: dev-environment\nide: vs|',
  'type: dev-environment\nspot_policy: |',
  'type: dev-environment\npython: |',
  'type: dev-environment\nmax_duration: |',
  'type: dev-environment\ninactivity_duration: |',
  'type: dev-environment\nprivileged: |',
  'type: dev-environment\ncreation_policy: |',
  'type: dev-environment\nregions: [|]',
  'type: dev-environment\nregions: [us-east-1, |]',
  'type: dev-environment\nregions:\n  - |',
  'type: dev-environment\nbackends: [aws]\nregions: [|]',
  'type: dev-environment\nbackends: [|]',
  'type: dev-environment\nbackends:\n  - |',
  'type: dev-environment\ninstance_types: [|]',
  'type: dev-environment\nretry:\n  on_events: [|]',
  'type: dev-environment\nenv:\n  - A=1\ninit:\n  - echo ${{ env.| }}',
  'type: dev-environment\nenv:\n  - A=${{ secrets.| }}',
  'type: dev-environment\nenv:\n  - A=${{ |',
  'type: |',
  '|',
  'type: task\ncommands: [x]\nresources:\n  gpu: |',
  'type: task\ncommands: [x]\nnodes: |',
  'type: service\nport: 8000\ncommands: [x]\nresources:\n  gpu: |',
  'type: service\nport: 8000\ncommands: [x]\nreplicas: |',
  'type: fleet\nnodes: 1\nresources:\n  gpu: |',
  'type: fleet\nplacement: |',
  'type: volume\nbackend: |',
  'type: gateway\nbackend: aws\nregion: |',
].map(cursor);

/** Every `key:` line of the example configurations, at the key's end and at its value emptied (where a schema offers the most). */
function examplePositions(): { file: string; text: string; offset: number }[] {
  const out: { file: string; text: string; offset: number }[] = [];
  for (const file of readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yml')).sort()) {
    const lines = readFileSync(join(EXAMPLES_DIR, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = /^(\s*(?:- )?[\w-]+):/.exec(line);
      if (!m) return;
      const lineStart = lines.slice(0, i).join('\n').length + (i > 0 ? 1 : 0);
      const keyEnd = lineStart + (m[1] as string).length;
      out.push({ file, text: lines.join('\n'), offset: keyEnd });
      out.push({ file, text: [...lines.slice(0, i), `${m[1] as string}: `, ...lines.slice(i + 1)].join('\n'), offset: keyEnd + 2 });
    });
  }
  return out;
}

describe('candidatesBesideYamlExtension', () => {
  const atEnd = (text: string, secrets: string[] = []) => completeAt(text, text.length, { secrets });
  const keys = atEnd('type: dev-environment\nresources:\n  ');
  const gpus = atEnd('type: dev-environment\nresources:\n  gpu: ');
  const env = atEnd('type: task\nenv:\n  - A=1\ncommands:\n  - echo ${{ env.');
  const secrets = atEnd('type: task\nenv:\n  - A=${{ secrets.', ['tok']);

  it('alone: everything', () => {
    assert.deepEqual(candidatesBesideYamlExtension(keys, false), keys);
    assert.ok(keys.length > 0);
    assert.ok(gpus.some((c) => c.label === '24GB'), 'alone, the catalog memory size that is also the schema example is offered');
  });

  it('with the YAML extension: schema keys and enums dropped, catalog, env and secret names kept', () => {
    assert.deepEqual(candidatesBesideYamlExtension(keys, true), []);
    assert.deepEqual(candidatesBesideYamlExtension(atEnd('type: dev-environment\nide: '), true), []);
    const kept = candidatesBesideYamlExtension(gpus, true).map((c) => c.label);
    assert.ok(kept.includes('A100') && kept.includes('80GB'), kept.join(','));
    assert.ok(!kept.includes('24GB'), 'the gpu example (24GB) is the schema\'s to offer');
    assert.deepEqual(candidatesBesideYamlExtension(env, true).map((c) => c.label), ['A']);
    assert.deepEqual(candidatesBesideYamlExtension(secrets, true).map((c) => c.label), ['tok']);
  });

  it('a memory size after a GPU name stays ours: the schema offers only whole values', () => {
    const afterName = candidatesBesideYamlExtension(atEnd('type: dev-environment\nresources:\n  gpu: L4:'), true).map((c) => c.label);
    assert.ok(afterName.includes('24GB'), afterName.join(','));
  });

  describe('against yaml-language-server 1.25.0 with the shipped schema', function () {
    this.timeout(120_000);
    const theirs = yamlLanguageServer();

    it('the yamlValidation patterns give *.dstack.yml, *.dstack.yaml and .dstack.yml the schema, and other YAML not', async () => {
      const { text, offset } = cursor('type: dev-environment\nresources:\n  gpu: |');
      for (const name of ['dev.dstack.yml', 'sub/dir/train.dstack.yaml', '.dstack.yml', 'sub/.dstack.yml']) {
        assert.ok((await theirs(`file:///ws/${name}`, text, offset)).includes('24GB'), `${name} gets the schema's items`);
      }
      for (const name of ['other.yml', 'dstack.yml', 'x.dstack.json']) {
        assert.deepEqual(await theirs(`file:///ws/${name}`, text, offset), [], `${name} is not a dstack file`);
      }
    });

    async function overlaps(text: string, offset: number, uri: string): Promise<{ ours: string[]; theirs: string[]; both: string[] }> {
      const ours = candidatesBesideYamlExtension(completeAt(text, offset), true).map((c) => c.label);
      const labels = await theirs(uri, text, offset);
      const unquoted = new Set(labels.flatMap((l) => [l, l.replace(/^"(.*)"$/, '$1')]));
      return { ours, theirs: labels, both: ours.filter((l) => unquoted.has(l)) };
    }

    it('no label twice at the table of cursor positions, in each kind of dstack file name', async () => {
      let bothOffer = 0;
      for (const { text, offset } of TABLE) {
        for (const uri of ['file:///ws/dev.dstack.yml', 'file:///ws/app.dstack.yaml', 'file:///ws/.dstack.yml']) {
          const r = await overlaps(text, offset, uri);
          const where = `${JSON.stringify(text.slice(0, offset) + '|' + text.slice(offset))} in ${uri}`;
          assert.deepEqual(r.both, [], `${where}: offered by both: ours ${r.ours.join(',')} / theirs ${r.theirs.join(',')}`);
          if (r.ours.length > 0 && r.theirs.length > 0) bothOffer++;
        }
      }
      // The table exercises the overlap it guards: positions where both offer something (e.g. `gpu: `).
      assert.ok(bothOffer >= 9, `both offer items at ${bothOffer} positions`);
    });

    it('no label twice at every key and emptied value of the example configurations', async () => {
      const positions = examplePositions();
      assert.ok(positions.length > 200, `${positions.length} positions`);
      let bothOffer = 0;
      for (const { file, text, offset } of positions) {
        const r = await overlaps(text, offset, 'file:///ws/example.dstack.yml');
        assert.deepEqual(r.both, [], `${file} at ${JSON.stringify(text.slice(Math.max(0, offset - 30), offset))}|: ours ${r.ours.join(',')} / theirs ${r.theirs.join(',')}`);
        if (r.ours.length > 0 && r.theirs.length > 0) bothOffer++;
      }
      assert.ok(bothOffer > 0, 'some example positions get items from both');
    });
  });
});
