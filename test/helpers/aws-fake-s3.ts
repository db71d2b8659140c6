// A fake S3 for the artifact gate's tests: s3rver (real S3 XML, real SDK behaviour) behind a small proxy on 127.0.0.1
// that records who asked for what, checks SigV4 signatures (s3rver does not), injects faults and can play dead.
import { Agent, createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { DEFAULT_CONTENT_TYPE, serveVersioned, VersionStore } from './aws-s3-versions.js';
import { decode, decodeAwsChunked, defaultCode, isAwsChunked, refuse, signatureMatches, unchunkedHeaders } from './aws-s3-wire.js';

/** What a fault's `match` sees: `path` is percent-decoded ('/bucket/key'), `query` raw without '?' ('x-id=GetObject'). */
export interface S3RequestLine { method: string; path: string; query: string }
export interface S3Request extends S3RequestLine {
  /** From `Authorization: AWS4-HMAC-SHA256 Credential=AKID/...`; null when unsigned. */
  accessKeyId: string | null;
  /** `x-amz-security-token`: present only with temporary (IMDS, STS, SSO) credentials. */
  sessionToken: string | null;
  /** The status answered (0 until the head is sent; a 'cut' response counts as its upstream status). */
  status: number;
}
export type S3Fault = { match: (req: S3RequestLine) => boolean; times: number } & (
  /** Answer with an S3 XML error (`code` defaults by status: 500 InternalError, 503 SlowDown, 403 AccessDenied, …). */
  | { kind: 'status'; status: number; code?: string }
  /** Forward, but destroy the socket after `afterBytes` of the body; Content-Length stays the full length. */
  | { kind: 'cut'; afterBytes: number }
);

/**
 * s3rver 3.7.1 as found by test/unit/aws-fakes.test.ts:
 * - Its only key pair is 'S3RVER'/'S3RVER'. An unknown key id is refused, 403 InvalidAccessKeyId. It does NOT check
 *   SigV4 signatures (only V2 ones), so a wrong secret would be accepted: the proxy checks them instead (403
 *   SignatureDoesNotMatch), against the Host header the client signed, which it forwards unchanged. s3rver ignores
 *   `x-amz-security-token`, and so does the proxy: `requests` shows whether one was sent, nothing validates it.
 * - No versioning (the proxy emulates it for the buckets `startS3` is given as `versioned`, see there). GetObject/HeadObject with a VersionId ignore it and answer the current object without
 *   x-amz-version-id (response VersionId undefined); PutObject returns no VersionId; ListObjectVersions is 405
 *   MethodNotAllowed; PutBucketVersioning ('?versioning' is not one of its sub-resources) falls through to
 *   CreateBucket, 409 BucketAlreadyExists; GetBucketVersioning falls through to ListObjects and "succeeds" with no Status.
 * - Range: 'bytes=a-b' and 'bytes=a-' answer 206 with Content-Range; past the end is 416 InvalidRange. A suffix range
 *   'bytes=-n' is wrong: it answers bytes 0-n instead of the last n bytes.
 * - Unsigned requests pass s3rver (anonymous access); the proxy refuses them 403 AccessDenied, as a private bucket
 *   does. Presigned (query-signed) requests go to s3rver unchecked.
 * - It stores an aws-chunked upload (what the SDK sends for a stream body: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', CRC32
 *   trailer) with its framing as the object's bytes; the proxy unframes such bodies first. It returns no checksums,
 *   so the SDK's GetObject checksum validation ('x-amz-checksum-mode: ENABLED') silently does nothing.
 * Through the proxy the SDK sees S3's own error names: 'NoSuchKey', 'InvalidRange', 'SlowDown'; a refused connection
 * (`down()`) is a plain Error with code 'ECONNREFUSED' after all attempts (3 by default, tens of milliseconds); a cut
 * body rejects when read with Error 'aborted', code 'ECONNRESET', after `send()` itself resolved.
 */
export interface FakeS3 {
  /** The proxy, 'http://127.0.0.1:PORT': what tests give the SDK, with `forcePathStyle: true`. */
  endpoint: string;
  /** s3rver itself: no faults, no signature check, not recorded. */
  directEndpoint: string;
  /** The one pair s3rver knows. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Every request that reached the proxy, in order. */
  requests: S3Request[];
  /** The first fault whose `match` accepts a request answers it, `times` times, then leaves the list. */
  faults: S3Fault[];
  /** Stop accepting connections, dropping open ones (S3 down: ECONNREFUSED) / listen again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  /**
   * Seeds an object through the SDK, directly to s3rver with the accepted pair (no faults, not recorded); in a
   * versioned bucket also as a new version of the emulation, whose id it returns (null for other buckets).
   */
  put(bucket: string, key: string, body: string | Uint8Array, options?: { metadata?: Record<string, string>; contentType?: string }): Promise<string | null>;
  /** The versions of an object of a versioned bucket, oldest first (throws for a bucket that is not versioned). */
  versions(bucket: string, key: string): { versionId: string; size: number; lastModified: Date }[];
  close(): Promise<void>;
}

const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';

/**
 * Starts s3rver in a fresh temp dir (removed by `cleanupAll`) with `buckets`, and the proxy in front of it.
 * `verifySignatures: false` lets the proxy pass everything to s3rver unchecked, as s3rver alone would take it.
 *
 * `versioned` buckets (created in s3rver too, whether or not also in `buckets`) get S3 versioning EMULATED by the
 * proxy, in memory, since s3rver has none (aws-s3-versions.ts), after the signature check and faults like any request:
 * - PutObject stores a version (random 32-character URL-safe id; LastModified now, each later than the one before by
 *   1 ms or more; ETag the quoted MD5; content type, default binary/octet-stream; x-amz-meta-* metadata) and answers
 *   ETag and x-amz-version-id. The bytes also go to s3rver, whose answer is awaited: s3rver errors are relayed, and
 *   ListObjectsV2 (served by s3rver) and `directEndpoint` see each object's latest content.
 * - GetObject/HeadObject serve the latest version, or `versionId`'s: Content-Length, Content-Type, ETag, Last-Modified
 *   (an HTTP date: whole seconds), x-amz-version-id, x-amz-meta-*. A missing key is 404 NoSuchKey, an unknown id 404
 *   NoSuchVersion (even malformed ones, which S3 answers 400 InvalidArgument); HEAD errors have no body, so the SDK
 *   names them 'NotFound'. 'cut' faults cut these bodies as they cut s3rver's.
 * - ListObjectVersions (prefix, key-marker, version-id-marker, max-keys; no delimiter or encoding-type) lists keys in
 *   UTF-8 byte order, each key's versions newest first, LastModified with milliseconds as S3 lists them, and pages
 *   with NextKeyMarker/NextVersionIdMarker. GetBucketVersioning says Enabled.
 * - Anything else on these buckets' objects (DeleteObject, copies, multipart, tagging, Range, conditional headers) is
 *   501 NotImplemented. There are no delete markers. Writes through `directEndpoint` bypass the emulation.
 * - An access key id other than s3rver's is refused 403 InvalidAccessKeyId, as s3rver does; presigned URLs' signatures
 *   are not checked.
 */
export async function startS3(options: { buckets: string[]; versioned?: string[]; verifySignatures?: boolean }): Promise<FakeS3> {
  const verify = options.verifySignatures ?? true;
  const s3rver = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: await makeTempDir('siggate-s3rver-'),
    configureBuckets: [...new Set([...options.buckets, ...(options.versioned ?? [])])].map((name) => ({ name })),
  });
  const { port: s3Port } = await s3rver.run();
  const directEndpoint = `http://127.0.0.1:${s3Port}`;
  const upstreamAgent = new Agent({ keepAlive: true });
  const requests: S3Request[] = [];
  const faults: S3Fault[] = [];
  const store = new VersionStore(options.versioned ?? []);
  const emulation = { store, upstream: { port: s3Port, agent: upstreamAgent }, accessKeyId: ACCESS_KEY_ID };

  const proxy = createServer((req, res) => {
    const entry = requestOf(req);
    requests.push(entry);
    const fault = takeFault(faults, entry);
    if (fault?.kind === 'status') return refuse(req, res, entry, fault.status, fault.code ?? defaultCode(fault.status));
    if (verify && !new URLSearchParams(entry.query).has('X-Amz-Algorithm')) {
      if (entry.accessKeyId === null) return refuse(req, res, entry, 403, 'AccessDenied');
      // Other key ids go on to s3rver, which answers InvalidAccessKeyId as S3 does.
      if (entry.accessKeyId === ACCESS_KEY_ID && !signatureMatches(req, SECRET_ACCESS_KEY)) return refuse(req, res, entry, 403, 'SignatureDoesNotMatch');
    }
    const cutAfter = fault?.kind === 'cut' ? fault.afterBytes : null;
    if (serveVersioned(emulation, req, res, entry, cutAfter)) return;
    forward(req, res, entry, { port: s3Port, agent: upstreamAgent, cutAfter });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;
  let listening = true;
  const stopProxy = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      proxy.close(() => resolve());
      proxy.closeAllConnections();
    });

  const seeder = new S3Client({
    endpoint: directEndpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
  });

  return {
    endpoint: `http://127.0.0.1:${proxyPort}`,
    directEndpoint,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    requests,
    faults,
    down: stopProxy,
    up: () =>
      new Promise<void>((resolve, reject) => {
        if (listening) return resolve();
        proxy.once('error', reject);
        proxy.listen(proxyPort, '127.0.0.1', () => {
          listening = true;
          proxy.off('error', reject);
          resolve();
        });
      }),
    put: async (bucket, key, body, extra = {}) => {
      await seeder.send(new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ...(extra.metadata ? { Metadata: extra.metadata } : {}),
        ...(extra.contentType ? { ContentType: extra.contentType } : {}),
      }));
      if (!store.isVersioned(bucket)) return null;
      // As PutObject's x-amz-meta-* headers arrive: names lowercased.
      const metadata = Object.fromEntries(Object.entries(extra.metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
      return store.put(bucket, key, bytes, extra.contentType ?? DEFAULT_CONTENT_TYPE, metadata).versionId;
    },
    versions: (bucket, key) => store.versions(bucket, key).map((v) => ({ versionId: v.versionId, size: v.body.length, lastModified: v.lastModified })),
    close: async () => {
      await stopProxy();
      seeder.destroy();
      upstreamAgent.destroy();
      s3rver.httpServer?.closeAllConnections();
      await s3rver.close();
    },
  };
}

function requestOf(req: IncomingMessage): S3Request {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const token = req.headers['x-amz-security-token'];
  return {
    method: req.method ?? 'GET',
    path: decode(rawPath),
    query: q < 0 ? '' : url.slice(q + 1),
    accessKeyId: /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? null,
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

/**
 * Sends the request to s3rver as received, Host header included, so the signature the client made still holds; only
 * an aws-chunked upload is unframed first.
 */
function forward(req: IncomingMessage, res: ServerResponse, entry: S3Request, to: { port: number; agent: Agent; cutAfter: number | null }): void {
  const cutAfter = to.cutAfter;
  const chunked = isAwsChunked(req.headers);
  const headers = chunked ? unchunkedHeaders(req.headers) : req.headers;
  const upstream = request({ host: '127.0.0.1', port: to.port, agent: to.agent, method: req.method, path: req.url, headers }, (up) => {
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
    up.on('end', () => { if (sent < cutAfter) cut(Buffer.alloc(0)); });
  });
  upstream.on('error', () => {
    if (res.headersSent) res.socket?.destroy();
    else refuse(req, res, entry, 502, 'InternalError');
  });
  req.on('error', () => upstream.destroy());
  if (!chunked) {
    req.pipe(upstream);
    return;
  }
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => upstream.end(decodeAwsChunked(Buffer.concat(parts))));
}
