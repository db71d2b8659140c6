import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CryptoJob } from '../crypto/pool.js';
import { curveName, PK, type KeyPacket } from './key-packet.js';
import { HASHES, type SignaturePacket } from './signature-packet.js';

/** A node:crypto check ready to run, or why there is none: `mismatch` cannot be by this key, `unsupported` cannot be checked. */
export type PreparedCheck = { key: KeyObject; job: CryptoJob } | 'mismatch' | 'unsupported';

const SIGNING_ALGORITHMS = new Set<number>([PK.rsa, PK.rsaSign, PK.dsa, PK.ecdsa, PK.eddsaLegacy, PK.ed25519, PK.ed448]);
const keyObjects = new WeakMap<KeyPacket, KeyObject | null>();

/**
 * Prepare the check of `sig` by `key` over `parts` (the signed data, already canonicalised): salt,
 * data, the signature's hashed part and trailer are hashed as RFC 9580 §5.2.4 prescribes.
 */
export function prepareCheck(sig: SignaturePacket, key: KeyPacket, parts: readonly Uint8Array[]): PreparedCheck {
  if (sig.publicKeyAlgorithm !== key.algorithm || !SIGNING_ALGORITHMS.has(key.algorithm)) return 'mismatch';
  if (sig.version !== key.version) return 'mismatch';
  const hash = HASHES[sig.hashAlgorithm];
  const publicKey = nodePublicKey(key);
  if (!hash || !publicKey) return 'unsupported';
  const data = Buffer.concat([sig.salt, ...parts, sig.hashedPart, trailer(sig.version, sig.hashedPart.length)]);
  const job = jobFor(key, hash, data, publicKey, sig.params);
  return job ? { key: publicKey, job } : 'mismatch';
}

function jobFor(key: KeyPacket, hash: string, data: Buffer, publicKey: KeyObject, params: Readonly<Record<string, Uint8Array>>): CryptoJob | null {
  switch (key.algorithm) {
    case PK.rsa:
    case PK.rsaSign: {
      const size = Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
      if (!params.s || params.s.length > size) return null;
      return { scheme: 'rsa', hash, data, signature: leftPad(params.s, size) };
    }
    case PK.dsa:
    case PK.ecdsa:
      if (!params.r || !params.s) return null;
      return { scheme: 'ecdsa', hash, data, signature: derSignature(params.r, params.s) };
    case PK.eddsaLegacy:
      if (!params.r || !params.s || params.r.length > 32 || params.s.length > 32) return null;
      return { scheme: 'eddsa', hash, data, signature: Buffer.concat([leftPad(params.r, 32), leftPad(params.s, 32)]) };
    case PK.ed25519:
    case PK.ed448:
      return params.RS ? { scheme: 'eddsa', hash, data, signature: params.RS } : null;
    default:
      return null;
  }
}

/** A node:crypto public key for a key packet, built once; null for algorithms and curves node:crypto cannot verify. */
export function nodePublicKey(key: KeyPacket): KeyObject | null {
  let object = keyObjects.get(key);
  if (object === undefined) {
    try {
      object = buildKeyObject(key);
    } catch {
      object = null; // an invalid point or parameter set: this key verifies nothing
    }
    keyObjects.set(key, object);
  }
  return object;
}

function buildKeyObject(key: KeyPacket): KeyObject | null {
  const p = key.params;
  switch (key.algorithm) {
    case PK.rsa:
    case PK.rsaSign:
      return createPublicKey({ key: { kty: 'RSA', n: b64u(p.n!), e: b64u(p.e!) }, format: 'jwk' });
    case PK.dsa: {
      const domain = der(0x30, Buffer.concat([derUint(p.p!), derUint(p.q!), derUint(p.g!)]));
      const algorithm = der(0x30, Buffer.concat([der(0x06, DSA_OID), domain]));
      const spki = der(0x30, Buffer.concat([algorithm, der(0x03, Buffer.concat([Buffer.of(0), derUint(p.y!)]))]));
      return createPublicKey({ key: spki, format: 'der', type: 'spki' });
    }
    case PK.ecdsa: {
      // an SPKI from the curve OID in the key packet: every named curve OpenSSL knows, brainpool and secp256k1 included
      const q = p.Q!;
      if (q[0] !== 0x04) return null;
      const algorithm = der(0x30, Buffer.concat([der(0x06, EC_PUBLIC_KEY_OID), der(0x06, p.oid!)]));
      return createPublicKey({ key: der(0x30, Buffer.concat([algorithm, der(0x03, Buffer.concat([Buffer.of(0), q]))])), format: 'der', type: 'spki' });
    }
    case PK.eddsaLegacy: {
      const q = p.Q!;
      if (curveName(p.oid) !== 'ed25519' || q.length !== 33 || q[0] !== 0x40) return null;
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(q.subarray(1)) }, format: 'jwk' });
    }
    case PK.ed25519:
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(p.A!) }, format: 'jwk' });
    case PK.ed448:
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed448', x: b64u(p.A!) }, format: 'jwk' });
    default:
      return null;
  }
}

const EC_PUBLIC_KEY_OID = Buffer.from('2a8648ce3d0201', 'hex');
const DSA_OID = Buffer.from('2a8648ce380401', 'hex');

/** DER ECDSA/DSA-Sig-Value: SEQUENCE of the two INTEGERs r and s. */
function derSignature(r: Uint8Array, s: Uint8Array): Buffer {
  return der(0x30, Buffer.concat([derUint(r), derUint(s)]));
}

function derUint(value: Uint8Array): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const bytes = Buffer.from(value.subarray(start));
  return der(0x02, bytes.length === 0 ? Buffer.of(0) : bytes[0]! & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes);
}

function der(tag: number, content: Uint8Array): Buffer {
  const length = content.length;
  const header = length < 0x80 ? [length] : length < 0x100 ? [0x81, length] : [0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.of(tag, ...header), content]);
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
