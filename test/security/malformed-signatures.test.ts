// Garbage where a signature should be: mutated packets, algorithm ids, lengths and armor. Every such
// object is a per-commit verdict (malformed, unsupported, bad-signature, …) — never a crash of the whole
// run with exit 3 — and no change to the signed bytes is ever valid. Seeded, so every failure replays.
import { beforeAll, describe, expect, it } from 'vitest';
import { makeFuzzWorld, openFuzzJudge, runFuzz, type FuzzWorld } from '../../tools/fuzz/fuzz-signatures.js';
import { addSignatureHeader } from '../../fixtures/lib/git-objects.js';
import { mutate, Rng } from '../../fixtures/lib/fuzz.js';
import { Repo } from '../../fixtures/lib/repo.js';
import type { RangeReport } from '../../src/index.js';
import { runBin } from '../helpers/bin.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

let world: FuzzWorld;

beforeAll(async () => {
  world = await makeFuzzWorld();
});

describe('fuzzed signatures', () => {
  it('control: every base object verifies unmutated', async () => {
    const judge = await openFuzzJudge(world);
    for (const base of world.bases) expect((await judge(addSignatureHeader(base.payload, base.signature), base.name)).status).toBe('valid');
  });

  it('3,000 seeded mutations: a known verdict for each, none valid on a changed payload, none slow', async () => {
    const result = await runFuzz(world, 3000, 20261129);
    expect(result.violations).toEqual([]);
    expect(result.checked).toBe(3000);
    // the mutations reach the deep paths, not only the armor check
    for (const status of ['malformed', 'bad-signature', 'unknown-key']) expect(result.byStatus[status] ?? 0).toBeGreaterThan(0);
  });

  it('a range through bin/siggate goes on past mutated commits: exit 1, every commit judged', async () => {
    const repo = await Repo.init();
    const rng = new Rng(7);
    let parent: string | null = null;
    const written: string[] = [];
    for (let i = 0; i < 24; i++) {
      const base = world.bases[i % world.bases.length]!;
      const raw = mutate(rng, base).raw.toString('latin1');
      const linked = parent ? raw.replace(/^(tree [0-9a-f]+\n)/, `$1parent ${parent}\n`) : raw;
      parent = await repo.writeRawCommit(Buffer.from(linked, 'latin1'));
      written.push(parent);
    }
    const result = await runBin('siggate', ['verify', parent!, '--repo', repo.dir, '--keys', world.keysDir, '--mode', 'all', '--json', '--no-cache']);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as RangeReport;
    expect(report.commits.map((c) => c.oid).sort()).toEqual([...written].sort());
  });
});
