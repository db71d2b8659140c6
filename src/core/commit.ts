import { decodeText, type HashAlgo } from './bytes.js';

/** A signature taken out of an object, with the exact bytes it signs. */
export interface SignedParts {
  /** The signature block as text, continuation prefixes removed, exactly as git hands it to gpg. */
  signature: string | null;
  /** The bytes the signature is over. */
  payload: Uint8Array;
}

/** A commit object split the way git splits it for verification. */
export interface ParsedCommit extends SignedParts {
  tree: string | null;
  parents: string[];
  committerTime: Date | null;
  subject: string;
  /** Why the object is not a well-formed commit; empty when it is. */
  problems: string[];
  /** A signature header for the other hash algorithm was present (and stripped, as git does). */
  otherAlgorithmSignature: boolean;
}

const SIGNATURE_HEADERS: Record<HashAlgo, string> = { sha1: 'gpgsig', sha256: 'gpgsig-sha256' };
const OID_PATTERNS: Record<HashAlgo, RegExp> = { sha1: /^[0-9a-f]{40}$/, sha256: /^[0-9a-f]{64}$/ };

/** One header with its continuation lines; offsets are byte offsets (the header text is read as latin-1). */
interface Header {
  name: string;
  /** The value, continuation lines joined with `\n` and their leading space removed, no final newline. */
  value: string;
  start: number;
  end: number;
}

/**
 * Split a raw commit object into payload and signature byte-exactly, as git's
 * `parse_buffer_signed_by_header` does: the signature header of this repository's hash algorithm and
 * its continuation lines are the signature; every other header (mergetag included) stays in the
 * payload; any other `gpgsig*` header is dropped from the payload.
 */
export function parseCommit(raw: Uint8Array, hashAlgo: HashAlgo): ParsedCommit {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  const problems: string[] = [];
  if (bytes.includes(0)) problems.push('commit object contains a NUL byte');
  const { headers, bodyStart } = readHeaders(bytes, problems);
  const own = SIGNATURE_HEADERS[hashAlgo];
  const signatures = headers.filter((h) => h.name === own);
  // git concatenates repeated signature headers into one block; a second one is never legitimate
  if (signatures.length > 1) problems.push(`commit has ${signatures.length} ${own} headers`);
  const kept = headers.filter((h) => !h.name.startsWith('gpgsig'));
  // the time is ASCII at the end of the line: read from the latin-1 text it is what UTF-8 decoding would give
  const committerTime = parseIdentTime(headerValue(headers, 'committer'));
  checkCommitHeaders(headers, hashAlgo, committerTime, problems);
  return {
    tree: flatten(headerValue(headers, 'tree')),
    parents: headers.filter((h) => h.name === 'parent').map((h) => flatten(h.value)!),
    committerTime,
    subject: readSubject(bytes.subarray(bodyStart), headerValue(headers, 'encoding')),
    problems,
    otherAlgorithmSignature: headers.some((h) => h.name !== own && h.name.startsWith('gpgsig')),
    signature: signatures.length > 0 ? signatures[0]!.value + '\n' : null,
    payload: joinPayload(bytes, kept, bodyStart, headers.length),
  };
}

/** Headers up to the first empty line. Continuation lines (leading space) belong to the header above. */
function readHeaders(bytes: Buffer, problems: string[]): { headers: Header[]; bodyStart: number } {
  const text = bytes.toString('latin1');
  const headers: Header[] = [];
  // the header being read: where its value starts and its last line ends; its value is cut once, when it is complete
  let open: { name: string; valueStart: number; valueEnd: number; start: number } | null = null;
  const close = (): void => {
    if (!open) return;
    const raw = text.slice(open.valueStart, open.valueEnd);
    // a continuation line joins the value as `\n` and its text without the leading space
    headers.push({ name: open.name, value: raw.includes('\n') ? raw.replaceAll('\n ', '\n') : raw, start: open.start, end: lineStartAfter(open.valueEnd) });
    open = null;
  };
  const lineStartAfter = (lineEnd: number): number => (lineEnd < text.length ? lineEnd + 1 : lineEnd);
  let pos = 0;
  while (pos < text.length) {
    const newline = text.indexOf('\n', pos);
    const lineEnd = newline === -1 ? text.length : newline;
    if (newline === pos) {
      close();
      return { headers, bodyStart: pos };
    }
    if (text.charCodeAt(pos) === 0x20) {
      if (open) open.valueEnd = lineEnd;
      else problems.push('continuation line before any header');
    } else {
      close();
      const space = text.indexOf(' ', pos);
      const named = space !== -1 && space < lineEnd;
      // a header without a space has an empty value; starting it at the newline makes a continuation add `\n` and its text
      open = { name: text.slice(pos, named ? space : lineEnd), valueStart: named ? space + 1 : lineEnd, valueEnd: lineEnd, start: pos };
    }
    pos = lineEnd + 1;
  }
  close();
  problems.push('commit object has no message separator');
  return { headers, bodyStart: text.length };
}

/** The payload: every kept header's bytes, then the blank line and the message. */
function joinPayload(bytes: Buffer, kept: Header[], bodyStart: number, headerCount: number): Uint8Array {
  if (kept.length === headerCount) return bytes;
  const parts = kept.map((h) => bytes.subarray(h.start, h.end));
  parts.push(bytes.subarray(bodyStart));
  return Buffer.concat(parts);
}

/** The header order git's fsck requires: tree, parents, author, committer. */
function checkCommitHeaders(headers: Header[], hashAlgo: HashAlgo, committerTime: Date | null, problems: string[]): void {
  const names = headers.map((h) => h.name);
  const oid = OID_PATTERNS[hashAlgo];
  if (names[0] !== 'tree') problems.push('commit does not start with a tree header');
  else if (!oid.test(headers[0]!.value)) problems.push('commit has an invalid tree id');
  let i = 1;
  for (; names[i] === 'parent'; i++) {
    if (!oid.test(headers[i]!.value)) problems.push('commit has an invalid parent id');
  }
  if (names.indexOf('parent', i) !== -1) problems.push('commit has a parent header out of order');
  if (names[i] !== 'author') problems.push('commit lacks an author header after its parents');
  if (names[i + 1] !== 'committer') problems.push('commit lacks a committer header after its author');
  for (const name of ['tree', 'author', 'committer']) {
    if (names.indexOf(name) !== names.lastIndexOf(name)) problems.push(`commit has more than one ${name} header`);
  }
  if (names.includes('committer') && !committerTime) {
    problems.push('commit has a committer line without a valid time');
  }
}

/** A copy that does not share memory with the whole object's text (V8 keeps the parent of a sliced string alive). */
function flatten(value: string | null): string | null {
  return value === null ? null : Buffer.from(value, 'latin1').toString('latin1');
}

function headerValue(headers: Header[], name: string): string | null {
  return headers.find((h) => h.name === name)?.value ?? null;
}

/** `Name <mail> 1700000000 +0100` → the instant. */
export function parseIdentTime(ident: string | null): Date | null {
  const match = ident ? /> (\d{1,15}) [+-]\d{4}$/.exec(ident) : null;
  if (!match) return null;
  const date = new Date(Number(match[1]) * 1000);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The first non-empty line of the message, decoded with the commit's `encoding` header (only that line is decoded and kept). */
export function readSubject(body: Uint8Array, encoding: string | null): string {
  let start = body[0] === 0x0a ? 1 : 0;
  while (start < body.length) {
    let end = body.indexOf(0x0a, start);
    if (end === -1) end = body.length;
    const line = decodeText(body.subarray(start, Math.min(end, start + 1024)), encoding ?? 'utf-8').trim();
    if (line !== '') return line;
    start = end + 1;
  }
  return '';
}
