import { Command } from 'commander';
import { addFetchCommand } from './fetch.js';
import { addKeysCommand } from './keys.js';
import { addMergeSignCommand } from './merge-sign.js';
import { reportError } from './output.js';
import { addPromoteCommand } from './promote.js';
import { addS3Command } from './s3.js';
import { addVerifyCommand, addVerifyTagCommand } from './verify.js';

function buildProgram(): Command {
  const program = new Command('siggate')
    .description('Verify the signatures on the commits that matter before they reach a deployment')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  addVerifyCommand(program);
  addVerifyTagCommand(program);
  addKeysCommand(program);
  addFetchCommand(program);
  addMergeSignCommand(program);
  addPromoteCommand(program);
  addS3Command(program);
  return program;
}

/** The CLI entry: the only place that catches, and it only sets `process.exitCode`. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
  } catch (error) {
    process.exitCode = reportError(error);
  }
}
