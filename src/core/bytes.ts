/** The object-id hash of a repository. */
export type HashAlgo = 'sha1' | 'sha256';

/** Index just past the next `\n` at or after `pos`, or the end of the buffer. */
export function findLineEnd(bytes: Uint8Array, pos: number): number {
  const newline = bytes.indexOf(0x0a, pos);
  return newline === -1 ? bytes.length : newline + 1;
}

export function startsWith(bytes: Uint8Array, pos: number, prefix: string): boolean {
  if (pos + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[pos + i] !== prefix.charCodeAt(i)) return false;
  }
  return true;
}

/** Decode with a git `encoding` header value; unknown encodings fall back to UTF-8 with replacement. */
export function decodeText(bytes: Uint8Array, encoding: string): string {
  try {
    return new TextDecoder(normalizeEncoding(encoding)).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function normalizeEncoding(encoding: string): string {
  const lower = encoding.trim().toLowerCase();
  return lower === 'latin-1' ? 'latin1' : lower;
}

export function hashAlgoForOid(oid: string): HashAlgo {
  return oid.length === 64 ? 'sha256' : 'sha1';
}
