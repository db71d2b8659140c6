import { createPublicKey, type KeyObject } from 'node:crypto';
import { enums } from 'openpgp';
import type { CryptoJob } from './crypto-pool.js';
import type { SignatureInfo } from './openpgp-packet.js';

/** What this module reads of openpgp.js's parsed key packets (runtime fields its declarations omit). */
interface RawKeyPacket {
  algorithm: number;
  publicParams: Record<string, unknown>;
}

const HASH_NAMES: Partial<Record<number, string>> = {
  [enums.hash.md5]: 'md5',
  [enums.hash.sha1]: 'sha1',
  [enums.hash.ripemd]: 'ripemd160',
  [enums.hash.sha224]: 'sha224',
  [enums.hash.sha256]: 'sha256',
  [enums.hash.sha384]: 'sha384',
  [enums.hash.sha512]: 'sha512',
  [enums.hash.sha3_256]: 'sha3-256',
  [enums.hash.sha3_512]: 'sha3-512',
};
const keyObjects = new WeakMap<object, KeyObject | null>();

/** A node:crypto check ready to run: `false` when the signature cannot be by this key at all. */
export type PreparedCheck = { key: KeyObject; job: CryptoJob } | false | null;

/**
 * Prepare the check of a v4/v6 binary document signature with node:crypto: payload and trailer are
 * hashed as OpenPGP prescribes, for RSA, ECDSA (NIST curves) and Ed25519. null for anything else,
 * which the caller hands to openpgp.js. The digest prefix hint is not consulted, as in GnuPG.
 */
export function prepareNodeCheck(sig: SignatureInfo, keyPacket: unknown, payload: Uint8Array): PreparedCheck {
  const key = keyPacket as RawKeyPacket;
  const hash = HASH_NAMES[sig.hashAlgorithm];
  if (!hash || sig.needsFullParser || (sig.version !== 4 && sig.version !== 6) || sig.signatureType !== enums.signature.binary) return null;
  if (sig.publicKeyAlgorithm !== key.algorithm) return false;
  const publicKey = keyObjectFor(key);
  if (publicKey === null) return null;
  const data = Buffer.concat([sig.salt ?? new Uint8Array(), payload, sig.signatureData, trailer(sig.version, sig.signatureData.length)]);
  const job = jobFor(key.algorithm, hash, data, publicKey, sig.params);
  return job && { key: publicKey, job };
}

function jobFor(algorithm: number, hash: string, data: Buffer, key: KeyObject, params: Record<string, Uint8Array>): CryptoJob | null {
  switch (algorithm) {
    case enums.publicKey.rsaEncryptSign:
    case enums.publicKey.rsaSign: {
      const size = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
      return params.s ? { scheme: 'rsa', hash, data, signature: leftPad(params.s, size) } : null;
    }
    case enums.publicKey.ecdsa:
      if (!params.r || !params.s) return null;
      return { scheme: 'ecdsa', hash, data, signature: derSignature(params.r, params.s) };
    case enums.publicKey.eddsaLegacy:
      if (!params.r || !params.s) return null;
      return { scheme: 'eddsa', hash, data, signature: Buffer.concat([leftPad(params.r, 32), leftPad(params.s, 32)]) };
    case enums.publicKey.ed25519:
      return params.RS ? { scheme: 'eddsa', hash, data, signature: params.RS } : null;
    default:
      return null;
  }
}

/** A node:crypto public key for a key packet, built once; null when the algorithm is left to openpgp.js. */
function keyObjectFor(key: RawKeyPacket): KeyObject | null {
  if (keyObjects.has(key)) return keyObjects.get(key)!;
  let object: KeyObject | null = null;
  try {
    object = buildKeyObject(key);
  } catch {
    object = null;
  }
  keyObjects.set(key, object);
  return object;
}

function buildKeyObject(key: RawKeyPacket): KeyObject | null {
  const p = key.publicParams;
  switch (key.algorithm) {
    case enums.publicKey.rsaEncryptSign:
    case enums.publicKey.rsaSign:
      return createPublicKey({ key: { kty: 'RSA', n: b64u(p.n as Uint8Array), e: b64u(p.e as Uint8Array) }, format: 'jwk' });
    case enums.publicKey.ecdsa: {
      // an SPKI built from the curve OID in the key packet: every named curve OpenSSL knows, brainpool included
      const q = p.Q as Uint8Array;
      const curve = (p.oid as { oid?: Uint8Array } | undefined)?.oid;
      if (!curve || curve.length === 0 || q[0] !== 0x04) return null;
      return createPublicKey({ key: ecSpki(curve, q), format: 'der', type: 'spki' });
    }
    case enums.publicKey.eddsaLegacy: {
      const q = p.Q as Uint8Array;
      if (curveName(p.oid) !== 'ed25519Legacy' || q.length !== 33 || q[0] !== 0x40) return null;
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(q.subarray(1)) }, format: 'jwk' });
    }
    case enums.publicKey.ed25519:
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(p.A as Uint8Array) }, format: 'jwk' });
    default:
      return null;
  }
}

const EC_PUBLIC_KEY_OID = Buffer.from('2a8648ce3d0201', 'hex');

/** DER SubjectPublicKeyInfo of an uncompressed EC point on the curve with this OID. */
function ecSpki(curveOid: Uint8Array, point: Uint8Array): Buffer {
  const algorithm = der(0x30, Buffer.concat([der(0x06, EC_PUBLIC_KEY_OID), der(0x06, curveOid)]));
  return der(0x30, Buffer.concat([algorithm, der(0x03, Buffer.concat([Buffer.of(0), point]))]));
}

/** DER ECDSA-Sig-Value: SEQUENCE of the two INTEGERs r and s. */
function derSignature(r: Uint8Array, s: Uint8Array): Buffer {
  return der(0x30, Buffer.concat([der(0x02, derInteger(r)), der(0x02, derInteger(s))]));
}

function derInteger(value: Uint8Array): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const bytes = Buffer.from(value.subarray(start));
  return bytes[0]! & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
}

function der(tag: number, content: Uint8Array): Buffer {
  const length = content.length;
  const header = length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.of(tag, ...header), content]);
}

function curveName(oid: unknown): string {
  try {
    return (oid as { getName(): string }).getName();
  } catch {
    return '';
  }
}

function trailer(version: number, length: number): Buffer {
  const out = Buffer.alloc(6);
  out[0] = version;
  out[1] = 0xff;
  out.writeUInt32BE(length, 2);
  return out;
}

function leftPad(bytes: Uint8Array, size: number): Buffer {
  if (bytes.length >= size) return Buffer.from(bytes);
  return Buffer.concat([Buffer.alloc(size - bytes.length), bytes]);
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
