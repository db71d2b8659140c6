import { Command, CommanderError } from 'commander';
import { exitCodeFor, SiggateError } from '../errors.js';
import type { ReaderKind } from '../commands/types.js';
import { addFetchCommand } from './fetch-command.js';
import { addMergeSignCommand } from './merge-sign-command.js';
import { addPromoteCommand } from './promote-command.js';
import { addS3Command } from './s3-command.js';
import { formatKeys, formatRangeReport, formatTagReport } from './format.js';
import {
  addPolicyOptions,
  addRangeOptions,
  addRepositoryOptions,
  collect,
  policyOptionsOf,
  rangeOptionsOf,
  type PolicyFlags,
  type RangeFlags,
} from './options.js';
import { writeRangeReportJson } from './json.js';
import { createProgress } from './progress.js';

interface RepositoryFlags extends PolicyFlags {
  repo: string;
  reader: ReaderKind;
}

function buildProgram(): Command {
  const program = new Command('siggate')
    .description('Verify the signatures on the commits that matter before they reach a deployment')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  const verify = program.command('verify').argument('[rev]', 'revision to verify', 'HEAD');
  addRangeOptions(addRepositoryOptions(addPolicyOptions(verify)))
    .description('verify the commits a mode requires, from a trust root to REV')
    .option('--no-cache', 'neither read nor extend the verification cache under the git directory')
    .action(async (rev: string, flags: RepositoryFlags & RangeFlags & { cache: boolean }) => {
      const { verifyRange } = await import('../commands/verify-range.js');
      const progress = createProgress(process.stderr);
      const report = await verifyRange({
        ...policyOptionsOf(flags),
        ...rangeOptionsOf(flags),
        repo: flags.repo,
        reader: flags.reader,
        target: rev,
        cache: flags.cache,
        onProgress: (done, total) => progress.update(done, total),
      });
      progress.end();
      if (flags.json) await writeRangeReportJson(process.stdout, report);
      else process.stderr.write(formatRangeReport(report));
      process.exitCode = report.ok ? 0 : 1;
    });

  addRepositoryOptions(addPolicyOptions(program.command('verify-tag').argument('<tag>', 'annotated tag to verify')))
    .description("verify an annotated tag object's own signature")
    .action(async (tag: string, flags: RepositoryFlags) => {
      const { verifyTag } = await import('../commands/verify-tag.js');
      const report = await verifyTag({ ...policyOptionsOf(flags), repo: flags.repo, reader: flags.reader, tag });
      if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else process.stderr.write(formatTagReport(report));
      process.exitCode = report.ok ? 0 : 1;
    });

  program
    .command('keys')
    .description('list the allowed keys: fingerprint, algorithm, user IDs, creation, expiry, revocation')
    .option('--keys <path>', 'key file or directory (repeatable; default ./keys)', collect)
    .option('--json', 'print JSON on stdout')
    .action(async (flags: { keys?: string[]; json?: boolean }) => {
      const { listKeys } = await import('../commands/list-keys.js');
      const keys = await listKeys({ keys: flags.keys ?? ['./keys'], onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
      if (flags.json) process.stdout.write(JSON.stringify(keys, null, 2) + '\n');
      else process.stdout.write(formatKeys(keys));
      for (const warning of keys.flatMap((k) => k.warnings)) process.stderr.write(`warning: ${warning}\n`);
    });
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

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
  }
  if (error instanceof SiggateError) {
    process.stderr.write(`siggate: ${error.message}\n`);
    return exitCodeFor(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`siggate: internal error: ${message}\n`);
  if (process.env.SIGGATE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return exitCodeFor(error);
}
