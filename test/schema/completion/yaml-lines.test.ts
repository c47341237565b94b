// The tolerant line reader: shapes of lines, block paths and siblings from indentation alone.
import { strict as assert } from 'node:assert';
import { blockPathAt, declaredType, shapeOf, splitLines, topLevelItems } from '../../../src/schema/completion/yaml-lines';

describe('yaml-lines', () => {
  it('shapeOf: indentation, list markers, key and value column', () => {
    assert.deepEqual(shapeOf('  - - name: x'), { indent: 2, dashes: [2, 4], keyCol: 6, key: 'name', valueCol: 12, empty: false });
    assert.deepEqual(shapeOf('resources:'), { indent: 0, dashes: [], keyCol: 0, key: 'resources', valueCol: 10, empty: false });
    assert.equal(shapeOf('  # comment').empty, true);
    assert.equal(shapeOf('image: python:3.12').key, 'image', 'a colon inside the value is not a second key');
    assert.equal(shapeOf('  - echo a:b').key, undefined, 'no space after the colon: not a key');
    assert.equal(shapeOf('"quoted key": 1').key, 'quoted key');
  });

  it('splitLines: CRLF stays out of the lines, a final newline opens an empty line', () => {
    const lines = splitLines('a: 1\r\nb: 2\n');
    assert.deepEqual([lines.count, lines.text(0), lines.text(1), lines.text(2)], [3, 'a: 1', 'b: 2', '']);
    assert.deepEqual(lines.starts, [0, 6, 11]);
  });

  it('blockPathAt: parents through mappings and list items, siblings above and below', () => {
    const lines = splitLines(['type: service', 'replicas:', '  - name: a', '    commands: [x]', '    ', '    scaling:', '      metric: rps', '  - name: b', 'port: 80'].join('\n'));
    const at = blockPathAt(lines, 4, 4);
    assert.deepEqual(at.path, ['replicas', 0]);
    assert.deepEqual([...at.siblings].sort(), ['commands', 'name', 'scaling']);
    assert.deepEqual(blockPathAt(lines, 6, 6).path, ['replicas', 0, 'scaling']);
    assert.deepEqual([...blockPathAt(lines, 1, 0).siblings].sort(), ['port', 'type']);
  });

  it('a `key: value` line is not a parent (tolerates wrong indentation)', () => {
    const lines = splitLines('type: task\n   stray\nname: x\n  na');
    assert.deepEqual(blockPathAt(lines, 3, 2).path, []);
  });

  it('declaredType and topLevelItems read the file without parsing it', () => {
    const lines = splitLines('# c\ntype: "task"\nenv:\n  - A=1\n  - B\nbackends: [aws, "gcp"]\nother:\n  K: v\n');
    assert.equal(declaredType(lines), 'task');
    assert.deepEqual(topLevelItems(lines, 'env'), ['A=1', 'B']);
    assert.deepEqual(topLevelItems(lines, 'backends'), ['aws', 'gcp']);
    assert.deepEqual(topLevelItems(lines, 'other'), ['K=']);
    assert.equal(declaredType(splitLines('name: x\n')), undefined);
  });
});
