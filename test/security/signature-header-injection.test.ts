// Signature headers where they do not belong: in the message, twice, or hidden among other headers.
import { beforeAll, describe, expect, it } from 'vitest';
import { addSignatureHeader, extractSignature, joinCommit, signatureHeaderLines, splitCommit, stripSignature } from '../../fixtures/lib/git-objects.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit } from '../../src/index.js';
import { unsignedPayload } from '../helpers/craft.js';
import { demoWorld, READERS, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
const oids: Record<string, string> = {};

/** `payload`'s message with a `gpgsig` block spliced in at `where`, as a naive line-based parser would strip it. */
function messageWithHeader(payload: Buffer, signature: string, where: 'start' | 'end'): Buffer {
  const parts = splitCommit(payload);
  const block = Buffer.from(`${signatureHeaderLines(signature).join('\n')}\n`);
  const message = where === 'start' ? Buffer.concat([block, parts.message]) : Buffer.concat([parts.message, block]);
  return joinCommit({ headers: parts.headers, message });
}

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  await repo.commit({ message: 'base\n', sign: world.as('alice') });
  const payload = await unsignedPayload(repo, 'Innocent change\n');
  const valid = await world.gpg.signDetached(world.fingerprints.alice, payload);
  const byMallory = await world.gpg.signDetached(world.fingerprints.mallory, payload);
  oids['control'] = await repo.writeRawCommit(addSignatureHeader(payload, valid));

  // The signature covers the payload; the attacker moves it into the message where a naive parser would strip it.
  oids['gpgsig-at-message-end'] = await repo.writeRawCommit(messageWithHeader(payload, valid, 'end'));
  oids['gpgsig-at-message-start'] = await repo.writeRawCommit(messageWithHeader(payload, valid, 'start'));

  const twice = (first: string, second: string) =>
    repo.writeRawCommit(addSignatureHeader(addSignatureHeader(payload, first), second));
  oids['second-gpgsig-after-valid'] = await twice(valid, byMallory);
  oids['second-gpgsig-before-valid'] = await twice(byMallory, valid);
  oids['second-gpgsig-same-signature'] = await twice(valid, valid);
  const other = extractSignature(await repo.readObject(await repo.commit({ message: 'other\n', sign: world.as('bob'), update: false }))) ?? '';
  oids['second-gpgsig-from-other-commit'] = await twice(valid, other);
  // A second gpgsig header separated from the first by another header.
  oids['gpgsig-split-by-header'] = await repo.writeRawCommit(
    addSignatureHeader(addSignatureHeader(payload, valid), byMallory, { position: 1 }),
  );
  // A signature header before the tree header.
  oids['gpgsig-first'] = await repo.writeRawCommit(addSignatureHeader(payload, valid, { position: 0 }));
  expect(stripSignature(await repo.readObject(oids['gpgsig-first'] ?? ''))).toEqual(payload);
});

describe.each(READERS)('signature header injection with the %s reader', (reader) => {
  const check = (name: string) => verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: oids[name] ?? '', reader });

  it('the correctly placed signature is valid (control)', async () => {
    expect((await check('control')).status).toBe('valid');
  });

  it.each(['gpgsig-at-message-end', 'gpgsig-at-message-start'])('gpgsig text inside the commit message (%s) is unsigned', async (name) => {
    expect((await check(name)).status).toBe('unsigned');
  });

  it.each([
    'second-gpgsig-after-valid',
    'second-gpgsig-before-valid',
    'second-gpgsig-same-signature',
    'second-gpgsig-from-other-commit',
    'gpgsig-split-by-header',
  ])('a second gpgsig header (%s) is not valid', async (name) => {
    const report = await check(name);
    expect(report.status).not.toBe('valid');
    expect(['malformed', 'bad-signature']).toContain(report.status);
  });

  it('a gpgsig header before the tree header is not valid', async () => {
    expect((await check('gpgsig-first')).status).not.toBe('valid');
  });
});
