import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { sizeThreadPool } from '../process/thread-pool.js';
import { allowV8Tuning } from '../process/v8-tuning.js';
import { addDeployCommand } from './deploy.js';
import { resolveCredentialReferences } from './env-secrets.js';
import { addFetchCommand } from './fetch.js';
import { addKeysCommand } from './keys.js';
import { addMergeSignCommand } from './merge-sign.js';
import { guardOutputStreams, reportError, writeErr, writeOut } from './output.js';
import { addPolicyCommand } from './policy.js';
import { addPromoteCommand } from './promote.js';
import { addS3Command } from './s3.js';
import { addTriggerCommand } from './trigger.js';
import { addVerifyCommand, addVerifyTagCommand } from './verify.js';

function buildProgram(): Command {
  const program = new Command('siggate')
    .description('Verify the signatures on the commits that matter before they reach a deployment')
    .version(ownVersion())
    .exitOverride()
    // reportError prints commander's errors too, as one `siggate:` line (and JSON with --json)
    .configureOutput({ writeOut: (s) => void writeOut(s).catch(() => {}), writeErr: (s) => void writeErr(s), outputError: () => {} });
  addVerifyCommand(program);
  addVerifyTagCommand(program);
  addKeysCommand(program);
  addFetchCommand(program);
  addMergeSignCommand(program);
  addPromoteCommand(program);
  addS3Command(program);
  addDeployCommand(program);
  addTriggerCommand(program);
  addPolicyCommand(program);
  return program;
}

/** siggate's own version, from its package.json (dist/src/cli → the package root), not the calling project's. */
function ownVersion(): string {
  for (const path of ['../../../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'siggate' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // not this layout: dist/ when built, the source tree under tests
    }
  }
  return 'unknown';
}

/**
 * Whether the command line asks for JSON. Decided before commander parses, because commander's own
 * errors (an unknown flag, a missing argument) come before any action knows its flags; `--` ends the flags.
 */
function asksForJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** The CLI entry: the only place that catches, and it only sets `process.exitCode`. */
export async function main(argv: readonly string[]): Promise<void> {
  guardOutputStreams();
  sizeThreadPool();
  allowV8Tuning();
  // the AWS SDK's notice about its future Node versions is not about siggate; AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false shows it
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  try {
    await resolveCredentialReferences();
    await buildProgram().parseAsync([...argv], { from: 'user' });
  } catch (error) {
    process.exitCode = await reportError(error, asksForJson(argv));
  }
}
