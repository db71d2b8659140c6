import { decodeText, findLineEnd, startsWith } from './bytes.js';
import type { SignedParts } from './commit.js';
import { parseIdentTime } from './commit.js';

/** An annotated tag object split at its signature, as git's `parse_signed_buffer` does. */
export interface ParsedTag extends SignedParts {
  object: string | null;
  type: string | null;
  name: string | null;
  taggerTime: Date | null;
  problems: string[];
}

/** The lines that open a signature block, for every format git knows. */
export const SIGNATURE_BEGIN_LINES = [
  '-----BEGIN PGP SIGNATURE-----',
  '-----BEGIN PGP MESSAGE-----',
  '-----BEGIN SSH SIGNATURE-----',
  '-----BEGIN SIGNED MESSAGE-----',
] as const;

/** The signature of a tag starts at the last line that opens a signature block; the payload is everything before. */
export function parseTag(raw: Uint8Array): ParsedTag {
  const problems: string[] = [];
  if (raw.includes(0)) problems.push('tag object contains a NUL byte');
  const split = findSignatureStart(raw);
  const headers = readTagHeaders(raw);
  for (const name of ['object', 'type', 'tag']) {
    if (!headers.has(name)) problems.push(`tag lacks a ${name} header`);
  }
  return {
    object: headers.get('object') ?? null,
    type: headers.get('type') ?? null,
    name: headers.get('tag') ?? null,
    taggerTime: parseIdentTime(headers.get('tagger') ?? null),
    problems,
    signature: split === raw.length ? null : decodeText(raw.subarray(split), 'latin1'),
    payload: raw.subarray(0, split),
  };
}

function findSignatureStart(raw: Uint8Array): number {
  let match = raw.length;
  for (let pos = 0; pos < raw.length; pos = findLineEnd(raw, pos)) {
    if (SIGNATURE_BEGIN_LINES.some((line) => startsWith(raw, pos, line))) match = pos;
  }
  return match;
}

function readTagHeaders(raw: Uint8Array): Map<string, string> {
  const headers = new Map<string, string>();
  for (let pos = 0; pos < raw.length; ) {
    const end = findLineEnd(raw, pos);
    const line = decodeText(raw.subarray(pos, end), 'utf-8').replace(/\n$/, '');
    if (line === '') break;
    const space = line.indexOf(' ');
    const name = space === -1 ? line : line.slice(0, space);
    if (!headers.has(name)) headers.set(name, space === -1 ? '' : line.slice(space + 1));
    pos = end;
  }
  return headers;
}
