// S3 bucket versioning, emulated in memory by the fake S3's proxy (aws-fake-s3.ts) for the buckets
// `startS3({ versioned })` names, because s3rver has none. A stand-in, not S3: only what the artifact gate uses is
// emulated (PutObject, GetObject/HeadObject by version, ListObjectVersions, GetBucketVersioning), and any other
// request on such a bucket's objects is answered 501 NotImplemented rather than half-served by s3rver.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import { decodeAwsChunked, isAwsChunked, refuse, unchunkedHeaders, xmlEscape } from './aws-s3-wire.js';

/** One stored version of an object. */
export interface StoredVersion {
  versionId: string;
  body: Buffer;
  /** Quoted MD5 hex, as S3 gives a single-part upload. */
  etag: string;
  lastModified: Date;
  contentType: string;
  /** `x-amz-meta-*` headers, names lowercased without the prefix. */
  metadata: Record<string, string>;
}

/** The versions of every object of the versioned buckets, each key's oldest first. */
export class VersionStore {
  readonly #buckets = new Map<string, Map<string, StoredVersion[]>>();
  #lastTime = 0;

  constructor(buckets: Iterable<string>) {
    for (const bucket of buckets) this.#buckets.set(bucket, new Map());
  }

  isVersioned(bucket: string): boolean {
    return this.#buckets.has(bucket);
  }

  /** Adds a version, strictly later than every earlier one (by at least 1 ms). */
  put(bucket: string, key: string, body: Buffer, contentType: string, metadata: Record<string, string>): StoredVersion {
    const objects = this.#objects(bucket);
    this.#lastTime = Math.max(Date.now(), this.#lastTime + 1);
    const version: StoredVersion = {
      // 32 URL-safe characters, the length of S3's ids.
      versionId: randomBytes(24).toString('base64url'),
      body,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: new Date(this.#lastTime),
      contentType,
      metadata,
    };
    objects.set(key, [...(objects.get(key) ?? []), version]);
    return version;
  }

  /** A key's versions, oldest first; empty when it has none. */
  versions(bucket: string, key: string): readonly StoredVersion[] {
    return this.#objects(bucket).get(key) ?? [];
  }

  /** Keys with their versions, keys in S3's order (UTF-8 bytes), versions newest first. */
  listing(bucket: string, prefix: string): { key: string; version: StoredVersion; isLatest: boolean }[] {
    const keys = [...this.#objects(bucket).keys()].filter((k) => k.startsWith(prefix)).sort(utf8Order);
    return keys.flatMap((key) => [...this.versions(bucket, key)].reverse().map((version, i) => ({ key, version, isLatest: i === 0 })));
  }

  #objects(bucket: string): Map<string, StoredVersion[]> {
    const objects = this.#buckets.get(bucket);
    if (!objects) throw new Error(`bucket ${bucket} is not versioned: give it in startS3({ versioned })`);
    return objects;
  }
}

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export interface Emulation {
  store: VersionStore;
  /** s3rver, which gets each PutObject too, so that ListObjectsV2 and direct reads see the latest content. */
  upstream: { port: number; agent: Agent };
  /** The one access key id s3rver knows: others are refused InvalidAccessKeyId, as s3rver does. */
  accessKeyId: string;
}

/**
 * Answers `req` when it is the emulation's: a request on a versioned bucket's object, or a version listing or
 * GetBucketVersioning of a versioned bucket. False otherwise (the proxy forwards it to s3rver). `cutAfter` (a 'cut'
 * fault) destroys the connection after that many body bytes, with Content-Length the full length.
 */
export function serveVersioned(emulation: Emulation, req: IncomingMessage, res: ServerResponse, entry: { path: string; query: string; status: number }, cutAfter: number | null): boolean {
  const slash = entry.path.indexOf('/', 1);
  const bucket = entry.path.slice(1, slash < 0 ? undefined : slash);
  const key = slash < 0 ? '' : entry.path.slice(slash + 1);
  if (!emulation.store.isVersioned(bucket)) return false;
  const params = new URLSearchParams(entry.query);
  const method = req.method ?? 'GET';
  if (key === '' && !(method === 'GET' && (params.has('versions') || params.has('versioning')))) return false;

  const keyId = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? params.get('X-Amz-Credential')?.split('/')[0] ?? null;
  if (keyId !== null && keyId !== emulation.accessKeyId) {
    refuse(req, res, entry, 403, 'InvalidAccessKeyId');
  } else if (key === '' && params.has('versioning')) {
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>';
    send(res, entry, 200, { 'content-type': 'application/xml' }, Buffer.from(body), cutAfter);
  } else if (key === '') {
    listVersions(emulation.store, bucket, params, req, res, entry, cutAfter);
  } else {
    const unsupported = [...params.keys()].find((name) => !(name === 'x-id' || name.startsWith('X-Amz-') || (name === 'versionId' && method !== 'PUT')));
    const header = ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'x-amz-copy-source'].find((name) => req.headers[name] !== undefined);
    if (!['GET', 'HEAD', 'PUT'].includes(method) || unsupported !== undefined || header !== undefined) {
      const what = unsupported !== undefined ? `'?${unsupported}'` : header !== undefined ? `the ${header} header` : method;
      refuse(req, res, entry, 501, 'NotImplemented', `The fake S3's versioning emulation does not implement ${what} on objects of versioned buckets.`);
    } else if (method === 'PUT') {
      putObject(emulation, bucket, key, req, res, entry, cutAfter);
    } else {
      getObject(emulation.store, bucket, key, params.get('versionId'), req, res, entry, cutAfter);
    }
  }
  return true;
}

/** Stores the version once s3rver has taken the same bytes; an s3rver error is relayed as it is. */
function putObject(emulation: Emulation, bucket: string, key: string, req: IncomingMessage, res: ServerResponse, entry: { status: number }, cutAfter: number | null): void {
  const parts: Buffer[] = [];
  req.on('data', (part: Buffer) => parts.push(part));
  req.on('end', () => {
    const chunked = isAwsChunked(req.headers);
    const body = chunked ? decodeAwsChunked(Buffer.concat(parts)) : Buffer.concat(parts);
    const { 'transfer-encoding': _transfer, ...headers } = chunked ? unchunkedHeaders(req.headers) : req.headers;
    const { port, agent } = emulation.upstream;
    const upstream = request({ host: '127.0.0.1', port, agent, method: 'PUT', path: req.url, headers: { ...headers, 'content-length': String(body.length) } }, (up) => {
      entry.status = up.statusCode ?? 502;
      if (entry.status !== 200) {
        res.writeHead(entry.status, up.headers);
        up.pipe(res);
        return;
      }
      up.resume();
      up.on('end', () => {
        const metadata = Object.fromEntries(Object.entries(req.headers).flatMap(([name, value]) =>
          name.startsWith('x-amz-meta-') && typeof value === 'string' ? [[name.slice('x-amz-meta-'.length), value]] : []));
        const version = emulation.store.put(bucket, key, body, req.headers['content-type'] ?? DEFAULT_CONTENT_TYPE, metadata);
        const requestId = up.headers['x-amz-request-id'];
        send(res, entry, 200, { etag: version.etag, 'x-amz-version-id': version.versionId, ...(typeof requestId === 'string' ? { 'x-amz-request-id': requestId } : {}) }, Buffer.alloc(0), cutAfter);
      });
    });
    upstream.on('error', () => {
      if (res.headersSent) res.socket?.destroy();
      else refuse(req, res, entry, 502, 'InternalError');
    });
    upstream.end(body);
  });
  req.on('error', () => res.socket?.destroy());
}

/** What S3 gives an object uploaded without a Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

function getObject(store: VersionStore, bucket: string, key: string, versionId: string | null, req: IncomingMessage, res: ServerResponse, entry: { status: number }, cutAfter: number | null): void {
  if (versionId === '') return refuse(req, res, entry, 400, 'InvalidArgument', 'Version id cannot be the empty string', { ArgumentName: 'versionId', ArgumentValue: '' });
  const versions = store.versions(bucket, key);
  const version = versionId === null ? versions.at(-1) : versions.find((v) => v.versionId === versionId);
  // Real S3 answers a malformed id 400 InvalidArgument; here every unknown id is 404 NoSuchVersion.
  if (!version && versionId !== null) return refuse(req, res, entry, 404, 'NoSuchVersion', undefined, { Key: key, VersionId: versionId });
  if (!version) return refuse(req, res, entry, 404, 'NoSuchKey', undefined, { Key: key });
  const headers: Record<string, string> = {
    'content-type': version.contentType,
    etag: version.etag,
    'last-modified': version.lastModified.toUTCString(),
    'x-amz-version-id': version.versionId,
    'accept-ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(version.metadata)) headers[`x-amz-meta-${name}`] = value;
  send(res, entry, 200, headers, version.body, cutAfter, req.method === 'HEAD');
}

function listVersions(store: VersionStore, bucket: string, params: URLSearchParams, req: IncomingMessage, res: ServerResponse, entry: { status: number }, cutAfter: number | null): void {
  const unsupported = ['delimiter', 'encoding-type'].find((name) => params.has(name));
  if (unsupported) return refuse(req, res, entry, 501, 'NotImplemented', `The fake S3's versioning emulation does not implement '${unsupported}' in ListObjectVersions.`);
  const maxKeys = Number(params.get('max-keys') ?? '1000');
  if (!Number.isInteger(maxKeys) || maxKeys < 0) return refuse(req, res, entry, 400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
  const limit = Math.min(maxKeys, 1000);
  const prefix = params.get('prefix') ?? '';
  const keyMarker = params.get('key-marker') ?? '';
  const versionIdMarker = params.get('version-id-marker') ?? '';
  const all = store.listing(bucket, prefix);
  // After the marker version when both markers are given and it exists, else after every version of the marker key.
  const at = keyMarker === '' ? -1 : all.findIndex((e) => e.key === keyMarker && e.version.versionId === versionIdMarker);
  const rest = keyMarker === '' ? all : at >= 0 ? all.slice(at + 1) : all.filter((e) => utf8Order(e.key, keyMarker) > 0);
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  const truncated = limit > 0 && rest.length > page.length && last !== undefined;
  const element = (name: string, value: string) => (value === '' ? `<${name}/>` : `<${name}>${xmlEscape(value)}</${name}>`);
  const body = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    element('Name', bucket), element('Prefix', prefix), element('KeyMarker', keyMarker), element('VersionIdMarker', versionIdMarker),
    `<MaxKeys>${limit}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`,
    truncated ? element('NextKeyMarker', last.key) + element('NextVersionIdMarker', last.version.versionId) : '',
    ...page.map(({ key, version, isLatest }) => [
      '<Version>', element('Key', key), element('VersionId', version.versionId), `<IsLatest>${isLatest}</IsLatest>`,
      // Listings carry milliseconds; the Last-Modified header only seconds.
      `<LastModified>${version.lastModified.toISOString()}</LastModified>`, element('ETag', version.etag),
      `<Size>${version.body.length}</Size><StorageClass>STANDARD</StorageClass></Version>`,
    ].join('')),
    '</ListVersionsResult>',
  ].join('');
  send(res, entry, 200, { 'content-type': 'application/xml' }, Buffer.from(body), cutAfter);
}

/** A 200 with `body` (HEAD: its length, no bytes), cut after `cutAfter` bytes when a 'cut' fault says so. */
function send(res: ServerResponse, entry: { status: number }, status: number, headers: Record<string, string>, body: Buffer, cutAfter: number | null, head = false): void {
  entry.status = status;
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  const bytes = head ? Buffer.alloc(0) : body;
  if (cutAfter === null) return void res.end(bytes);
  // As the proxy's forward does: even a body no longer than `afterBytes` ends in a destroyed connection.
  res.write(bytes.subarray(0, Math.max(0, cutAfter)), () => res.socket?.destroy());
}
