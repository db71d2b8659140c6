import { createHash } from 'node:crypto';
import { BodyReader, OpenpgpFormatError, OpenpgpUnsupportedError, TAG } from './packets.js';

/** OpenPGP public-key algorithm ids (RFC 9580 §9.1). */
export const PK = {
  rsa: 1,
  rsaEncrypt: 2,
  rsaSign: 3,
  elgamalEncrypt: 16,
  dsa: 17,
  ecdh: 18,
  ecdsa: 19,
  elgamal: 20,
  eddsaLegacy: 22,
  x25519: 25,
  x448: 26,
  ed25519: 27,
  ed448: 28,
} as const;

/** Named curves by their OID (hex), with the names GnuPG prints. */
export const CURVES: Readonly<Record<string, string>> = {
  '2a8648ce3d030107': 'nistp256',
  '2b81040022': 'nistp384',
  '2b81040023': 'nistp521',
  '2b2403030208010107': 'brainpoolP256r1',
  '2b240303020801010b': 'brainpoolP384r1',
  '2b240303020801010d': 'brainpoolP512r1',
  '2b8104000a': 'secp256k1',
  '2b06010401da470f01': 'ed25519',
  '2b060104019755010501': 'cv25519',
  '2b6571': 'ed448',
  '2b656f': 'cv448',
};

/** One public key or subkey packet, parsed. */
export interface KeyPacket {
  version: 4 | 6;
  created: Date;
  algorithm: number;
  /** Algorithm-specific public fields: `n`,`e` (RSA), `p`,`q`,`g`,`y` (DSA), `oid`,`Q` (EC), `A` (Ed25519/Ed448). */
  params: Readonly<Record<string, Uint8Array>>;
  /** The public key packet body: what fingerprints and key signatures hash. */
  body: Uint8Array;
  fingerprint: string;
  keyId: string;
}

const FIXED_SIZES: Partial<Record<number, number>> = { [PK.x25519]: 32, [PK.x448]: 56, [PK.ed25519]: 32, [PK.ed448]: 57 };

/**
 * Parse a public (sub)key packet, or the public part of a secret (sub)key packet. v3 keys (retired by
 * GnuPG 2.1) and v5 keys (not in RFC 9580) are unsupported.
 */
export function parseKeyPacket(tag: number, body: Uint8Array): KeyPacket {
  const reader = new BodyReader(body, 'key packet');
  const version = reader.byte();
  if (version !== 4 && version !== 6) throw new OpenpgpUnsupportedError(`version ${version} keys are not supported`);
  const created = new Date(reader.uint(4) * 1000);
  const algorithm = reader.byte();
  let materialEnd: number | null = null;
  if (version === 6) materialEnd = reader.uint(4) + reader.pos;
  const params = readPublicParams(reader, algorithm, tag === TAG.publicKey || tag === TAG.publicSubkey, materialEnd);
  if (materialEnd !== null && reader.pos !== materialEnd) throw new OpenpgpFormatError('v6 key material length does not match');
  const publicBody = body.subarray(0, reader.pos);
  const isPublic = tag === TAG.publicKey || tag === TAG.publicSubkey;
  if (isPublic && reader.remaining !== 0) throw new OpenpgpFormatError('trailing bytes after the public key material');
  const { fingerprint, keyId } = fingerprintOf(version, publicBody);
  return { version, created, algorithm, params, body: publicBody, fingerprint, keyId };
}

function readPublicParams(reader: BodyReader, algorithm: number, wholeBody: boolean, end: number | null): Record<string, Uint8Array> {
  switch (algorithm) {
    case PK.rsa:
    case PK.rsaEncrypt:
    case PK.rsaSign:
      return { n: reader.mpi(), e: reader.mpi() };
    case PK.dsa:
      return { p: reader.mpi(), q: reader.mpi(), g: reader.mpi(), y: reader.mpi() };
    case PK.elgamal:
    case PK.elgamalEncrypt:
      return { p: reader.mpi(), g: reader.mpi(), y: reader.mpi() };
    case PK.ecdsa:
    case PK.eddsaLegacy:
      return { oid: readOid(reader), Q: reader.mpi() };
    case PK.ecdh: {
      const oid = readOid(reader);
      const Q = reader.mpi();
      return { oid, Q, kdf: reader.take(reader.byte()) };
    }
    default: {
      const size = FIXED_SIZES[algorithm];
      if (size !== undefined) return { A: reader.take(size) };
      // an unknown algorithm: a public packet's (or a v6 packet's) extent is still known; it can never verify
      if (end !== null) return { unknown: reader.take(end - reader.pos) };
      if (wholeBody) return { unknown: reader.rest() };
      throw new OpenpgpUnsupportedError(`public-key algorithm ${algorithm} is not supported`);
    }
  }
}

function readOid(reader: BodyReader): Uint8Array {
  const length = reader.byte();
  if (length === 0 || length === 0xff) throw new OpenpgpFormatError('reserved curve OID length');
  return reader.take(length);
}

/** v4: SHA-1 over 0x99, a two-byte length and the body; v6: SHA-256 over 0x9B, a four-byte length and the body. */
export function fingerprintOf(version: number, body: Uint8Array): { fingerprint: string; keyId: string } {
  const hash = createHash(version === 6 ? 'sha256' : 'sha1');
  hash.update(keyHashPrefix(version, body.length));
  hash.update(body);
  const fingerprint = hash.digest('hex').toUpperCase();
  return { fingerprint, keyId: version === 6 ? fingerprint.slice(0, 16) : fingerprint.slice(-16) };
}

/** What precedes a key packet body wherever it is hashed (fingerprints and key signatures). */
export function keyHashPrefix(version: number, length: number): Buffer {
  if (version === 6) {
    const prefix = Buffer.alloc(5);
    prefix[0] = 0x9b;
    prefix.writeUInt32BE(length, 1);
    return prefix;
  }
  if (length > 0xffff) throw new OpenpgpFormatError('v4 key packet longer than 65535 bytes');
  return Buffer.from([0x99, length >> 8, length & 0xff]);
}

/** The curve name GnuPG prints, or the OID in hex when unknown. */
export function curveName(oid: Uint8Array | undefined): string {
  if (!oid) return 'unknown';
  const hex = Buffer.from(oid).toString('hex');
  return CURVES[hex] ?? `oid:${hex}`;
}

/** Bit length of an unsigned big-endian integer. */
export function bitLength(bytes: Uint8Array | undefined): number {
  if (!bytes) return 0;
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** The algorithm as `gpg --list-keys` names it: `rsa3072`, `ed25519`, `nistp256`, `dsa2048`, `cv25519`, … */
export function describeAlgorithm(key: Pick<KeyPacket, 'algorithm' | 'params'>): string {
  const p = key.params;
  switch (key.algorithm) {
    case PK.rsa:
    case PK.rsaEncrypt:
    case PK.rsaSign:
      return `rsa${bitLength(p.n)}`;
    case PK.dsa:
      return `dsa${bitLength(p.p)}`;
    case PK.elgamal:
    case PK.elgamalEncrypt:
      return `elg${bitLength(p.p)}`;
    case PK.ecdsa:
    case PK.eddsaLegacy:
    case PK.ecdh:
      return curveName(p.oid);
    case PK.ed25519:
      return 'ed25519';
    case PK.ed448:
      return 'ed448';
    case PK.x25519:
      return 'cv25519';
    case PK.x448:
      return 'cv448';
    default:
      return `algorithm ${key.algorithm}`;
  }
}
