import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodeFor, SiggateError } from '../core/errors.js';
import { sizeThreadPool } from '../process/thread-pool.js';
import { allowV8Tuning } from '../process/v8-tuning.js';
import { redact } from '../remote/redact.js';
import { IN_PARAMS } from './git/in-params.js';
import { OUT_PARAMS } from './git/out-params.js';
import { prepareSource } from './git/setup.js';
import { parseRequest } from './git/source.js';
import { secretsOf } from './git/source-remote.js';
import { parseRequestJson } from './protocol/json.js';
import type { ResourceDeps, ResourceKind } from './protocol/types.js';
import { isS3Source, s3SecretsOf } from './s3/s3-source.js';

export type { ResourceDeps, ResourceKind } from './protocol/types.js';

/** Where a script writes: stdout carries only the JSON answer, stderr the logs. */
export interface ResourceIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: ResourceIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** The params each script knows, and how git-resource names them in its "Found unknown keys in …" message. */
const PARAMS: Record<ResourceKind, { known: ReadonlySet<string>; label: string }> = {
  check: { known: new Set(), label: 'check params' },
  in: { known: IN_PARAMS, label: 'get params' },
  out: { known: OUT_PARAMS, label: 'put params' },
};

/** The cache for mirrors and known hosts when none is injected: one per worker, in its temp dir. */
export function defaultResourceDeps(): ResourceDeps {
  const home = homedir();
  return { cacheDir: join(tmpdir(), 'siggate-resource-cache'), home, globalGitConfig: process.env['GIT_CONFIG_GLOBAL'] || join(home, '.gitconfig') };
}

/**
 * Run one resource script: read the request from stdin, answer JSON on stdout, and return the exit code
 * (0 passed, 1 gate closed, 2 configuration, 3 remote). The only place that catches.
 */
export async function runResource(
  kind: ResourceKind,
  argv: readonly string[],
  stdin: string | AsyncIterable<string | Uint8Array>,
  io: ResourceIo = processIo,
  deps: ResourceDeps = defaultResourceDeps(),
): Promise<number> {
  sizeThreadPool();
  allowV8Tuning();
  let secrets: string[] = [];
  const log = (line: string): void => io.stderr(`${redact(line, secrets)}\n`);
  try {
    const text = typeof stdin === 'string' ? stdin : await readAll(stdin);
    const raw = parseRequestJson(text);
    let answer: unknown;
    if (isS3Source(raw.source)) {
      secrets = s3SecretsOf(raw.source);
      // the AWS SDK is large: loaded only for S3 sources
      const { runS3Script } = await import('./s3/main.js');
      answer = await runS3Script(kind, raw, argv[0], log);
    } else {
      const parsed = parseRequest(text, PARAMS[kind].known, PARAMS[kind].label);
      secrets = secretsOf(parsed.source);
      const request = { ...parsed, source: await prepareSource(parsed.source, deps, log) };
      // the unlocked key is a secret too
      secrets = [...secrets, ...secretsOf(request.source)];
      // each script loads only its own command: check does not load in's checkout or out's signing (openpgp.js)
      if (kind === 'check') answer = await (await import('./git/check.js')).check(request, log, deps);
      else if (kind === 'in') answer = await (await import('./git/in.js')).getVersion(request, argv[0], log, deps);
      else answer = await (await import('./git/out.js')).putVersion(request, argv[0], log, deps);
    }
    io.stdout(`${JSON.stringify(answer)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof SiggateError) log(`siggate ${kind}: ${error.message}`);
    else log(`siggate ${kind}: internal error: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodeFor(error);
  }
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
