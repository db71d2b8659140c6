// A git that cannot start because of what the user gave (a NUL byte, a huge value, a missing directory)
// is a usage or repository error (exit 2); git itself missing stays an external failure (exit 3).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../fixtures/lib/temp.js';
import { git, runGit } from '../../../src/git/run-git.js';
import { expectSiggateError, useFixtureCleanup } from '../../helpers/world.js';

useFixtureCleanup();

describe('git that cannot start', () => {
  it('in a directory that does not exist is a RepositoryError (exit 2)', async () => {
    const missing = join(await makeTempDir('siggate-spawn-'), 'no-such-dir');
    const error = await expectSiggateError(runGit(['rev-parse', 'HEAD'], missing), { exitCode: 2, code: 'REPOSITORY' });
    expect(error.message).toContain(missing);
    await expectSiggateError(git(['rev-parse', 'HEAD'], '/etc/hostname'), { exitCode: 2, code: 'REPOSITORY' });
  });

  it('with a NUL byte or 200 kB in an argument is a UsageError (exit 2)', async () => {
    const dir = await makeTempDir('siggate-spawn-');
    await expectSiggateError(runGit(['check-ref-format', 'refs/heads/a\0b'], dir), { exitCode: 2, code: 'USAGE' });
    await expectSiggateError(runGit(['check-ref-format', `refs/heads/${'a'.repeat(200_000)}`], dir), { exitCode: 2, code: 'USAGE' });
  });

  it('because git is not installed is a GitError (exit 3)', async () => {
    const dir = await makeTempDir('siggate-spawn-');
    await expectSiggateError(runGit(['version'], dir, { env: { PATH: join(dir, 'no-bin') } }), { exitCode: 3, code: 'GIT_FAILED' });
  });
});
