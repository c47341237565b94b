// The environment's own record on the host (`<agent dir>/manifest.json`): which installation and run it belongs
// to and how to reach it, so an orchestrator that lost its local state finds it again (containers carry the same
// as labels; a bare-mode environment has only this). Read back from every configured host by the orphan sweep.

import type { ResourceTags } from '../../backend';
import type { SshConnection } from '../connect';

/** The manifest's file name in the agent dir. */
export const HOST_MANIFEST_FILE = 'manifest.json';

/** What the manifest holds (no secret: the host key's public half only). */
export interface HostManifest extends ResourceTags {
  /** Port of the environment's sshd on the host's loopback. */
  sshPort: number;
  /** The environment sshd's public host key, pinned by the client. */
  hostPublicKey: string;
  /** ms since the epoch. */
  createdAt: number;
}

/** At most this much of one manifest, and of one host's listing, is read (a bounded read of a host we do not control). */
const MANIFEST_MAX_BYTES = 4096;
const LISTING_MAX_BYTES = 256 * 1024;

/**
 * The command that lists the manifests of this login's environments on a host: one line per agent dir that has
 * one, `<dir name>\t<agent state>\t<manifest JSON>`, bounded in size. Prints nothing where there are none.
 */
export function listManifestsCommand(): string {
  return `for d in "$HOME"/.dstack-vsc/*/; do [ -f "\${d}${HOST_MANIFEST_FILE}" ] || continue; `
    + `n=\${d%/}; printf '%s\\t%s\\t' "\${n##*/}" "$(head -c 16 "$d"state 2>/dev/null | tr -d '\\n\\t')"; `
    + `head -c ${MANIFEST_MAX_BYTES} "\${d}${HOST_MANIFEST_FILE}" | tr -d '\\n'; echo; done 2>/dev/null | head -c ${LISTING_MAX_BYTES}`;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** The manifests of environments still alive (not `stopped`) in a listing; malformed lines and mismatched dirs are skipped. */
export function parseManifestListing(text: string): HostManifest[] {
  const out: HostManifest[] = [];
  for (const line of text.split('\n')) {
    const [dirName, state, json] = line.split('\t');
    if (dirName === undefined || json === undefined || state === 'stopped') continue;
    let m: unknown;
    try { m = JSON.parse(json); } catch { continue; }
    if (typeof m !== 'object' || m === null) continue;
    const r = m as Record<string, unknown>;
    const { installation, runName, instanceId, sshPort, hostPublicKey, createdAt } = r;
    if (typeof installation !== 'string' || installation === '' || typeof runName !== 'string' || typeof instanceId !== 'string' || instanceId !== dirName || !ID.test(instanceId)) continue;
    if (typeof sshPort !== 'number' || !Number.isInteger(sshPort) || sshPort <= 0 || sshPort > 65535 || typeof hostPublicKey !== 'string') continue;
    out.push({ installation, runName, instanceId, sshPort, hostPublicKey, createdAt: typeof createdAt === 'number' ? createdAt : 0 });
  }
  return out;
}

/** The manifest file's text. */
export function manifestText(m: HostManifest): string {
  return `${JSON.stringify(m)}\n`;
}

/** The live environments' manifests on the host behind `conn` (none where the listing fails). */
export async function readHostManifests(conn: SshConnection): Promise<HostManifest[]> {
  const r = await conn.exec(listManifestsCommand());
  return r.code === 0 ? parseManifestListing(r.stdout) : [];
}
