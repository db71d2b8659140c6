/**
 * node:crypto's single-thread floor for RSA-3072 commits: a node process that reads `count` prepared
 * (data, signature) pairs and verifies each with `crypto.verify('sha256', …)` in its main thread.
 * Process start, reading and key parsing included, as they are in siggate's whole-process time.
 * Run as a script with the prepared file as its argument; the bench prepares the file once. It imports
 * nothing of the bench's, so that its start-up is node's alone.
 */
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface FloorFile {
  publicKey: string;
  jobs: [data: string, signature: string][];
}

/** Writes `count` RSA-3072 signatures over commit-sized payloads to `file` unless it holds them already. */
export function prepareFloorJobs(file: string, count: number): void {
  if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as FloorFile).jobs.length === count) return;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const jobs: FloorFile['jobs'] = [];
  for (let i = 0; i < count; i++) {
    // a commit payload plus an OpenPGP hash trailer's worth of bytes: what siggate hashes per commit
    const when = `${1_700_000_000 + i * 60} +0000`;
    const commit = `tree ${'4b825dc642cb6eb9a060e54bf8d69288fbee4904'}\nparent ${'0'.repeat(40)}\nauthor Siggate Bench <bench@siggate.test> ${when}\ncommitter Siggate Bench <bench@siggate.test> ${when}\n\nbench commit ${i + 1}\n`;
    const data = Buffer.concat([Buffer.from(commit), Buffer.alloc(40, i)]);
    jobs.push([data.toString('base64'), sign('sha256', data, privateKey).toString('base64')]);
  }
  writeFileSync(file, JSON.stringify({ publicKey: publicKey.export({ type: 'spki', format: 'pem' }), jobs }));
}

/** Verifies every prepared signature in this thread; exit 1 if one fails. */
function runFloor(file: string): void {
  const floor = JSON.parse(readFileSync(file, 'utf8')) as FloorFile;
  const key = createPublicKey(floor.publicKey);
  let bad = 0;
  for (const [data, signature] of floor.jobs) if (!verify('sha256', Buffer.from(data, 'base64'), key, Buffer.from(signature, 'base64'))) bad++;
  process.exitCode = bad === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2]) runFloor(process.argv[2]);
