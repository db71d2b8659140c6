// Removing a signature must turn a commit into an unsigned one, never keep it trusted.
import { beforeAll, describe, expect, it } from 'vitest';
import { editHeaders, stripSignature } from '../../fixtures/lib/git-objects.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit, verifyRange, verifyTag } from '../../src/index.js';
import { demoWorld, READERS, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
const oids: Record<string, string> = {};

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  oids['root'] = await repo.commit({ message: 'root\n', sign: world.as('alice') });
  oids['signed'] = await repo.commit({ message: 'signed tip\n', sign: world.as('bob') });
  const raw = await repo.readObject(oids['signed']);
  oids['stripped'] = await repo.writeRawCommit(stripSignature(raw));
  oids['emptied'] = await repo.writeRawCommit(
    editHeaders(stripSignature(raw), (headers) => [...headers, 'gpgsig ']),
  );
  oids['empty-armor'] = await repo.writeRawCommit(
    editHeaders(stripSignature(raw), (headers) => [...headers, 'gpgsig -----BEGIN PGP SIGNATURE-----', ' -----END PGP SIGNATURE-----']),
  );
  await repo.setRef('refs/heads/attacker', oids['stripped']);

  const tagRaw = await repo.readObject(await repo.tag('v1', { sign: world.as('alice'), target: oids['signed'] }));
  const text = tagRaw.toString('utf8');
  const strippedTag = await repo.writeRawObject('tag', Buffer.from(text.slice(0, text.indexOf('-----BEGIN PGP SIGNATURE-----'))));
  await repo.setRef('refs/tags/v1-stripped', strippedTag);
});

describe.each(READERS)('stripped signatures with the %s reader', (reader) => {
  it('the original signed commit is valid (control)', async () => {
    expect((await verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: oids['signed'] ?? '', reader })).status).toBe('valid');
  });

  it('a commit with its gpgsig header stripped is unsigned', async () => {
    const report = await verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: oids['stripped'] ?? '', reader });
    expect(report.status).toBe('unsigned');
  });

  it('a branch pointing at the stripped commit fails the gate', async () => {
    const report = await verifyRange({ repo: repo.dir, keys: [world.keysDir], target: 'attacker', since: oids['root'] ?? '', reader });
    expect(report.ok).toBe(false);
    expect(report.commits.map((c) => c.status)).toEqual(['unsigned']);
  });

  it('a gpgsig header emptied of its signature is not valid', async () => {
    for (const name of ['emptied', 'empty-armor']) {
      const report = await verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: oids[name] ?? '', reader });
      expect(report.status).not.toBe('valid');
    }
  });

  it('a tag with its signature block stripped is unsigned', async () => {
    const report = await verifyTag({ repo: repo.dir, keys: [world.keysDir], tag: 'v1-stripped', reader });
    expect(report).toMatchObject({ ok: false, status: 'unsigned' });
  });
});
