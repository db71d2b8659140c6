import type { RangeReport } from '../commands/types.js';

/**
 * Write a range report as JSON without building one string for all of it: a 100,000-commit report
 * would otherwise need tens of megabytes at once. The text is what `JSON.stringify(report, null, 2)` gives.
 */
export async function writeRangeReportJson(stream: NodeJS.WritableStream, report: RangeReport): Promise<void> {
  const { commits, ...rest } = report;
  const head = JSON.stringify({ ...rest, commits: [] }, null, 2);
  const open = head.lastIndexOf('"commits": []');
  const before = head.slice(0, open) + '"commits": [';
  const after = head.slice(open + '"commits": []'.length);
  await write(stream, commits.length === 0 ? `${before}]${after}\n` : `${before}\n`);
  if (commits.length === 0) return;
  for (let i = 0; i < commits.length; i += 1000) {
    const chunk = commits.slice(i, i + 1000).map((commit) => indent(JSON.stringify(commit, null, 2), '    '));
    await write(stream, chunk.join(',\n') + (i + 1000 < commits.length ? ',\n' : '\n'));
  }
  await write(stream, `  ]${after}\n`);
}

function indent(text: string, prefix: string): string {
  return prefix + text.replace(/\n/g, `\n${prefix}`);
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.write(text)) resolve();
    else stream.once('drain', resolve).once('error', reject);
  });
}
