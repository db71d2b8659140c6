// SigV4 as AWS services other than S3 check it: the canonical request over the exact body bytes, the path encoded
// once more, the scope's service and region; a fake answers as the service does when a key is unknown or a signature wrong.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What a signature check found: the caller's access key, or why the request is refused. */
export type SigV4Check =
  | { ok: true; accessKeyId: string; region: string; sessionToken: string | null }
  | { ok: false; code: 'MissingAuthenticationToken' | 'UnrecognizedClientException' | 'InvalidSignatureException' | 'IncompleteSignature'; message: string };

/**
 * Verify `Authorization: AWS4-HMAC-SHA256 …` for `service` with the secret of its access key (`secrets`): the SDK's
 * canonical request (method, path, sorted query, signed headers, SHA-256 of `body`) recomputed and compared.
 */
export function checkSigV4(req: IncomingMessage, body: Buffer, service: string, secrets: ReadonlyMap<string, string>): SigV4Check {
  const header = req.headers.authorization;
  if (!header) return { ok: false, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' };
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(header);
  const amzDate = req.headers['x-amz-date'];
  if (!auth || typeof amzDate !== 'string') return { ok: false, code: 'IncompleteSignature', message: 'Authorization header requires Credential, SignedHeaders, Signature' };
  const [, accessKeyId = '', date = '', region = '', scopeService = '', signedHeaders = '', signature = ''] = auth;
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) return { ok: false, code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (scopeService !== service || !amzDate.startsWith(date)) return { ok: false, code: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${service}'.` };
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const query = (q < 0 ? '' : url.slice(q + 1)).split('&').filter(Boolean).map((pair) => pair.split('=').map((part) => rfc3986(decodeURIComponent(part))).join('=')).sort();
  const path = (q < 0 ? url : url.slice(0, q)).split('/').map((segment) => rfc3986(rfc3986(decodeURIComponent(segment)))).join('/');
  const headers = signedHeaders.split(';').map((name) => {
    const value = req.headers[name];
    return `${name}:${(Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonical = [req.method ?? 'GET', path, query.join('&'), headers.join(''), signedHeaders, sha256(body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(Buffer.from(canonical))].join('\n');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer>((k, part) => hmac(k, part), Buffer.from(`AWS4${secret}`));
  if (!timingSafeEqual(hmac(key, stringToSign), Buffer.from(signature, 'hex'))) {
    return { ok: false, code: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' };
  }
  const token = req.headers['x-amz-security-token'];
  return { ok: true, accessKeyId, region, sessionToken: typeof token === 'string' ? token : null };
}

/** The body of a request, whole. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const rfc3986 = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
