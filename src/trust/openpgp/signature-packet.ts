import { BodyReader, OpenpgpFormatError, OpenpgpUnsupportedError, readPackets, readUint, TAG } from './packets.js';
import { PK } from './key-packet.js';

/** Signature types (RFC 9580 §5.2.1) siggate acts on. */
export const SIG = {
  binary: 0x00,
  text: 0x01,
  certGeneric: 0x10,
  certPositive: 0x13,
  subkeyBinding: 0x18,
  primaryKeyBinding: 0x19,
  directKey: 0x1f,
  keyRevocation: 0x20,
  subkeyRevocation: 0x28,
  certRevocation: 0x30,
} as const;

/** Hash algorithm ids with the node:crypto names; ids outside this table are unsupported. */
export const HASHES: Readonly<Record<number, string>> = {
  1: 'md5',
  2: 'sha1',
  3: 'ripemd160',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
  12: 'sha3-256',
  14: 'sha3-512',
};

/** Subpacket types GnuPG 2.2 understands when they are marked critical (parse-packet.c, can_handle_critical). */
const UNDERSTOOD_CRITICAL = new Set([2, 3, 4, 5, 6, 7, 9, 11, 12, 16, 21, 22, 24, 25, 26, 27, 29, 30, 32, 33]);

/** A designated revoker named by a direct-key signature. */
export interface RevocationKey {
  keyClass: number;
  algorithm: number;
  fingerprint: string;
}

/** One parsed v4 or v6 signature packet: what the trust model reads, and what the cryptographic check hashes. */
export interface SignaturePacket {
  version: 4 | 6;
  type: number;
  publicKeyAlgorithm: number;
  hashAlgorithm: number;
  /** The hashed creation time; null when absent (such a signature is malformed). */
  created: Date | null;
  /** Seconds after `created`; null or 0: never. */
  expiresAfter: number | null;
  /** Seconds after the key's creation; null or 0: never. */
  keyExpiresAfter: number | null;
  keyFlags: Uint8Array | null;
  primaryUserId: boolean;
  revocationReason: { code: number; text: string } | null;
  revocationKeys: RevocationKey[];
  issuerKeyId: string | null;
  issuerFingerprint: string | null;
  /** Embedded signatures (back-signatures), hashed area first. */
  embedded: Uint8Array[];
  /** A critical subpacket GnuPG would not understand: such a signature is never valid. */
  unknownCritical: number | null;
  /** Version through the hashed subpackets: hashed after the data, before the trailer. */
  hashedPart: Uint8Array;
  salt: Uint8Array;
  /** The algorithm-specific signature fields: `s` (RSA), `r`,`s` (DSA, ECDSA, legacy EdDSA), `RS` (Ed25519/Ed448). */
  params: Readonly<Record<string, Uint8Array>>;
}

/** Parse the single signature packet of a signature block. */
export function parseSignatureBlock(binary: Uint8Array): SignaturePacket {
  const packets = readPackets(binary);
  if (packets.length !== 1) throw new OpenpgpFormatError(`signature block holds ${packets.length} packets, expected exactly one signature`);
  if (packets[0]!.tag !== TAG.signature) throw new OpenpgpFormatError(`signature block holds a packet of tag ${packets[0]!.tag}, not a signature`);
  return parseSignaturePacket(packets[0]!.body);
}

/** Parse a signature packet body. v3 and v5 signatures are unsupported, as in GnuPG 2.2 for v3 data signatures. */
export function parseSignaturePacket(body: Uint8Array): SignaturePacket {
  const reader = new BodyReader(body, 'signature packet');
  const version = reader.byte();
  if (version !== 4 && version !== 6) throw new OpenpgpUnsupportedError(`version ${version} signatures are not supported`);
  const type = reader.byte();
  const publicKeyAlgorithm = reader.byte();
  const hashAlgorithm = reader.byte();
  const countSize = version === 6 ? 4 : 2;
  const hashed = reader.take(reader.uint(countSize));
  const hashedPart = body.subarray(0, reader.pos);
  const unhashed = reader.take(reader.uint(countSize));
  reader.take(2); // the digest prefix is a quick-check hint; GnuPG does not rely on it either
  const salt = version === 6 ? reader.take(reader.byte()) : new Uint8Array(0);
  const packet: SignaturePacket = {
    version, type, publicKeyAlgorithm, hashAlgorithm, created: null, expiresAfter: null, keyExpiresAfter: null, keyFlags: null,
    primaryUserId: false, revocationReason: null, revocationKeys: [], issuerKeyId: null, issuerFingerprint: null, embedded: [],
    unknownCritical: null, hashedPart, salt, params: readSignatureParams(publicKeyAlgorithm, reader),
  };
  readSubpackets(hashed, true, packet);
  readSubpackets(unhashed, false, packet);
  return packet;
}

function readSignatureParams(algorithm: number, reader: BodyReader): Record<string, Uint8Array> {
  let params: Record<string, Uint8Array>;
  if (algorithm === PK.rsa || algorithm === PK.rsaSign || algorithm === PK.rsaEncrypt) params = { s: reader.mpi() };
  else if (algorithm === PK.dsa || algorithm === PK.ecdsa || algorithm === PK.eddsaLegacy) params = { r: reader.mpi(), s: reader.mpi() };
  else if (algorithm === PK.ed25519) params = { RS: reader.take(64) };
  else if (algorithm === PK.ed448) params = { RS: reader.take(114) };
  else return { unknown: reader.rest() };
  if (reader.remaining !== 0) throw new OpenpgpFormatError(`${reader.remaining} trailing bytes after the signature`);
  return params;
}

function readSubpackets(area: Uint8Array, hashed: boolean, packet: SignaturePacket): void {
  for (let pos = 0; pos < area.length; ) {
    const first = area[pos]!;
    const header = first < 192 ? 1 : first < 255 ? 2 : 5;
    const length = first < 192 ? first : first < 255 ? ((first - 192) << 8) + (area[pos + 1] ?? 0) + 192 : pos + 5 <= area.length ? readUint(area, pos + 1, 4) : -1;
    if (length < 1 || pos + header + length > area.length) throw new OpenpgpFormatError('signature subpacket length runs past its area');
    const typeByte = area[pos + header]!;
    const data = area.subarray(pos + header + 1, pos + header + length);
    readSubpacket(typeByte & 0x7f, (typeByte & 0x80) !== 0, data, hashed, packet);
    pos += header + length;
  }
}

function readSubpacket(type: number, critical: boolean, data: Uint8Array, hashed: boolean, packet: SignaturePacket): void {
  if (critical && packet.unknownCritical === null && !understoodCritical(type, data)) packet.unknownCritical = type;
  if (type === 16 && data.length === 8) packet.issuerKeyId ??= hex(data);
  else if (type === 33 && data.length >= 1) packet.issuerFingerprint ??= issuerFingerprint(data);
  else if (type === 32) packet.embedded.push(data);
  if (!hashed) return;
  switch (type) {
    case 2:
      if (data.length !== 4) throw new OpenpgpFormatError('creation time subpacket is not four bytes');
      packet.created = new Date(readUint(data, 0, 4) * 1000);
      break;
    case 3:
      packet.expiresAfter = fourBytes(data, 'signature expiration time');
      break;
    case 9:
      packet.keyExpiresAfter = fourBytes(data, 'key expiration time');
      break;
    case 12:
      // RFC 4880 §5.2.3.15: class, algorithm, 20-byte fingerprint; GnuPG only takes the 22-byte form with class bit 0x80
      if (data.length === 22 && (data[0]! & 0x80) !== 0) packet.revocationKeys.push({ keyClass: data[0]!, algorithm: data[1]!, fingerprint: hex(data.subarray(2)) });
      break;
    case 25:
      packet.primaryUserId = data.length > 0 && data[0] !== 0;
      break;
    case 27:
      packet.keyFlags = data;
      break;
    case 29:
      if (data.length < 1) throw new OpenpgpFormatError('empty reason for revocation');
      packet.revocationReason = { code: data[0]!, text: Buffer.from(data.subarray(1)).toString('utf8') };
      break;
  }
}

function understoodCritical(type: number, data: Uint8Array): boolean {
  if (type === 38) return data.length > 0 && data[0] === 0;
  // a critical notation is understood only when GnuPG knows its name; siggate knows none
  return UNDERSTOOD_CRITICAL.has(type);
}

function fourBytes(data: Uint8Array, what: string): number {
  if (data.length !== 4) throw new OpenpgpFormatError(`${what} subpacket is not four bytes`);
  return readUint(data, 0, 4);
}

function issuerFingerprint(data: Uint8Array): string | null {
  const version = data[0];
  if ((version === 4 && data.length === 21) || (version === 6 && data.length === 33)) return hex(data.subarray(1));
  return null;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}
