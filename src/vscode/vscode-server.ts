// Pre-installs the VS Code server of this VS Code's commit on the environment during init (as dstack does),
// so the Remote-SSH window opens without its server download. One best-effort shell line: it never fails
// init, prints nothing when the instance can't download (offline, no curl/wget), and skips a server that is
// already there. Installed where Remote-SSH's exec server looks (~/.vscode-server/cli/servers/<Q>-<commit>/server)
// and linked where the legacy server looks (~/.vscode-server/bin/<commit>).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The VS Code build the window runs: its commit and quality (stable, insider). */
export interface VsCodeBuild {
  commit: string;
  quality: string;
}

/** Where the server archives come from (tests serve one on 127.0.0.1). */
export const VSCODE_UPDATE_URL = 'https://update.code.visualstudio.com';

/** The build from `<appRoot>/product.json`, or null when it names no commit (a dev build, or no file). */
export function vsCodeBuild(appRoot: string): VsCodeBuild | null {
  try {
    const product = JSON.parse(fs.readFileSync(path.join(appRoot, 'product.json'), 'utf8')) as { commit?: unknown; quality?: unknown };
    if (typeof product.commit !== 'string' || !/^[0-9a-f]{40}$/.test(product.commit)) return null;
    return { commit: product.commit, quality: typeof product.quality === 'string' && product.quality !== '' ? product.quality : 'stable' };
  } catch {
    return null;
  }
}

/** Remote-SSH's folder prefix for a quality: Stable-, Insiders-, Exploration-. */
function qualityPrefix(quality: string): string {
  if (quality === 'insider') return 'Insiders';
  return quality.charAt(0).toUpperCase() + quality.slice(1);
}

/** The init lines (one) that pre-install the server of `build`; none for a malformed build. */
export function vsCodeServerInitLines(build: VsCodeBuild, baseUrl: string = VSCODE_UPDATE_URL): string[] {
  if (!/^[0-9a-f]{40}$/.test(build.commit) || !/^[a-z]+$/.test(build.quality) || /['\s]/.test(baseUrl)) return [];
  const c = build.commit;
  const script = [
    `c=${c}`,
    'case "$(uname -m)" in aarch64|arm64) a=arm64;; armv7l) a=armhf;; *) a=x64;; esac',
    `d="$HOME/.vscode-server/cli/servers/${qualityPrefix(build.quality)}-$c/server"`,
    `u='${baseUrl}'"/commit:$c/server-linux-$a/${build.quality}"`,
    'if [ ! -x "$d/bin/code-server" ]; then t="$(mktemp -d)" || exit 0',
    'if command -v curl >/dev/null 2>&1; then curl -fsSL --connect-timeout 5 --max-time 300 -o "$t/s.tgz" "$u"; '
      + 'elif command -v wget >/dev/null 2>&1; then wget -q -T 5 -O "$t/s.tgz" "$u"; else false; fi'
      + ' && mkdir -p "$d" && tar --no-same-owner -xzf "$t/s.tgz" --strip-components=1 -C "$d"'
      + ' && echo "VS Code server $c pre-installed"',
    'rm -rf "$t"; fi',
    '[ -x "$d/bin/code-server" ] && mkdir -p "$HOME/.vscode-server/bin" && ln -sfn "$d" "$HOME/.vscode-server/bin/$c"',
  ].join('; ');
  return [`(${script}) 2>/dev/null || true`];
}
