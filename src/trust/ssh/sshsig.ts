import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

const MAX_ARMOR_CHARS = 64 * 1024;
const MAX_RSA_BITS = 16384;
/** OpenSSH will not even load an RSA key below this (SSH_RSA_MINIMUM_MODULUS_SIZE), whatever the flags. */
const MIN_RSA_BITS = 1024;
const ARMOR_BEGIN = '-----BEGIN SSH SIGNATURE-----';
const ARMOR_END = '-----END SSH SIGNATURE-----';
/** The six-byte preamble of an SSHSIG blob and of the data it signs. */
export const SSHSIG_MAGIC = Buffer.from('SSHSIG');
/** The ECDSA key types OpenSSH signs with, their curves, field sizes and signature hashes. */
export const EC_CURVES: Readonly<Record<string, { name: string; crv: string; size: number; hash: string; order: bigint }>> = {
  'ecdsa-sha2-nistp256': {
    name: 'nistp256', crv: 'P-256', size: 32, hash: 'sha256',
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  'ecdsa-sha2-nistp384': {
    name: 'nistp384', crv: 'P-384', size: 48, hash: 'sha384',
    order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  'ecdsa-sha2-nistp521': {
    name: 'nistp521', crv: 'P-521', size: 66, hash: 'sha512',
    order: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
};

/** A problem found while parsing, carrying the verdict status it ends as. */
export class SignatureProblem extends Error {
  constructor(
    readonly status: 'malformed' | 'unsupported' | 'weak-algorithm',
    message: string,
  ) {
    super(message);
  }
}

/** A decoded OpenSSH public key with the node:crypto key that verifies its signatures. */
export interface SshPublicKey {
  type: string;
  keyObject: KeyObject;
  /** Length of the RSA modulus, to left-pad short signatures as OpenSSH does. */
  modulusBytes: number;
  weakness: string | null;
}

/**
 * A decoded SSHSIG signature (PROTOCOL.sshsig), not yet verified. The blob's `reserved` field is read
 * but not kept: OpenSSH ignores it, and the signed data always carries an empty one.
 */
export interface SshSig {
  keyBlob: Uint8Array;
  key: SshPublicKey;
  namespace: string;
  hashAlgorithm: 'sha256' | 'sha512';
  sigType: string;
  sigBytes: Uint8Array;
}

/** Reads SSH wire-format fields (RFC 4251 §5), refusing any length that runs past the end. */
class WireReader {
  private offset = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  readUint32(): number {
    return Buffer.from(this.take(4)).readUInt32BE(0);
  }
  readString(): Uint8Array {
    return this.take(this.readUint32());
  }
  readText(): string {
    return Buffer.from(this.readString()).toString('latin1');
  }
  /** A positive mpint without its leading zero; negative and non-minimal encodings are refused, as OpenSSH does. */
  readPositiveMpint(): Uint8Array {
    const value = this.readString();
    if ((value[0] ?? 0) & 0x80) throw malformed(`negative integer in ${this.what}`);
    if (value[0] === 0 && !((value[1] ?? 0) & 0x80)) throw malformed(`non-minimal integer in ${this.what}`);
    return value[0] === 0 ? value.subarray(1) : value;
  }
  expectEnd(): void {
    const left = this.bytes.length - this.offset;
    if (left !== 0) throw malformed(`${left} trailing bytes after ${this.what}`);
  }
  private take(length: number): Uint8Array {
    if (length > this.bytes.length - this.offset) throw malformed(`${this.what} is truncated`);
    this.offset += length;
    return this.bytes.subarray(this.offset - length, this.offset);
  }
}

/**
 * Decodes an armored SSHSIG block into its fields and the signer's public key.
 * Throws a SignatureProblem for anything malformed, unsupported or weak (DSA without `allowWeak`; RSA below 1024 bits always).
 */
export function parseSshSignature(armored: string, allowWeak: boolean): SshSig {
  const blob = decodeArmor(armored);
  if (!SSHSIG_MAGIC.equals(blob.subarray(0, SSHSIG_MAGIC.length))) throw malformed('missing SSHSIG magic');
  const reader = new WireReader(blob.subarray(SSHSIG_MAGIC.length), 'SSHSIG blob');
  const version = reader.readUint32();
  if (version !== 1) throw new SignatureProblem('unsupported', `SSHSIG version ${version} is not supported`);
  const keyBlob = reader.readString();
  const namespace = reader.readText();
  reader.readString(); // reserved
  const hashAlgorithm = reader.readText();
  const sigReader = new WireReader(reader.readString(), 'signature');
  reader.expectEnd();
  if (hashAlgorithm !== 'sha256' && hashAlgorithm !== 'sha512') {
    throw malformed(`hash algorithm ${JSON.stringify(hashAlgorithm)} is not sha256 or sha512`);
  }
  const key = parsePublicKey(keyBlob, allowWeak);
  const sigType = sigReader.readText();
  const sigBytes = decodeSignatureBytes(sigType, sigReader.readString());
  sigReader.expectEnd();
  return { keyBlob, key, namespace, hashAlgorithm, sigType, sigBytes };
}

function decodeArmor(armored: string): Buffer {
  if (armored.length > MAX_ARMOR_CHARS) throw malformed(`signature block exceeds ${MAX_ARMOR_CHARS} characters`);
  const lines = (armored.endsWith('\n') ? armored.slice(0, -1) : armored).split('\n');
  if (lines[0] !== ARMOR_BEGIN) throw malformed(`first line is not ${ARMOR_BEGIN}`);
  if (lines.length < 3 || lines[lines.length - 1] !== ARMOR_END) throw malformed(`last line is not ${ARMOR_END}`);
  const body = lines.slice(1, -1).join('');
  if (body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw malformed('body is not valid base64');
  const bytes = Buffer.from(body, 'base64');
  // Node skips stray bits silently; a canonical round trip proves nothing was dropped.
  if (bytes.toString('base64') !== body) throw malformed('body is not canonical base64');
  return bytes;
}

function parsePublicKey(blob: Uint8Array, allowWeak: boolean): SshPublicKey {
  const reader = new WireReader(blob, 'public key');
  const type = reader.readText();
  const unsupported = (what: string) => new SignatureProblem('unsupported', `${what} (${type}) are not supported`);
  if (type.endsWith('-cert-v01@openssh.com')) throw unsupported('SSH certificate signatures');
  if (type.startsWith('sk-')) throw unsupported('security-key signatures');
  // DSA cannot be verified here; without --allow-weak its weakness is the more useful verdict.
  if (type === 'ssh-dss') {
    throw allowWeak ? unsupported('DSA signatures') : new SignatureProblem('weak-algorithm', 'DSA (ssh-dss) is weak');
  }
  let key: SshPublicKey;
  if (type === 'ssh-ed25519') key = readEd25519Key(reader);
  else if (type === 'ssh-rsa') key = readRsaKey(reader);
  else if (EC_CURVES[type]) key = readEcdsaKey(reader, type);
  else throw unsupported('key types');
  reader.expectEnd();
  return key;
}

function readEd25519Key(reader: WireReader): SshPublicKey {
  const point = reader.readString();
  if (point.length !== 32) throw malformed('ed25519 public key is not 32 bytes');
  const keyObject = importJwk({ kty: 'OKP', crv: 'Ed25519', x: base64url(point) });
  return { type: 'ssh-ed25519', keyObject, modulusBytes: 0, weakness: null };
}

function readRsaKey(reader: WireReader): SshPublicKey {
  const e = reader.readPositiveMpint();
  const n = reader.readPositiveMpint();
  if (e.length === 0 || n.length === 0) throw malformed('RSA key has a zero exponent or modulus');
  const bits = (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
  if (bits > MAX_RSA_BITS) throw malformed(`RSA modulus of ${bits} bits exceeds ${MAX_RSA_BITS}`);
  if (bits < MIN_RSA_BITS) {
    const reason = `RSA key of ${bits} bits is below ${MIN_RSA_BITS}, which OpenSSH and git refuse even with --allow-weak`;
    throw new SignatureProblem('weak-algorithm', reason);
  }
  const keyObject = importJwk({ kty: 'RSA', n: base64url(n), e: base64url(e) });
  const weakness = bits < 2048 ? `RSA key of ${bits} bits is below 2048` : null;
  return { type: 'ssh-rsa', keyObject, modulusBytes: n.length, weakness };
}

function readEcdsaKey(reader: WireReader, type: string): SshPublicKey {
  const curve = EC_CURVES[type]!;
  if (reader.readText() !== curve.name) throw malformed(`${type} key names another curve`);
  const point = reader.readString();
  if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) {
    throw malformed(`${type} key is not an uncompressed point`);
  }
  const x = point.subarray(1, 1 + curve.size);
  const y = point.subarray(1 + curve.size);
  if (!opensshAcceptsCoordinate(x, curve.order) || !opensshAcceptsCoordinate(y, curve.order)) {
    throw malformed(`${type} key has a coordinate OpenSSH refuses (sshkey_ec_validate_public)`);
  }
  const jwk: JsonWebKey = { kty: 'EC', crv: curve.crv, x: base64url(x), y: base64url(y) };
  return { type, keyObject: importJwk(jwk), modulusBytes: 0, weakness: null };
}

/** OpenSSH wants each coordinate longer than half the group order's bits and below order − 1. */
function opensshAcceptsCoordinate(coordinate: Uint8Array, order: bigint): boolean {
  const value = BigInt(`0x${Buffer.from(coordinate).toString('hex')}`);
  return value.toString(2).length > Math.floor(order.toString(2).length / 2) && value < order - 1n;
}

/** ECDSA signatures nest mpint r and s; node:crypto wants them fixed-width, r||s (IEEE P1363). */
function decodeSignatureBytes(sigType: string, raw: Uint8Array): Uint8Array {
  const curve = EC_CURVES[sigType];
  if (!curve) return raw;
  const reader = new WireReader(raw, 'ECDSA signature');
  const r = reader.readPositiveMpint();
  const s = reader.readPositiveMpint();
  reader.expectEnd();
  if (r.length > curve.size || s.length > curve.size) throw malformed('ECDSA signature integer exceeds the curve size');
  return Buffer.concat([leftPad(r, curve.size), leftPad(s, curve.size)]);
}

function importJwk(jwk: JsonWebKey): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (error) {
    throw malformed(`public key is invalid: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function malformed(message: string): SignatureProblem {
  return new SignatureProblem('malformed', message);
}

/** Encodes bytes as an SSH wire-format string: a uint32 length, then the bytes. */
export function encodeWireString(bytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** Left-pads with zeros to `size` bytes, as OpenSSH does for short RSA and ECDSA integers. */
export function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  return bytes.length >= size ? bytes : Buffer.concat([Buffer.alloc(size - bytes.length), bytes]);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
