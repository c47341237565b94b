// `ports` entries: `8080`, `"8080"`, `"80:8080"`, `"*:8080"`, `{local_port, container_port}` (configurations.py::PortMapping).
import type { PortMapping } from '../model';
import { GrammarError } from './grammar-error';

const PORT_RE = /^(?:(\d+|\*):)?(\d+)$/;

function checkPort(n: number, field: string): number {
  if (!Number.isInteger(n)) throw new GrammarError(`${field}: Input should be a valid integer`);
  if (n <= 0) throw new GrammarError(`${field}: Input should be greater than 0`);
  if (n > 65535) throw new GrammarError(`${field}: Input should be less than or equal to 65535`);
  return n;
}

/** Parses one `ports` entry into `{local_port, container_port}`; `local_port` null means "pick one". */
export function parsePortMapping(v: unknown): PortMapping {
  if (typeof v === 'number') {
    checkPort(v, 'port');
    return { local_port: v, container_port: v };
  }
  if (typeof v === 'string') {
    const m = PORT_RE.exec(v.trim());
    if (!m) throw new GrammarError(`Invalid port mapping ${JSON.stringify(v)}: expected \`PORT\`, \`LOCAL:CONTAINER\` or \`*:CONTAINER\``);
    const container = checkPort(Number(m[2]), 'container_port');
    const local = m[1] === undefined ? container : m[1] === '*' ? null : checkPort(Number(m[1]), 'local_port');
    return { local_port: local, container_port: container };
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== 'local_port' && key !== 'container_port') throw new GrammarError(`Unknown port mapping field \`${key}\`; allowed: \`local_port\`, \`container_port\``);
    }
    if (typeof o['container_port'] !== 'number') throw new GrammarError('`container_port` is required and must be a number');
    const container = checkPort(o['container_port'], 'container_port');
    const local = o['local_port'] == null ? null : typeof o['local_port'] === 'number' ? checkPort(o['local_port'], 'local_port') : null;
    if (o['local_port'] != null && typeof o['local_port'] !== 'number') throw new GrammarError('`local_port` must be a number');
    return { local_port: local, container_port: container };
  }
  throw new GrammarError('A port must be a number, `LOCAL:CONTAINER` or `{local_port, container_port}`');
}
