// Real-world check: two public repositories that enforce sequoia-git's policy authenticate (or not) exactly
// as `sq-git log` 0.4.0 does (ground truth in the research notes): chewing/libchewing from its policy commit
// e582b07e, and rpm-software-management/rpm-sequoia, whose maintainer refreshed an expired certificate in
// the commits that needed it. Runs read-only on local copies (SIGGATE_LIBCHEWING / SIGGATE_RPM_SEQUOIA or the
// session mirror); each part skips with a message when its copy is absent.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyRange, type RangeReport } from '../../src/index.js';
import { statusesOf } from '../helpers/sequoia-world.js';

function copyOf(env: string, mirror: string, name: string): string | undefined {
  const candidates = [process.env[env], mirror];
  const found = candidates.find((path): path is string => typeof path === 'string' && existsSync(path));
  if (!found) console.warn(`sequoia-real: ${name} SKIPPED — no copy (looked in ${candidates.filter(Boolean).join(', ')}; set ${env} to a clone)`);
  return found;
}

const libchewing = copyOf('SIGGATE_LIBCHEWING', '/work/.mirror/chewing+libchewing/repo', 'libchewing');
const rpmSequoia = copyOf('SIGGATE_RPM_SEQUOIA', '/work/.mirror/rpm-software-management+rpm-sequoia/repo', 'rpm-sequoia');

const verify = (repo: string, since: string, target: string): Promise<RangeReport> => verifyRange({ repo, policy: 'sequoia', keysFromRepository: true, since, target });

describe.skipIf(!libchewing)('chewing/libchewing', () => {
  const ROOT = 'e582b07e73f9376be102df97d46a70282763fe32';
  it('master (3c4a93aa) authenticates from the policy commit: 2 commits, signed by a signing subkey of the listed certificate', async () => {
    const report = await verify(libchewing!, ROOT, '3c4a93aa03d574c7f011ff84e8a2437c2f79b2cf');
    expect(report.status).toBe('passed');
    expect(report.checked).toBe(2);
    expect(report.commits.every((c) => c.signer?.fingerprint === '374FF2AD0A12935FD0B0C84F1B132E01CEC6AD46')).toBe(true);
  });

  it('master-codeberg (05ae6bcb) fails: its last commit is unsigned', async () => {
    const report = await verify(libchewing!, ROOT, '05ae6bcb9309c466a1b32d69c146bc583be04747');
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get('05ae6bcb9309c466a1b32d69c146bc583be04747')).toBe('unsigned');
  });

  it("a dependabot commit (signed by GitHub's web-flow key) fails", async () => {
    expect((await verify(libchewing!, ROOT, '4249e4d0fce409e5f6a053c82916e2dc8f041af6')).ok).toBe(false);
  });
});

describe.skipIf(!rpmSequoia)('rpm-software-management/rpm-sequoia', () => {
  const MAIN = '401dbd9ae2eca087a82b7c15c0379f878aea02da';
  it('main fails from the policy commit 7be075f: c66ff449 is signed by a key the policy does not list', async () => {
    const report = await verify(rpmSequoia!, '7be075f7d0746180351ea38e1b761e3223c79e16', MAIN);
    expect(report.ok).toBe(false);
    expect(statusesOf(report).get('c66ff449dc594af3233a6dc00f75b5e8aa6a585c')).toBe('unknown-key');
  });

  it('main authenticates from 3be60d7 and from c66ff44, through two expiry refreshes made in the commits that needed them', async () => {
    const fromRefresh = await verify(rpmSequoia!, '3be60d7600e41fcfab829eee8cda7f4cb63a126a', MAIN);
    expect(fromRefresh.status).toBe('passed');
    expect(fromRefresh.checked).toBe(36);
    expect((await verify(rpmSequoia!, 'c66ff449dc594af3233a6dc00f75b5e8aa6a585c', MAIN)).status).toBe('passed');
  });
});
