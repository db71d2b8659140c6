// Core verification cases against real git + gpg signatures, under both object readers.
import { beforeAll, describe, expect, it } from 'vitest';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit, verifyRange, verifyTag } from '../../src/index.js';
import { demoWorld, makeKeysDir, READERS, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
let keysDir: string;
/** A key whose primary only certifies; it signs with a subkey. */
let carol: { primary: string; subkey: string };
const oids: Record<string, string> = {};

beforeAll(async () => {
  world = await demoWorld();
  const carolHome = await GpgHome.create();
  const primary = await carolHome.generateKey({ name: 'Carol Subkey', email: 'carol@siggate.test', algo: 'ed25519', signSubkey: true });
  const subkey = (await carolHome.keyInfo(primary)).find((key) => !key.primary && key.usage.includes('s'))?.fingerprint ?? '';
  carol = { primary, subkey };
  keysDir = await makeKeysDir({
    'alice.asc': { copy: `${world.keysDir}/alice.asc` },
    'bob.asc': { copy: `${world.keysDir}/bob.asc` },
    'team/carol.asc': await carolHome.exportPublic(primary),
  });

  repo = await Repo.init();
  oids['alice'] = await repo.commit({ message: 'Signed by alice\n\nEd25519 body\n', sign: world.as('alice') });
  oids['bob'] = await repo.commit({ message: 'Signed by bob\n', sign: world.as('bob') });
  oids['carol'] = await repo.commit({ message: 'Signed by carol subkey\n', sign: { gpg: carolHome, key: primary } });
  oids['unsigned'] = await repo.commit({ message: 'Not signed\n' });
  oids['mallory'] = await repo.commit({ message: 'Signed by mallory\n', sign: world.as('mallory') });
  oids['crlf'] = await repo.commit({ message: 'CRLF subject\r\n\r\nbody line\r\n', sign: world.as('alice') });
  oids['latin1'] = await repo.commit({
    message: Buffer.from('Caf\xe9 cr\xe8me br\xfbl\xe9e\n\nlatin-1 body \xa9\n', 'latin1'),
    encoding: 'ISO-8859-1',
    sign: world.as('bob'),
  });
  oids['trailing'] = await repo.commit({ message: 'no final newline, trailing space ', sign: world.as('alice') });

  await repo.checkout('feature', { create: true });
  oids['feature'] = await repo.commit({ message: 'Feature work\n', sign: world.as('alice') });
  await repo.checkout('main');
  oids['merge'] = await repo.merge('feature', { sign: world.as('bob'), message: 'Merge feature' });

  await repo.checkout('release', { create: true });
  oids['release'] = await repo.commit({ message: 'Release work\n', sign: world.as('bob') });
  await repo.tag('release-1', { sign: world.as('bob'), message: 'release 1' });
  await repo.checkout('main');
  oids['mergetag'] = await repo.merge('release-1', { sign: world.as('alice'), message: 'Merge tag release-1' });

  oids['tag-alice'] = await repo.tag('v1-alice', { sign: world.as('alice'), target: oids['alice'] });
  oids['tag-unsigned'] = await repo.tag('v1-unsigned', { target: oids['alice'] });
  oids['tag-mallory'] = await repo.tag('v1-mallory', { sign: world.as('mallory'), target: oids['alice'] });
  await repo.tag('v1-light', { lightweight: true, target: oids['alice'] });
});

function oid(name: string): string {
  const value = oids[name];
  if (!value) throw new Error(`fixture commit ${name} missing`);
  return value;
}

describe.each(READERS)('verify with the %s reader', (reader) => {
  const check = (name: string, extra: { allow?: string[] } = {}) =>
    verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oid(name), reader, ...extra });

  it('accepts an Ed25519 (GnuPG EdDSA) signature by an allowed key', async () => {
    const report = await check('alice');
    expect(report).toMatchObject({ oid: oid('alice'), status: 'valid', format: 'openpgp', subject: 'Signed by alice' });
    expect(report.signer).toMatchObject({ fingerprint: world.fingerprints.alice, signingKey: world.fingerprints.alice });
    expect(report.signer?.userId).toContain('alice@siggate.test');
    expect(report.signedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('accepts an RSA-3072 signature by an allowed key', async () => {
    const report = await check('bob');
    expect(report.status).toBe('valid');
    expect(report.signer?.fingerprint).toBe(world.fingerprints.bob);
  });

  it('attributes a signing-subkey signature to the primary key', async () => {
    const report = await check('carol');
    expect(report.status).toBe('valid');
    expect(report.signer?.fingerprint).toBe(carol.primary);
    expect(report.signer?.signingKey).toBe(carol.subkey);
    expect(carol.subkey).not.toBe(carol.primary);
  });

  it('reports an unsigned commit as unsigned', async () => {
    const report = await check('unsigned');
    expect(report).toMatchObject({ status: 'unsigned', format: 'none', signer: null, signedAt: null });
  });

  it('reports a signature by a key outside the keys directory as unknown-key', async () => {
    const report = await check('mallory');
    expect(report.status).toBe('unknown-key');
    expect(report.format).toBe('openpgp');
  });

  it('reports an allowed-directory key excluded by --allow as not-allowed', async () => {
    const narrowed = await check('alice', { allow: [world.fingerprints.bob] });
    expect(narrowed.status).toBe('not-allowed');
    expect(narrowed.signer?.fingerprint).toBe(world.fingerprints.alice);
    expect((await check('bob', { allow: [world.fingerprints.bob] })).status).toBe('valid');
  });

  it('accepts --allow naming a primary whose subkey signed', async () => {
    expect((await check('carol', { allow: [carol.primary] })).status).toBe('valid');
    expect((await check('carol', { allow: [world.fingerprints.alice] })).status).toBe('not-allowed');
  });

  it('verifies a message with CRLF line endings verbatim', async () => {
    expect((await check('crlf')).status).toBe('valid');
  });

  it('verifies a latin-1 message (i18n.commitEncoding) over its raw bytes', async () => {
    const report = await check('latin1');
    expect(report.status).toBe('valid');
    expect(report.signer?.fingerprint).toBe(world.fingerprints.bob);
  });

  it('verifies a message without a final newline and with trailing space', async () => {
    expect((await check('trailing')).status).toBe('valid');
  });

  it('accepts a signed merge commit', async () => {
    const report = await check('merge');
    expect(report.status).toBe('valid');
    expect(report.signer?.fingerprint).toBe(world.fingerprints.bob);
  });

  it('accepts a signed merge of a signed tag (mergetag header kept in the payload)', async () => {
    expect((await repo.readObject(oid('mergetag'))).toString('utf8')).toMatch(/^mergetag object /m);
    const report = await check('mergetag');
    expect(report.status).toBe('valid');
    expect(report.signer?.fingerprint).toBe(world.fingerprints.alice);
  });

  it('verifyRange in tip mode checks only the target', async () => {
    const report = await verifyRange({ repo: repo.dir, keys: [keysDir], target: oid('mergetag'), reader });
    expect(report).toMatchObject({ ok: true, status: 'passed', mode: 'tip', checked: 1, failed: 0, since: null });
    expect(report.target).toBe(oid('mergetag'));
    expect(report.commits.map((c) => c.oid)).toEqual([oid('mergetag')]);
  });

  it('verifyRange fails the gate on an unsigned tip', async () => {
    const report = await verifyRange({ repo: repo.dir, keys: [keysDir], target: oid('unsigned'), reader });
    expect(report).toMatchObject({ ok: false, status: 'failed', checked: 1, failed: 1 });
    expect(report.commits[0]?.status).toBe('unsigned');
  });

  it('verifyRange resolves branch names and HEAD', async () => {
    const head = await verifyRange({ repo: repo.dir, keys: [keysDir], reader });
    expect(head.target).toBe(await repo.revParse('HEAD'));
    const branch = await verifyRange({ repo: repo.dir, keys: [keysDir], target: 'feature', reader });
    expect(branch.target).toBe(oid('feature'));
    expect(branch.ok).toBe(true);
  });

  it('verifyTag accepts an annotated tag signed by an allowed key', async () => {
    const report = await verifyTag({ repo: repo.dir, keys: [keysDir], tag: 'v1-alice', reader });
    expect(report).toMatchObject({ ok: true, status: 'valid', format: 'openpgp', oid: oid('tag-alice'), target: oid('alice'), targetType: 'commit' });
    expect(report.signer?.fingerprint).toBe(world.fingerprints.alice);
  });

  it('verifyTag accepts the signed tag that was merged with mergetag', async () => {
    const report = await verifyTag({ repo: repo.dir, keys: [keysDir], tag: 'release-1', reader });
    expect(report.status).toBe('valid');
    expect(report.signer?.fingerprint).toBe(world.fingerprints.bob);
  });

  it('verifyTag reports an unsigned annotated tag as unsigned', async () => {
    const report = await verifyTag({ repo: repo.dir, keys: [keysDir], tag: 'v1-unsigned', reader });
    expect(report).toMatchObject({ ok: false, status: 'unsigned', format: 'none', signer: null });
  });

  it('verifyTag reports a tag signed by an unknown key as unknown-key', async () => {
    const report = await verifyTag({ repo: repo.dir, keys: [keysDir], tag: 'v1-mallory', reader });
    expect(report).toMatchObject({ ok: false, status: 'unknown-key' });
  });

  it('verifyTag never passes a lightweight tag (there is no tag signature): unsigned', async () => {
    const report = await verifyTag({ repo: repo.dir, keys: [keysDir], tag: 'v1-light', reader });
    expect(report).toMatchObject({ ok: false, status: 'unsigned', targetType: 'commit' });
  });
});
