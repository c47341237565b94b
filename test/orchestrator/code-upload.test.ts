// The code upload through the orchestrator: planned and limit-checked once at apply, carried by the run as
// `<state>/uploads/<run id>.tar`, handed as that archive to whichever backend kind provisions it (also after a
// restart, and after the work tree changed), nothing for --no-repo, and removed once the run finishes.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { Backend, InstanceJob, ProviderInstance, Requirements, ResourceTags } from '../../src/backends/backend';
import { FakeBackend } from '../../src/backends/fake/fake-backend';
import { LocalBackend } from '../../src/backends/local/local-backend';
import type { BackendId, Offer } from '../../src/backends/offer';
import { extractTar } from '../../src/backends/ssh/upload/tar-extract';
import { UploadError } from '../../src/backends/ssh/upload/types';
import { ManualClock } from '../../src/orchestrator/clock';
import { codeArchivePath, sweepCodeArchives } from '../../src/orchestrator/code-archives';
import { codeUploadRoot, prepareCodeUpload, submitRunWithCode } from '../../src/orchestrator/code-upload';
import { requestStop, submitRun } from '../../src/orchestrator/orchestrator';
import { Scheduler } from '../../src/orchestrator/scheduler/scheduler';
import { Store } from '../../src/orchestrator/store/store';
import { git, writeTree } from '../backends/ssh/upload/helpers';
import { fakeOffer, spec, tempDir } from './helpers';

/** A backend of any kind (by id) over the fake, recording the job each create got and the archive's files then. */
class RecordingBackend implements Backend {
  readonly created: Array<{ job: InstanceJob | undefined; files: Record<string, string> | null }> = [];
  constructor(readonly id: BackendId, private readonly fake: FakeBackend) {}
  get capabilities(): Backend['capabilities'] { return this.fake.capabilities; }
  listOffers(req?: Requirements): Promise<Offer[]> { return this.fake.listOffers(req); }
  async create(offer: Offer, tags: ResourceTags, _key: string, job?: InstanceJob): Promise<ProviderInstance> {
    this.created.push({ job, files: job?.codeArchive === undefined ? null : await filesOf(job.codeArchive) });
    return this.fake.create(offer, tags);
  }
  refresh(ids: string[]): Promise<ProviderInstance[]> { return this.fake.refresh(ids); }
  listTagged(installation: string): Promise<ProviderInstance[]> { return this.fake.listTagged(installation); }
  terminate(id: string): Promise<void> { return this.fake.terminate(id); }
}

/** The regular files an archive extracts to, by path. */
async function filesOf(archive: string): Promise<Record<string, string>> {
  const dest = tempDir('dvs-extracted-');
  await extractTar(Readable.from([fs.readFileSync(archive)]), dest);
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const d of fs.readdirSync(path.join(dest, rel), { withFileTypes: true })) {
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) walk(r);
      else out[r] = fs.readFileSync(path.join(dest, r), 'utf8');
    }
  };
  walk('');
  return out;
}

/** A git project with a configuration, a state dir and a scheduler whose one backend is `kind`. */
async function setup(kind: BackendId): Promise<{ project: string; config: string; stateDir: string; store: Store; clock: ManualClock; backend: RecordingBackend; offers: Offer[]; scheduler: () => Scheduler }> {
  const dir = tempDir();
  const project = path.join(dir, 'project');
  writeTree(project, { 'app.py': 'print("approved")\n', '.gitignore': 'secret.txt\n', 'secret.txt': 'never\n', 'dev.dstack.yml': 'type: dev-environment\nide: vscode\n' });
  git(project, 'init', '-q');
  git(project, 'add', '.');
  git(project, 'commit', '-qm', 'init');
  const stateDir = path.join(dir, 'state');
  const clock = new ManualClock();
  const store = new Store(stateDir);
  await store.acquireLease('test-owner', Date.now(), 3_600_000);
  const fake = new FakeBackend(path.join(dir, 'fake.json'), clock);
  const offers = [{ ...fakeOffer('t1', 1), backend: kind }];
  await fake.script({ offers });
  const backend = new RecordingBackend(kind, fake);
  const scheduler = (): Scheduler => new Scheduler({ store, backends: new Map([[kind, backend]]), clock, owner: 'test-owner' });
  return { project, config: path.join(project, 'dev.dstack.yml'), stateDir, store, clock, backend, offers, scheduler };
}

describe('code upload through the orchestrator', function () {
  this.timeout(30_000);

  for (const kind of ['local', 'remote', 'aws', 'kubernetes', 'fake'] as const) {
    it(`${kind}: the backend gets the archive approved at apply (not the tree at create time), also after a restart; it is removed when the run finishes`, async () => {
      const w = await setup(kind);
      const upload = await prepareCodeUpload(w.config, { noRepo: false, env: {}, stateDir: w.stateDir });
      assert.equal(upload.plan.source, 'git');
      const run = await submitRunWithCode(w, spec(w.offers, { configurationPath: w.config }), 'dev', upload);
      const archive = codeArchivePath(w.stateDir, run.id);
      assert.equal(run.spec.codeArchive, archive);
      assert.match(run.spec.repoId ?? '', /^project-[0-9a-z]{8}$/);
      // The tree changes after the user approved the plan: the run still carries what was approved.
      writeTree(w.project, { 'app.py': 'print("changed later")\n', 'new.bin': 'x'.repeat(100) });
      // A fresh scheduler over the same state (another process, a restart) provisions it.
      let s = await w.scheduler().tick();
      s = await w.scheduler().tick();
      assert.equal(s.runs[0]?.status, 'running');
      assert.equal(w.backend.created.length, 1);
      const got = w.backend.created[0];
      assert.equal(got?.job?.codeArchive, archive);
      assert.equal(got?.job?.repoId, run.spec.repoId);
      assert.deepEqual(got?.files, { '.gitignore': 'secret.txt\n', 'app.py': 'print("approved")\n', 'dev.dstack.yml': 'type: dev-environment\nide: vscode\n' });
      await requestStop(w.store, 'dev', false);
      s = await w.scheduler().tick();
      s = await w.scheduler().tick();
      assert.equal(s.runs[0]?.status, 'terminated');
      assert.equal(fs.existsSync(archive), false, 'the archive went with the run');
    });
  }

  it('the real local backend extracts the approved archive into the working dir, with the repo id', async () => {
    const w = await setup('local');
    const local = new LocalBackend(w.stateDir);
    const offers = await local.listOffers();
    const upload = await prepareCodeUpload(w.config, { noRepo: false, env: {}, stateDir: w.stateDir });
    const run = await submitRunWithCode(w, spec(offers, { init: ['printf %s "$DSTACK_REPO_ID" > repo-id.txt'] }), 'dev', upload);
    writeTree(w.project, { 'app.py': 'print("changed later")\n' });
    const scheduler = new Scheduler({ store: w.store, backends: new Map([['local', local]]), clock: w.clock, owner: 'test-owner' });
    let s = await scheduler.tick();
    for (let i = 0; i < 100 && s.runs[0]?.status !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      s = await scheduler.tick();
    }
    assert.equal(s.runs[0]?.status, 'running');
    const workdir = path.join(local.instanceDir(s.runs[0]?.instanceId ?? ''), 'home', 'workflow');
    assert.equal(fs.readFileSync(path.join(workdir, 'app.py'), 'utf8'), 'print("approved")\n');
    assert.equal(fs.existsSync(path.join(workdir, 'secret.txt')), false, 'ignored by .gitignore');
    assert.equal(fs.readFileSync(path.join(workdir, 'repo-id.txt'), 'utf8'), run.spec.repoId);
    await requestStop(w.store, 'dev', false);
    for (let i = 0; i < 100 && s.runs[0]?.status !== 'terminated'; i++) {
      s = await scheduler.tick();
      if (s.runs[0]?.status !== 'terminated') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(s.runs[0]?.status, 'terminated');
    assert.equal(fs.existsSync(codeArchivePath(w.stateDir, run.id)), false);
  });

  it('the repo is the git work tree around the configuration, or its own folder when the work tree ignores that folder', async () => {
    const w = await setup('fake');
    writeTree(w.project, { 'sub/dev.dstack.yml': 'type: dev-environment\n', 'build/scratch/dev.dstack.yml': 'type: dev-environment\n', 'build/scratch/tool.py': 'x\n' });
    fs.appendFileSync(path.join(w.project, '.gitignore'), 'build/\n');
    assert.equal(await codeUploadRoot(path.join(w.project, 'sub', 'dev.dstack.yml')), fs.realpathSync(w.project));
    const scratch = path.join(w.project, 'build', 'scratch');
    assert.equal(await codeUploadRoot(path.join(scratch, 'dev.dstack.yml')), scratch);
    const upload = await prepareCodeUpload(path.join(scratch, 'dev.dstack.yml'), { noRepo: false, env: {}, stateDir: w.stateDir });
    assert.deepEqual([upload.plan.source, upload.fileCount], ['folder', 2]);
  });

  it('--no-repo: nothing is written, the backend gets no archive', async () => {
    const w = await setup('remote');
    const upload = await prepareCodeUpload(w.config, { noRepo: true, env: {}, stateDir: w.stateDir });
    assert.equal(upload.summary, 'Code upload: none (--no-repo)');
    const run = await submitRunWithCode(w, spec(w.offers), 'dev', upload);
    assert.equal(run.spec.codeArchive, undefined);
    assert.equal(run.spec.repoId, undefined);
    await w.scheduler().tick();
    assert.equal(w.backend.created[0]?.job?.codeArchive, undefined);
    assert.equal(w.backend.created[0]?.job?.repoId, undefined);
    assert.equal(fs.existsSync(path.join(w.stateDir, 'uploads')), false);
  });

  it('over the limit: refused at apply with the largest files and how to exclude them, before any run exists', async () => {
    const w = await setup('aws');
    writeTree(w.project, { 'weights.bin': 'w'.repeat(3000), 'data/set.csv': 'd'.repeat(2000) });
    await assert.rejects(prepareCodeUpload(w.config, { noRepo: false, env: { DSTACK_SERVER_CODE_UPLOAD_LIMIT: '4096' }, stateDir: w.stateDir }), (e: unknown) => {
      assert.ok(e instanceof UploadError && e.code === 'too_large', String(e));
      assert.match(e.message, /exceeds the limit of 4\.0 KiB/);
      assert.match(e.message, /Largest files:\n\s+weights\.bin\s+2\.9 KiB\n\s+data\/set\.csv\s+2\.0 KiB/);
      assert.match(e.message, /\.gitignore or \.dstackignore/);
      return true;
    });
    // `--no-repo` is never over the limit.
    await prepareCodeUpload(w.config, { noRepo: true, env: { DSTACK_SERVER_CODE_UPLOAD_LIMIT: '1' }, stateDir: w.stateDir });
  });

  it('a submit that fails (the name is taken) leaves no archive behind', async () => {
    const w = await setup('fake');
    await submitRun(w.store, w.clock, spec(w.offers), 'dev');
    const upload = await prepareCodeUpload(w.config, { noRepo: false, env: {}, stateDir: w.stateDir });
    await assert.rejects(submitRunWithCode(w, spec(w.offers), 'dev', upload), /already exists/);
    assert.deepEqual(fs.readdirSync(path.join(w.stateDir, 'uploads')), []);
  });

  it('the sweep removes archives of finished runs and unclaimed ones older than an hour, and keeps the rest', async () => {
    const w = await setup('fake');
    const upload = await prepareCodeUpload(w.config, { noRepo: false, env: {}, stateDir: w.stateDir });
    const active = await submitRunWithCode(w, spec(w.offers), 'active', upload);
    const finished = await submitRunWithCode(w, spec(w.offers), 'finished', upload);
    await w.store.update((s) => { const r = s.runs.find((x) => x.id === finished.id); if (r) r.status = 'terminated'; });
    const uploads = path.join(w.stateDir, 'uploads');
    fs.writeFileSync(path.join(uploads, 'fresh-unclaimed.tar'), '');
    fs.writeFileSync(path.join(uploads, 'stale-unclaimed.tar'), '');
    const hourAgo = (Date.now() - 61 * 60 * 1000) / 1000;
    fs.utimesSync(path.join(uploads, 'stale-unclaimed.tar'), hourAgo, hourAgo);
    assert.equal(await sweepCodeArchives(w.stateDir, await w.store.read()), 2);
    assert.deepEqual(fs.readdirSync(uploads).sort(), [`${active.id}.tar`, 'fresh-unclaimed.tar'].sort());
  });
});
