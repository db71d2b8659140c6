// A smart-HTTP git server for tests: `git http-backend` as CGI behind a Node HTTP server on 127.0.0.1.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Repo } from '../../fixtures/lib/repo.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';

/** An empty bare repository `project.git` under a fresh served root: the remote the fetch and resource tests push to. */
export async function makeServedRemote(prefix = 'siggate-remote-'): Promise<{ root: string; bare: Repo }> {
  const root = await makeTempDir(prefix);
  await mkdir(join(root, 'project.git'));
  return { root, bare: await Repo.init({ bare: true, dir: join(root, 'project.git') }) };
}

/** Credentials the server demands: a token (as `Bearer` or as the basic-auth password), or a user and password. */
export interface ServerAuth {
  token?: string;
  username?: string;
  password?: string;
}

/** Faults the tests switch on and off while the server runs. */
export interface ServerFaults {
  /** Send part of the next upload-pack (fetch) response, then destroy the socket. */
  dieMidFetch: boolean;
  /** Run once after the next fetch's pack is made and before it is sent (then cleared): moves a ref while a client is mid-fetch. */
  afterPack: (() => Promise<void>) | null;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  /** The URL of a repository under the root, e.g. `repoUrl('project.git')`. */
  repoUrl(name: string): string;
  faults: ServerFaults;
  /** Requests seen, as `METHOD path` (no query, no headers). */
  requests: string[];
  close(): Promise<void>;
}

const MAX_RESPONSE = 64 * 1024 * 1024;

/** Starts the server on an ephemeral loopback port, serving every repository under `root`. */
export async function startGitHttpServer(options: { root: string; auth?: ServerAuth }): Promise<GitHttpServer> {
  const faults: ServerFaults = { dieMidFetch: false, afterPack: null };
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method ?? 'GET'} ${url.pathname}`);
    const user = authorize(req, options.auth);
    if (user === null) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="siggate-test"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    const dieMidFetch = faults.dieMidFetch && req.method === 'POST' && url.pathname.endsWith('/git-upload-pack');
    runBackend(req, res, url, { root: options.root, user, dieMidFetch, faults }).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`backend failed: ${String(error)}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    repoUrl: (name) => `${baseUrl}/${name}`,
    faults,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The user name for REMOTE_USER ('' without auth), or null when the request must be refused. */
function authorize(req: IncomingMessage, auth: ServerAuth | undefined): string | null {
  if (!auth) return '';
  const header = req.headers.authorization ?? '';
  if (auth.token && header === `Bearer ${auth.token}`) return 'token';
  const basic = /^Basic (.+)$/.exec(header);
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const [user, password] = colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  if (auth.token && password === auth.token) return user || 'token';
  if (auth.username !== undefined && user === auth.username && password === auth.password) return user;
  return null;
}

interface BackendRequest {
  root: string;
  user: string;
  dieMidFetch: boolean;
  faults: ServerFaults;
}

async function runBackend(req: IncomingMessage, res: ServerResponse, url: URL, request: BackendRequest): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_PROJECT_ROOT: request.root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: request.user,
    REMOTE_ADDR: '127.0.0.1',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
  };
  const output = await runCgi(req, env);
  const { status, headers, body } = parseCgiResponse(output);
  const afterPack = request.faults.afterPack;
  if (afterPack && body.includes('PACK')) {
    request.faults.afterPack = null;
    await afterPack();
  }
  if (request.dieMidFetch && body.length > 1) {
    res.writeHead(status, { ...headers, 'Content-Length': String(body.length) });
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}

function runCgi(req: IncomingMessage, env: NodeJS.ProcessEnv): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RESPONSE) child.kill();
      else out.push(chunk);
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (size > MAX_RESPONSE ? reject(new Error('response too large')) : code === 0 || out.length > 0 ? resolve(Buffer.concat(out)) : reject(new Error(`http-backend exited ${code}`))));
    child.stdin.on('error', () => undefined);
    req.pipe(child.stdin);
  });
}

/** Split a CGI response into its `Status:` code, its headers and its body. */
function parseCgiResponse(output: Buffer): { status: number; headers: Record<string, string>; body: Buffer } {
  let end = output.indexOf('\r\n\r\n');
  let separator = 4;
  const lf = output.indexOf('\n\n');
  if (end < 0 || (lf >= 0 && lf < end)) {
    end = lf;
    separator = 2;
  }
  if (end < 0) return { status: 502, headers: {}, body: output };
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of output.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers, body: output.subarray(end + separator) };
}
