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
const EC_CURVES: Record<string, { crv: string; size: number }> = {
  p256: { crv: 'P-256', size: 32 },
  p384: { crv: 'P-384', size: 48 },
  p521: { crv: 'P-521', size: 66 },
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
    case enums.publicKey.ecdsa: {
      const size = EC_SIZES.get(key.asymmetricKeyDetails?.namedCurve ?? '') ?? 0;
      if (!params.r || !params.s) return null;
      return { scheme: 'ecdsa', hash, data, signature: Buffer.concat([leftPad(params.r, size), leftPad(params.s, size)]) };
    }
    case enums.publicKey.eddsaLegacy:
      if (!params.r || !params.s) return null;
      return { scheme: 'eddsa', hash, data, signature: Buffer.concat([leftPad(params.r, 32), leftPad(params.s, 32)]) };
    case enums.publicKey.ed25519:
      return params.RS ? { scheme: 'eddsa', hash, data, signature: params.RS } : null;
    default:
      return null;
  }
}

const EC_SIZES = new Map<string, number>([
  ['prime256v1', 32],
  ['secp384r1', 48],
  ['secp521r1', 66],
]);

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
      const curve = EC_CURVES[curveName(p.oid)];
      const q = p.Q as Uint8Array;
      if (!curve || q[0] !== 0x04 || q.length !== 1 + 2 * curve.size) return null;
      const [x, y] = [q.subarray(1, 1 + curve.size), q.subarray(1 + curve.size)];
      return createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: b64u(x), y: b64u(y) }, format: 'jwk' });
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
