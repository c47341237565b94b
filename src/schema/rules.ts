// Cross-field rules a JSON Schema cannot express (dstack's model validators), per configuration type.
import { CheckContext } from './fields/types';
import { checkWindsurfVersion } from './grammar/scalars';
import { GrammarError } from './grammar/grammar-error';
import { interpolationReferences } from './grammar/interpolation';
import type { FieldPath } from './diagnostics';
import type { ConfigurationType } from './model';

type Obj = Record<string, unknown>;

const set = (o: Obj, k: string) => o[k] !== undefined && o[k] !== null;

/** dstack's mutual exclusions for run configurations (dev-environment, task, service). */
function runRules(c: Obj, ctx: CheckContext): void {
  if (set(c, 'python') && set(c, 'image')) ctx.error(['python'], 'conflict', '`image` and `python` are mutually exclusive fields: remove `python` (the image brings its own) or remove `image`.');
  if (c['docker'] === true) {
    if (set(c, 'image')) ctx.error(['docker'], 'conflict', '`image` and `docker` are mutually exclusive fields: `docker: true` uses the `dstackai/dind` image.');
    if (set(c, 'python')) ctx.error(['docker'], 'conflict', '`python` and `docker` are mutually exclusive fields.');
    if (c['nvcc'] === true) ctx.error(['docker'], 'conflict', '`nvcc` and `docker` are mutually exclusive fields.');
  }
  const repos = c['repos'];
  if (Array.isArray(repos) && repos.length > 1) ctx.error(['repos'], 'invalid-value', 'A maximum of one repo is currently supported: keep one entry in `repos` and mount other folders with `files`.');
  interpolationRules(c, ctx);
  applyTimeWarnings(c, ctx);
}

/** What dstack only rejects (or silently changes) at apply time, reported early as warnings. */
function applyTimeWarnings(c: Obj, ctx: CheckContext): void {
  const name = c['name'];
  if (typeof name === 'string' && !/^[a-z][a-z0-9-]{1,40}$/.test(name)) {
    ctx.warn(['name'], 'invalid-value', `The run name ${JSON.stringify(name)} will be rejected when applied: use 2-41 lowercase letters, digits and \`-\`, starting with a letter.`);
  }
  const dir = c['working_dir'];
  if (typeof dir === 'string' && !dir.startsWith('/') && !dir.startsWith('~')) {
    ctx.warn(['working_dir'], 'invalid-value', '`working_dir` must be absolute (or start with `~`) when applied.');
  }
  const ports = c['ports'];
  if (Array.isArray(ports)) {
    ports.forEach((p, i) => {
      const container = (p as { container_port?: unknown }).container_port;
      if (typeof container === 'number' && container >= 10000 && container <= 10999) {
        ctx.warn(['ports', i], 'invalid-value', `Port ${container} is in dstack's reserved range 10000-10999 and will not be forwarded: pick another port.`);
      }
    });
  }
}

function checkRefs(text: unknown, path: FieldPath, allowed: readonly string[], ctx: CheckContext): void {
  if (typeof text !== 'string' || !text.includes('${{')) return;
  try {
    for (const ref of interpolationReferences(text)) {
      const ns = ref.slice(0, ref.indexOf('.'));
      if (!allowed.includes(ns)) {
        ctx.error(path, 'interpolation', `\`\${{ ${ref} }}\` cannot be used here: allowed namespaces are ${allowed.map((a) => `\`${a}\``).join(', ')}.`);
      }
    }
  } catch (e) {
    if (!(e instanceof GrammarError)) throw e;
    ctx.error(path, 'interpolation', `${e.message}: a reference looks like \`\${{ env.NAME }}\` or \`\${{ secrets.NAME }}\`.`);
  }
}

/** `${{ ns.name }}` syntax and namespaces where dstack interpolates (env values, registry_auth, commands, volume names). */
function interpolationRules(c: Obj, ctx: CheckContext): void {
  const env = c['env'];
  if (env && typeof env === 'object') {
    for (const [k, v] of Object.entries(env as Obj)) checkRefs(v, ['env', k], ['secrets', 'env'], ctx);
  }
  const auth = c['registry_auth'];
  if (auth && typeof auth === 'object') {
    for (const k of ['username', 'password']) checkRefs((auth as Obj)[k], ['registry_auth', k], ['env', 'secrets'], ctx);
  }
  const commands = c['commands'];
  if (Array.isArray(commands)) commands.forEach((cmd, i) => checkRefs(cmd, ['commands', i], ['run', 'groups', 'secrets', 'env', 'dstack'], ctx));
}

function devEnvironmentRules(c: Obj, ctx: CheckContext): void {
  if (set(c, 'entrypoint')) ctx.error(['entrypoint'], 'invalid-value', 'entrypoint is not supported for dev-environment: put startup commands in `init`.');
  if (set(c, 'version') && !set(c, 'ide')) ctx.error(['version'], 'conflict', '`version` requires `ide` to be set.');
  if (c['ide'] === 'windsurf' && typeof c['version'] === 'string') {
    try {
      checkWindsurfVersion(c['version']);
    } catch (e) {
      if (!(e instanceof GrammarError)) throw e;
      ctx.error(['version'], 'invalid-value', e.message);
    }
  }
  const init = c['init'];
  if (Array.isArray(init)) {
    init.forEach((cmd, i) => {
      if (typeof cmd === 'string' && cmd.includes('${{')) ctx.warn(['init', i], 'interpolation', 'dstack does not interpolate `${{ ... }}` in `init`: it reaches the shell literally. Use shell variables (`$NAME`) set through `env`.');
    });
  }
  if (c['dstack'] === true && set(c, 'inactivity_duration')) ctx.error(['dstack'], 'conflict', '`dstack` is not supported together with `inactivity_duration`.');
}

function needsCommandsOrImage(c: Obj, ctx: CheckContext, type: string): void {
  const commands = c['commands'];
  if ((!Array.isArray(commands) || commands.length === 0) && !set(c, 'image') && !Array.isArray(c['groups']) && !Array.isArray(c['replicas'])) {
    ctx.error([], 'missing-field', `Either \`commands\` or \`image\` must be set for a ${type}.`, 'key');
  }
}

/** Applies the cross-field rules of `type` to a structurally valid, normalized configuration. */
export function applyRules(type: ConfigurationType, c: Obj, ctx: CheckContext): void {
  switch (type) {
    case 'dev-environment':
      runRules(c, ctx);
      devEnvironmentRules(c, ctx);
      break;
    case 'task':
      runRules(c, ctx);
      needsCommandsOrImage(c, ctx, 'task');
      break;
    case 'service':
      runRules(c, ctx);
      needsCommandsOrImage(c, ctx, 'service');
      break;
    case 'fleet':
    case 'gateway':
    case 'volume':
    case 'preset':
      break;
  }
}
