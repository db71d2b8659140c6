import { Option, type Command } from 'commander';
import type { PolicyReport } from '../commands/policy-show.js';
import type { SequoiaPolicyReport } from '../commands/policy-show-sequoia.js';
import { finish } from './output.js';

interface PolicyShowFlags {
  repo: string;
  reader: 'auto' | 'git' | 'isomorphic';
  policy: 'guix' | 'sequoia';
  keyringRef?: string;
  since?: string;
  json?: boolean;
}

/** Registers `siggate policy show [REV]`. */
export function addPolicyCommand(program: Command): void {
  const policy = program.command('policy').description('in-repository authorizations (Guix channels, sequoia-git)');
  policy
    .command('show')
    .argument('[rev]', 'the commit whose authorizations to show', 'HEAD')
    .description("the authorizations in force at REV: who may sign its children, with which key, listed since which commit")
    .addOption(new Option('--policy <kind>', 'the in-repository policy').choices(['guix', 'sequoia']).makeOptionMandatory())
    .option('--repo <dir>', 'repository (work tree or git dir)', '.')
    .addOption(new Option('--reader <kind>', 'how to read objects').choices(['auto', 'git', 'isomorphic']).default('auto'))
    .option('--keyring-ref <branch>', "the keyring branch (default: .guix-channel's keyring-reference, else keyring)")
    .option('--since <commit>', 'the channel introduction: "since" goes no further back')
    .option('--json', 'print JSON on stdout')
    .action(async (rev: string, flags: PolicyShowFlags) => {
      if (flags.policy === 'sequoia') {
        const { showSequoiaPolicy } = await import('../commands/policy-show-sequoia.js');
        const report = await showSequoiaPolicy({ repo: flags.repo, reader: flags.reader, rev });
        return finish({ ok: true, json: report, human: () => formatSequoiaPolicy(report) }, flags.json ?? false);
      }
      const { showPolicy } = await import('../commands/policy-show.js');
      const report = await showPolicy({
        repo: flags.repo, reader: flags.reader, rev, policy: flags.policy,
        ...(flags.keyringRef ? { keyringRef: flags.keyringRef } : {}),
        ...(flags.since ? { since: flags.since } : {}),
      });
      await finish({ ok: true, json: report, human: () => formatPolicy(report) }, flags.json ?? false);
    });
}

function formatPolicy(report: PolicyReport): string {
  const lines = [`.guix-authorizations at ${report.rev}${report.file ? ` (blob ${report.file.slice(0, 12)})` : ''}; keys from ${report.keyring ?? 'no keyring branch'}`];
  if (!report.file) lines.push('no .guix-authorizations: nobody may sign a child of this commit');
  else if (report.problem) lines.push(`unreadable, so nobody may sign a child of this commit: ${report.problem}`);
  else if (report.entries.length === 0) lines.push('an empty list: nobody may sign a child of this commit');
  for (const entry of report.entries) {
    const key = entry.key ? `${entry.key.subkey ? `subkey of ${entry.key.primary}` : 'primary key'} ${entry.key.userId ?? ''}`.trim() : 'NOT IN THE KEYRING (can sign nothing)';
    lines.push(`  ${entry.fingerprint}  ${(entry.name ?? '-').padEnd(12)} since ${entry.since.slice(0, 12)}  ${key}`);
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}

function formatSequoiaPolicy(report: SequoiaPolicyReport): string {
  const lines = [`openpgp-policy.toml at ${report.rev}${report.file ? ` (blob ${report.file.slice(0, 12)})` : ''}`];
  if (!report.file) lines.push('no openpgp-policy.toml: sq-git refuses every child of this commit');
  else if (report.problem) lines.push(`unreadable, so every child of this commit is refused: ${report.problem}`);
  else lines.push(`version ${report.version}; commit_goodlist: ${report.goodlist.length === 0 ? 'empty' : report.goodlist.join(', ')}`);
  for (const entry of report.entries) {
    lines.push(`  ${JSON.stringify(entry.name)}: ${entry.rights.join(', ') || 'no rights'}`);
    if (entry.problem) lines.push(`    keyring unreadable: ${entry.problem}`);
    for (const cert of entry.certificates) {
      const state = cert.revoked ? 'REVOKED' : cert.expires && cert.expires < new Date().toISOString() ? `EXPIRED ${cert.expires}` : cert.expires ? `expires ${cert.expires}` : '';
      lines.push(`    ${cert.fingerprint}  ${cert.userId ?? ''}  ${state}`.trimEnd());
    }
  }
  return `${lines.join('\n')}\n`;
}
