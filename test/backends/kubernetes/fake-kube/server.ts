// The project's own fake Kubernetes API server on 127.0.0.1: nodes, namespaced pods (create, read, list by
// label selector, delete), namespaced secrets (create with 409 on a duplicate and stringData folded into
// base64 data, read, list by label selector, delete), pods across namespaces (for the offers' "minus what running pods request"),
// SelfSubjectAccessReview with scriptable denials, and pods/portforward over a websocket in the
// v4.channel.k8s.io framing (channel byte; the first frame of each channel carries the port, little-endian)
// proxied to a real TCP server of the test's choosing. A tiny scheduler places a created pod on a node that
// fits its requests, affinity and taints, or leaves it Pending/Unschedulable with the scheduler's message
// (at once, or `scheduleDelayMs` later); scripted images fail to pull. Pods go Pending -> Running
// `startDelayMs` after they are placed, unless a secret (or key) their env references is missing: then, like
// the kubelet, they wait in CreateContainerConfigError.
// Pods have resourceVersions and can be watched (`?watch=true`, namespaced or across namespaces, with a label
// selector and a resourceVersion to resume from) as the real API server streams them: chunked JSON lines
// {type: ADDED|MODIFIED|DELETED, object}, every change since that version replayed first, a 410 ERROR event
// for a version older than the last `compact()`. Tests can drop every open watch, as a broken connection would.

import * as http from 'node:http';
import * as net from 'node:net';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { parseQuantity } from './quantity';

/** The bits of the `ws` package's server the fake uses (it ships with client-node; no types installed). */
interface WsSocket {
  protocol: string;
  readyState: number;
  send(data: Buffer, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', cb: (data: Buffer) => void): void;
  on(event: 'close' | 'error', cb: () => void): void;
}
interface WsServer {
  handleUpgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer, cb: (ws: WsSocket) => void): void;
  close(): void;
}
const { WebSocketServer } = createRequire(__filename)('ws') as { WebSocketServer: new (o: Record<string, unknown>) => WsServer };

/** A JSON object as the API server stores it. */
export type Obj = Record<string, any>;

/** One request as the server received it (bodies parsed). */
export interface Received { method: string; path: string; query: URLSearchParams; body: Obj | null; auth: string | undefined }

/** How the fake behaves. */
export interface FakeKubeOptions {
  /** Bearer token every request must carry (absent: any). */
  token?: string;
  /** ms from placement to Running (default 0: at once after the create's response). */
  startDelayMs?: number;
  /** ms from creation to the scheduler's decision (default 0: the create's response carries it). */
  scheduleDelayMs?: number;
}

/** A fake node for `addNode`. */
export interface FakeNodeSpec {
  name: string;
  cpu: string;
  memory: string;
  ephemeralStorage?: string;
  gpus?: { resource: 'nvidia.com/gpu' | 'amd.com/gpu'; count: number; labels: Record<string, string> };
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  arch?: string;
}

const POD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?(\/portforward)?$/;
const SECRET_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The `secretKeyRef`s of a pod's first container's env: env name, secret name, key. */
function secretRefs(pod: Obj): { env: string; name: string; key: string }[] {
  const env = (((pod['spec']?.['containers'] ?? []) as Obj[])[0]?.['env'] ?? []) as Obj[];
  return env.flatMap((e) => {
    const ref = e['valueFrom']?.['secretKeyRef'] as Obj | undefined;
    return ref ? [{ env: e['name'] as string, name: ref['name'] as string, key: ref['key'] as string }] : [];
  });
}

function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** A label selector's `key=value` and `key` (the label exists) terms, all of which must hold. */
function matchesSelector(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    if (k === undefined || k === '') return false;
    return v === undefined ? (labels ?? {})[k] !== undefined : (labels ?? {})[k] === v;
  });
}

/** Why the kubelet cannot parse an image reference (as the distribution reference grammar says), else null. */
function invalidImageReason(image: string): string | null {
  const repository = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  if (/[A-Z]/.test(repository)) return `invalid reference format: repository name (${repository}) must be lowercase`;
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/.test(repository)) return 'invalid reference format';
  return null;
}

/** One pod change, as a watch streams it. */
interface PodEvent { rv: number; type: 'ADDED' | 'MODIFIED' | 'DELETED'; namespace: string; object: Obj }

/** An open watch: its scope, and the response its events are written to. */
interface PodWatcher { namespace: string | null; selector: string | null; res: http.ServerResponse }

function requestsOf(pod: Obj): Record<string, number> {
  const total: Record<string, number> = {};
  for (const c of (pod['spec']?.['containers'] ?? []) as Obj[]) {
    const req = { ...(c['resources']?.['limits'] ?? {}), ...(c['resources']?.['requests'] ?? {}) } as Record<string, string>;
    for (const [k, v] of Object.entries(req)) total[k] = (total[k] ?? 0) + parseQuantity(v);
  }
  return total;
}

/** The fake API server. */
export class FakeKube {
  readonly nodes: Obj[] = [];
  /** Pods by `namespace/name`. */
  readonly pods = new Map<string, Obj>();
  /** Secrets by `namespace/name` (data base64, as the API server stores them). */
  readonly secrets = new Map<string, Obj>();
  readonly received: Received[] = [];
  /** `verb resource namespace` triples SelfSubjectAccessReview answers `allowed: false` for. */
  readonly denied = new Set<string>();
  /** Images whose pull fails (ErrImagePull, then ImagePullBackOff). */
  readonly unpullable = new Set<string>();
  /** Pod port -> local TCP port the port-forward reaches (the pod's "sshd"). */
  readonly portTargets = new Map<number, number>();
  /** Called with each pod the server accepted (tests start the pod's "sshd" here). */
  onCreate: ((pod: Obj) => void) | undefined;
  /** Answer every pod creation with 403 (RBAC denies it although the review said yes). */
  forbidCreate = false;
  /** Answer every watch with 403 (a Role without the `watch` verb). */
  forbidWatch = false;
  /** Pods placed at (ms), for the Pending -> Running clock. */
  private readonly placedAt = new Map<string, number>();
  /** Every pod change since the start (the watch's replay log) and the open watches. */
  private readonly podEvents: PodEvent[] = [];
  private readonly watchers = new Set<PodWatcher>();
  /** Watches resuming from a version below this get 410 Gone (see `compact`). */
  private compactedBelow = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Pods (uids) with a kubelet retry pending. */
  private readonly retrying = new Set<string>();
  private readonly sockets = new Set<net.Socket>();
  private readonly wss: WsServer = new WebSocketServer({ noServer: true, handleProtocols: (p: Set<string>) => (p.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  private resourceVersion = 1;

  private constructor(private readonly server: http.Server, private readonly options: FakeKubeOptions) {}

  /** Starts the fake on 127.0.0.1 (a free port). */
  static async start(options: FakeKubeOptions = {}): Promise<FakeKube> {
    const server = http.createServer();
    const fake = new FakeKube(server, options);
    server.on('request', (req, res) => { void fake.handle(req, res); });
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => fake.upgrade(req, socket, head));
    server.on('connection', (s) => { fake.sockets.add(s); s.on('close', () => fake.sockets.delete(s)); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Adds a node with these allocatable resources and labels. */
  addNode(spec: FakeNodeSpec): void {
    const allocatable: Record<string, string> = { cpu: spec.cpu, memory: spec.memory, 'ephemeral-storage': spec.ephemeralStorage ?? '100Gi', pods: '110' };
    if (spec.gpus) allocatable[spec.gpus.resource] = String(spec.gpus.count);
    this.nodes.push({
      kind: 'Node', apiVersion: 'v1',
      metadata: { name: spec.name, uid: `node-${spec.name}`, labels: { 'kubernetes.io/hostname': spec.name, 'kubernetes.io/arch': spec.arch ?? 'amd64', ...spec.labels, ...spec.gpus?.labels } },
      spec: spec.taints ? { taints: spec.taints } : {},
      status: { allocatable, capacity: allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  /** Adds a running pod of someone else's on a node (its requests count against the node). */
  addForeignPod(namespace: string, name: string, node: string, requests: Record<string, string>): void {
    const pod: Obj = {
      kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace, uid: `uid-${name}`, labels: {} },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', resources: { requests } }] },
      status: { phase: 'Running' },
    };
    this.pods.set(`${namespace}/${name}`, pod);
    this.changed(pod, 'ADDED');
  }

  /** Changes a pod as a controller would (the test's script), bumping its resourceVersion and telling the watches. */
  updatePod(namespace: string, name: string, mutate: (pod: Obj) => void): void {
    const pod = this.pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    mutate(pod);
    this.changed(pod, 'MODIFIED');
  }

  /** Open watches (a connection counts until the server sees it close). */
  get watchCount(): number {
    return this.watchers.size;
  }

  /** Breaks every open watch's connection (as a dropped network or a restarted API server would); returns how many. */
  dropWatches(): number {
    const n = this.watchers.size;
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.res.socket?.destroy();
    }
    return n;
  }

  /**
   * Forgets the change log up to now, as etcd compaction does, after some other object's write moved the
   * cluster-wide version on: a watch resuming from any version seen so far gets 410 Gone; a new list's works.
   */
  compact(): void {
    this.resourceVersion += 1;
    this.compactedBelow = this.resourceVersion;
  }

  /** Pod reads (get and list, watches excepted): what a watch-driven client should not need. */
  podReads(): Received[] {
    return this.received.filter((r) => r.method === 'GET' && /^\/api\/v1\/(namespaces\/[^/]+\/)?pods(\/[^/]+)?$/.test(r.path) && r.query.get('watch') !== 'true');
  }

  /** Watch requests for pods. */
  podWatches(): Received[] {
    return this.received.filter((r) => r.method === 'GET' && r.query.get('watch') === 'true');
  }

  /** Pod creations as the server received them. */
  createdPods(): Obj[] {
    return this.received.filter((r) => r.method === 'POST' && /\/pods$/.test(r.path)).map((r) => r.body as Obj);
  }

  /** Secret creations as the server received them. */
  createdSecrets(): Obj[] {
    return this.received.filter((r) => r.method === 'POST' && /\/secrets$/.test(r.path)).map((r) => r.body as Obj);
  }

  /** The env the pod's first container starts with, as the kubelet resolves it (secretKeyRef read from the secrets). */
  containerEnv(pod: Obj): Record<string, string> {
    // A body from `createdPods()` has no namespace: the one its POST went to.
    const name = pod['metadata']['name'] as string;
    const posted = this.received.find((r) => r.method === 'POST' && /\/pods$/.test(r.path) && r.body?.['metadata']?.['name'] === name);
    const ns = (pod['metadata']['namespace'] as string | undefined) ?? decodeURIComponent(posted?.path.split('/')[4] ?? '');
    const out: Record<string, string> = {};
    for (const e of (((pod['spec']['containers'] ?? []) as Obj[])[0]?.['env'] ?? []) as Obj[]) {
      const ref = e['valueFrom']?.['secretKeyRef'] as Obj | undefined;
      if (!ref) { out[e['name'] as string] = String(e['value'] ?? ''); continue; }
      const data = this.secrets.get(`${ns}/${ref['name'] as string}`)?.['data']?.[ref['key'] as string] as string | undefined;
      if (data !== undefined) out[e['name'] as string] = Buffer.from(data, 'base64').toString('utf8');
    }
    return out;
  }

  /** Why the kubelet could not start the pod's container for its config (a missing secret or key), else null. */
  private configError(pod: Obj): string | null {
    const ns = pod['metadata']['namespace'] as string;
    for (const r of secretRefs(pod)) {
      const secret = this.secrets.get(`${ns}/${r.name}`);
      if (!secret) return `secret "${r.name}" not found`;
      if (secret['data']?.[r.key] === undefined) return `couldn't find key ${r.key} in Secret ${ns}/${r.name}`;
    }
    return null;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    this.wss.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(res: http.ServerResponse, code: number, body: Obj): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private authorized(req: http.IncomingMessage): boolean {
    return this.options.token === undefined || req.headers.authorization === `Bearer ${this.options.token}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Obj | null = null;
    try { body = text === '' ? null : (JSON.parse(text) as Obj); } catch { return this.send(res, 400, status(400, 'BadRequest', 'body is not JSON')); }
    this.received.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, auth: req.headers.authorization });
    if (!this.authorized(req)) return this.send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/version') return this.send(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake' });
    if (method === 'GET' && url.pathname === '/api/v1/nodes') return this.send(res, 200, { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: String(this.resourceVersion) }, items: this.nodes });
    if (method === 'GET' && url.pathname === '/api/v1/pods') {
      if (url.searchParams.get('watch') === 'true') return this.watchPods(res, null, url);
      const items = [...this.pods.values()].map((p) => this.advance(p)).filter((p) => matchesSelector(p['metadata']['labels'], url.searchParams.get('labelSelector')));
      return this.send(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.resourceVersion) }, items });
    }
    if (method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      const attrs = (body?.['spec']?.['resourceAttributes'] ?? {}) as Obj;
      const key = `${attrs['verb']} ${attrs['resource']} ${attrs['namespace']}`;
      const allowed = !this.denied.has(key);
      return this.send(res, 201, { ...body, status: allowed ? { allowed: true } : { allowed: false, reason: `RBAC: user "test" cannot ${attrs['verb']} ${attrs['resource']} in "${attrs['namespace']}"` } });
    }
    const sm = SECRET_PATH.exec(url.pathname);
    if (sm) return this.handleSecret(method, decodeURIComponent(sm[1] ?? ''), sm[2] === undefined ? undefined : decodeURIComponent(sm[2]), url, body, res);
    const m = POD_PATH.exec(url.pathname);
    if (m) {
      const ns = decodeURIComponent(m[1] ?? '');
      const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
      if (name === undefined && method === 'GET') {
        if (url.searchParams.get('watch') === 'true') return this.watchPods(res, ns, url);
        const items = [...this.pods.values()].filter((p) => p['metadata']['namespace'] === ns && matchesSelector(p['metadata']['labels'], url.searchParams.get('labelSelector'))).map((p) => this.advance(p));
        return this.send(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.resourceVersion) }, items });
      }
      if (name === undefined && method === 'POST') return this.createPod(ns, body, res);
      const pod = name === undefined ? undefined : this.pods.get(`${ns}/${name}`);
      if (!pod) return this.send(res, 404, status(404, 'NotFound', `pods "${name}" not found`));
      if (method === 'GET') return this.send(res, 200, this.advance(pod));
      if (method === 'DELETE') {
        this.pods.delete(`${ns}/${name}`);
        const gone = { ...pod, metadata: { ...pod['metadata'], deletionTimestamp: new Date().toISOString() } };
        this.changed(gone, 'DELETED');
        return this.send(res, 200, gone);
      }
    }
    return this.send(res, 404, status(404, 'NotFound', `the server could not find the requested resource (${method} ${url.pathname})`));
  }

  private handleSecret(method: string, ns: string, name: string | undefined, url: URL, body: Obj | null, res: http.ServerResponse): void {
    if (name === undefined && method === 'GET') {
      const items = [...this.secrets.values()].filter((s) => s['metadata']['namespace'] === ns && matchesSelector(s['metadata']['labels'], url.searchParams.get('labelSelector')));
      return this.send(res, 200, { kind: 'SecretList', apiVersion: 'v1', metadata: {}, items });
    }
    if (name === undefined && method === 'POST') {
      const sname = body?.['metadata']?.['name'] as string | undefined;
      if (!body || !sname) return this.send(res, 422, status(422, 'Invalid', 'Secret "" is invalid: metadata.name: Required value'));
      if (this.secrets.has(`${ns}/${sname}`)) return this.send(res, 409, status(409, 'AlreadyExists', `secrets "${sname}" already exists`));
      const data: Record<string, string> = { ...((body['data'] ?? {}) as Record<string, string>) };
      for (const [k, v] of Object.entries(data)) {
        if (typeof v !== 'string' || !BASE64.test(v)) return this.send(res, 400, status(400, 'BadRequest', `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at key ${k}`));
      }
      for (const [k, v] of Object.entries((body['stringData'] ?? {}) as Record<string, string>)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      const secret: Obj = { apiVersion: 'v1', kind: 'Secret', type: body['type'] ?? 'Opaque', metadata: { ...body['metadata'], namespace: ns, uid: `uid-secret-${sname}-${this.resourceVersion++}`, creationTimestamp: new Date().toISOString() }, data };
      this.secrets.set(`${ns}/${sname}`, secret);
      return this.send(res, 201, secret);
    }
    const secret = name === undefined ? undefined : this.secrets.get(`${ns}/${name}`);
    if (!secret) return this.send(res, 404, status(404, 'NotFound', `secrets "${name}" not found`));
    if (method === 'GET') return this.send(res, 200, secret);
    if (method === 'DELETE') {
      this.secrets.delete(`${ns}/${name}`);
      return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: 'secrets', uid: secret['metadata']['uid'] } });
    }
    return this.send(res, 405, status(405, 'MethodNotAllowed', `${method} is not supported on secrets`));
  }

  private createPod(ns: string, body: Obj | null, res: http.ServerResponse): void {
    if (this.forbidCreate) return this.send(res, 403, status(403, 'Forbidden', `pods is forbidden: User "test" cannot create resource "pods" in API group "" in the namespace "${ns}"`));
    const name = body?.['metadata']?.['name'] as string | undefined;
    if (!body || !name) return this.send(res, 422, status(422, 'Invalid', 'Pod "" is invalid: metadata.name: Required value'));
    for (const v of Object.values((body['metadata']['labels'] ?? {}) as Record<string, string>)) {
      if (!/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v) || v.length > 63) return this.send(res, 422, status(422, 'Invalid', `Pod "${name}" is invalid: metadata.labels: Invalid value: "${v}"`));
    }
    if (this.pods.has(`${ns}/${name}`)) return this.send(res, 409, status(409, 'AlreadyExists', `pods "${name}" already exists`));
    const pod: Obj = JSON.parse(JSON.stringify(body)) as Obj;
    pod['metadata'] = { ...pod['metadata'], namespace: ns, uid: `uid-${name}-${this.resourceVersion++}`, creationTimestamp: new Date().toISOString() };
    pod['status'] = { phase: 'Pending', conditions: [] };
    this.pods.set(`${ns}/${name}`, pod);
    const delay = this.options.scheduleDelayMs ?? 0;
    if (delay > 0) {
      this.later(delay, pod, () => { this.schedule(pod); this.changed(pod, 'MODIFIED'); });
    } else {
      this.schedule(pod);
    }
    this.changed(pod, 'ADDED');
    this.onCreate?.(pod);
    this.send(res, 201, pod);
  }

  /** Runs `fn` in `ms` if the pod still exists then (timers end with the server). */
  private later(ms: number, pod: Obj, fn: () => void): void {
    const key = `${pod['metadata']['namespace']}/${pod['metadata']['name']}`;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.pods.get(key) === pod) fn();
    }, ms);
    this.timers.add(t);
  }

  /** Records a pod change: a new resourceVersion, the replay log, and every open watch that selects it. */
  private changed(pod: Obj, type: PodEvent['type']): void {
    this.resourceVersion += 1;
    pod['metadata']['resourceVersion'] = String(this.resourceVersion);
    const event: PodEvent = { rv: this.resourceVersion, type, namespace: pod['metadata']['namespace'] as string, object: JSON.parse(JSON.stringify(pod)) as Obj };
    this.podEvents.push(event);
    for (const w of this.watchers) this.stream(w, event);
  }

  private stream(w: PodWatcher, e: PodEvent): void {
    if ((w.namespace !== null && e.namespace !== w.namespace) || !matchesSelector(e.object['metadata']['labels'], w.selector)) return;
    w.res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
  }

  /**
   * A pod watch: chunked JSON lines. From a resourceVersion, every later change first (410 Gone in an ERROR
   * event when the log was compacted past it); without one, the current pods as ADDED. Then live changes.
   */
  private watchPods(res: http.ServerResponse, namespace: string | null, url: URL): void {
    if (this.forbidWatch) return this.send(res, 403, status(403, 'Forbidden', `pods is forbidden: User "test" cannot watch resource "pods" in API group "" in the namespace "${namespace ?? ''}"`));
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const w: PodWatcher = { namespace, selector: url.searchParams.get('labelSelector'), res };
    const from = url.searchParams.get('resourceVersion') ?? '';
    if (from !== '' && from !== '0' && Number(from) < this.compactedBelow) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${this.compactedBelow})`) })}\n`);
      return;
    }
    if (from === '' || from === '0') {
      for (const pod of this.pods.values()) this.stream(w, { rv: 0, type: 'ADDED', namespace: pod['metadata']['namespace'] as string, object: this.advance(pod) });
    } else {
      for (const e of this.podEvents) if (e.rv > Number(from)) this.stream(w, e);
    }
    this.watchers.add(w);
    const seconds = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const timer = seconds > 0 ? setTimeout(() => { this.watchers.delete(w); res.end(); }, seconds * 1000) : undefined;
    // The response's close: the client went away (or the server ended the watch).
    res.on('close', () => { clearTimeout(timer); this.watchers.delete(w); });
  }

  /** Places the pod on the first node that fits, or records the scheduler's reason. */
  private schedule(pod: Obj): void {
    const want = requestsOf(pod);
    const affinity = (pod['spec']?.['affinity']?.['nodeAffinity']?.['requiredDuringSchedulingIgnoredDuringExecution']?.['nodeSelectorTerms'] ?? []) as Obj[];
    const tolerations = (pod['spec']?.['tolerations'] ?? []) as Obj[];
    const reasons = new Map<string, number>();
    const why = (r: string): void => { reasons.set(r, (reasons.get(r) ?? 0) + 1); };
    for (const node of this.nodes) {
      const labels = node['metadata']['labels'] as Record<string, string>;
      const okAffinity = affinity.length === 0 || affinity.some((t) => ((t['matchExpressions'] ?? []) as Obj[]).every((e) => e['operator'] === 'In' && (e['values'] as string[]).includes(labels[e['key'] as string] ?? '')));
      if (!okAffinity) { why("node(s) didn't match Pod's node affinity/selector"); continue; }
      const untolerated = ((node['spec']?.['taints'] ?? []) as Obj[]).find((t) => t['effect'] === 'NoSchedule' && !tolerations.some((o) => o['key'] === t['key'] && (o['operator'] === 'Exists' || o['value'] === t['value'])));
      if (untolerated) { why(`node(s) had untolerated taint {${untolerated['key']}: ${untolerated['value'] ?? ''}}`); continue; }
      const used: Record<string, number> = {};
      for (const p of this.pods.values()) {
        if (p === pod || p['spec']?.['nodeName'] !== node['metadata']['name']) continue;
        for (const [k, v] of Object.entries(requestsOf(p))) used[k] = (used[k] ?? 0) + v;
      }
      const short = Object.entries(want).find(([k, v]) => v > parseQuantity((node['status']['allocatable'] as Record<string, string>)[k] ?? '0') - (used[k] ?? 0));
      if (short) { why(`Insufficient ${short[0]}`); continue; }
      pod['spec']['nodeName'] = node['metadata']['name'];
      this.placedAt.set(pod['metadata']['uid'] as string, Date.now());
      pod['status']['conditions'] = [{ type: 'PodScheduled', status: 'True' }];
      // The kubelet's clock: the container starts (or its image fails to pull) startDelayMs after placement.
      this.advanceWhenDue(pod);
      return;
    }
    const detail = [...reasons].map(([r, n]) => `${n} ${r}`).join(', ');
    pod['status']['conditions'] = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: `0/${this.nodes.length} nodes are available: ${detail}. preemption: 0/${this.nodes.length} nodes are available.` }];
  }

  /**
   * Advances the pod once startDelayMs has passed since its placement. A timer may fire a millisecond before
   * Date.now() says the delay passed (timers run on another clock): then it waits again, else the pod would stay
   * pending until someone GETs it, which a client reading its watch never does.
   */
  private advanceWhenDue(pod: Obj): void {
    const placed = this.placedAt.get(pod['metadata']['uid'] as string) ?? 0;
    const left = placed + (this.options.startDelayMs ?? 0) - Date.now();
    this.later(Math.max(0, left), pod, () => {
      if (Date.now() - placed < (this.options.startDelayMs ?? 0)) this.advanceWhenDue(pod);
      else this.advance(pod);
    });
  }

  /** The pod's status now (told to the watches when it changed): Running once placed long enough, image pull failures for scripted images. */
  private advance(pod: Obj): Obj {
    const before = JSON.stringify(pod['status']);
    this.step(pod);
    if (JSON.stringify(pod['status']) !== before && this.pods.has(`${pod['metadata']['namespace']}/${pod['metadata']['name']}`)) this.changed(pod, 'MODIFIED');
    return pod;
  }

  private step(pod: Obj): void {
    const placed = this.placedAt.get(pod['metadata']['uid'] as string);
    if (placed === undefined || pod['status']['phase'] !== 'Pending') return;
    if (Date.now() - placed < (this.options.startDelayMs ?? 0)) return;
    const container = ((pod['spec']['containers'] ?? []) as Obj[])[0] ?? {};
    const image = container['image'] as string;
    const invalid = invalidImageReason(image);
    if (invalid !== null) {
      // The kubelet parses the reference before any pull: no registry is contacted.
      if (!pod['status']['containerStatuses']) pod['status']['containerStatuses'] = [{ name: container['name'], image, ready: false, restartCount: 0, state: { waiting: { reason: 'InvalidImageName', message: `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${invalid}` } } }];
      return;
    }
    if (this.unpullable.has(image)) {
      if (pod['status']['containerStatuses']) return;
      pod['status']['containerStatuses'] = [{ name: container['name'], image, ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found` } } }];
      // The kubelet backs off and reports ImagePullBackOff shortly after the first failure.
      this.later(100, pod, () => {
        pod['status']['containerStatuses'][0]['state'] = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
        this.changed(pod, 'MODIFIED');
      });
      return;
    }
    const configError = this.configError(pod);
    if (configError !== null) {
      pod['status']['containerStatuses'] = [{ name: container['name'], image, ready: false, restartCount: 0, state: { waiting: { reason: 'CreateContainerConfigError', message: configError } } }];
      // The kubelet retries: once the secret is there, the container starts (one retry pending per pod).
      const uid = pod['metadata']['uid'] as string;
      if (!this.retrying.has(uid)) {
        this.retrying.add(uid);
        this.later(200, pod, () => { this.retrying.delete(uid); this.advance(pod); });
      }
      return;
    }
    pod['status'] = {
      phase: 'Running', podIP: '10.244.0.17', hostIP: '192.168.0.2', startTime: new Date(placed).toISOString(),
      conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: container['name'], image, ready: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } }],
    };
  }

  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = POD_PATH.exec(url.pathname);
    this.received.push({ method: 'UPGRADE', path: url.pathname, query: url.searchParams, body: null, auth: req.headers.authorization });
    const deny = (code: number, text: string): void => { socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`); };
    if (!this.authorized(req)) return deny(401, 'Unauthorized');
    if (!m || !m[3] || m[2] === undefined) return deny(404, 'Not Found');
    const pod = this.pods.get(`${decodeURIComponent(m[1] ?? '')}/${decodeURIComponent(m[2])}`);
    if (!pod || this.advance(pod)['status']['phase'] !== 'Running') return deny(404, 'Not Found');
    const port = Number(url.searchParams.get('ports'));
    this.wss.handleUpgrade(req, socket, head, (ws) => this.forward(ws, port));
  }

  /** One port-forward stream: channel 0 data both ways, channel 1 errors, the port prefixed once on each. */
  private forward(ws: WsSocket, port: number): void {
    const prefix = (channel: number): Buffer => Buffer.from([channel, port & 0xff, (port >> 8) & 0xff]);
    ws.send(prefix(0));
    ws.send(prefix(1));
    const target = this.portTargets.get(port);
    if (target === undefined) {
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port}: connection refused`)]));
      ws.close();
      return;
    }
    const tcp = net.connect(target, '127.0.0.1');
    this.sockets.add(tcp);
    tcp.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), d])));
    tcp.on('close', () => { this.sockets.delete(tcp); ws.close(); });
    tcp.on('error', (e) => { if (ws.readyState === 1) ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port}: ${e.message}`)])); });
    ws.on('message', (data: Buffer) => { if (data[0] === 0 && data.length > 1) tcp.write(data.subarray(1)); });
    ws.on('close', () => tcp.end());
    ws.on('error', () => tcp.destroy());
  }
}
