// Hover over keys at any depth (doc, type, default, example) and over enum values, GPU names and `type` values.
import { strict as assert } from 'node:assert';
import { hoverAt } from '../../../src/schema/completion';
import { cursor } from './cursor';

function hover(marked: string) {
  const { text, offset } = cursor(marked);
  const info = hoverAt(text, offset);
  return info && { ...info, word: text.slice(info.range.start, info.range.end) };
}

const DEV = 'type: dev-environment\n';

describe('hoverAt', () => {
  it('a top-level key: doc, type, default and example', () => {
    const h = hover(`${DEV}spot_po|licy: auto\n`)!;
    assert.equal(h.word, 'spot_policy');
    assert.match(h.markdown, /^\*\*spot_policy\*\*: SpotPolicy/);
    assert.match(h.markdown, /The policy for provisioning spot or on-demand instances/);
    assert.match(h.markdown, /Type: one of `spot`, `on-demand`, `auto`/);
    assert.match(h.markdown, /```yaml\nspot_policy: auto\n```/);
  });

  it('a nested key with a default', () => {
    const h = hover(`${DEV}resources:\n  di|sk: 200GB..\n`)!;
    assert.equal(h.word, 'disk');
    assert.match(h.markdown, /The disk size/);
    assert.match(h.markdown, /Default: `"100GB\.\."`/);
  });

  it('a key inside a list item', () => {
    const h = hover('type: service\nreplicas:\n  - name: a\n    comm|ands: [x]\n')!;
    assert.match(h.markdown, /shell commands to run for replicas/);
  });

  it('a key of an in-place updatable field says so', () => {
    assert.match(hover(`${DEV}inactivity_du|ration: 2h\n`)!.markdown, /in place/);
  });

  it('an enum value: its meaning and the other values', () => {
    const h = hover(`${DEV}retry:\n  on_events:\n    - interr|uption\n`)!;
    assert.equal(h.word, 'interruption');
    assert.match(h.markdown, /\*\*on_events: interruption\*\*/);
    assert.match(h.markdown, /One of `no-capacity`, \*\*`interruption`\*\*, `error`/);
  });

  it('a type value: what that configuration is', () => {
    assert.match(hover('type: ta|sk\ncommands: [x]\n')!.markdown, /A task: runs `commands`/);
  });

  it('a GPU name in the gpu shorthand: vendor and memory from the catalog', () => {
    const h = hover(`${DEV}resources:\n  gpu: 24GB..:L4|0S:2\n`)!;
    assert.equal(h.word, 'L40S');
    assert.match(h.markdown, /\*\*L40S\*\*: nvidia GPU, 48GB per GPU/);
  });

  it('nothing on unknown keys, free-text values, blank lines', () => {
    assert.equal(hover(`${DEV}nonsen|se: 1\n`), undefined);
    assert.equal(hover(`${DEV}name: my-r|un\n`), undefined);
    assert.equal(hover(`${DEV}|\n`), undefined);
    assert.equal(hover('|'), undefined);
  });
});
