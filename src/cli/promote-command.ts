import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { PromoteResult, PromotionNaming } from '../commands/promote.js';
import type { BumpLevel } from '../core/semver.js';
import { formatRangeReport } from './format.js';
import { addPolicyOptions, addRangeOptions, addRepositoryOptions, policyOptionsOf, rangeOptionsOf, type PolicyFlags, type RangeFlags } from './options.js';

interface PromoteFlags extends PolicyFlags, RangeFlags {
  repo: string;
  reader: 'auto' | 'git' | 'isomorphic';
  tag?: string;
  fromPrefix?: string;
  toPrefix?: string;
  verifySourceTag?: boolean;
  bump?: BumpLevel;
  prefix?: string;
  key?: string;
  sign: boolean;
  push?: string;
  dryRun?: boolean;
}

function parseBump(value: string): BumpLevel {
  if (value === 'major' || value === 'minor' || value === 'patch') return value;
  throw new InvalidArgumentError('expected major, minor or patch');
}

/** Registers `siggate promote [REV]`. */
export function addPromoteCommand(program: Command): void {
  const command = program
    .command('promote')
    .description('verify REV with the gate, then create (and push) a signed environment tag recording what was verified')
    .argument('[rev]', 'commit or tag to promote', 'HEAD')
    .option('--tag <name>', 'the tag to create')
    .option('--from-prefix <prefix>', 'REV must carry PREFIX<semver>; with --to-prefix')
    .option('--to-prefix <prefix>', 'the new tag is PREFIX<semver>, the version of the --from-prefix tag')
    .option('--verify-source-tag', "the --from-prefix tag's own signature must be valid under the keys")
    .option('--bump <level>', 'major | minor | patch: the next version after the highest --prefix tag', parseBump)
    .option('--prefix <prefix>', 'tag prefix for --bump (e.g. prod-)')
    .option('--key <file>', 'sign with this armored OpenPGP secret key (passphrase: $SIGGATE_KEY_PASSPHRASE or a prompt)')
    .option('--no-sign', 'create an unsigned annotated tag')
    .option('--push <remote>', 'push the tag to this remote (name or URL); the local tag exists only if the push succeeded')
    .option('--dry-run', 'verify and print what would be tagged, create nothing');
  addRangeOptions(addRepositoryOptions(addPolicyOptions(command))).action(async (rev: string, flags: PromoteFlags) => {
    const { promote } = await import('../commands/promote.js');
    const result = await promote({
      ...policyOptionsOf(flags),
      ...rangeOptionsOf(flags),
      repo: flags.repo,
      reader: flags.reader,
      target: rev,
      naming: namingOf(flags),
      verifySourceTag: flags.verifySourceTag ?? false,
      sign: flags.sign,
      keyFile: flags.key ?? null,
      push: flags.push ?? null,
      dryRun: flags.dryRun ?? false,
      ...(flags.json ? {} : { onStep: (message: string) => process.stderr.write(`${message}…\n`) }),
    });
    if (flags.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else process.stderr.write(formatPromote(result));
    process.exitCode = result.ok ? 0 : 1;
  });
}

function namingOf(flags: PromoteFlags): PromotionNaming {
  const ways = [flags.tag !== undefined, flags.fromPrefix !== undefined || flags.toPrefix !== undefined, flags.bump !== undefined].filter(Boolean).length;
  if (ways !== 1) throw new UsageError('name the tag one way: --tag NAME, --from-prefix P --to-prefix Q, or --bump LEVEL --prefix P');
  if (flags.verifySourceTag && flags.fromPrefix === undefined) throw new UsageError('--verify-source-tag needs --from-prefix');
  if (flags.tag !== undefined) return { kind: 'tag', name: flags.tag };
  if (flags.bump !== undefined) {
    if (flags.prefix === undefined) throw new UsageError('--bump needs --prefix (it may be empty: --prefix "")');
    return { kind: 'bump', level: flags.bump, prefix: flags.prefix };
  }
  if (!flags.fromPrefix || !flags.toPrefix) throw new UsageError('--from-prefix and --to-prefix go together, and neither may be empty');
  if (flags.fromPrefix === flags.toPrefix) throw new UsageError('--from-prefix and --to-prefix must differ');
  return { kind: 'prefix', from: flags.fromPrefix, to: flags.toPrefix };
}

/** The human report: the verification (when it failed), then what was tagged. */
export function formatPromote(result: PromoteResult): string {
  const lines: string[] = [];
  if (result.verification && !result.verification.ok) lines.push(formatRangeReport(result.verification).trimEnd());
  const where = result.remote ? ` and pushed to ${result.remote}` : '';
  const signer = result.signer ? `, signed by ${result.signer.userId ?? 'unknown'} (${result.signer.fingerprint})` : result.signed ? '' : ', unsigned';
  switch (result.status) {
    case 'created':
      lines.push(`created ${result.tag} on ${result.target}${where}${signer}`, `  (${result.naming})`);
      break;
    case 'already-promoted':
      lines.push(`already promoted: ${result.reason}`);
      break;
    case 'dry-run':
      lines.push(`dry run: would tag ${result.target} as ${result.tag}${result.remote ? ` and push it to ${result.remote}` : ''} (${result.naming}); verified ${result.verification?.checked ?? 0} commits; nothing was created`);
      break;
    case 'refused':
      lines.push(`refused: ${result.reason}`, result.pushed ? `the tag was pushed to ${result.remote} but not created here` : 'nothing was tagged or pushed');
  }
  return `${lines.join('\n')}\n`;
}
