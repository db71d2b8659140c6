/** The OpenPGP packet framing (RFC 9580 §4.2), read strictly and in linear time. */

/** Input that is not well-formed OpenPGP: ends as a `malformed` verdict or a key-file error, never as a crash. */
export class OpenpgpFormatError extends Error {
  override readonly name = 'OpenpgpFormatError';
}

/** Well-formed input this implementation does not verify (v3/v5 packets, unknown algorithms): an `unsupported` verdict. */
export class OpenpgpUnsupportedError extends Error {
  override readonly name = 'OpenpgpUnsupportedError';
}

export const TAG = {
  signature: 2,
  secretKey: 5,
  publicKey: 6,
  secretSubkey: 7,
  marker: 10,
  trust: 12,
  userId: 13,
  publicSubkey: 14,
  userAttribute: 17,
} as const;

/** One packet: its tag and body (a view into the input). */
export interface Packet {
  tag: number;
  body: Uint8Array;
}

/**
 * Split `bytes` into packets. Partial body lengths and old-format indeterminate lengths are refused:
 * they are only meant for streamed data packets, never for keys or signatures.
 */
export function readPackets(bytes: Uint8Array): Packet[] {
  const packets: Packet[] = [];
  for (let pos = 0; pos < bytes.length; ) {
    const header = bytes[pos]!;
    if ((header & 0x80) === 0) throw new OpenpgpFormatError(`byte ${pos} is not a packet header`);
    let tag: number;
    let start: number;
    let length: number;
    if (header & 0x40) {
      tag = header & 0x3f;
      [start, length] = newFormatLength(bytes, pos + 1);
    } else {
      tag = (header >> 2) & 0x0f;
      const size = [1, 2, 4][header & 3];
      if (size === undefined) throw new OpenpgpFormatError('old-format packet with an indeterminate length');
      if (pos + 1 + size > bytes.length) throw new OpenpgpFormatError('packet header is truncated');
      start = pos + 1 + size;
      length = readUint(bytes, pos + 1, size);
    }
    if (start + length > bytes.length) throw new OpenpgpFormatError(`packet of tag ${tag} is truncated`);
    packets.push({ tag, body: bytes.subarray(start, start + length) });
    pos = start + length;
  }
  return packets;
}

function newFormatLength(bytes: Uint8Array, at: number): [number, number] {
  const first = bytes[at];
  if (first === undefined) throw new OpenpgpFormatError('packet header is truncated');
  if (first < 192) return [at + 1, first];
  if (first < 224) {
    if (at + 2 > bytes.length) throw new OpenpgpFormatError('packet header is truncated');
    return [at + 2, ((first - 192) << 8) + bytes[at + 1]! + 192];
  }
  if (first === 255) {
    if (at + 5 > bytes.length) throw new OpenpgpFormatError('packet header is truncated');
    return [at + 5, readUint(bytes, at + 1, 4)];
  }
  throw new OpenpgpFormatError('partial body length in a key or signature packet');
}

/** A big-endian unsigned integer of `size` (≤ 4) bytes. */
export function readUint(bytes: Uint8Array, at: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + bytes[at + i]!;
  return value;
}

/** A cursor over a packet body that refuses to read past its end. */
export class BodyReader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    start = 0,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  byte(): number {
    return this.take(1)[0]!;
  }

  uint(size: number): number {
    const at = this.pos;
    this.take(size);
    return readUint(this.bytes, at, size);
  }

  take(length: number): Uint8Array {
    if (length < 0 || length > this.remaining) throw new OpenpgpFormatError(`${this.what} is truncated`);
    this.pos += length;
    return this.bytes.subarray(this.pos - length, this.pos);
  }

  /** A multiprecision integer: a two-byte bit count, then the bytes. */
  mpi(): Uint8Array {
    const bits = this.uint(2);
    return this.take((bits + 7) >> 3);
  }

  rest(): Uint8Array {
    return this.take(this.remaining);
  }
}
