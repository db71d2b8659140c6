// A valid signature copied from one object onto other bytes must never verify.
import { beforeAll, describe, expect, it } from 'vitest';
import { addSignatureHeader, editHeaders, extractSignature, splitTag, stripSignature, withMessage } from '../../fixtures/lib/git-objects.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit, verifyTag } from '../../src/index.js';
import { unsignedPayload } from '../helpers/craft.js';
import { demoWorld, READERS, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
const oids: Record<string, string> = {};

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  oids['base'] = await repo.commit({ message: 'base\n', sign: world.as('alice') });
  oids['donor'] = await repo.commit({ message: 'Reviewed and approved change\n', sign: world.as('alice') });
  const donorRaw = await repo.readObject(oids['donor']);
  const signature = extractSignature(donorRaw) ?? '';

  const evil = await unsignedPayload(repo, 'Add backdoor\n');
  oids['onto-other-commit'] = await repo.writeRawCommit(addSignatureHeader(evil, signature));
  oids['onto-other-message'] = await repo.writeRawCommit(withMessage(donorRaw, 'Reviewed and approved change (and a backdoor)\n'));
  oids['onto-crlf-message'] = await repo.writeRawCommit(withMessage(donorRaw, 'Reviewed and approved change\r\n'));
  oids['onto-other-parent'] = await repo.writeRawCommit(
    editHeaders(donorRaw, (headers) => headers.filter((h) => !h.startsWith('parent '))),
  );
  oids['onto-other-committer-time'] = await repo.writeRawCommit(
    editHeaders(donorRaw, (headers) => headers.map((h) => (h.startsWith('committer ') ? h.replace(/ (\d+) \+0000$/, ' 1 +0000') : h))),
  );

  // The signature of an annotated tag reused as a commit signature, and the other way round.
  const tagOid = await repo.tag('approved', { sign: world.as('alice'), target: oids['donor'] });
  const tagSignature = splitTag(await repo.readObject(tagOid)).signature ?? '';
  oids['tag-signature-on-commit'] = await repo.writeRawCommit(addSignatureHeader(evil, tagSignature));
  const unsignedTag = await repo.readObject(await repo.tag('unsigned-tag', { target: oids['base'] }));
  const forgedTag = await repo.writeRawObject('tag', Buffer.concat([unsignedTag, Buffer.from(signature)]));
  await repo.setRef('refs/tags/forged-tag', forgedTag);

  // A signed merge of a signed tag with its mergetag header removed.
  await repo.checkout('topic', { create: true, startPoint: oids['base'] });
  await repo.commit({ message: 'topic\n', sign: world.as('bob') });
  await repo.tag('topic-v1', { sign: world.as('bob') });
  await repo.checkout('main');
  const merge = await repo.merge('topic-v1', { sign: world.as('alice') });
  oids['mergetag-merge'] = merge;
  const mergeRaw = await repo.readObject(merge);
  let inMergetag = false;
  const withoutMergetag = editHeaders(mergeRaw, (headers) =>
    headers.filter((h) => {
      if (h.startsWith('mergetag ')) inMergetag = true;
      else if (!h.startsWith(' ')) inMergetag = false;
      return !inMergetag;
    }),
  );
  oids['mergetag-dropped'] = await repo.writeRawCommit(withoutMergetag);
  expect(stripSignature(withoutMergetag).toString()).not.toContain('mergetag');
});

describe.each(READERS)('transplanted signatures with the %s reader', (reader) => {
  const check = (name: string) => verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: oids[name] ?? '', reader });

  it('the donor commit itself is valid (control)', async () => {
    expect((await check('donor')).status).toBe('valid');
    expect((await check('mergetag-merge')).status).toBe('valid');
  });

  it.each([
    'onto-other-commit',
    'onto-other-message',
    'onto-crlf-message',
    'onto-other-parent',
    'onto-other-committer-time',
    'tag-signature-on-commit',
    'mergetag-dropped',
  ])('signature transplanted %s is bad-signature', async (name) => {
    const report = await check(name);
    expect(report.status).toBe('bad-signature');
  });

  it('a commit signature appended to an unsigned tag is bad-signature', async () => {
    const report = await verifyTag({ repo: repo.dir, keys: [world.keysDir], tag: 'forged-tag', reader });
    expect(report.ok).toBe(false);
    expect(report.status).toBe('bad-signature');
  });
});
