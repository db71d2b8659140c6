import { InvalidArgumentError, Option, type Command } from 'commander';
import { parsePolicyKind, parseRangeMode, type GateOptions, type PolicyKind, type RangeOptions } from '../core/gate-options.js';
import type { RangeMode } from '../core/report.js';
import type { ReaderKind } from '../git/object-reader.js';
import { printWarning } from './output.js';

/** Flags shared by every command that verifies. */
export interface PolicyFlags {
  keys?: string[];
  allow?: string[];
  allowFile?: string[];
  ignoreExpiry?: boolean;
  allowWeak?: boolean;
  json?: boolean;
}

/** Flags of commands that read a local repository. */
export interface RepositoryFlags {
  repo: string;
  reader: ReaderKind;
}

/** Flags of commands that verify a range. */
export interface RangeFlags {
  since?: string;
  mode?: RangeMode;
  allowRewind?: boolean;
  allowUnsignedRoot?: boolean;
  policy?: PolicyKind;
  introSigner?: string;
  keyringRef?: string;
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function parseMode(value: string): RangeMode {
  try {
    return parseRangeMode(value, '--mode');
  } catch {
    throw new InvalidArgumentError('expected tip, first-parent or all');
  }
}

function parsePolicy(value: string): PolicyKind {
  try {
    return parsePolicyKind(value, '--policy');
  } catch {
    throw new InvalidArgumentError('expected keys, guix or sequoia');
  }
}

/** `--keys`, `--allow`, `--allow-file`, `--ignore-expiry`, `--allow-weak`, `--json`. */
export function addPolicyOptions(command: Command): Command {
  return command
    .option('--keys <path>', 'key file or directory, or s3://BUCKET/PREFIX/ (repeatable; default ./keys)', collect)
    .option('--allow <fingerprint>', 'narrow the allow list to this key (repeatable)', collect)
    .option('--allow-file <file>', 'file with one allowed fingerprint a line (repeatable)', collect)
    .option('--ignore-expiry', 'accept signatures made after the key had expired (revocation still counts)')
    .option('--allow-weak', 'accept SHA-1, DSA and RSA under 2048 bits')
    .option('--json', 'print the JSON report on stdout');
}

/** `--repo` and `--reader`, for commands that read a local repository. */
export function addRepositoryOptions(command: Command): Command {
  return command
    .option('--repo <dir>', 'repository (work tree or git dir)', '.')
    .addOption(new Option('--reader <kind>', 'how to read objects').choices(['auto', 'git', 'isomorphic']).default('auto'));
}

/** `--since`, `--mode`, `--allow-rewind`, `--allow-unsigned-root`. */
export function addRangeOptions(command: Command): Command {
  return command
    .option('--since <rev>', 'trust root: a commit id, or an annotated tag validly signed by an allowed key')
    .option('--mode <mode>', 'tip | first-parent | all', parseMode)
    .option('--allow-rewind', 'accept a target that does not descend from the trust root')
    .option('--allow-unsigned-root', 'accept a trust root anyone who can push it could move (a lightweight or unsigned tag, a branch), with a warning')
    .option('--policy <kind>', 'where the allow list lives: keys (--keys/--allow, default), guix (.guix-authorizations and the keyring branch, from the introduction --since) or sequoia (openpgp-policy.toml, from the trust root --since)', parsePolicy)
    .option('--intro-signer <fingerprint>', "guix: the fingerprint that signed the channel's introduction (spaces allowed)")
    .option('--keyring-ref <branch>', "guix: the keyring branch (default: .guix-channel's keyring-reference, else keyring; a local branch, else origin/…)");
}

/** The gate options the policy flags stand for; warnings go to stderr as they happen (once each) unless JSON was asked for. Defaults come from `gatePolicyOf`. */
export function policyOptionsOf(flags: PolicyFlags): GateOptions {
  return {
    ...(flags.keys ? { keys: flags.keys } : {}),
    allow: flags.allow ?? [],
    allowFile: flags.allowFile ?? [],
    ignoreExpiry: flags.ignoreExpiry ?? false,
    allowWeak: flags.allowWeak ?? false,
    ...(flags.json ? {} : { onWarning: printWarning }),
  };
}

/** The range options the range flags stand for. */
export function rangeOptionsOf(flags: RangeFlags): RangeOptions & Pick<GateOptions, 'keysFromRepository'> {
  return {
    ...(flags.policy ? { policy: flags.policy } : {}),
    ...(flags.policy === 'guix' || flags.policy === 'sequoia' ? { keysFromRepository: true } : {}),
    ...(flags.introSigner !== undefined ? { introSigner: flags.introSigner } : {}),
    ...(flags.keyringRef !== undefined ? { keyringRef: flags.keyringRef } : {}),
    since: flags.since ?? null,
    ...(flags.mode ? { mode: flags.mode } : {}),
    allowRewind: flags.allowRewind ?? false,
    allowUnsignedRoot: flags.allowUnsignedRoot ?? false,
  };
}
