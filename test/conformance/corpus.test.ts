import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyRange, type CommitReport } from '../../src/index.js';
import { buildCorpusRepo, CORPUS_DIR, corpusNames, expectedStatus, readExpected, sshSignedOids } from './corpus-repo.js';

const names = corpusNames();
if (names.length === 0) console.warn(`conformance: SKIPPED — no corpus at ${CORPUS_DIR}`);

describe.skipIf(names.length === 0)('conformance with GnuPG over ../shared/corpus', () => {
  const built = new Map<string, { dir: string; head: string }>();
  afterAll(() => {
    for (const { dir } of built.values()) rmSync(dir, { recursive: true, force: true });
  });
  const repoFor = (name: string) => {
    if (!built.has(name)) built.set(name, buildCorpusRepo(name));
    return built.get(name)!;
  };

  const variants = [
    { reader: 'git', ignoreExpiry: false },
    { reader: 'git', ignoreExpiry: true },
    { reader: 'isomorphic', ignoreExpiry: false },
  ] as const;
  for (const name of names) {
    for (const { reader, ignoreExpiry } of variants) {
      it(`${name}: every commit matches GnuPG (--mode all${ignoreExpiry ? ', --ignore-expiry' : ''}, ${reader} reader)`, async () => {
        const { dir, head } = repoFor(name);
        const expected = readExpected(name);
        const ssh = sshSignedOids(name);
        const report = await verifyRange({
          repo: dir,
          keys: [join(CORPUS_DIR, name, 'keys')],
          target: head,
          mode: 'all',
          ignoreExpiry,
          reader,
          // GnuPG's verdicts were taken with expiry judged at signing time; the corpus keys may expire later
          now: new Date(),
        });
        const byOid = new Map<string, CommitReport>(report.commits.map((c) => [c.oid, c]));
        const mismatches = expected
          .map((entry) => ({ entry, got: byOid.get(entry.oid), want: expectedStatus(entry, ignoreExpiry, ssh.has(entry.oid)) }))
          .filter(({ got, want, entry }) => got?.status !== want || (want === 'valid' && got?.signer?.fingerprint !== entry.primary))
          .map(({ entry, got, want }) => `${entry.oid} gpg=${entry.gpg} want ${want} got ${got?.status} (${got?.reason})`);
        expect(report.checked).toBe(expected.length);
        expect(mismatches).toEqual([]);
      });
    }
  }
});
