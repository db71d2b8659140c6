// Every signing-key type GnuPG 2.2 makes, each signature checked against the real gpg's own output.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GpgHome } from '../../fixtures/lib/gpg.js';
import { withMessage } from '../../fixtures/lib/git-objects.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { verifyCommit } from '../../src/index.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const ALGORITHMS = ['nistp256', 'nistp384', 'nistp521', 'brainpoolP256r1', 'brainpoolP384r1', 'secp256k1', 'ed25519', 'rsa2048'] as const;
const commits = new Map<string, string>();
let repo: Repo;
let keysDir: string;

beforeAll(async () => {
  const gpg = await GpgHome.create();
  repo = await Repo.init();
  keysDir = await makeTempDir('siggate-key-types-');
  for (const algo of ALGORITHMS) {
    const created = await gpg.gpg(['--status-fd', '1', '--quick-generate-key', `${algo} <${algo}@siggate.test>`, algo, 'sign', 'never']);
    const fingerprint = /KEY_CREATED \w ([0-9A-F]{40})/.exec(created.stdout.toString())![1]!;
    await writeFile(join(keysDir, `${algo}.asc`), await gpg.exportPublic(fingerprint));
    const oid = await repo.commit({ message: `signed with ${algo}\n`, sign: { gpg, key: fingerprint } });
    expect(await repo.gitSignatureStatus(oid, { gpg })).toMatch(/^[GU]$/);
    commits.set(algo, oid);
  }
});

describe('signing-key types', () => {
  it.each(ALGORITHMS)('a commit signed with a %s key is valid', async (algo) => {
    const report = await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: commits.get(algo)! });
    expect(report.status).toBe('valid');
    expect(report.signer?.userId).toBe(`${algo} <${algo}@siggate.test>`);
  });

  it.each(['nistp256', 'brainpoolP256r1', 'secp256k1'])('a %s signature over an altered message is bad-signature', async (algo) => {
    const raw = await repo.readObject(commits.get(algo)!);
    const forged = await repo.writeRawCommit(withMessage(raw, 'signed with something else\n'));
    const report = await verifyCommit({ repo: repo.dir, keys: [keysDir], rev: forged });
    expect(report.status).toBe('bad-signature');
  });
});
