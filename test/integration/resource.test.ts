// The Concourse resource scripts driven in-process with the JSON Concourse writes on stdin, against real
// bare repositories served by file:// URLs, signed with real gpg.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import type { RangeReport } from '../../src/index.js';
import type { ResourceKind } from '../../src/resource/main.js';
import { resourceHarness, type ResourceHarness } from '../helpers/resource.js';
import { verifyTag } from '../../src/commands/verify-tag.js';
import { demoWorld, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let harness: ResourceHarness;
const resource = (kind: ResourceKind, request: unknown, argv: string[] = []): Promise<Outcome> => harness.run(kind, request, argv);

let world: DemoWorld;
let armoredKeys: string[];

/** A work repository and the bare remote it pushes to. */
async function remotePair(): Promise<{ work: Repo; bare: Repo; uri: string; push(ref?: string, force?: boolean): Promise<void> }> {
  const work = await Repo.init();
  const bare = await Repo.init({ bare: true });
  return {
    work,
    bare,
    uri: `file://${bare.dir}`,
    push: async (ref = 'main', force = false) => {
      await work.git('push', '--quiet', ...(force ? ['--force'] : []), bare.dir, ref);
    },
  };
}

function minutesAgo(minutes: number): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000 - minutes * 60_000);
}

function source(uri: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { uri, branch: 'main', commit_verification_keys: armoredKeys, ...extra };
}

beforeAll(async () => {
  world = await demoWorld();
  armoredKeys = [await readFile(demoKeys.alice.publicKeyPath, 'utf8'), await readFile(demoKeys.bob.publicKeyPath, 'utf8')];
  harness = await resourceHarness();
});

describe('check', () => {
  it('emits only the current signed tip without an input version', async () => {
    const r = await remotePair();
    await r.work.commit({ message: 'one\n', sign: world.as('alice') });
    const tip = await r.work.commit({ message: 'two\n', sign: world.as('bob') });
    await r.push();
    const out = await resource('check', { source: source(r.uri), version: null });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([{ ref: tip }]);
  });

  it('emits nothing for an unsigned tip and logs why', async () => {
    const r = await remotePair();
    await r.work.commit({ message: 'one\n', sign: world.as('alice') });
    const tip = await r.work.commit({ message: 'unsigned\n' });
    await r.push();
    const out = await resource('check', { source: source(r.uri) });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([]);
    expect(out.stderr).toContain(tip);
    expect(out.stderr).toContain('unsigned');
  });

  it('with a version, emits the passing commits after it, oldest first, and logs the skipped ones', async () => {
    const r = await remotePair();
    const a = await r.work.commit({ message: 'a\n', sign: world.as('alice') });
    const b = await r.work.commit({ message: 'b\n' });
    const c = await r.work.commit({ message: 'c\n', sign: world.as('bob') });
    const d = await r.work.commit({ message: 'd\n', sign: world.as('mallory') });
    const e = await r.work.commit({ message: 'e\n', sign: world.as('alice') });
    await r.push();
    const out = await resource('check', { source: source(r.uri), version: { ref: a } });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([{ ref: a }, { ref: c }, { ref: e }]);
    expect(out.stderr).toMatch(new RegExp(`skipping ${b}: unsigned`));
    expect(out.stderr).toMatch(new RegExp(`skipping ${d}: unknown-key`));
    // Incremental: a second check from the newest version fetches into the same mirror.
    const f = await r.work.commit({ message: 'f\n', sign: world.as('bob') });
    await r.push();
    const again = await resource('check', { source: source(r.uri), version: { ref: e } });
    expect(JSON.parse(again.stdout)).toEqual([{ ref: e }, { ref: f }]);
  });

  it('with a trust root, an unsigned commit closes the gate for every commit after it', async () => {
    const r = await remotePair();
    const a = await r.work.commit({ message: 'a\n', sign: world.as('alice') });
    const b = await r.work.commit({ message: 'b\n', sign: world.as('alice') });
    await r.work.commit({ message: 'c\n' });
    const d = await r.work.commit({ message: 'd\n', sign: world.as('alice') });
    await r.push();
    const out = await resource('check', { source: source(r.uri, { trust_root: a }), version: { ref: a } });
    expect(JSON.parse(out.stdout)).toEqual([{ ref: a }, { ref: b }]);
    expect(out.stderr).toContain(`skipping ${d}`);
  });

  it('a force-pushed branch that no longer descends from the trust root emits nothing', async () => {
    const r = await remotePair();
    const root = await r.work.commit({ message: 'root\n', sign: world.as('alice') });
    const trusted = await r.work.commit({ message: 'trusted\n', sign: world.as('alice') });
    await r.push();
    const request = { source: source(r.uri, { trust_root: trusted }), version: { ref: trusted } };
    expect(JSON.parse((await resource('check', request)).stdout)).toEqual([{ ref: trusted }]);
    await r.work.git('reset', '--hard', '-q', root);
    await r.work.commit({ message: 'rewritten\n', sign: world.as('alice') });
    await r.push('main', true);
    const out = await resource('check', request);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([]);
    expect(out.stderr).toContain('not-descendant');
    // A fresh mirror that never saw the trust root cannot resolve it: a configuration error, nothing emitted.
    // (Without a version: a version naming a commit the mirror lacks is fetched by id, as git-resource does.)
    const fresh = await resource('check', { source: { ...request.source, branch: 'main', uri: `file://${r.bare.dir}/` } });
    expect(fresh.code).toBe(2);
    expect(fresh.stdout).toBe('');
  });

  it('with tag_filter and verify_tags, emits tags whose commit and tag signature pass', async () => {
    const r = await remotePair();
    const a = await r.work.commit({ message: 'a\n', sign: world.as('alice') });
    await r.work.tag('v1', { sign: world.as('alice'), date: minutesAgo(10) });
    const b = await r.work.commit({ message: 'b\n', sign: world.as('bob') });
    await r.work.tag('v2', { date: minutesAgo(9) });
    await r.work.tag('v3', { sign: world.as('mallory'), date: minutesAgo(8) });
    await r.work.tag('other', { sign: world.as('alice'), date: minutesAgo(7) });
    await r.work.commit({ message: 'c\n' });
    await r.work.tag('v4', { sign: world.as('alice'), date: minutesAgo(6) });
    await r.work.tag('v5', { sign: world.as('bob'), target: b, date: minutesAgo(5) });
    // tag modes take only tags merged into source.branch: the branch is on the remote too
    await r.push();
    await r.push('--tags');
    // with a version, git-resource yields the newest version_depth tags from it on (default 1)
    const strict = await resource('check', { source: source(r.uri, { tag_filter: 'v*', verify_tags: true, version_depth: 10 }), version: { ref: 'v1', commit: a } });
    expect(strict.code).toBe(0);
    expect(JSON.parse(strict.stdout)).toEqual([{ ref: 'v1', commit: a }, { ref: 'v5', commit: b }]);
    expect(strict.stderr).toContain('skipping tag v2');
    expect(strict.stderr).toContain('skipping tag v3');
    expect(strict.stderr).toContain('skipping tag v4');
    const loose = await resource('check', { source: source(r.uri, { tag_regex: '^v[0-9]+$', version_depth: 10 }), version: { ref: 'v1', commit: a } });
    expect(JSON.parse(loose.stdout).map((v: { ref: string }) => v.ref)).toEqual(['v1', 'v2', 'v3', 'v5']);
    const latest = await resource('check', { source: source(r.uri, { tag_filter: 'v*', verify_tags: true }) });
    expect(JSON.parse(latest.stdout)).toEqual([{ ref: 'v5', commit: b }]);
  });
});

describe('in', () => {
  it('checks out a verified version with metadata and the JSON report', async () => {
    const r = await remotePair();
    await r.work.commit({ message: 'first\n', sign: world.as('alice') });
    const tip = await r.work.commit({ message: 'Deploy me\n\nbody', sign: world.as('bob'), files: { 'app.txt': 'v2\n' } });
    await r.push();
    const dest = await makeTempDir('siggate-dest-');
    const out = await resource('in', { source: source(r.uri), version: { ref: tip }, params: {} }, [dest]);
    expect(out.code).toBe(0);
    const answer = JSON.parse(out.stdout) as { version: unknown; metadata: { name: string; value: string }[] };
    expect(answer.version).toEqual({ ref: tip });
    const meta = Object.fromEntries(answer.metadata.map((m) => [m.name, m.value]));
    // the whole message, as git-resource's metadata has it (it was the subject alone)
    expect(meta).toMatchObject({ commit: tip, message: 'Deploy me\n\nbody', signer_fingerprint: world.fingerprints.bob, verification: 'valid' });
    expect(meta['signer']).toContain('Bob Demo');
    // git-resource's author is the name alone (it was "name <email>")
    expect(meta['author']).toBe('Siggate Tester');
    expect(answer.metadata.every((m) => typeof m.value === 'string')).toBe(true);
    expect(await readFile(join(dest, 'app.txt'), 'utf8')).toBe('v2\n');
    const report = JSON.parse(await readFile(join(dest, '.git', 'siggate-report.json'), 'utf8')) as RangeReport;
    expect(report).toMatchObject({ ok: true, target: tip });
  });

  it('fails with 1 and leaves the destination empty for an unsigned version', async () => {
    const r = await remotePair();
    await r.work.commit({ message: 'first\n', sign: world.as('alice') });
    const tip = await r.work.commit({ message: 'unsigned\n' });
    await r.push();
    const dest = await makeTempDir('siggate-dest-');
    const out = await resource('in', { source: source(r.uri), version: { ref: tip } }, [dest]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(await readdir(dest)).toEqual([]);
  });

  it('with verify_tags, refuses a tag signed by an unknown key before touching the destination', async () => {
    const r = await remotePair();
    const a = await r.work.commit({ message: 'a\n', sign: world.as('alice') });
    await r.work.tag('v1', { sign: world.as('mallory') });
    await r.push();
    await r.push('--tags');
    const dest = await makeTempDir('siggate-dest-');
    const out = await resource('in', { source: source(r.uri, { tag_filter: 'v*', verify_tags: true }), version: { ref: 'v1', commit: a } }, [dest]);
    expect(out.code, out.stderr).toBe(1);
    expect(await readdir(dest)).toEqual([]);
  });
});

describe('out', () => {
  async function checkedOut(sign: boolean): Promise<{ r: Awaited<ReturnType<typeof remotePair>>; src: string; commit: string }> {
    const r = await remotePair();
    await r.work.commit({ message: 'base\n', sign: world.as('alice') });
    await r.push();
    const commit = await r.work.commit({ message: 'release\n', ...(sign ? { sign: world.as('alice') } : {}) });
    const src = await makeTempDir('siggate-src-');
    await r.work.git('clone', '--quiet', r.work.dir, join(src, 'repo'));
    await writeFile(join(src, 'tag-name'), '1.2.3\n');
    await writeFile(join(src, 'notes'), 'Release 1.2.3\n');
    return { r, src, commit };
  }

  const params = { repository: 'repo', tag: 'tag-name', tag_prefix: 'v', annotate: 'notes', branch: 'release' };

  it('pushes the tag and the branch only after the commit verifies', async () => {
    const { r, src, commit } = await checkedOut(true);
    const out = await resource('out', { source: source(r.uri), params }, [src]);
    expect(out.stderr).not.toContain('internal error');
    expect(out.code).toBe(0);
    // params.branch goes into the version, as git-resource's out reports it
    expect(JSON.parse(out.stdout).version).toEqual({ branch: 'release', ref: commit });
    expect(await r.bare.revParse('refs/heads/release')).toBe(commit);
    expect(await r.bare.revParse('refs/tags/v1.2.3^{commit}')).toBe(commit);
    expect(await r.bare.git('cat-file', '-t', 'refs/tags/v1.2.3')).toBe('tag');
  });

  it('pushes nothing when the commit is unsigned', async () => {
    const { r, src } = await checkedOut(false);
    const out = await resource('out', { source: source(r.uri), params }, [src]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(await r.bare.git('for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
  });
});

describe('in then out, with a signed tag as the trust root', () => {
  it('verifies the checkout from in against a trust root tag it does not hold, then pushes the promotion tag', async () => {
    const r = await remotePair();
    await r.work.commit({ message: 'root\n', sign: world.as('alice') });
    await r.work.tag('deployed', { sign: world.as('alice') });
    await r.work.commit({ message: 'next\n', sign: world.as('bob') });
    const tip = await r.work.commit({ message: 'release\n', sign: world.as('alice') });
    await r.push();
    await r.push('--tags');
    const src = await makeTempDir('siggate-src-');
    const request = { source: source(r.uri, { trust_root: 'deployed' }) };
    const got = await resource('in', { ...request, version: { ref: tip } }, [join(src, 'repo')]);
    expect(got.code).toBe(0);
    await writeFile(join(src, 'name'), 'prod-1');
    const out = await resource('out', { ...request, params: { repository: 'repo', tag: 'name' } }, [src]);
    expect(out.code).toBe(0);
    expect(await r.bare.revParse('refs/tags/prod-1')).toBe(tip);
  });

  it('pushes nothing when a commit between the trust root tag and the checkout is unsigned', async () => {
    const r = await remotePair();
    await r.work.commit({ message: 'root\n', sign: world.as('alice') });
    await r.work.tag('deployed', { sign: world.as('alice') });
    await r.work.commit({ message: 'sneaky\n' });
    await r.work.commit({ message: 'release\n', sign: world.as('alice') });
    await r.push();
    await r.push('--tags');
    const src = await makeTempDir('siggate-src-');
    await r.work.git('clone', '--quiet', '--no-tags', r.work.dir, join(src, 'repo'));
    await writeFile(join(src, 'name'), 'prod-1');
    const out = await resource('out', { source: source(r.uri, { trust_root: 'deployed' }), params: { repository: 'repo', tag: 'name', branch: 'prod' } }, [src]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('unsigned');
    expect(await r.bare.git('for-each-ref', '--format=%(refname)')).toBe('refs/heads/main\nrefs/tags/deployed');
  });
});

describe('a trust_root that whoever can push tags could move', () => {
  /** main: deployed ── backdoor ── fix, with the lightweight tag `deployed` moved onto the unsigned backdoor. */
  async function movedRoot(): Promise<{ r: Awaited<ReturnType<typeof remotePair>>; tip: string }> {
    const r = await remotePair();
    await r.work.commit({ message: 'deployed\n', sign: world.as('alice') });
    const hidden = await r.work.commit({ message: 'backdoor\n' });
    const tip = await r.work.commit({ message: 'fix\n', sign: world.as('bob') });
    await r.work.tag('deployed', { lightweight: true, target: hidden });
    await r.push();
    await r.push('--tags');
    return { r, tip };
  }

  it('check emits nothing and logs untrusted-root; allow_unsigned_root emits the tip with a warning', async () => {
    const { r, tip } = await movedRoot();
    const out = await resource('check', { source: source(r.uri, { trust_root: 'deployed' }) });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([]);
    expect(out.stderr).toContain('untrusted-root');
    const allowed = await resource('check', { source: source(r.uri, { trust_root: 'deployed', allow_unsigned_root: true }) });
    expect(JSON.parse(allowed.stdout)).toEqual([{ ref: tip }]);
    expect(allowed.stderr).toMatch(/warning: .*can move it/);
  });

  it('in exits 1 and leaves the destination empty', async () => {
    const { r, tip } = await movedRoot();
    const dest = await makeTempDir('siggate-dest-');
    const out = await resource('in', { source: source(r.uri, { trust_root: 'deployed' }), version: { ref: tip } }, [dest]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('untrusted-root');
    expect(await readdir(dest)).toEqual([]);
  });

  it('out pushes nothing: neither a tag and branch nor a promotion tag', async () => {
    const { r } = await movedRoot();
    const src = await makeTempDir('siggate-src-');
    await r.work.git('clone', '--quiet', r.work.dir, join(src, 'repo'));
    await writeFile(join(src, 'name'), 'prod-1');
    const request = { source: source(r.uri, { trust_root: 'deployed' }) };
    const named = await resource('out', { ...request, params: { repository: 'repo', tag: 'name', branch: 'prod' } }, [src]);
    expect(named.code).toBe(1);
    expect(named.stderr).toContain('untrusted-root');
    const promoted = await resource('out', { ...request, params: { repository: 'repo', bump: 'patch', tag_prefix: 'prod-' } }, [src]);
    expect(promoted.code).toBe(1);
    expect(await r.bare.git('for-each-ref', '--format=%(refname)')).toBe('refs/heads/main\nrefs/tags/deployed');
  });

  it('allow_unsigned_root must be true or false (exit 2)', async () => {
    expect((await resource('check', { source: source('file:///nowhere', { allow_unsigned_root: 'yes' }) })).code).toBe(2);
  });
});

describe('configuration and remote errors', () => {
  it('malformed stdin JSON is exit 2', async () => {
    expect((await resource('check', '{"source": {')).code).toBe(2);
  });

  it('an unknown source key is exit 2 naming it', async () => {
    const out = await resource('check', { source: source('file:///nowhere', { privat_key: 'x' }) });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('privat_key');
  });

  it('unknown params and source keys are exit 2, all of them named at once as git-resource lists them', async () => {
    const params = await resource('in', { source: source('file:///nowhere'), version: { ref: 'a'.repeat(40) }, params: { depht: 1, submodule: 'all' } }, ['/tmp/x']);
    expect(params.code).toBe(2);
    expect(params.stderr).toContain('Found unknown keys in get params:\n"depht"\n"submodule"');
    const put = await resource('out', { source: source('file:///nowhere'), params: { repository: '.', rebse: true } }, ['/tmp/x']);
    expect(put.code).toBe(2);
    expect(put.stderr).toContain('Found unknown keys in put params:\n"rebse"');
    const check = await resource('check', { source: source('file:///nowhere', { brnch: 'main', private_key_pasphrase: 'x' }) });
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('Found unknown keys in source:\n"brnch"\n"private_key_pasphrase"');
  });

  it('gpg_keyserver is refused with its reason: keys never come from a keyserver', async () => {
    const out = await resource('check', { source: source('file:///nowhere', { gpg_keyserver: 'hkp://keyserver.ubuntu.com' }) });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/gpg_keyserver is refused: siggate never fetches keys from a keyserver/);
  });

  it('no verification keys, a short key ID, a wrong type or a non-string version are exit 2', async () => {
    expect((await resource('check', { source: { uri: 'file:///nowhere' } })).code).toBe(2);
    expect((await resource('check', { source: source('file:///nowhere', { commit_verification_key_ids: ['1F2A02F4'] }) })).code).toBe(2);
    expect((await resource('check', { source: source('file:///nowhere', { ignore_expiry: 'yes' }) })).code).toBe(2);
    expect((await resource('check', { source: source('file:///nowhere'), version: { ref: 1 } })).code).toBe(2);
  });

  it('commit_verification_key_ids narrow the allow list to the keys they name', async () => {
    const r = await remotePair();
    const tip = await r.work.commit({ message: 'by bob\n', sign: world.as('bob') });
    await r.push();
    const onlyAlice = await resource('check', { source: source(r.uri, { commit_verification_key_ids: [world.fingerprints.alice] }) });
    expect(JSON.parse(onlyAlice.stdout)).toEqual([]);
    expect(onlyAlice.stderr).toContain('not-allowed');
    const longId = world.fingerprints.bob.slice(-16);
    const bob = await resource('check', { source: source(r.uri, { commit_verification_key_ids: [longId] }) });
    expect(JSON.parse(bob.stdout)).toEqual([{ ref: tip }]);
  });

  it('an unreachable remote is exit 3 and the password never appears on stderr', async () => {
    const password = 'hunter2-very-secret';
    const out = await resource('check', { source: source('http://127.0.0.1:9/repo.git', { username: 'ci', password }) });
    expect(out.code).toBe(3);
    expect(out.stderr).not.toContain(password);
    expect(out.stderr).not.toContain(Buffer.from(`ci:${password}`).toString('base64'));
  });

  it('a missing remote repository is exit 3 and leaves the destination empty', async () => {
    const dest = await makeTempDir('siggate-dest-');
    const out = await resource('in', { source: source(`file://${dest}-missing`), version: { ref: 'a'.repeat(40) } }, [dest]);
    expect(out.code).toBe(3);
    expect(existsSync(join(dest, '.git'))).toBe(false);
  });
});

describe('out with params.promote and params.bump (the code path of siggate promote)', () => {
  async function released(): Promise<{ r: Awaited<ReturnType<typeof remotePair>>; src: string; commit: string }> {
    const r = await remotePair();
    await r.work.commit({ message: 'base\n', sign: world.as('alice') });
    const commit = await r.work.commit({ message: 'release\n', sign: world.as('bob') });
    await r.work.tag('staging-1.4.0', { sign: world.as('alice'), message: 'staged' });
    await r.work.tag('prod-1.0.0', { target: `${commit}~1`, lightweight: true });
    await r.push();
    await r.push('--tags');
    const src = await makeTempDir('siggate-src-');
    await r.work.git('clone', '--quiet', r.work.dir, join(src, 'repo'));
    return { r, src, commit };
  }

  it('promotes staging-<semver> to a signed prod-<semver>, idempotently', async () => {
    const { r, src, commit } = await released();
    const request = {
      source: source(r.uri, { signing_key: await readFile(demoKeys.alice.secretKeyPath, 'utf8') }),
      params: { repository: 'repo', promote: { from_prefix: 'staging-', to_prefix: 'prod-', verify_source_tag: true } },
    };
    const out = await resource('out', request, [src]);
    expect(out.stderr).not.toContain('internal error');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ version: { ref: commit }, metadata: expect.arrayContaining([{ name: 'tag', value: 'prod-1.4.0' }]) });
    expect(await r.bare.revParse('refs/tags/prod-1.4.0^{commit}')).toBe(commit);
    const tag = await verifyTag({ repo: r.bare.dir, keys: [world.keysDir], tag: 'prod-1.4.0' });
    expect(tag).toMatchObject({ status: 'valid', signer: { fingerprint: world.fingerprints.alice } });
    const again = await resource('out', request, [src]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already promoted');
  });

  it('bumps past the highest prod tag on the remote; without source.signing_key the tag is unsigned, with a warning', async () => {
    const { r, src, commit } = await released();
    const out = await resource('out', { source: source(r.uri), params: { repository: 'repo', bump: 'minor', tag_prefix: 'prod-' } }, [src]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('source.signing_key is not set');
    expect(await r.bare.revParse('refs/tags/prod-1.1.0^{commit}')).toBe(commit);
  });

  it('tags nothing when the checkout does not verify, or the source tag is not validly signed', async () => {
    const { r, src } = await released();
    const repo = await Repo.init({ dir: join(src, 'repo') });
    await repo.commit({ message: 'unsigned\n' });
    const out = await resource('out', { source: source(r.uri), params: { repository: 'repo', bump: 'patch', tag_prefix: 'prod-' } }, [src]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('unsigned');

    const other = await released();
    const mallorySigned = await Repo.init({ dir: join(other.src, 'repo') });
    await mallorySigned.tag('staging-2.0.0', { sign: world.as('mallory'), message: 'forged' });
    const forged = await resource(
      'out',
      { source: source(other.r.uri), params: { repository: 'repo', promote: { from_prefix: 'staging-', to_prefix: 'prod-', verify_source_tag: true } } },
      [other.src],
    );
    expect(forged.code).toBe(1);
    expect(await other.r.bare.git('tag', '--list', 'prod-2*')).toBe('');
    expect(await r.bare.git('tag', '--list', 'prod-*')).toBe('prod-1.0.0');
  });

  it('refuses conflicting or malformed promotion params with exit 2', async () => {
    const { r, src } = await released();
    for (const params of [
      { repository: 'repo', bump: 'patch', tag: 'name' },
      { repository: 'repo', bump: 'huge' },
      { repository: 'repo', promote: { from_prefix: 'a-' } },
      { repository: 'repo', promote: { from_prefix: 'a-', to_prefix: 'b-', extra: 1 } },
      { repository: 'repo', promote: 'staging' },
      { repository: 'repo', bump: 'patch', promote: { from_prefix: 'a-', to_prefix: 'b-' } },
    ]) {
      expect((await resource('out', { source: source(r.uri), params }, [src])).code, JSON.stringify(params)).toBe(2);
    }
  });
});
