import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { RegisterError } from '../core/deploy-entry.js';
import { awsErrorName, awsFailure } from './aws-errors.js';
import type { RegisterSource } from './types.js';

/**
 * A register in SSM Parameter Store: the parameter `PATH/PROJECT` holds the project's entry as JSON
 * (`GetParameter` with decryption, so a SecureString works). No such parameter: no entry. A value that is
 * not JSON is a configuration error (exit 2); any other failure of SSM is exit 3.
 */
export function ssmRegister(path: string, client: SSMClient): RegisterSource {
  const prefix = path.replace(/\/+$/, '');
  return {
    description: `ssm:${prefix}`,
    async readEntry(project) {
      const name = `${prefix}/${project}`;
      let value: string | undefined;
      try {
        value = (await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value;
      } catch (error) {
        if (awsErrorName(error) === 'ParameterNotFound') return undefined;
        throw awsFailure(`SSM GetParameter ${name}`, error);
      }
      try {
        return JSON.parse(value ?? '') as unknown;
      } catch (error) {
        throw new RegisterError(`the SSM parameter ${name} is not a JSON register entry`, { cause: error });
      }
    },
  };
}

/** `ssm:/PATH` → `/PATH`: an absolute parameter path, without `..` or empty segments. */
export function parseSsmPath(source: string): string {
  const path = source.slice('ssm:'.length);
  if (!/^(\/[A-Za-z0-9_.-]+)+\/?$/.test(path) || path.split('/').includes('..')) throw new RegisterError(`invalid SSM path ${JSON.stringify(source)}: expected ssm:/PATH`);
  return path.replace(/\/$/, '');
}
