import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../files/atomic-file.js';
import { withLockFile } from '../files/lock-file.js';
import { DeployBusyError, DeployStateError } from './errors.js';
import { parseDeployRecord } from './record.js';
import type { DeployRecord, StateStore } from './types.js';

/**
 * Deploy state in a local directory: `PROJECT.json` (written atomically) and `PROJECT.lock` (an O_EXCL lock
 * file naming its holder; a dead holder's lock is taken over). Project names are checked before they get here.
 */
export function localState(dir: string): StateStore {
  const file = (project: string, ext: string): string => join(dir, `${project}.${ext}`);
  return {
    description: dir,
    async read(project) {
      let text: string;
      try {
        text = await readFile(file(project, 'json'), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new DeployStateError(`cannot read the deploy state of ${project} in ${dir}: ${(error as Error).message}`, { cause: error });
      }
      return parseDeployRecord(text, project, file(project, 'json'));
    },
    async write(record: DeployRecord) {
      await writeFileAtomically(file(record.project, 'json'), new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`)).catch((error: unknown) => {
        throw new DeployStateError(`cannot record the deploy of ${record.project} in ${dir}: ${(error as Error).message}`, { cause: error });
      });
    },
    async withLock(project, waitMs, body) {
      await mkdir(dir, { recursive: true }).catch((error: unknown) => {
        throw new DeployStateError(`cannot create the state directory ${dir}: ${(error as Error).message}`, { cause: error });
      });
      const busy = (holder: { pid: number; host: string; since: string } | null): Error =>
        new DeployBusyError(`another deploy of ${project} holds ${file(project, 'lock')}${holder ? ` (pid ${holder.pid} on ${holder.host} since ${holder.since})` : ''}; gave up after ${Math.round(waitMs / 1000)} s`);
      return withLockFile(file(project, 'lock'), { timeoutMs: waitMs, busy }, body);
    },
  };
}
