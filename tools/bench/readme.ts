/**
 * `npm run bench:readme`: puts the last full `npm run bench` results (`.bench-cache/full/results.md`,
 * or the quick ones with `SIGGATE_BENCH_QUICK=1`) into README.md between its bench markers, so that
 * the performance table is always a run's output, never hand-edited.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../../fixtures/lib/demo-keys.js';
import { readBenchScale } from './generate.js';

const START = '<!-- bench:start (npm run bench:readme writes this part from the last npm run bench) -->';
const END = '<!-- bench:end -->';

async function updateReadme(): Promise<void> {
  const results = (await readFile(join(readBenchScale().root, 'results.md'), 'utf8')).trimEnd();
  const readmePath = join(projectRoot(), 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from === -1 || to < from) throw new Error(`README.md lacks the markers ${START} … ${END}`);
  const block = `${START}\n\n\`\`\`\n${results.split('\n\n')[0]}\n\`\`\`\n\n${results.split('\n\n').slice(1).join('\n\n')}\n\n${END}`;
  await writeFile(readmePath, readme.slice(0, from) + block + readme.slice(to + END.length));
  console.log('README.md: performance section updated from', join(readBenchScale().root, 'results.md'));
}

await updateReadme();
