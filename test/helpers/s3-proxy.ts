// A proxy on 127.0.0.1 in front of the real S3 (RGW) for what RGW cannot be asked to do: record who asked for what,
// answer S3 errors on cue (500 InternalError, …), cut a download midway, refuse connections (S3 down), and answer as an
// AWS bucket in another region does (301 PermanentRedirect with x-amz-bucket-region; RGW never sends that header). It
// checks nothing and stores nothing: every request it forwards is judged by RGW, signature included (the Host header
// the client signed is forwarded unchanged).
import { Agent, createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fault's `match` sees: `path` is percent-decoded ('/bucket/key'), `query` raw without '?' ('x-id=GetObject'). */
export interface S3RequestLine {
  method: string;
  path: string;
  query: string;
}
export interface S3Request extends S3RequestLine {
  /** From `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/…`; null when unsigned. */
  accessKeyId: string | null;
  /** The region the request was signed for. */
  region: string | null;
  /** `x-amz-security-token`: present only with temporary (IMDS, STS, SSO) credentials. */
  sessionToken: string | null;
  /** The status answered (0 until the head is sent; a 'cut' response counts as its upstream status). */
  status: number;
}
export type S3Fault = { match: (req: S3RequestLine) => boolean; times: number } & (
  /** Answer with an S3 XML error. */
  | { kind: 'status'; status: number; code: string }
  /** Forward, but destroy the socket after `afterBytes` of the body; Content-Length stays the full length. */
  | { kind: 'cut'; afterBytes: number }
);

export interface S3Proxy {
  /** 'http://127.0.0.1:PORT', for the SDK with `forcePathStyle: true`. */
  endpoint: string;
  /** Every request that reached the proxy, in order. */
  requests: S3Request[];
  /** The first fault whose `match` accepts a request answers it, `times` times, then leaves the list. */
  faults: S3Fault[];
  /**
   * When set, the buckets live in this region: a request signed for another one is answered 301 PermanentRedirect with
   * `x-amz-bucket-region`, as AWS S3 answers it (HEAD without a body); one signed for this region goes to RGW.
   */
  bucketRegion: string | null;
  /** Stop accepting connections, dropping open ones (S3 down: ECONNREFUSED) / listen again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the proxy in front of `upstream` ('http://127.0.0.1:PORT'). */
export async function startS3Proxy(upstream: string): Promise<S3Proxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    const entry = requestOf(req);
    proxy.requests.push(entry);
    const fault = takeFault(proxy.faults, entry);
    if (fault?.kind === 'status') return answerError(req, res, entry, fault.status, fault.code);
    if (proxy.bucketRegion && entry.region !== proxy.bucketRegion) {
      return answerError(req, res, entry, 301, 'PermanentRedirect', { 'x-amz-bucket-region': proxy.bucketRegion });
    }
    forward(req, res, entry, { host: target.hostname, port: Number(target.port), agent, cutAfter: fault?.kind === 'cut' ? fault.afterBytes : null });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let listening = true;
  const down = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const proxy: S3Proxy = {
    endpoint: `http://127.0.0.1:${port}`,
    requests: [],
    faults: [],
    bucketRegion: null,
    down,
    up: () =>
      new Promise<void>((resolve, reject) => {
        if (listening) return resolve();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          listening = true;
          server.off('error', reject);
          resolve();
        });
      }),
    close: async () => {
      await down();
      agent.destroy();
    },
  };
  return proxy;
}

function requestOf(req: IncomingMessage): S3Request {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const token = req.headers['x-amz-security-token'];
  const credential = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '');
  let path = rawPath;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    // left encoded
  }
  return {
    method: req.method ?? 'GET',
    path,
    query: q < 0 ? '' : url.slice(q + 1),
    accessKeyId: credential?.[1] ?? null,
    region: credential?.[2] ?? null,
    sessionToken: typeof token === 'string' ? token : null,
    status: 0,
  };
}

function takeFault(faults: S3Fault[], line: S3RequestLine): S3Fault | undefined {
  const index = faults.findIndex((f) => f.times > 0 && f.match(line));
  const fault = faults[index];
  if (!fault) return undefined;
  fault.times -= 1;
  if (fault.times <= 0) faults.splice(index, 1);
  return fault;
}

/** An S3 XML error; HEAD gets none, as from S3 (the SDK then names the error from the status alone). */
function answerError(req: IncomingMessage, res: ServerResponse, entry: S3Request, status: number, code: string, headers: Record<string, string> = {}): void {
  req.resume();
  const body = req.method === 'HEAD' ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code} (injected by the test proxy)</Message><RequestId>0000000000000000</RequestId></Error>`;
  entry.status = status;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** Sends the request to RGW as received, Host header included, so the signature the client made still holds. */
function forward(req: IncomingMessage, res: ServerResponse, entry: S3Request, to: { host: string; port: number; agent: Agent; cutAfter: number | null }): void {
  const cutAfter = to.cutAfter;
  const upstream = request({ host: to.host, port: to.port, agent: to.agent, method: req.method, path: req.url, headers: req.headers }, (up) => {
    entry.status = up.statusCode ?? 502;
    up.on('error', () => res.socket?.destroy());
    res.writeHead(entry.status, up.headers);
    if (cutAfter === null) {
      up.pipe(res);
      return;
    }
    let sent = 0;
    const cut = (last: Buffer) => {
      up.destroy();
      // The write callback runs once the bytes are handed to the socket: destroying earlier could drop them.
      res.write(last, () => res.socket?.destroy());
    };
    if (cutAfter <= 0) return cut(Buffer.alloc(0));
    up.on('data', (chunk: Buffer) => {
      if (sent >= cutAfter) return;
      const part = chunk.subarray(0, cutAfter - sent);
      sent += part.length;
      if (sent >= cutAfter) cut(part);
      else res.write(part);
    });
    // A body shorter than `afterBytes` is still cut rather than completed: the fault promised a broken download.
    up.on('end', () => {
      if (sent < cutAfter) cut(Buffer.alloc(0));
    });
  });
  upstream.on('error', () => {
    if (res.headersSent) res.socket?.destroy();
    else answerError(req, res, entry, 502, 'InternalError');
  });
  req.on('error', () => upstream.destroy());
  req.pipe(upstream);
}
