import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsErrorName } from './aws-errors.js';
import { DeployStateError } from './errors.js';
import { parseDeployRecord } from './record.js';
import { withRemoteLock, type LockSlot } from './remote-lock.js';
import type { DeployRecord, StateStore } from './types.js';

/**
 * Deploy state in SSM Parameter Store: `PATH/PROJECT/state` holds the record (overwritten), `PATH/PROJECT/lock`
 * the lock — created with PutParameter without Overwrite, which SSM refuses (ParameterAlreadyExists) while
 * it exists: two deployers cannot both create it.
 */
export function ssmState(path: string, client: SSMClient): StateStore {
  const name = (project: string, leaf: string): string => `${path}/${project}/${leaf}`;
  const get = async (parameter: string): Promise<string | null> => {
    try {
      return (await client.send(new GetParameterCommand({ Name: parameter }))).Parameter?.Value ?? null;
    } catch (error) {
      if (awsErrorName(error) === 'ParameterNotFound') return null;
      throw stateFailure(`SSM GetParameter ${parameter}`, error);
    }
  };
  return {
    description: `ssm:${path}`,
    async read(project) {
      const text = await get(name(project, 'state'));
      return text === null ? null : parseDeployRecord(text, project, `ssm:${name(project, 'state')}`);
    },
    async write(record: DeployRecord) {
      const parameter = name(record.project, 'state');
      await client.send(new PutParameterCommand({ Name: parameter, Value: JSON.stringify(record), Type: 'String', Overwrite: true })).catch((error: unknown) => {
        throw stateFailure(`SSM PutParameter ${parameter}`, error);
      });
    },
    withLock(project, waitMs, body) {
      const lock = name(project, 'lock');
      const slot: LockSlot = {
        where: `ssm:${lock}`,
        async create(content) {
          try {
            await client.send(new PutParameterCommand({ Name: lock, Value: content, Type: 'String', Overwrite: false }));
            return true;
          } catch (error) {
            if (awsErrorName(error) === 'ParameterAlreadyExists') return false;
            throw stateFailure(`SSM PutParameter ${lock}`, error);
          }
        },
        read: () => get(lock),
        async remove() {
          await client.send(new DeleteParameterCommand({ Name: lock }));
        },
      };
      return withRemoteLock(slot, waitMs, project, body);
    },
  };
}

function stateFailure(what: string, error: unknown): DeployStateError {
  return new DeployStateError(`${what} failed: ${awsErrorName(error) || (error as Error).name}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
}
