import { createHash } from 'node:crypto';
import { KeyConfigError } from '../../core/errors.js';

/** One trusted SSH key, from an OpenSSH allowed_signers line or a `*.pub` file. */
export interface AllowedSigner {
  /**
   * The principals field split at its commas, each kept verbatim: OpenSSH patterns (`*`, `?`, `!`) for an
   * allowed_signers line; for a `*.pub` file, one literal name (see `principalPatterns`).
   */
  principals: string[];
  /** True when `principals` are OpenSSH pattern lists (allowed_signers); false for a `*.pub` file's literal name. */
  principalPatterns: boolean;
  /** e.g. `ssh-ed25519`. */
  keyType: string;
  /** The decoded base64 public key blob (SSH wire format). */
  keyBlob: Uint8Array;
  /** `SHA256:` + unpadded base64 of sha256(keyBlob), exactly as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Namespace patterns from `namespaces="git,file"`, split at commas and kept verbatim; null accepts any namespace. */
  namespaces: string[] | null;
  validAfter: Date | null;
  validBefore: Date | null;
  certAuthority: boolean;
  /** The file path given by the caller. */
  source: string;
  /** 1-based line number in `source`. */
  line: number;
}

const PLAIN_KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);
const CERT_KEY_TYPE = /^[a-z0-9-]+-cert-v01@openssh\.com$/;
const SNIFF_KEY_TYPE = [...PLAIN_KEY_TYPES, '[a-z0-9-]+-cert-v01@openssh.com'].join('|').replace(/\./g, '\\.');
/** A key type followed by base64 that starts like a wire-format blob (a length below 16M). */
const KEY_LINE_SNIFF = new RegExp(String.raw`(^|[ \t])(${SNIFF_KEY_TYPE})[ \t]+AAAA[A-Za-z0-9+/]*={0,2}([ \t]|$)`);

interface KeyOptions {
  certAuthority: boolean;
  namespaces: string[] | null;
  validAfter: Date | null;
  validBefore: Date | null;
}

/**
 * Parses an OpenSSH allowed_signers file (ssh-keygen(1), "ALLOWED SIGNERS").
 * Any line that cannot be parsed throws `KeyConfigError` naming `source:line`.
 */
export function parseAllowedSigners(text: string, source: string): AllowedSigner[] {
  const signers: AllowedSigner[] = [];
  forEachContentLine(text, (content, line) => {
    const at = `${source}:${line}`;
    const principalsField = readField(content, 0, at);
    if (!principalsField) fail(at, 'missing principals');
    const principals = parsePrincipals(principalsField.field, at);
    let next = readField(content, principalsField.end, at);
    let options: KeyOptions = { certAuthority: false, namespaces: null, validAfter: null, validBefore: null };
    if (next && !isKnownKeyType(next.field)) {
      options = parseOptions(next.field, at);
      next = readField(content, next.end, at);
    }
    if (!next) fail(at, 'missing key type');
    const { keyType, keyBlob, fingerprint } = readKey(content, next.field, next.end, at);
    signers.push({ principals, principalPatterns: true, keyType, keyBlob, fingerprint, ...options, source, line });
  });
  return signers;
}

/**
 * A `*.pub` file holding an OpenSSH public key line `keytype base64 [comment]`:
 * principal = comment, else fallbackPrincipal.
 */
export function parseSshPublicKeyFile(text: string, source: string, fallbackPrincipal: string): AllowedSigner[] {
  const signers: AllowedSigner[] = [];
  forEachContentLine(text, (content, line) => {
    const at = `${source}:${line}`;
    const typeField = readField(content, 0, at);
    if (!typeField) fail(at, 'missing key type');
    const key = readKey(content, typeField.field, typeField.end, at);
    const comment = content.slice(key.end).trim();
    signers.push({
      principals: [comment || fallbackPrincipal],
      principalPatterns: false,
      keyType: key.keyType,
      keyBlob: key.keyBlob,
      fingerprint: key.fingerprint,
      namespaces: null,
      validAfter: null,
      validBefore: null,
      certAuthority: false,
      source,
      line,
    });
  });
  return signers;
}

/** The OpenSSH SHA256 fingerprint of a public key blob, as `ssh-keygen -lf` prints it. */
export function sshFingerprint(keyBlob: Uint8Array): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** Cheap sniff: the first non-comment line is an OpenSSH public key or allowed_signers line. */
export function isSshPublicKeyText(text: string): boolean {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    return KEY_LINE_SNIFF.test(line);
  }
  return false;
}

function isKnownKeyType(type: string): boolean {
  return PLAIN_KEY_TYPES.has(type) || CERT_KEY_TYPE.test(type);
}

function fail(at: string, message: string): never {
  throw new KeyConfigError(`${at}: ${message}`);
}

function forEachContentLine(text: string, visit: (content: string, line: number) => void): void {
  text.split('\n').forEach((raw, index) => {
    const content = raw.replace(/\r$/, '').trim();
    if (content !== '' && !content.startsWith('#')) visit(content, index + 1);
  });
}

/** Reads one whitespace-delimited field; double quotes protect whitespace and commas inside it. */
function readField(text: string, start: number, at: string): { field: string; end: number } | null {
  let i = start;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (i >= text.length) return null;
  const begin = i;
  let quoted = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ' ' || c === '\t')) break;
  }
  if (quoted) fail(at, 'unterminated quote');
  return { field: text.slice(begin, i), end: i };
}

function parsePrincipals(field: string, at: string): string[] {
  const quoted = field.length >= 2 && field.startsWith('"') && field.endsWith('"');
  const inner = quoted ? field.slice(1, -1) : field;
  if (inner.includes('"')) fail(at, 'stray quote in principals');
  // Kept verbatim, spaces included: ssh-keygen matches and prints them that way.
  const principals = inner.split(',');
  if (principals.some((p) => p === '')) fail(at, 'empty principal');
  return principals;
}

function parseOptions(field: string, at: string): KeyOptions {
  const options: KeyOptions = { certAuthority: false, namespaces: null, validAfter: null, validBefore: null };
  const seen = new Set<string>();
  for (const option of splitOutsideQuotes(field)) {
    const eq = option.indexOf('=');
    const name = (eq < 0 ? option : option.slice(0, eq)).toLowerCase();
    if (seen.has(name)) fail(at, `duplicate option ${name}`);
    seen.add(name);
    if (name === 'cert-authority' && eq < 0) {
      options.certAuthority = true;
      continue;
    }
    const value = eq < 0 ? null : dequote(option.slice(eq + 1));
    if (value === null) fail(at, `option ${JSON.stringify(option)} is unknown or lacks a quoted value`);
    if (name === 'namespaces') options.namespaces = parseNamespaces(value, at);
    else if (name === 'valid-after') options.validAfter = parseSshTime(value, at);
    else if (name === 'valid-before') options.validBefore = parseSshTime(value, at);
    else fail(at, `unknown option ${JSON.stringify(name)}`);
  }
  // OpenSSH refuses an empty window as a bad line rather than reading it as "never valid".
  if (options.validAfter && options.validBefore && options.validBefore <= options.validAfter) {
    fail(at, 'valid-before is not after valid-after');
  }
  return options;
}

function splitOutsideQuotes(field: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < field.length; i++) {
    if (field[i] === '"') quoted = !quoted;
    else if (field[i] === ',' && !quoted) {
      parts.push(field.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(field.slice(start));
  return parts;
}

function dequote(value: string): string | null {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return null;
  const inner = value.slice(1, -1);
  return inner.includes('"') ? null : inner;
}

function parseNamespaces(value: string, at: string): string[] {
  // Verbatim: OpenSSH does not trim, so `namespaces="file, git"` does not allow `git`.
  const namespaces = value.split(',');
  if (namespaces.some((n) => n === '' || n === '!')) fail(at, 'empty namespace in namespaces=');
  return namespaces;
}

/** OpenSSH's YYYYMMDD[HHMM[SS]][Z]: local time unless it ends in Z. */
function parseSshTime(value: string, at: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z?)$/.exec(value);
  if (!m) fail(at, `bad time ${JSON.stringify(value)}, expected YYYYMMDD[HHMM[SS]][Z]`);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((part) => Number(part ?? '0'));
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  const dateOk = calendar.getUTCFullYear() === y && calendar.getUTCMonth() === mo - 1 && calendar.getUTCDate() === d;
  if (!dateOk || h > 23 || mi > 59 || s > 59) fail(at, `invalid date or time ${JSON.stringify(value)}`);
  const time = m[7] === 'Z' ? new Date(Date.UTC(y, mo - 1, d, h, mi, s)) : new Date(y, mo - 1, d, h, mi, s);
  // OpenSSH reads 0 as "no limit" and refuses it, and refuses any time before 1970 too.
  if (time.getTime() <= 0) fail(at, `time ${JSON.stringify(value)} is not after 1970-01-01T00:00:00Z`);
  return time;
}

function readKey(text: string, keyType: string, afterType: number, at: string) {
  if (!isKnownKeyType(keyType)) fail(at, `unknown key type ${JSON.stringify(keyType)}`);
  const base64Field = readField(text, afterType, at);
  if (!base64Field) fail(at, 'missing base64 public key');
  const keyBlob = decodeBase64Strict(base64Field.field);
  if (!keyBlob) fail(at, 'public key is not valid base64');
  const embedded = readEmbeddedKeyType(keyBlob);
  if (embedded !== keyType) {
    fail(at, `key type ${keyType} does not match the key blob's type ${JSON.stringify(embedded ?? '(unreadable)')}`);
  }
  return { keyType, keyBlob, fingerprint: sshFingerprint(keyBlob), end: base64Field.end };
}

function decodeBase64Strict(text: string): Uint8Array | null {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  // Node ignores stray bits; refuse non-canonical encodings so one key has one spelling.
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

function readEmbeddedKeyType(blob: Uint8Array): string | null {
  if (blob.length < 4) return null;
  const length = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0);
  if (length > blob.length - 4) return null;
  return Buffer.from(blob.subarray(4, 4 + length)).toString('latin1');
}
