import { strict as assert } from 'node:assert';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureInclude, removeInclude, SshUserConfigError } from '../../../../src/backends/ssh/config/user-config';
import { sshPaths, userSshConfigPath } from '../../../../src/backends/ssh/config/paths';

function home(): { home: string; config: string; own: string; lock: string } {
  const h = mkdtempSync(path.join(os.tmpdir(), 'dvs-home-'));
  const p = sshPaths(path.join(h, '.local/state/vscode-dstack'));
  return { home: h, config: userSshConfigPath(undefined, { HOME: h }), own: p.config, lock: p.lock };
}

const SAMPLES: Record<string, string> = {
  'a plain file': 'Host work\n    HostName work.example.com\n    User me\n',
  'CRLF line endings': 'Host work\r\n    HostName work.example.com\r\n\r\nHost *\r\n    ServerAliveInterval 60\r\n',
  'no trailing newline': 'Host work\n    HostName w',
  'existing Include lines': 'Include ~/.orbstack/ssh/config\nInclude config.d/*\n\nHost a\n  User b\n',
  'a user Host * block': 'Host *\n    User bob\n    Port 2222\n    IdentityFile ~/.ssh/id_rsa\n\nHost gitlab\n    HostName gitlab.com\n',
  'latin1 and UTF-8 bytes and tabs': 'Host caf\xc3\xa9\n\tHostName \xe9\xe9.example\n# comment \xff\n',
  'an empty file': '',
};

describe('user ssh config Include block', () => {
  for (const [what, original] of Object.entries(SAMPLES)) {
    it(`adds the block at the top and removes it byte for byte: ${what}`, async () => {
      const h = home();
      mkdirSync(path.dirname(h.config), { recursive: true });
      const bytes = Buffer.from(original, 'latin1');
      writeFileSync(h.config, bytes);
      chmodSync(h.config, 0o640);
      assert.equal(await ensureInclude(h.config, h.own, h.lock), 'added');
      const withBlock = readFileSync(h.config);
      const text = withBlock.toString('latin1');
      const eol = original.includes('\r\n') ? '\r\n' : '\n';
      assert.ok(text.startsWith(`# >>> vscode-dstack >>>${eol}`), 'the block is first');
      assert.ok(text.includes(`Include "${h.own}"${eol}# <<< vscode-dstack <<<${eol}`));
      assert.ok(withBlock.subarray(withBlock.length - bytes.length).equals(bytes), 'the user bytes follow unchanged');
      assert.equal(statSync(h.config).mode & 0o777, 0o640, 'the file mode is kept');
      assert.equal(await ensureInclude(h.config, h.own, h.lock), 'unchanged', 'a re-run is a no-op');
      assert.ok(readFileSync(h.config).equals(withBlock));
      assert.equal(await removeInclude(h.config, h.lock), true);
      assert.ok(readFileSync(h.config).equals(bytes), 'removal restores the original exactly');
      assert.equal(await removeInclude(h.config, h.lock), false);
    });
  }

  it('creates ~/.ssh (0700) and the config (0600) when missing', async () => {
    const h = home();
    assert.equal(await ensureInclude(h.config, h.own, h.lock), 'created');
    assert.equal(statSync(path.dirname(h.config)).mode & 0o777, 0o700);
    assert.equal(statSync(h.config).mode & 0o777, 0o600);
  });

  it('writes through a symlinked config to its target and keeps the link', async () => {
    const h = home();
    const dotfiles = path.join(h.home, 'dotfiles');
    mkdirSync(dotfiles);
    writeFileSync(path.join(dotfiles, 'ssh_config'), 'Host x\n  User y\n');
    mkdirSync(path.dirname(h.config));
    symlinkSync('../dotfiles/ssh_config', h.config);
    await ensureInclude(h.config, h.own, h.lock);
    assert.ok(lstatSync(h.config).isSymbolicLink());
    assert.equal(readlinkSync(h.config), '../dotfiles/ssh_config');
    assert.match(readFileSync(path.join(dotfiles, 'ssh_config'), 'utf8'), /^# >>> vscode-dstack >>>\n[\s\S]*Host x\n {2}User y\n$/);
  });

  it('moves a block the user pushed down back to the top, keeping their lines', async () => {
    const h = home();
    mkdirSync(path.dirname(h.config));
    await ensureInclude(h.config, h.own, h.lock);
    const block = readFileSync(h.config, 'utf8');
    writeFileSync(h.config, `Host *\n  User bob\n${block}Host z\n`);
    assert.equal(await ensureInclude(h.config, h.own, h.lock), 'updated');
    assert.equal(readFileSync(h.config, 'utf8'), `${block}Host *\n  User bob\nHost z\n`);
  });

  it('refuses to guess when markers are duplicated or unbalanced', async () => {
    const h = home();
    mkdirSync(path.dirname(h.config));
    const broken = '# >>> vscode-dstack >>>\nInclude "/x"\nHost mine\n  User me\n';
    writeFileSync(h.config, broken);
    await assert.rejects(ensureInclude(h.config, h.own, h.lock), (e: unknown) => e instanceof SshUserConfigError && /has 1 '# >>> vscode-dstack >>>' and 0/.test(e.message));
    assert.equal(readFileSync(h.config, 'utf8'), broken, 'nothing was written');
  });

  it('uses the remote.SSH.configFile setting when given', () => {
    assert.equal(userSshConfigPath('~/custom/ssh_config', { HOME: '/home/u' }), '/home/u/custom/ssh_config');
    assert.equal(userSshConfigPath('/etc/alt', { HOME: '/home/u' }), '/etc/alt');
    assert.equal(userSshConfigPath('', { HOME: '/home/u' }), '/home/u/.ssh/config');
  });
});
