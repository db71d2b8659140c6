import type { Command } from 'commander';
import { formatRangeReport, formatTagReport, LONG_RANGE } from './format.js';
import { finish, finishRange } from './output.js';
import { addPolicyOptions, addRangeOptions, addRepositoryOptions, policyOptionsOf, rangeOptionsOf, type PolicyFlags, type RangeFlags, type RepositoryFlags } from './options.js';
import { createProgress } from './progress.js';

/** Registers `siggate verify [REV]`. */
export function addVerifyCommand(program: Command): void {
  const verify = program.command('verify').argument('[rev]', 'revision to verify', 'HEAD');
  addRangeOptions(addRepositoryOptions(addPolicyOptions(verify)))
    .description('verify the commits a mode requires, from a trust root to REV')
    .option('--no-cache', 'neither read nor extend the verification cache under the git directory')
    .option('--verbose', `a row for every commit, however long the range (default past ${LONG_RANGE}: the failures and a summary)`)
    .action(async (rev: string, flags: PolicyFlags & RepositoryFlags & RangeFlags & { cache: boolean; verbose?: boolean }) => {
      const { verifyRange } = await import('../commands/verify-range.js');
      const progress = createProgress(process.stderr);
      const report = await verifyRange({
        ...policyOptionsOf(flags),
        ...rangeOptionsOf(flags),
        repo: flags.repo,
        reader: flags.reader,
        target: rev,
        cache: flags.cache,
        // counting the range is only worth it for a bar someone sees
        ...(progress.enabled ? { onProgress: (done: number, total: number | null) => progress.update(done, total) } : {}),
      });
      progress.end();
      await finishRange(report, flags.json ?? false, () => formatRangeReport(report, { verbose: flags.verbose ?? false }));
    });
}

/** Registers `siggate verify-tag TAG`. */
export function addVerifyTagCommand(program: Command): void {
  addRepositoryOptions(addPolicyOptions(program.command('verify-tag').argument('<tag>', 'annotated tag to verify')))
    .description("verify an annotated tag object's own signature")
    .action(async (tag: string, flags: PolicyFlags & RepositoryFlags) => {
      const { verifyTag } = await import('../commands/verify-tag.js');
      const report = await verifyTag({ ...policyOptionsOf(flags), repo: flags.repo, reader: flags.reader, tag });
      await finish({ ok: report.ok, json: report, human: () => formatTagReport(report) }, flags.json ?? false);
    });
}
