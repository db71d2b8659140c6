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

type Decoder = InstanceType<typeof TextDecoder>;

// one decoder per label (a commit decodes two texts, a range thousands of commits); null: not a label TextDecoder knows
const decoders = new Map<string, Decoder | null>();

/** Decode with a git `encoding` header value; unknown encodings fall back to UTF-8 with replacement. */
export function decodeText(bytes: Uint8Array, encoding: string): string {
  return (decoderFor(normalizeEncoding(encoding)) ?? decoderFor('utf-8')!).decode(bytes);
}

function decoderFor(label: string): Decoder | null {
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = null;
    }
    // labels come from commit headers: remember only a bounded number of them
    if (decoders.size < 64) decoders.set(label, decoder);
  }
  return decoder;
}

function normalizeEncoding(encoding: string): string {
  const lower = encoding.trim().toLowerCase();
  return lower === 'latin-1' ? 'latin1' : lower;
}

export function hashAlgoForOid(oid: string): HashAlgo {
  return oid.length === 64 ? 'sha256' : 'sha1';
}
