// SSH fleets from the CLI: `apply -f fleet.dstack.yml` registers or updates a fleet (its hosts probed and
// shown as dstack shows a fleet), `fleet` lists the fleets with their hosts, `fleet delete NAME` forgets one.

import * as path from 'node:path';
import type { FleetConfiguration } from '../schema/model';
import { FleetConfigError, hostOffer, type HostFacts } from '../backends/ssh';
import { ensureClientKey } from '../backends/ssh/keys';
import { sshPaths } from '../backends/ssh/config/paths';
import { closeBackends, createBackends } from '../orchestrator/backends-registry';
import { relativeTime } from '../orchestrator/display';
import { FleetStore, type StoredFleet } from '../orchestrator/fleets/fleet-store';
import { FleetsBackend, resolveFleets } from '../orchestrator/fleets/fleets-backend';
import { displayBackend, formatPrice, prettyOfferResources } from '../orchestrator/offers/pretty';
import { defaultStateDir } from '../orchestrator/store/store';
import { flag, parseArgs } from './args';
import { UsageError, type CliCommand, type CliIo } from './command';
import { renderPropsTable } from './format/offers';
import { renderTable } from './format/table';

/** One host row of a fleet table. */
interface HostRow {
  fleet: string;
  index: number;
  hostname: string;
  facts: HostFacts | null;
  status: 'idle' | 'busy' | 'unreachable';
  error?: string;
  price: number;
  createdAt: number;
}

/** The fleet's name: `name`, else the file name without `.dstack.yml` (stable, so re-applying updates it). */
export function fleetName(config: FleetConfiguration, file: string): string {
  if (config.name) return config.name;
  return path.basename(file).replace(/(\.dstack)?\.ya?ml$/, '') || 'fleet';
}

/** dstack's fleet table: FLEET, INSTANCE, BACKEND, RESOURCES, PRICE, STATUS, CREATED (one row per host). */
export function renderFleetTable(rows: readonly HostRow[], now: number): string {
  const body = rows.map((r) => [
    r.index === 0 ? r.fleet : '', String(r.index), `${displayBackend('remote')} (${r.hostname})`,
    r.facts ? prettyOfferResources(hostOffer(r.hostname, r.facts).resources) : '-', formatPrice(r.price), r.status, relativeTime(r.createdAt, now),
  ]);
  return renderTable([{ header: 'FLEET' }, { header: 'INSTANCE' }, { header: 'BACKEND' }, { header: 'RESOURCES' }, { header: 'PRICE' }, { header: 'STATUS' }, { header: 'CREATED' }], body);
}

function remoteOf(backends: ReturnType<typeof createBackends>): FleetsBackend | null {
  const b = backends.get('remote');
  return b instanceof FleetsBackend ? b : null;
}

/** Probes (fresh) every host of `fleet` and says which are busy. */
async function probeRows(fleet: StoredFleet, remote: FleetsBackend, fresh: boolean): Promise<HostRow[]> {
  const busy = new Set((await remote.listOffers().catch(() => [])).filter((o) => o.availability === 'busy').map((o) => o.region));
  return Promise.all(fleet.sshConfig.hosts.map(async (h, index): Promise<HostRow> => {
    const row: HostRow = { fleet: fleet.name, index, hostname: h.hostname, facts: null, status: 'unreachable', price: fleet.pricePerHour ?? 0, createdAt: fleet.createdAt };
    try {
      row.facts = await remote.probe(h.hostname, fresh);
      row.status = busy.has(h.hostname) ? 'busy' : 'idle';
    } catch (err) {
      row.error = (err as Error).message;
    }
    return row;
  }));
}

function printRows(io: CliIo, rows: HostRow[], now: number): void {
  io.stdout(renderFleetTable(rows, now));
  for (const r of rows) if (r.error) io.stderr(`${r.fleet}: ${r.hostname}: ${r.error}\n`);
}

/** `apply -f` of a `type: fleet` configuration with `ssh_config`: stores (or updates) the fleet and probes its hosts. */
export async function applyFleet(config: FleetConfiguration, file: string, io: CliIo, yes: boolean, ask: (q: string) => Promise<boolean>): Promise<number> {
  if (!config.ssh_config) {
    io.stderr(`${file}: ssh_config: only SSH fleets can be applied here (cloud fleets come with their backends); add ssh_config with the hosts\n`);
    return 1;
  }
  const absFile = path.resolve(io.cwd, file);
  const stateDir = defaultStateDir(io.env);
  const store = new FleetStore(stateDir);
  const name = fleetName(config, file);
  const candidate = { name, sshConfig: config.ssh_config, configDir: path.dirname(absFile), source: absFile, pricePerHour: null };
  try {
    const key = await ensureClientKey(sshPaths(stateDir).identity);
    await resolveFleets([{ ...candidate, createdAt: 0, updatedAt: 0 }], key.privateKey);
  } catch (err) {
    if (err instanceof FleetConfigError) {
      io.stderr(`${file}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  io.stdout(renderPropsTable([
    ['Project', 'main'], ['User', 'admin'], ['Configuration', file], ['Type', 'fleet'], ['Fleet type', 'ssh'], ['Nodes', String(config.ssh_config.hosts.length)],
    ['Placement', typeof config['placement'] === 'string' ? config['placement'] : 'any'],
  ]));
  const existing = store.get(name);
  if (existing && JSON.stringify([existing.sshConfig, existing.configDir]) === JSON.stringify([candidate.sshConfig, candidate.configDir])) {
    io.stdout(`Fleet ${name} already exists. Detected no changes.\n`);
  } else {
    io.stdout(existing ? `Found fleet ${name}. Configuration changes detected.\n` : `Fleet ${name} does not exist yet.\n`);
    if (!yes && !(await ask(existing ? 'Update the fleet?' : 'Create the fleet?'))) {
      io.stdout('Exiting...\n');
      return 0;
    }
  }
  const stored = await store.upsert(candidate, Date.now());
  const backends = createBackends(stateDir, io.env);
  try {
    const remote = remoteOf(backends);
    if (!remote) throw new Error('internal: no remote backend after storing a fleet');
    const rows = await probeRows(stored, remote, true);
    io.stdout('\n');
    printRows(io, rows, Date.now());
    return rows.some((r) => r.status === 'unreachable') ? 1 : 0;
  } finally {
    await closeBackends(backends);
  }
}

/** `fleet [list]` / `fleet delete NAME`. */
export const fleetCommand: CliCommand = {
  name: 'fleet',
  summary: 'List SSH fleets and their hosts, or delete one (apply -f fleet.dstack.yml adds them)',
  usage: 'fleet [list] | fleet delete NAME [-y]',
  async run(argv, io) {
    const args = parseArgs(argv, [{ name: 'yes', short: 'y', kind: 'boolean' }]);
    const [sub = 'list', name, extra] = args.positionals;
    const stateDir = defaultStateDir(io.env);
    const store = new FleetStore(stateDir);
    if (sub === 'delete') {
      if (!name || extra !== undefined) throw new UsageError('fleet delete NAME');
      if (!store.get(name)) {
        io.stderr(`Fleet ${name} not found; \`dstack-vsc fleet\` lists the fleets\n`);
        return 1;
      }
      if (!flag(args, 'yes') && !(await io.confirm(`Delete the fleet ${name}?`))) {
        io.stdout('Exiting...\n');
        return 0;
      }
      await store.remove(name);
      io.stdout(`Fleet ${name} deleted\n`);
      return 0;
    }
    if (sub !== 'list' || name !== undefined) throw new UsageError(`unknown fleet subcommand ${sub}; use fleet [list] or fleet delete NAME`);
    const fleets = store.list();
    if (fleets.length === 0) {
      io.stdout('No fleets. Apply a fleet configuration (type: fleet with ssh_config) to add your hosts.\n');
      return 0;
    }
    const backends = createBackends(stateDir, io.env);
    try {
      const remote = remoteOf(backends);
      const rows: HostRow[] = [];
      for (const f of fleets) rows.push(...(remote ? await probeRows(f, remote, false) : []));
      printRows(io, rows, Date.now());
      return 0;
    } finally {
      await closeBackends(backends);
    }
  },
};
