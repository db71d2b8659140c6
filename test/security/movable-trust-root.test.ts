// A trust root named by something whoever can push refs can move onto their own commit: a lightweight
// tag, an unsigned annotated tag, a tag signed by a key that is not allowed, a branch, an abbreviated id
// shadowed by a ref. Moved onto the unsigned `evil`, each would make the gate check nothing below it.
//
//   deployed ── evil ── tip        deployed by alice, evil unsigned, tip by bob
import { beforeAll, describe, expect, it } from 'vitest';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyRange, type RangeReport, type ReaderKind, type VerifyRangeOptions } from '../../src/index.js';
import { demoWorld, READERS, useFixtureCleanup, type DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
let deployed: string;
let evil: string;
let tip: string;

beforeAll(async () => {
  world = await demoWorld();
  repo = await Repo.init();
  deployed = await repo.commit({ message: 'deployed\n', sign: world.as('alice') });
  evil = await repo.commit({ message: 'backdoor\n', sign: null });
  tip = await repo.commit({ message: 'innocent-looking fix\n', sign: world.as('bob') });
  await repo.tag('deploy-signed', { sign: world.as('alice'), target: deployed });
  // the attacker moved (or made) these onto their unsigned commit
  await repo.tag('deploy-light', { lightweight: true, target: evil });
  await repo.tag('deploy-unsigned', { target: evil });
  await repo.tag('deploy-forged', { sign: world.as('mallory'), target: evil });
  await repo.setRef('refs/heads/deployed', evil);
  // a tag named like the abbreviated id of the deployed commit wins over the id in git's lookup
  await repo.tag(deployed.slice(0, 12), { lightweight: true, target: evil });
});

describe.each(READERS)('movable trust roots with the %s reader', (reader: ReaderKind) => {
  const range = (since: string, options: Partial<VerifyRangeOptions> = {}): Promise<RangeReport> =>
    verifyRange({ repo: repo.dir, keys: [world.keysDir], target: tip, since, mode: 'all', reader, ...options });

  const refused = (report: RangeReport): void => {
    expect(report).toMatchObject({ ok: false, status: 'untrusted-root', since: evil, checked: 0, commits: [] });
    expect(report.reason).not.toBeNull();
    expect(report.remedy).toMatch(/commit id/);
  };

  it('a lightweight tag moved onto the unsigned commit is untrusted-root', async () => {
    refused(await range('deploy-light'));
    refused(await range('refs/tags/deploy-light'));
  });

  it('an unsigned annotated tag moved onto the unsigned commit is untrusted-root', async () => {
    refused(await range('deploy-unsigned'));
  });

  it('a tag signed by a key that is not allowed is untrusted-root', async () => {
    refused(await range('deploy-forged'));
  });

  it('a branch moved onto the unsigned commit is untrusted-root', async () => {
    refused(await range('deployed'));
    refused(await range(`${tip}~1`));
  });

  it('an abbreviated id shadowed by a ref of the same name is untrusted-root', async () => {
    refused(await range(deployed.slice(0, 12)));
  });

  it('a full commit id catches the unsigned commit (control)', async () => {
    const report = await range(deployed);
    expect(report).toMatchObject({ ok: false, status: 'failed', since: deployed });
    expect(report.commits.find((c) => c.oid === evil)?.status).toBe('unsigned');
    expect(report.warnings).toEqual([]);
  });

  it('an abbreviated id that no ref shadows is a commit id too', async () => {
    const report = await range(deployed.slice(0, 10));
    expect(report).toMatchObject({ status: 'failed', since: deployed });
    expect(report.commits.find((c) => c.oid === evil)?.status).toBe('unsigned');
  });

  it('an annotated tag signed by an allowed key is a trust root', async () => {
    const report = await range('deploy-signed');
    expect(report).toMatchObject({ status: 'failed', since: deployed, checked: 2 });
    expect(report.commits.find((c) => c.oid === evil)?.status).toBe('unsigned');
    const passing = await range('deploy-signed', { target: deployed });
    expect(passing).toMatchObject({ ok: true, status: 'passed', since: deployed });
  });

  it('allowUnsignedRoot keeps the old behaviour: the moved tag or branch hides the commit, with a warning', async () => {
    for (const since of ['deploy-light', 'deploy-unsigned', 'deployed']) {
      const report = await range(since, { allowUnsignedRoot: true });
      expect(report, since).toMatchObject({ ok: true, status: 'passed', since: evil, checked: 1 });
      expect(report.warnings.join('\n'), since).toMatch(/can move it/);
    }
  });

  it('allowUnsignedRoot does not accept a tag whose signature is not valid', async () => {
    refused(await range('deploy-forged', { allowUnsignedRoot: true }));
  });
});
