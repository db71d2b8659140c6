import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { exitCodeFor, SiggateError } from '../errors.js';
import type { RangeMode, ReaderKind, VerifyOptions } from '../commands/types.js';
import { addFetchCommand } from './fetch-command.js';
import { formatKeys, formatRangeReport, formatTagReport } from './format.js';
import { writeRangeReportJson } from './json.js';
import { createProgress } from './progress.js';

interface CommonFlags {
  repo: string;
  keys?: string[];
  allow?: string[];
  allowFile?: string[];
  ignoreExpiry?: boolean;
  allowWeak?: boolean;
  json?: boolean;
  reader: ReaderKind;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function addVerifyOptions(command: Command): Command {
  return command
    .option('--repo <dir>', 'repository (work tree or git dir)', '.')
    .option('--keys <path>', 'key file or directory (repeatable; default ./keys)', collect)
    .option('--allow <fingerprint>', 'narrow the allow list to this key (repeatable)', collect)
    .option('--allow-file <file>', 'file with one allowed fingerprint a line (repeatable)', collect)
    .option('--ignore-expiry', 'accept signatures made after the key had expired (revocation still counts)')
    .option('--allow-weak', 'accept SHA-1, DSA and RSA under 2048 bits')
    .option('--json', 'print the JSON report on stdout')
    .addOption(new Option('--reader <kind>', 'how to read objects').choices(['auto', 'git', 'isomorphic']).default('auto'));
}

function verifyOptions(flags: CommonFlags): VerifyOptions {
  return {
    repo: flags.repo,
    keys: flags.keys ?? ['./keys'],
    allow: flags.allow ?? [],
    allowFile: flags.allowFile ?? [],
    ignoreExpiry: flags.ignoreExpiry ?? false,
    allowWeak: flags.allowWeak ?? false,
    reader: flags.reader,
    onWarning: flags.json ? undefined : (message) => process.stderr.write(`warning: ${message}\n`),
  };
}

function parseMode(value: string): RangeMode {
  if (value === 'tip' || value === 'first-parent' || value === 'all') return value;
  throw new InvalidArgumentError('expected tip, first-parent or all');
}

function buildProgram(): Command {
  const program = new Command('siggate')
    .description('Verify the signatures on the commits that matter before they reach a deployment')
    .version(process.env.npm_package_version ?? '0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  addVerifyOptions(program.command('verify').argument('[rev]', 'revision to verify', 'HEAD'))
    .description('verify the commits a mode requires, from a trust root to REV')
    .option('--since <rev>', 'trust root: a commit or (signed) tag already trusted')
    .option('--mode <mode>', 'tip | first-parent | all', parseMode)
    .option('--allow-rewind', 'accept a target that does not descend from the trust root')
    .option('--no-cache', 'neither read nor extend the verification cache under the git directory')
    .action(async (rev: string, flags: CommonFlags & { since?: string; mode?: RangeMode; allowRewind?: boolean; cache: boolean }) => {
      const { verifyRange } = await import('../commands/verify-range.js');
      const progress = createProgress(process.stderr);
      const report = await verifyRange({
        ...verifyOptions(flags),
        target: rev,
        since: flags.since ?? null,
        ...(flags.mode ? { mode: flags.mode } : {}),
        allowRewind: flags.allowRewind ?? false,
        cache: flags.cache,
        onProgress: (done, total) => progress.update(done, total),
      });
      progress.end();
      if (flags.json) await writeRangeReportJson(process.stdout, report);
      else process.stderr.write(formatRangeReport(report));
      process.exitCode = report.ok ? 0 : 1;
    });

  addVerifyOptions(program.command('verify-tag').argument('<tag>', 'annotated tag to verify'))
    .description("verify an annotated tag object's own signature")
    .action(async (tag: string, flags: CommonFlags) => {
      const { verifyTag } = await import('../commands/verify-tag.js');
      const report = await verifyTag({ ...verifyOptions(flags), tag });
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
