// A text-mode signature (type 0x01) is over the text with its line endings made CRLF. GnuPG canonicalises
// whatever it is given, so a copy of a signed commit whose message lines end in CRLF — a new object with a
// new id, that nobody signed — verifies too. siggate accepts text mode only for content without CR.
import { beforeAll, describe, expect, it } from 'vitest';
import { addSignatureHeader, joinCommit, splitCommit } from '../../fixtures/lib/git-objects.js';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit } from '../../src/index.js';
import { unsignedPayload } from '../helpers/craft.js';
import { makeKeysDir, useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let gpg: GpgHome;
let repo: Repo;
let keysDir: string;
const oids: Record<string, string> = {};

beforeAll(async () => {
  gpg = await GpgHome.create();
  const key = await gpg.generateKey({ name: 'Text', email: 'text@siggate.test', algo: 'ed25519' });
  keysDir = await makeKeysDir({ 'text.asc': await gpg.exportPublic(key) });
  repo = await Repo.init();
  oids['binary'] = await repo.commit({ message: 'binary signature\n', sign: { gpg, key } });
  oids['text'] = await repo.commit({ message: 'text-mode signature\nsecond line\n', sign: { gpg, key, extraArgs: ['--textmode'] } });
  // the same commit with CRLF line endings in its message, carrying the original signature
  const original = splitCommit(await repo.readObject(oids['text']));
  const signature = original.headers.filter((l) => l.startsWith('gpgsig ') || l.startsWith(' ')).map((l) => l.replace(/^gpgsig /, '').replace(/^ /, '')).join('\n') + '\n';
  const unsigned = joinCommit({ headers: original.headers.filter((l) => !l.startsWith('gpgsig ') && !l.startsWith(' ')), message: original.message });
  const crlf = joinCommit({ ...splitCommit(unsigned), message: Buffer.from(original.message.toString('latin1').replaceAll('\n', '\r\n'), 'latin1') });
  oids['crlf-copy'] = await repo.writeRawCommit(addSignatureHeader(crlf, signature));
  // a text-mode signature made over content that already has CR in it
  const withCr = await unsignedPayload(repo, 'made on windows\r\n');
  oids['text-over-cr'] = await repo.writeRawCommit(addSignatureHeader(withCr, await gpg.signDetached(key, withCr, { extraArgs: ['--textmode'] })));
});

describe('text-mode signatures', () => {
  const status = async (name: string): Promise<string> => (await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: oids[name]! })).status;

  it('control: binary and text-mode signatures over what git wrote (no CR) are valid', async () => {
    expect(await status('binary')).toBe('valid');
    expect(await status('text')).toBe('valid');
    expect(await repo.gitSignatureStatus(oids['text']!, { gpg })).toBe('G');
  });

  it('a CRLF copy of a text-mode-signed commit (GnuPG accepts it) is bad-signature', async () => {
    expect(oids['crlf-copy']).not.toBe(oids['text']);
    expect(await repo.gitSignatureStatus(oids['crlf-copy']!, { gpg })).toBe('G');
    expect(await status('crlf-copy')).toBe('bad-signature');
  });

  it('a text-mode signature over content that contains CR is bad-signature', async () => {
    expect(await status('text-over-cr')).toBe('bad-signature');
  });
});
