// dstack's IDEs of a dev environment (server/services/ides): the name printed in "To open in ...", the link
// scheme, the link itself, and the commands that pre-install the IDE's server and extensions when the
// configuration carries its `version`.

/** The IDEs dstack knows (`ide:`). */
export type IdeId = 'vscode' | 'cursor' | 'windsurf' | 'zed';

/** One IDE as the job commands and `attach` print it. */
export interface IdeFacts {
  /** As printed: `To open in <label>, use link below:`. */
  label: string;
  /** The link to open the environment in this IDE, for an SSH alias and a working dir. */
  url(authority: string, workingDir: string): string;
  /** Commands that download the IDE's server and install `extensions` (none without a known version). */
  installCommands(version: string | null, extensions: readonly string[]): string[];
}

const ARCH = 'if [ $(uname -m) = "aarch64" ]; then arch="arm64"; else arch="x64"; fi';

/** Download `url` to /tmp/`archive`, unpack it into `target`, then install the extensions with `binary`. */
function serverInstall(url: string, archive: string, target: string, binary: string, extensions: readonly string[]): string[] {
  const commands = [
    ARCH,
    'mkdir -p /tmp',
    `wget -q --show-progress "${url}" -O "/tmp/${archive}"`,
    `mkdir -vp ${target}`,
    `tar --no-same-owner -xz --strip-components=1 -C ${target} -f "/tmp/${archive}"`,
    `rm "/tmp/${archive}"`,
  ];
  if (extensions.length > 0) commands.push(`PATH="$PATH":${target}/bin ${binary} ${extensions.map((e) => `--install-extension "${e}"`).join(' ')}`);
  return commands;
}

const remoteSshUrl = (scheme: string) => (authority: string, workingDir: string): string => `${scheme}://vscode-remote/ssh-remote+${authority}${workingDir}`;

/** Every IDE dstack supports, by its `ide:` value. */
export const IDES: Readonly<Record<IdeId, IdeFacts>> = {
  vscode: {
    label: 'VS Code',
    url: remoteSshUrl('vscode'),
    installCommands: (commit, extensions) => commit === null ? [] : serverInstall(
      `https://update.code.visualstudio.com/commit:${commit}/server-linux-$arch/stable`, 'vscode-server-linux-$arch.tar.gz',
      `~/.vscode-server/bin/"${commit}"`, 'code-server', extensions),
  },
  cursor: {
    label: 'Cursor',
    url: remoteSshUrl('cursor'),
    installCommands: (version, extensions) => version === null ? [] : serverInstall(
      `https://cursor.blob.core.windows.net/remote-releases/${version}/vscode-reh-linux-$arch.tar.gz`, 'vscode-reh-linux-$arch.tar.gz',
      `~/.cursor-server/cli/servers/"Stable-${version}"/server`, 'cursor-server', extensions),
  },
  windsurf: {
    label: 'Windsurf',
    url: remoteSshUrl('windsurf'),
    // `version@commit` (the schema checks the form); anything else installs nothing, as without a version.
    installCommands: (versionAtCommit, extensions) => {
      const [version, commit, ...rest] = (versionAtCommit ?? '').split('@');
      if (!version || !commit || rest.length > 0) return [];
      return serverInstall(
        `https://windsurf-stable.codeiumdata.com/linux-reh-$arch/stable/${commit}/windsurf-reh-linux-$arch-${version}.tar.gz`, 'windsurf-reh-linux-$arch.tar.gz',
        `~/.windsurf-server/bin/"${commit}"`, 'windsurf-server', extensions);
    },
  },
  zed: {
    label: 'Zed',
    url: (authority, workingDir) => `zed://ssh/${authority}${workingDir}`,
    // Zed installs its remote server itself on the first connection.
    installCommands: () => [],
  },
};

/** The IDE of an `ide:` value, or null for none or an unknown one. */
export function ideOf(ide: unknown): IdeFacts | null {
  return typeof ide === 'string' && Object.hasOwn(IDES, ide) ? IDES[ide as IdeId] : null;
}

/** dstack's "To open in ..." lines for `authority` and `workingDir`, as printed text; empty without a known IDE. */
export function ideLinkLines(ide: unknown, authority: string, workingDir: string): string[] {
  const facts = ideOf(ide);
  return facts ? [`To open in ${facts.label}, use link below:`, '', `  ${facts.url(authority, workingDir)}`, ''] : [];
}
