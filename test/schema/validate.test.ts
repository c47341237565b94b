// validateText end to end: rules, normalization, diagnostics positions and hostile inputs.
import { strict as assert } from 'node:assert';
import { propertyAt, validateText, type DevEnvironmentConfiguration, type FleetConfiguration, type SchemaDiagnostic } from '../../src/schema';

const errorsOf = (text: string): SchemaDiagnostic[] => validateText(text).diagnostics.filter((d) => d.severity === 'error');
const dev = (body: string) => `type: dev-environment\n${body}`;

function expectError(text: string, path: string, re: RegExp): SchemaDiagnostic {
  const errors = errorsOf(text);
  const hit = errors.find((d) => d.path === path && re.test(d.message));
  assert.ok(hit, `expected an error at ${path} matching ${re}; got ${JSON.stringify(errors.map((d) => [d.path, d.message]))}`);
  return hit;
}

describe('validateText', () => {
  it('normalizes a valid dev environment into dstack shapes', () => {
    const r = validateText(dev('ide: vscode\npython: 3.10\nenv:\n  - HF_TOKEN\n  - A=1\ninactivity_duration: 2h\nmax_duration: off\nports: ["8080", "*:3000"]\nresources:\n  gpu: 24GB..:2\n  memory: 16GB..\n'));
    assert.deepEqual(r.diagnostics, []);
    const c = r.configuration as DevEnvironmentConfiguration;
    assert.equal(c.python, '3.10');
    assert.deepEqual(c.env, { HF_TOKEN: { __unset__: 'HF_TOKEN' }, A: '1' });
    assert.equal(c.inactivity_duration, 7200);
    assert.equal(c.max_duration, 'off');
    assert.deepEqual(c.ports, [{ local_port: 8080, container_port: 8080 }, { local_port: null, container_port: 3000 }]);
    assert.deepEqual(c.resources.gpu?.count, { min: 2, max: 2 });
    assert.deepEqual(c.resources.memory, { min: 16, max: null });
    assert.deepEqual(c.resources.disk, { size: { min: 100, max: null } });
  });

  it('mutual exclusions and dev-environment rules', () => {
    expectError(dev('image: ubuntu\npython: "3.12"\n'), 'python', /mutually exclusive/);
    expectError(dev('docker: true\nnvcc: true\n'), 'docker', /`nvcc` and `docker`/);
    expectError(dev('docker: true\npython: "3.11"\n'), 'docker', /`python` and `docker`/);
    expectError(dev('version: "1.2"\n'), 'version', /requires `ide`/);
    expectError(dev('ide: windsurf\nversion: "1.2.3"\n'), 'version', /version@commit/);
    expectError(dev('entrypoint: bash\n'), 'entrypoint', /not supported for dev-environment/);
    expectError(dev('dstack: true\ninactivity_duration: 1h\n'), 'dstack', /inactivity_duration/);
    expectError(dev('repos: [".", "../x"]\n'), 'repos', /maximum of one repo/);
    expectError(dev('repos:\n  - local_path: .\n    url: https://x/y\n'), 'repos[0]', /mutually exclusive/);
    expectError(dev('shell: zsh\n'), 'shell', /`sh`, `bash`, or an absolute path/);
    expectError(dev('user: "a:b:c"\n'), 'user', /Invalid user/);
  });

  it('grammar errors point at the nested field with what was found and what is allowed', () => {
    expectError(dev('inactivity_duration: 2H\n'), 'inactivity_duration', /Cannot parse the duration 2H.*Expected a duration/);
    expectError(dev('resources:\n  memory: 16GiB\n'), 'resources.memory', /could not convert/);
    expectError(dev('resources:\n  cpu: amd64:4\n'), 'resources.cpu', /Invalid CPU architecture/);
    expectError(dev('env:\n  - A=1\n  - 1BAD\n'), 'env[1]', /Invalid env entry/);
    expectError(dev('ports: [8080, "a:b"]\n'), 'ports[1]', /Invalid port mapping/);
    expectError(dev('files: ["a:b:c"]\n'), 'files[0]', /invalid file path mapping/);
    expectError(dev('volumes: ["v:/a/../b"]\n'), 'volumes[0]', /\.\. are not allowed/);
    expectError(dev('retry:\n  on_events: [capacity]\n'), 'retry.on_events[0]', /Did you mean `no-capacity`/);
    expectError(dev('utilization_policy:\n  min_gpu_utilization: 10\n  time_window: 1m\n'), 'utilization_policy.time_window', /at least 5 minutes/);
    expectError(dev('schedule:\n  cron: "61 * * * *"\n'), 'schedule.cron', /maximum value \(59\)/);
    expectError(dev('spot_policy: spotty\n'), 'spot_policy', /Did you mean `spot`/);
    expectError(dev('fleets: [a/b/c]\n'), 'fleets[0]', /Invalid entity reference/);
    expectError(dev('tags:\n  "bad key!": x\n'), 'tags.bad key!', /Invalid tag key/);
    expectError(dev('priority: 101\n'), 'priority', /less than or equal to 100/);
  });

  it('interpolation: syntax and namespaces where dstack resolves them', () => {
    assert.deepEqual(errorsOf(dev('env:\n  HF: ${{ secrets.hf_token }}\nregistry_auth:\n  username: $oauthtoken\n  password: ${{ env.NGC_API_KEY }}\n')), []);
    expectError(dev('env:\n  A: ${{ secrets.a.b }}\n'), 'env.A', /Illegal reference name/);
    expectError(dev('env:\n  A: ${{ run.args }}\n'), 'env.A', /cannot be used here/);
    expectError('type: task\ncommands:\n  - echo ${{ env.X\n', 'commands[0]', /No pattern closing/);
  });

  it('unknown keys suggest the closest field and highlight the key', () => {
    const text = dev('ide: vscode\ninactivty_duration: 2h\n');
    const d = expectError(text, 'inactivty_duration', /Did you mean `inactivity_duration`\?/);
    assert.equal(d.code, 'unknown-field');
    assert.equal(text.slice(d.offset, d.endOffset), 'inactivty_duration');
    assert.deepEqual([d.line, d.column, d.endLine, d.endColumn], [3, 1, 3, 19]);
  });

  it('positions: a bad nested node, a duplicate key, a tab-indented file', () => {
    const text = dev('resources:\n  gpu:\n    name: A100\n    count: 2..1\n');
    const d = expectError(text, 'resources.gpu', /Invalid range order/);
    assert.equal(d.line, 4);
    assert.equal(d.column, 5);
    const dup = validateText(dev('ide: vscode\nide: cursor\n')).diagnostics.find((x) => x.code === 'duplicate-key');
    assert.ok(dup);
    assert.deepEqual([dup.line, dup.column], [3, 1]);
    const tabs = validateText('type: dev-environment\nresources:\n\tgpu: A100\n');
    const tab = tabs.diagnostics.find((x) => x.severity === 'error');
    assert.ok(tab && tab.code === 'yaml-syntax' && tab.line === 3, JSON.stringify(tabs.diagnostics));
    assert.equal(tabs.configuration, null);
  });

  it('type dispatch: missing, unknown (with suggestion), and every other type validated', () => {
    assert.equal(errorsOf('ide: vscode\n')[0]?.code, 'missing-type');
    assert.match(errorsOf('type: dev-enviroment\n')[0]?.message ?? '', /Did you mean `dev-environment`/);
    expectError('type: task\nimage: x\nnodes: 0\n', 'nodes', /greater than or equal to 1/);
    expectError('type: service\ncommands: [x]\n', '', /Missing required field `port`/);
    expectError('type: gateway\nregion: x\n', '', /Missing required field `backend`/);
    expectError('type: volume\nbackend: aws\nregion: us-east-1\nresources:\n  disk: 1GB\n', 'resources', /Unknown field/);
    const fleet = validateText('type: fleet\nname: on-prem\nssh_config:\n  user: ubuntu\n  identity_file: ~/.ssh/id_rsa\n  hosts:\n    - 10.201.0.1\n    - hostname: 10.201.0.2\n      port: 2222\n      user: root\n');
    assert.deepEqual(fleet.diagnostics, []);
    expectError('type: fleet\nssh_config:\n  hosts:\n    - hostnme: x\n', 'ssh_config.hosts[0]', /hostname|Expected/);
    const c = fleet.configuration as FleetConfiguration;
    assert.deepEqual(c.ssh_config?.hosts[0], { hostname: '10.201.0.1' }, 'bare hostnames are normalized to {hostname}');
    assert.deepEqual(c.ssh_config?.hosts[1], { hostname: '10.201.0.2', port: 2222, user: 'root' });
    assert.equal(c.ssh_config?.identity_file, '~/.ssh/id_rsa');
    const nodes = (text: string) => (validateText(`type: fleet\nnodes: ${text}\n`).configuration as FleetConfiguration | null)?.nodes;
    assert.deepEqual(nodes('2'), { min: 2, target: 2, max: 2 });
    assert.deepEqual(nodes('0..4'), { min: 0, target: 0, max: 4 });
    assert.deepEqual(nodes('{min: 1, target: 2}'), { min: 1, target: 2, max: null });
    expectError('type: fleet\nnodes: {min: 3, target: 1}\n', 'nodes', /`target` must lie between/);
  });

  it('hostile inputs never throw and yield diagnostics inside the text', () => {
    const inputs = ['', '   \n', '---\n', 'type: dev-environment\n---\ntype: task\n', '- a\n- b\n', 'a: &x [*x]\n', '\u0000\u0001\uffff', 'type: dev-environment\nmax_price: 1e400\npriority: 123456789012345678901234567890\n', 'x: *nope\n', 'a: b: c\n', '{', 'type: !!binary AAAA\n'];
    for (const text of inputs) {
      const r = validateText(text);
      assert.ok(r.diagnostics.length > 0, JSON.stringify(text));
      assert.ok(!r.diagnostics.some((d) => d.code === 'internal-error'), JSON.stringify(r.diagnostics));
      for (const d of r.diagnostics) assert.ok(d.offset >= 0 && d.offset <= d.endOffset && d.endOffset <= text.length);
    }
    const multi = validateText('type: dev-environment\n---\ntype: task\n');
    assert.equal(multi.type, 'dev-environment');
    assert.ok(multi.diagnostics.some((d) => d.code === 'extra-document' && d.severity === 'warning'));
  });

  it('reads YAML like PyYAML: yes/no/on/off are booleans, 3.10 is a float', () => {
    const c = validateText(dev('docker: yes\nprivileged: on\ninactivity_duration: off\n')).configuration as DevEnvironmentConfiguration;
    assert.equal(c.docker, true);
    assert.equal(c.privileged, true);
    assert.equal(c.inactivity_duration, null);
    expectError(dev('env:\n  DEBUG: yes\n'), 'env.DEBUG', /must be a string or a number, found boolean; quote it/);
    assert.equal((validateText(dev('name: "yes"\n')).configuration as DevEnvironmentConfiguration).name, 'yes');
  });

  it('warns where dstack leaves `${{ }}` literal (dev-environment init)', () => {
    const r = validateText(dev('init:\n  - echo ${{ env.A }}\n'));
    assert.ok(r.configuration);
    const w = r.diagnostics.find((d) => d.path === 'init[0]');
    assert.ok(w && w.severity === 'warning' && w.code === 'interpolation');
  });

  it('warns early about what dstack rejects or drops only at apply time', () => {
    const r = validateText(dev('name: My_Env\nworking_dir: src\nports: [10022, 8080]\n'));
    assert.ok(r.configuration, 'warnings do not make the file invalid');
    const warned = r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.path);
    assert.deepEqual(warned, ['name', 'working_dir', 'ports[0]']);
  });

  it('anchors and aliases resolve like PyYAML', () => {
    const r = validateText('type: dev-environment\nx-common: &c\n  - A=1\nenv: *c\n');
    assert.ok(r.diagnostics.some((d) => d.path === 'x-common'));
    const ok = validateText('type: task\nimage: x\nenv: &e\n  - A=1\ngroups:\n  - name: a\n    commands: [echo]\n');
    assert.deepEqual(ok.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  it('exports the field table with docs, defaults, examples and in-place flags', () => {
    const gpu = propertyAt('dev-environment', ['resources', 'gpu']);
    assert.ok(gpu);
    assert.match(gpu.doc, /GPU/);
    assert.equal(propertyAt('dev-environment', ['inactivity_duration'])?.updatable, true);
    assert.equal(propertyAt('dev-environment', ['ide'])?.example, 'vscode');
    assert.ok(propertyAt('fleet', ['ssh_config', 'hosts', 0, 'proxy_jump']));
    assert.equal(propertyAt('dev-environment', ['nope']), undefined);
  });
});
