import { exitCodeFor, SiggateError } from '../errors.js';
import { check } from './check.js';
import { getVersion } from './in.js';
import { OUT_PARAMS, putVersion } from './out.js';
import { redact } from './remote.js';
import { parseRequest, type ResourceSource } from './source.js';

/** The three Concourse resource scripts. */
export type ResourceKind = 'check' | 'in' | 'out';

/** Where a script writes: stdout carries only the JSON answer, stderr the logs. */
export interface ResourceIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: ResourceIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

const PARAMS: Record<ResourceKind, readonly string[]> = { check: [], in: [], out: OUT_PARAMS };

/**
 * Run one resource script: read the request from stdin, answer JSON on stdout, and return the exit code
 * (0 passed, 1 gate closed, 2 configuration, 3 remote). The only place that catches.
 */
export async function runResource(
  kind: ResourceKind,
  argv: readonly string[],
  stdin: string | AsyncIterable<string | Uint8Array>,
  io: ResourceIo = processIo,
): Promise<number> {
  let secrets: string[] = [];
  const log = (line: string): void => io.stderr(`${redact(line, secrets)}\n`);
  try {
    const request = parseRequest(typeof stdin === 'string' ? stdin : await readAll(stdin), PARAMS[kind]);
    secrets = secretsOf(request.source);
    const answer =
      kind === 'check' ? await check(request, log) : kind === 'in' ? await getVersion(request, argv[0], log) : await putVersion(request, argv[0], log);
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

/** Everything in a source that must never reach a log line, whatever printed it. */
function secretsOf(source: ResourceSource): string[] {
  const secrets: string[] = [];
  if (source.password) secrets.push(source.password);
  if (source.username !== null || source.password !== null) {
    secrets.push(Buffer.from(`${source.username ?? ''}:${source.password ?? ''}`).toString('base64'));
  }
  if (source.privateKey) secrets.push(...source.privateKey.split('\n').map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith('-----')));
  return secrets.filter((s) => s.length >= 3);
}
