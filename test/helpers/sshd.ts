// A real OpenSSH server on 127.0.0.1 for the ssh transport tests: its own host key, one authorized key,
// no PAM, no passwords; git runs over it as the user running the tests. And an HTTP CONNECT proxy (what
// `https_tunnel` goes through), asking for basic auth, recording what it was asked.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, run } from '../../fixtures/lib/run.js';
import { makeTempDir } from '../../fixtures/lib/temp.js';

const SSHD = '/usr/sbin/sshd';

/** Why the ssh tests cannot run here, or null when they can. */
export function sshdUnavailable(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server)`;
  if (process.getuid?.() === 0 || existsSync('/run/sshd')) return null;
  return 'sshd needs /run/sshd, which only root can create';
}

export interface Sshd {
  port: number;
  user: string;
  /** The client's private key (its text), the one key the server accepts. */
  clientKey: string;
  /** `ssh://USER@127.0.0.1:PORT/ABSOLUTE-PATH` */
  url(path: string, user?: string | null): string;
  /** What sshd logged so far. */
  log(): string;
  /** Stop, and start again on the same port with a new host key (what a man in the middle shows). */
  replaceHostKey(): Promise<void>;
  close(): Promise<void>;
}

/** Start sshd on a free port of 127.0.0.1. */
export async function startSshd(): Promise<Sshd> {
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await makeTempDir('siggate-sshd-');
  const keygen = (file: string): Promise<unknown> => run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { env: cleanEnv() });
  await keygen(join(dir, 'client'));
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client.pub')));
  const port = await freePort();
  let logText = '';
  let child: ChildProcess | null = null;
  let generation = 0;
  const start = async (): Promise<void> => {
    generation += 1;
    const hostKey = join(dir, `host-${generation}`);
    await keygen(hostKey);
    await writeFile(join(dir, 'sshd_config'), sshdConfig(dir, port, hostKey));
    child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (chunk: Buffer) => void (logText += chunk.toString()));
    await waitForListening(port, () => logText);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  const user = userInfo().username;
  return {
    port,
    user,
    clientKey: await readFile(join(dir, 'client'), 'utf8'),
    url: (path, who = user) => `ssh://${who ? `${who}@` : ''}127.0.0.1:${port}${path}`,
    log: () => logText,
    replaceHostKey: async () => {
      await stop();
      await start();
    },
    close: stop,
  };
}

function sshdConfig(dir: string, port: number, hostKey: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'AllowTcpForwarding yes',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForListening(port: number, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not start on port ${port}: ${log()}`);
}

/** An HTTP CONNECT proxy on 127.0.0.1 that demands `user:password` (basic) when given, and records each CONNECT. */
export interface ConnectProxy {
  port: number;
  /** `host:port Authorization-header-or-none` per CONNECT asked. */
  connects: string[];
  close(): Promise<void>;
}

export async function startConnectProxy(credentials: { user: string; password: string } | null): Promise<ConnectProxy> {
  const connects: string[] = [];
  const expected = credentials ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` : null;
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, socket, head) => {
    const auth = req.headers['proxy-authorization'] ?? 'none';
    connects.push(`${req.url ?? ''} ${auth}`);
    if (expected && auth !== expected) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const [host = '', port = ''] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connects,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
