import type { Command } from 'commander';
import type { PromoteResult } from '../commands/promote.js';
import { promotionNamingOf, type PromotionNaming } from '../core/promotion.js';
import { finish, writeErr } from './output.js';
import { formatRangeReport } from './format.js';
import { addPolicyOptions, addRangeOptions, addRepositoryOptions, policyOptionsOf, rangeOptionsOf, type PolicyFlags, type RangeFlags, type RepositoryFlags } from './options.js';

interface PromoteFlags extends PolicyFlags, RangeFlags, RepositoryFlags {
  tag?: string;
  fromPrefix?: string;
  toPrefix?: string;
  verifySourceTag?: boolean;
  bump?: string;
  prefix?: string;
  key?: string;
  sign: boolean;
  push?: string;
  dryRun?: boolean;
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
    .option('--bump <level>', 'major | minor | patch: the next version after the highest --prefix tag')
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
      ...(flags.json ? {} : { onStep: (message: string) => void writeErr(`${message}…\n`) }),
    });
    await finish({ ok: result.ok, json: result, human: () => formatPromote(result) }, flags.json ?? false);
  });
}

const FLAG_WORDS = { tag: '--tag NAME', fromPrefix: '--from-prefix P', toPrefix: '--to-prefix Q', bump: '--bump LEVEL', prefix: '--prefix P', verifySourceTag: '--verify-source-tag' };

function namingOf(flags: PromoteFlags): PromotionNaming {
  return promotionNamingOf(flags, FLAG_WORDS);
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
