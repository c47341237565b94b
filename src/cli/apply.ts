// `dstack-vsc apply -f FILE`: plan a dev environment, show the plan and offers, ask, submit, and wait until it
// is running, showing progress, then attach; with -d detach right after the submit (a detached driver carries
// the run on); re-applying an active run updates it in place or offers to stop and re-create it (dstack's
// wording, spec 5.3).

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { checkInPlaceUpdate, formatPrettyDuration, prettyResources, validateText } from '../schema';
import type { Configuration, DevEnvironmentConfiguration, FleetConfiguration } from '../schema/model';
import { finalMessage, runRow } from '../orchestrator/display';
import { closeBackends } from '../orchestrator/backends-registry';
import { driveUntil } from '../orchestrator/drive';
import { isActiveRun, type RunRecord } from '../orchestrator/model/run';
import { requestStop, updateInPlace } from '../orchestrator/orchestrator';
import { planDevEnvironment, PlanError, type RunPlan } from '../orchestrator/plan';
import { openRuntime, type Runtime } from '../orchestrator/runtime';
import { flag, option, options, parseArgs } from './args';
import { UsageError, type CliCommand, type CliIo } from './command';
import { formatMaxPriceSetting, NO_OFFERS_WARNING, renderOffersTable, renderPropsTable } from './format/offers';
import { renderTable } from './format/table';
import { applyFleet } from './fleet';
import { configuredPorts, PortUsedError, releasePorts, reservePorts, type ReservedPort } from '../orchestrator/attach/ports';
import { attachSession, watchInterrupts, type Interrupts } from './attach-session';
import { handleApplyInterrupt } from './apply-interrupt';
import { prepareCodeUpload, submitRunWithCode, type PreparedUpload } from '../orchestrator/code-upload';
import { UploadError } from '../backends/ssh/upload/types';
import { startDetachedDriver } from './detached-driver';

const FLAGS = [
  { name: 'file', short: 'f', kind: 'string' },
  { name: 'yes', short: 'y', kind: 'boolean' },
  { name: 'detach', short: 'd', kind: 'boolean' },
  { name: 'force', kind: 'boolean' },
  { name: 'no-repo', kind: 'boolean' },
  { name: 'name', short: 'n', kind: 'string' },
  { name: 'env', short: 'e', kind: 'multi' },
  { name: 'max-offers', kind: 'string' },
] as const;

/** Parses `-e KEY=VALUE` / `-e KEY` (value from the environment). */
export function envOverrides(values: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`-e ${v}: expected KEY=VALUE or KEY`);
    if (eq >= 0) out[key] = v.slice(eq + 1);
    else if (env[key] !== undefined) out[key] = env[key];
    else throw new UsageError(`-e ${key}: no value given and ${key} is not set in the environment`);
  }
  return out;
}

function retryText(plan: RunPlan): string {
  const r = plan.spec.retry;
  return r ? `${formatPrettyDuration(r.duration)}[${r.on_events.join(', ')}]` : 'off';
}

function planProps(plan: RunPlan): [string, string][] {
  const s = plan.spec;
  const spot = plan.requirements.spot === true ? 'spot' : plan.requirements.spot === false ? 'on-demand' : 'auto';
  return [
    ['Project', 'main'], ['User', 'admin'], ['Type', 'dev-environment'], ['Resources', prettyResources(plan.requirements.resources)],
    ['Spot policy', spot], ['Max price', formatMaxPriceSetting(plan.requirements.maxPrice)], ['Retry policy', retryText(plan)],
    ['Idle duration', s.idleDuration < 0 ? '-' : formatPrettyDuration(s.idleDuration)],
    ['Max duration', s.maxDuration === null ? 'off' : formatPrettyDuration(s.maxDuration)],
    ['Inactivity duration', s.inactivityDuration === null ? 'off' : formatPrettyDuration(s.inactivityDuration)],
  ];
}

/** The one-run ps table apply shows while waiting. */
export function runTable(run: RunRecord, rt: Runtime, instances: Parameters<typeof runRow>[1]): string {
  const r = runRow(run, instances, rt.clock.now());
  const backend = r.backend ? `${r.backend} (${r.region})` : '';
  return renderTable(
    [{ header: 'NAME' }, { header: 'BACKEND' }, { header: 'GPU' }, { header: 'PRICE' }, { header: 'STATUS' }, { header: 'SUBMITTED' }],
    [[r.name, backend, r.gpu, r.price, r.status, r.submitted]],
  );
}

async function readConfiguration(file: string, io: CliIo): Promise<DevEnvironmentConfiguration | FleetConfiguration> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read the configuration (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const result = validateText(text, file);
  for (const d of result.diagnostics) io.stderr(`${file}:${d.line}:${d.column}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}\n`);
  if (!result.configuration || result.diagnostics.some((d) => d.severity === 'error')) throw new Error(`${file}: the configuration is invalid (see above); nothing was submitted`);
  if (result.configuration.type === 'fleet') return result.configuration;
  if (result.configuration.type !== 'dev-environment') {
    throw new Error(`${file}: apply runs dev environments and SSH fleets; this file is \`type: ${result.configuration.type}\``);
  }
  return result.configuration;
}

/** Asks, refusing clearly when there is no terminal to ask on. */
async function ask(io: CliIo, question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    io.stderr(`${question} [y/n]: no terminal to ask on; pass -y to answer yes\n`);
    return false;
  }
  return io.confirm(question);
}

/** The `apply` command. */
export const applyCommand: CliCommand = {
  name: 'apply',
  summary: 'Plan, submit and start a dev environment from a .dstack.yml',
  usage: 'apply -f FILE [-y] [-d] [--force] [--no-repo] [-n NAME] [-e KEY[=VALUE]]...',
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const file = option(args, 'file');
    if (!file) throw new UsageError('-f FILE is required');
    const yes = flag(args, 'yes');
    const config = await readConfiguration(file, io);
    if (config.type === 'fleet') return applyFleet(config, file, io, yes, (q) => ask(io, q, false));
    const rt = openRuntime(io.env);
    const overrides = envOverrides(options(args, 'env'), io.env);
    let plan: RunPlan;
    try {
      plan = await planDevEnvironment(config, {
        configurationPath: file, envOverrides: overrides, processEnv: io.env, secrets: await rt.secrets.all(), backends: rt.backends.values(),
      });
    } catch (err) {
      if (err instanceof PlanError) {
        io.stderr(`${err.message}\n`);
        return 1;
      }
      throw err;
    }
    // Stored absolute: whichever process leads the scheduler (a VS Code window, another command, each with its own
    // cwd) reads the configuration's `files` relative to this file.
    plan.spec.configurationPath = path.resolve(io.cwd, file);
    // The code upload is planned and its limit checked before anything is provisioned; the run carries
    // exactly this upload to whichever backend provisions it.
    let upload: PreparedUpload;
    try {
      upload = await prepareCodeUpload(path.resolve(io.cwd, file), { noRepo: flag(args, 'no-repo'), env: io.env, stateDir: rt.stateDir });
    } catch (err) {
      if (err instanceof UploadError) {
        io.stderr(`${file}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    io.stdout(renderPropsTable(planProps(plan)));
    io.stdout(`${upload.summary}\n`);
    if (plan.offers.length === 0) {
      io.stdout(`${NO_OFFERS_WARNING}\n`);
      return 1;
    }
    const maxOffers = Number(option(args, 'max-offers') ?? 3);
    io.stdout(`${renderOffersTable(plan.offers.slice(0, maxOffers), plan.totalOffers, plan.maxPrice)}\n`);
    const name = option(args, 'name') ?? config.name ?? null;
    const state = await rt.store.read();
    // From here on, what another leading process (a VS Code window) does with the run comes out as events here too.
    rt.leader.observe(state);
    const existing = name ? state.runs.find((r) => r.name === name && isActiveRun(r)) : undefined;
    try {
      if (existing && name) {
        const verdict = checkInPlaceUpdate(existing.spec.configuration as unknown as Configuration, plan.spec.configuration as unknown as Configuration);
        const changes = verdict.changedFields.map((f) => `  - ${f}\n`).join('');
        if (verdict.updatable && verdict.changedFields.length > 0) {
          io.stdout(`Active run ${name} already exists. Detected changes that can be updated in-place:\n${changes}`);
          if (!(await ask(io, 'Update the run?', yes))) return exiting(io);
          await updateInPlace(rt.store, name, plan.spec);
          io.stdout(`Run ${name} updated${flag(args, 'detach') ? ', detaching...' : ''}\n`);
          return 0;
        }
        if (verdict.changedFields.length === 0) {
          io.stdout(`Active run ${name} already exists. Detected no changes.\n`);
          if (yes && !flag(args, 'force')) {
            io.stdout('Use --force to apply anyway.\n');
            return 0;
          }
        } else {
          io.stdout(`Active run ${name} already exists. Detected changes that cannot be updated in-place:\n${changes}`);
        }
        if (!(await ask(io, 'Stop and override the run?', yes))) return exiting(io);
        await requestStop(rt.store, name, false);
        await driveUntil(rt.leader, rt.store, (s) => !s.runs.some((r) => r.id === existing.id && isActiveRun(r)));
      } else if (!(await ask(io, name ? `Submit the run ${name}?` : 'Submit a new run?', yes))) {
        return exiting(io);
      }
      // dstack reserves the local ports before submitting (unless -d): a taken port fails before anything is spent.
      let ports: ReservedPort[] = [];
      if (!flag(args, 'detach')) {
        try {
          // On this machine (local backend) the environment's ports already are local: only remapped ones get a listener.
          ports = await reservePorts(configuredPorts(plan.spec.configuration), { sameHost: plan.spec.offers.every((o) => o.backend === 'local') });
        } catch (err) {
          if (err instanceof PortUsedError) {
            io.stderr(`${err.message}\n`);
            return 1;
          }
          throw err;
        }
      }
      const interrupts = watchInterrupts();
      try {
        const run = await submitRunWithCode(rt, plan.spec, name, upload);
        if (flag(args, 'detach')) {
          // dstack detaches right after the submit; with no server here, a detached driver takes the run to running.
          startDetachedDriver(rt.stateDir, run.id, io.env, io.cwd);
          io.stdout(`Run ${run.name} submitted, detaching...\n`);
          return 0;
        }
        return await follow(run, rt, io, ports, interrupts);
      } finally {
        interrupts.dispose();
        await releasePorts(ports);
      }
    } finally {
      await rt.leader.stop();
      await closeBackends(rt.backends);
    }
  },
};

function exiting(io: CliIo): number {
  io.stdout('Exiting...\n');
  return 0;
}

/** Shows progress until the run is running (or ended), then prints dstack's completion line and attaches; Ctrl+C asks whether to stop. */
async function follow(submitted: RunRecord, rt: Runtime, io: CliIo, ports: ReservedPort[], interrupts: Interrupts): Promise<number> {
  const off = rt.events.on((e) => {
    if (e.kind === 'attempt' && e.run === submitted.name) {
      const a = e.attempt;
      const outcome = a.outcome === 'created' ? (a.reusedInstanceId ? 'reused the idle instance' : 'created') : `${a.outcome.replace('_', ' ')}${a.error ? `: ${a.error}` : ''}`;
      io.stdout(`Offer ${a.offerIndex + 1}: ${a.backend} (${a.region}) ${a.instanceType} $${a.pricePerHour}: ${outcome}\n`);
    }
    if (e.kind === 'run_status' && e.run === submitted.name) io.stdout(`${submitted.name}: ${e.status}\n`);
  });
  io.stdout(`Launching ${submitted.name}...\n`);
  try {
    const state = await driveUntil(rt.leader, rt.store, (s) => {
      const r = s.runs.find((x) => x.id === submitted.id);
      return interrupts.count > 0 || !r || !['submitted', 'pending', 'provisioning', 'terminating'].includes(r.status);
    });
    if (interrupts.count > 0) return await onInterrupt(submitted, rt, io, interrupts);
    const run = state.runs.find((x) => x.id === submitted.id) as RunRecord;
    io.stdout(runTable(run, rt, state.instances));
    if (run.status !== 'running') return ended(run, io);
    io.stdout(`\n${run.name} provisioning completed (running)\n`);
    const outcome = await attachSession(rt, run.id, io, { ports, logs: true, interrupts });
    if (outcome.kind === 'interrupted') return await onInterrupt(run, rt, io, interrupts);
    if (outcome.kind === 'failed') {
      io.stderr(`${outcome.message}\n`);
      return 1;
    }
    return ended(outcome.run, io);
  } finally {
    off();
  }
}

/** dstack's end of an attached apply: the capitalised status message, and where to look when it failed. */
function ended(run: RunRecord, io: CliIo): number {
  io.stdout(`${finalMessage(run)}\n`);
  if (run.jobStatus !== 'done' && run.jobTerminationReason !== 'failed_to_start_due_to_no_capacity') io.stdout(`Check \`dstack-vsc logs ${run.name}\` for more details.\n`);
  return run.jobStatus === 'done' ? 0 : 1;
}

/** Ctrl+C during apply: ask (on a terminal) whether to stop the run, else detach. */
async function onInterrupt(run: RunRecord, rt: Runtime, io: CliIo, interrupts: Interrupts): Promise<number> {
  const outcome = await handleApplyInterrupt({
    runName: run.name,
    isTTY: process.stdin.isTTY === true,
    confirm: (q) => io.confirm(q),
    stdout: io.stdout,
    stop: async (abort) => { await requestStop(rt.store, run.name, abort); },
    waitFinished: async (stopWaiting) => {
      await driveUntil(rt.leader, rt.store, (s) => stopWaiting() || !s.runs.some((r) => r.id === run.id && isActiveRun(r)));
    },
    interrupts: () => interrupts.count,
  });
  return outcome === 'detached' || outcome === 'stopped' ? 0 : 1;
}
