// What S3 puts on the wire that the fake S3's proxy must understand and s3rver does not: SigV4 header signatures
// (s3rver checks only V2 ones) and aws-chunked upload bodies (s3rver would store the framing as the object); and the
// S3 XML errors the proxy answers itself.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** Whether a request body is aws-chunked framed (what the SDK sends for a stream body). */
export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  return /^STREAMING-/.test(String(headers['x-amz-content-sha256'])) && /aws-chunked/.test(headers['content-encoding'] ?? '');
}

/**
 * An `aws-chunked` body without its framing: the SDK streams bodies of unknown hash that way ('STREAMING-…' content
 * hash, CRC32 trailer), and s3rver would store the framing as the object. The trailing checksum is dropped unchecked.
 */
export function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; ;) {
    const eol = raw.indexOf('\r\n', at);
    const size = eol < 0 ? 0 : Number.parseInt(raw.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** The headers s3rver needs for the decoded body, which it no longer stores framed. */
export function unchunkedHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const encoding = (headers['content-encoding'] ?? '').split(',').map((e) => e.trim()).filter((e) => e && e !== 'aws-chunked');
  const { 'x-amz-decoded-content-length': decoded, 'x-amz-trailer': _trailer, 'content-encoding': _encoding, 'transfer-encoding': _transfer, ...rest } = headers;
  return {
    ...rest,
    ...(encoding.length > 0 ? { 'content-encoding': encoding.join(',') } : {}),
    ...(typeof decoded === 'string' ? { 'content-length': decoded } : {}),
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  };
}

/**
 * Checks an `Authorization: AWS4-HMAC-SHA256` header the way S3 does, minus the payload: the signed
 * `x-amz-content-sha256` value is taken as given, not compared with the body (s3rver stores the body as sent).
 */
export function signatureMatches(req: IncomingMessage, secret: string): boolean {
  const auth = /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
  const amzDate = req.headers['x-amz-date'];
  if (!auth || typeof amzDate !== 'string') return false;
  const [, date = '', region = '', service = '', signedHeaders = '', signature = ''] = auth;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const query = (q < 0 ? '' : url.slice(q + 1)).split('&').filter(Boolean).map((pair) => {
    const eq = pair.indexOf('=');
    return [rfc3986(decode(eq < 0 ? pair : pair.slice(0, eq))), rfc3986(decode(eq < 0 ? '' : pair.slice(eq + 1)))] as const;
  });
  query.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  const headers = signedHeaders.split(';').map((name) => {
    const value = req.headers[name];
    return `${name}:${(Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ')}\n`;
  });
  const payloadHash = req.headers['x-amz-content-sha256'];
  const canonical = [
    req.method ?? 'GET',
    // S3 signs the path as sent, without the second encoding other services use.
    q < 0 ? url : url.slice(0, q),
    query.map(([k, v]) => `${k}=${v}`).join('&'),
    headers.join(''),
    signedHeaders,
    typeof payloadHash === 'string' ? payloadHash : sha256(''),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer>((k, part) => hmac(k, part), Buffer.from(`AWS4${secret}`));
  return timingSafeEqual(hmac(key, stringToSign), Buffer.from(signature, 'hex'));
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const rfc3986 = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export const xmlEscape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

const MESSAGES: Record<string, string> = {
  InternalError: 'We encountered an internal error. Please try again.',
  SlowDown: 'Please reduce your request rate.',
  ServiceUnavailable: 'Service is unable to handle request.',
  AccessDenied: 'Access Denied',
  InvalidAccessKeyId: 'The AWS Access Key Id you provided does not exist in our records.',
  NoSuchKey: 'The specified key does not exist.',
  NoSuchVersion: 'The specified version does not exist.',
  SignatureDoesNotMatch: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
};

export function defaultCode(status: number): string {
  return ({ 400: 'InvalidRequest', 403: 'AccessDenied', 404: 'NoSuchKey', 501: 'NotImplemented', 503: 'SlowDown' } as Record<number, string>)[status] ?? 'InternalError';
}

/**
 * Answers an S3-style XML error, `details` as extra elements (`Key`, `VersionId`, …) after the message; HEAD gets no
 * body, as from S3, and the SDK then names the error from the status alone. Sets `entry.status`.
 */
export function refuse(req: IncomingMessage, res: ServerResponse, entry: { status: number }, status: number, code: string, message = MESSAGES[code] ?? code, details: Record<string, string> = {}): void {
  req.resume();
  const requestId = createHash('sha256').update(`${Date.now()}${Math.random()}`).digest('hex').slice(0, 16).toUpperCase();
  const extra = Object.entries(details).map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`).join('');
  const body = req.method === 'HEAD'
    ? ''
    : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`;
  entry.status = status;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)), 'x-amz-request-id': requestId });
  res.end(body);
}
