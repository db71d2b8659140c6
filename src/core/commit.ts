import { decodeText, findLineEnd, startsWith, type HashAlgo } from './bytes.js';

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
const HEX_LENGTH: Record<HashAlgo, number> = { sha1: 40, sha256: 64 };

interface HeaderLine {
  name: string;
  value: Uint8Array;
  start: number;
  end: number;
}

/** A header being read: its continuation lines are collected and joined once (joining per line is quadratic). */
interface OpenHeader extends Omit<HeaderLine, 'value'> {
  parts: Uint8Array[];
}

/**
 * Split a raw commit object into payload and signature byte-exactly, as git's
 * `parse_buffer_signed_by_header` does: the signature header of this repository's hash algorithm and
 * its continuation lines are the signature; every other header (mergetag included) stays in the
 * payload; any other `gpgsig*` header is dropped from the payload.
 */
export function parseCommit(raw: Uint8Array, hashAlgo: HashAlgo): ParsedCommit {
  const problems: string[] = [];
  if (raw.includes(0)) problems.push('commit object contains a NUL byte');
  const { headers, bodyStart } = readHeaders(raw, problems);
  const own = SIGNATURE_HEADERS[hashAlgo];
  const signatures = headers.filter((h) => h.name === own);
  // git concatenates repeated signature headers into one block; a second one is never legitimate
  if (signatures.length > 1) problems.push(`commit has ${signatures.length} ${own} headers`);
  const payloadParts: Uint8Array[] = [];
  let otherAlgorithmSignature = false;
  for (const header of headers) {
    if (header.name === own) continue;
    if (header.name.startsWith('gpgsig')) {
      otherAlgorithmSignature = true;
      continue;
    }
    payloadParts.push(raw.subarray(header.start, header.end));
  }
  payloadParts.push(raw.subarray(bodyStart));
  checkCommitHeaders(headers, hashAlgo, problems);
  const body = raw.subarray(bodyStart);
  return {
    tree: headerText(headers, 'tree'),
    parents: headers.filter((h) => h.name === 'parent').map((h) => decodeText(h.value, 'latin1').replace(/\n$/, '')),
    committerTime: parseIdentTime(headerText(headers, 'committer')),
    subject: readSubject(body, headerText(headers, 'encoding')),
    problems,
    otherAlgorithmSignature,
    signature: signatures.length > 0 ? decodeText(signatures[0]!.value, 'latin1') : null,
    payload: concatBytes(payloadParts),
  };
}

/** Headers up to the first empty line; a header's value joins its continuation lines without their leading space. */
function readHeaders(raw: Uint8Array, problems: string[]): { headers: HeaderLine[]; bodyStart: number } {
  const open: OpenHeader[] = [];
  const close = (): HeaderLine[] => open.map(({ parts, ...h }) => ({ ...h, value: parts.length === 1 ? parts[0]! : concatBytes(parts) }));
  let pos = 0;
  while (pos < raw.length) {
    const end = findLineEnd(raw, pos);
    if (end === pos + 1 && raw[pos] === 0x0a) return { headers: close(), bodyStart: pos };
    if (raw[pos] === 0x20) {
      const last = open.at(-1);
      if (!last) problems.push('continuation line before any header');
      else {
        last.parts.push(raw.subarray(pos + 1, end));
        last.end = end;
      }
      pos = end;
      continue;
    }
    const space = raw.indexOf(0x20, pos);
    const nameEnd = space === -1 || space > end ? end : space;
    const name = decodeText(raw.subarray(pos, nameEnd), 'latin1').replace(/\n$/, '');
    const value = nameEnd === end ? new Uint8Array() : raw.subarray(nameEnd + 1, end);
    open.push({ name, parts: [value], start: pos, end });
    pos = end;
  }
  problems.push('commit object has no message separator');
  return { headers: close(), bodyStart: raw.length };
}

/** The header order git's fsck requires: tree, parents, author, committer. */
function checkCommitHeaders(headers: HeaderLine[], hashAlgo: HashAlgo, problems: string[]): void {
  const names = headers.map((h) => h.name);
  const oid = new RegExp(`^[0-9a-f]{${HEX_LENGTH[hashAlgo]}}$`);
  if (names[0] !== 'tree') problems.push('commit does not start with a tree header');
  else if (!oid.test(headerText(headers, 'tree') ?? '')) problems.push('commit has an invalid tree id');
  let i = 1;
  while (names[i] === 'parent') {
    if (!oid.test(decodeText(headers[i]!.value, 'latin1').replace(/\n$/, ''))) problems.push('commit has an invalid parent id');
    i++;
  }
  if (names.slice(i).includes('parent')) problems.push('commit has a parent header out of order');
  if (names[i] !== 'author') problems.push('commit lacks an author header after its parents');
  if (names[i + 1] !== 'committer') problems.push('commit lacks a committer header after its author');
  for (const name of ['tree', 'author', 'committer']) {
    if (names.filter((n) => n === name).length > 1) problems.push(`commit has more than one ${name} header`);
  }
  if (names.includes('committer') && !parseIdentTime(headerText(headers, 'committer'))) {
    problems.push('commit has a committer line without a valid time');
  }
}

function headerText(headers: HeaderLine[], name: string): string | null {
  const header = headers.find((h) => h.name === name);
  return header ? decodeText(header.value, 'utf-8').replace(/\n$/, '') : null;
}

/** `Name <mail> 1700000000 +0100` → the instant. */
export function parseIdentTime(ident: string | null): Date | null {
  const match = ident ? /> (\d{1,15}) [+-]\d{4}$/.exec(ident) : null;
  if (!match) return null;
  const date = new Date(Number(match[1]) * 1000);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The first line of the message, decoded with the commit's `encoding` header. */
export function readSubject(body: Uint8Array, encoding: string | null): string {
  const message = body[0] === 0x0a ? body.subarray(1) : body;
  const text = decodeText(message, encoding ?? 'utf-8');
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').replace(/\r$/, '').trim();
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export { startsWith };
