// Quick fixes computed from the real diagnostics of validateText, applied to the text and revalidated.
import { strict as assert } from 'node:assert';
import { validateText, type DiagnosticCode } from '../../../src/schema';
import { fixDurationUnit, quickFixesFor, type QuickFix } from '../../../src/schema/completion';

function applyFix(text: string, fix: QuickFix): string {
  let out = text;
  for (const e of [...fix.edits].sort((a, b) => b.range.start - a.range.start)) out = out.slice(0, e.range.start) + e.newText + out.slice(e.range.end);
  return out;
}

function fixesFor(text: string, code: DiagnosticCode, path: string): QuickFix[] {
  const d = validateText(text).diagnostics.find((x) => x.code === code && x.path === path);
  assert.ok(d, `a ${code} diagnostic at ${path}; got ${JSON.stringify(validateText(text).diagnostics.map((x) => [x.code, x.path]))}`);
  return quickFixesFor(text, d);
}

describe('quickFixesFor', () => {
  it('conflict: removes either key, the flagged one preferred, and the file validates after', () => {
    const text = 'type: dev-environment\npython: "3.12"\nide: vscode\nimage: python:3.12\n';
    const fixes = fixesFor(text, 'conflict', 'python');
    assert.deepEqual(fixes.map((f) => f.title), ['Remove `python`', 'Remove `image`']);
    assert.equal(fixes[0]!.preferred, true);
    for (const fix of fixes) {
      assert.equal(fix.kind, 'remove-conflicting-key');
      const fixed = applyFix(text, fix);
      assert.deepEqual(validateText(fixed).diagnostics, [], fixed);
    }
    assert.equal(applyFix(text, fixes[0]!), 'type: dev-environment\nide: vscode\nimage: python:3.12\n');
  });

  it('conflict: removing a key removes its whole block', () => {
    const text = 'type: task\ncommands:\n  - echo hi\ndocker: true\nimage: ubuntu\nresources:\n  gpu: 24GB\n';
    const fix = fixesFor(text, 'conflict', 'docker').find((f) => f.title === 'Remove `docker`')!;
    assert.deepEqual(validateText(applyFix(text, fix)).diagnostics, []);
  });

  it('duration unit: 2H → 2h, 90min → 90m (quotes kept), and the file validates after', () => {
    const text = 'type: dev-environment\nide: vscode\nmax_duration: 2H\nidle_duration: "90min"\n';
    let fixed = text;
    for (const path of ['max_duration', 'idle_duration']) {
      const [fix] = fixesFor(fixed, 'invalid-value', path);
      assert.equal(fix?.kind, 'fix-duration-unit');
      fixed = applyFix(fixed, fix!);
    }
    assert.equal(fixed, 'type: dev-environment\nide: vscode\nmax_duration: 2h\nidle_duration: "90m"\n');
    assert.deepEqual(validateText(fixed).diagnostics, []);
  });

  it('fixDurationUnit: units spelled out, spaces, and what it leaves alone', () => {
    assert.equal(fixDurationUnit('3 days'), '3d');
    assert.equal(fixDurationUnit('45secs'), '45s');
    assert.equal(fixDurationUnit('1 Week'), '1w');
    assert.equal(fixDurationUnit('2hrs'), '2h');
    assert.equal(fixDurationUnit('2h'), undefined);
    assert.equal(fixDurationUnit('forever'), undefined);
    assert.equal(fixDurationUnit('5 fortnights'), undefined);
  });

  it('closest enum value and closest key; the file validates after both', () => {
    const text = 'type: dev-environment\nide: vscdoe\nresourcs:\n  gpu: 24GB\nspot_policy: "spt"\n';
    let fixed = text;
    for (const [code, path, title] of [['invalid-enum', 'ide', 'Change `vscdoe` to `vscode`'], ['unknown-field', 'resourcs', 'Change `resourcs` to `resources`'], ['invalid-enum', 'spot_policy', 'Change `spt` to `spot`']] as const) {
      const [fix] = fixesFor(fixed, code, path);
      assert.equal(fix?.title, title);
      fixed = applyFix(fixed, fix!);
    }
    assert.equal(fixed, 'type: dev-environment\nide: vscode\nresources:\n  gpu: 24GB\nspot_policy: "spot"\n');
    assert.deepEqual(validateText(fixed).diagnostics, []);
  });

  it('a nested unknown key', () => {
    const text = 'type: dev-environment\nide: vscode\nresources:\n  gpuu: 24GB\n';
    const [fix] = fixesFor(text, 'unknown-field', 'resources.gpuu');
    assert.deepEqual(validateText(applyFix(text, fix!)).diagnostics, []);
  });

  it('no fix where none is mechanical', () => {
    const text = 'type: dev-environment\nide: vscode\nmax_duration: forever\nresources:\n  gpu: 24GB..banana\n';
    for (const d of validateText(text).diagnostics) assert.deepEqual(quickFixesFor(text, d), [], d.message);
  });
});
