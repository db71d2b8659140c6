import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { MergeSignOptions, MergeSignResult } from '../commands/merge-sign.js';
import { addPolicyOptions, collect, policyOptionsOf, type PolicyFlags } from './options.js';
import { finish, writeErr } from './output.js';

interface MergeSignFlags extends PolicyFlags {
  pr?: number;
  repo?: string;
  remote: string;
  base?: string;
  requiredApprovals: number;
  approvers?: string[];
  allowBotApprovals?: boolean;
  requireCheck?: string[];
  key?: string;
  deleteBranch?: boolean;
  dryRun?: boolean;
  apiUrl?: string;
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

const parseList = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** Registers `siggate merge-sign [PR]` (installed as `github-merge-sign` too). */
export function addMergeSignCommand(program: Command): void {
  const command = program
    .command('merge-sign')
    .description('merge an approved, green pull request as a merge commit signed with your own key, verify it, push it')
    .argument('[pr]', 'pull request number (or --pr)', parseCount)
    .option('--pr <number>', 'pull request number', parseCount)
    .option('--repo <owner/name>', 'GitHub repository (default: from the remote URL)')
    .option('--remote <name|url>', 'git remote to fetch from and push to', 'origin')
    .option('--base <branch>', 'refuse unless the pull request targets this branch')
    .option('--required-approvals <n>', 'approvals of the head commit needed', parseCount, 1)
    .option('--approvers <logins>', 'only these reviewers count (comma-separated, repeatable)', parseList)
    .option('--allow-bot-approvals', 'count approvals from bot accounts with write access (GitHub does not)')
    .option('--require-check <name>', 'a status or check run that must have passed, beyond branch protection (repeatable)', collect)
    .option('--key <file>', 'sign with this armored OpenPGP secret key (passphrase: $SIGGATE_KEY_PASSPHRASE or a prompt)')
    .option('--delete-branch', 'delete the head branch after the push (same-repository pull requests only)')
    .option('--dry-run', 'check, merge, sign and verify in a scratch repository, push nothing')
    .option('--api-url <url>', 'GitHub API URL (GitHub Enterprise: https://HOST/api/v3)', process.env.GITHUB_API_URL);
  addPolicyOptions(command).action(async (positional: number | undefined, flags: MergeSignFlags) => {
    const { mergeSign } = await import('../commands/merge-sign.js');
    const { tokenFromEnvironment } = await import('../github/client.js');
    const pr = positional ?? flags.pr;
    if (pr === undefined) throw new UsageError('which pull request? pass its number, or --pr N');
    if (positional !== undefined && flags.pr !== undefined && positional !== flags.pr) throw new UsageError(`two pull request numbers: ${positional} and --pr ${flags.pr}`);
    const options: MergeSignOptions = {
      ...policyOptionsOf(flags),
      pr,
      repo: flags.repo ?? null,
      remote: flags.remote,
      base: flags.base ?? null,
      requiredApprovals: flags.requiredApprovals,
      approvers: flags.approvers ?? null,
      allowBotApprovals: flags.allowBotApprovals ?? false,
      requireChecks: flags.requireCheck ?? [],
      keyFile: flags.key ?? null,
      deleteBranch: flags.deleteBranch ?? false,
      dryRun: flags.dryRun ?? false,
      token: tokenFromEnvironment(),
      ...(flags.apiUrl ? { apiUrl: flags.apiUrl } : {}),
      ...(flags.json ? {} : { onStep: (message: string) => void writeErr(`${message}…\n`) }),
    };
    const result = await mergeSign(options);
    await finish({ ok: result.ok, json: result, human: () => formatMergeSign(result) }, flags.json ?? false);
  });
}

/** The human report: each precondition, then what happened. */
export function formatMergeSign(result: MergeSignResult): string {
  const lines: string[] = [];
  const pull = result.pullRequest;
  if (pull) lines.push(`pull request #${pull.number}: ${pull.title}`, `  ${pull.url}`);
  for (const check of result.checks) lines.push(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name.padEnd(17)} ${check.detail}`);
  const signer = result.signer ? `${result.signer.userId ?? 'unknown'}${result.signer.fingerprint ? ` (${result.signer.fingerprint})` : ` (${result.signer.key})`}` : '';
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  if (result.status === 'refused') lines.push(`refused: ${failed.length > 0 ? `not satisfied: ${failed.join(', ')}` : result.reason}`, 'nothing was pushed');
  else if (result.status === 'dry-run') lines.push(`dry run: would push ${result.commit} to ${pull?.base}, signed by ${signer}; nothing was pushed`);
  else {
    lines.push(`merged #${pull?.number} into ${pull?.base} as ${result.commit}`, `signed by ${signer}`);
    if (result.branchDeleted) lines.push('deleted the head branch');
  }
  return `${lines.join('\n')}\n`;
}
