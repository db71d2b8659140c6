import { exitCodeFor, SiggateError } from '../errors.js';
import { check } from './check.js';
import { getVersion } from './in.js';
import { OUT_PARAMS, putVersion } from './out.js';
import { redact } from './remote.js';
import { isS3Source } from './s3/s3-source.js';
import { parseRequest, parseRequestJson, type ResourceSource } from './source.js';

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
    const text = typeof stdin === 'string' ? stdin : await readAll(stdin);
    const raw = parseRequestJson(text);
    let answer: unknown;
    if (isS3Source(raw.source)) {
      const { runS3Script } = await import('./s3/s3-main.js');
      secrets = s3SecretsOf(raw.source);
      answer = await runS3Script(kind, raw, argv[0], log);
    } else {
      const request = parseRequest(text, PARAMS[kind]);
      secrets = secretsOf(request.source);
      answer =
        kind === 'check' ? await check(request, log) : kind === 'in' ? await getVersion(request, argv[0], log) : await putVersion(request, argv[0], log);
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

/** Everything in a source that must never reach a log line, whatever printed it. */
function secretsOf(source: ResourceSource): string[] {
  const secrets: string[] = [];
  if (source.password) secrets.push(source.password);
  if (source.username !== null || source.password !== null) {
    secrets.push(Buffer.from(`${source.username ?? ''}:${source.password ?? ''}`).toString('base64'));
  }
  if (source.privateKey) secrets.push(...keyLines(source.privateKey));
  if (source.signingKey) secrets.push(...keyLines(source.signingKey));
  if (source.signingKeyPassphrase) secrets.push(source.signingKeyPassphrase);
  return secrets.filter((s) => s.length >= 3);
}

function s3SecretsOf(source: Record<string, unknown>): string[] {
  const secrets: string[] = [];
  if (typeof source['signing_key'] === 'string') secrets.push(...keyLines(source['signing_key']));
  if (typeof source['signing_key_passphrase'] === 'string') secrets.push(source['signing_key_passphrase']);
  return secrets.filter((s) => s.length >= 3);
}

const keyLines = (key: string): string[] => key.split('\n').map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith('-----'));
