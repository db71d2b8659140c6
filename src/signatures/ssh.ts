import { constants, createHash, createPublicKey, verify as verifyBytes } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { makeVerdict, type Signer, type Verdict, type VerdictStatus, type VerifyPolicy } from '../core/verdict.js';
import { signerAllowsNamespace, sshFingerprint, type AllowedSigner } from './allowed-signers.js';

/** What SSH verification needs besides the signature: the committer time (SSHSIG carries none) and the policy. */
export interface SshVerifyContext {
  committerTime: Date | null;
  policy: VerifyPolicy;
  /** The namespace the signature must have been made for. Default `git`. */
  namespace?: string;
}

const MAX_ARMOR_CHARS = 64 * 1024;
const MAX_RSA_BITS = 16384;
const ARMOR_BEGIN = '-----BEGIN SSH SIGNATURE-----';
const ARMOR_END = '-----END SSH SIGNATURE-----';
const MAGIC = Buffer.from('SSHSIG');
const RSA_SIG_HASHES: Readonly<Record<string, string>> = {
  'rsa-sha2-256': 'sha256',
  'rsa-sha2-512': 'sha512',
  'ssh-rsa': 'sha1',
};
const EC_CURVES: Readonly<Record<string, { name: string; crv: string; size: number; hash: string }>> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', crv: 'P-256', size: 32, hash: 'sha256' },
  'ecdsa-sha2-nistp384': { name: 'nistp384', crv: 'P-384', size: 48, hash: 'sha384' },
  'ecdsa-sha2-nistp521': { name: 'nistp521', crv: 'P-521', size: 66, hash: 'sha512' },
};
const REMEDY_RESIGN = 're-sign with a plain ssh-ed25519, ecdsa or rsa key (git commit --amend -S)';

/** A problem found while parsing, carrying the verdict status it ends as. */
class SignatureProblem extends Error {
  constructor(
    readonly status: 'malformed' | 'unsupported' | 'weak-algorithm',
    message: string,
  ) {
    super(message);
  }
}

interface SshPublicKey {
  type: string;
  keyObject: KeyObject;
  /** Length of the RSA modulus, to left-pad short signatures as OpenSSH does. */
  modulusBytes: number;
  weakness: string | null;
}

interface SshSig {
  keyBlob: Uint8Array;
  key: SshPublicKey;
  namespace: string;
  reserved: Uint8Array;
  hashAlgorithm: 'sha256' | 'sha512';
  sigType: string;
  sigBytes: Uint8Array;
}

interface Rejection {
  status: VerdictStatus;
  reason: string;
  remedy: string;
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
 * Verifies an armored SSHSIG signature over `payload` against the allowed signers.
 * Pure and synchronous; every bad input ends as a Verdict with format `ssh`, never as an exception.
 */
export function verifySshSignature(
  armored: string,
  payload: Uint8Array,
  signers: readonly AllowedSigner[],
  context: SshVerifyContext,
): Verdict {
  let sig: SshSig;
  try {
    sig = parseSshSignature(armored, context.policy.allowWeak);
  } catch (error) {
    const status = error instanceof SignatureProblem ? error.status : 'malformed';
    const reason = error instanceof Error ? error.message : String(error);
    return makeVerdict(status, 'ssh', reason, { remedy: REMEDY_RESIGN });
  }
  const fingerprint = sshFingerprint(sig.keyBlob);
  // A cert-authority entry vouches for certificates signed by that key, never for the key itself.
  const matches = signers.filter((s) => !s.certAuthority && Buffer.compare(s.keyBlob, sig.keyBlob) === 0);
  if (matches.length === 0) {
    return makeVerdict('unknown-key', 'ssh', `SSH key ${fingerprint} (${sig.key.type}) is not an allowed signer`, {
      signer: { fingerprint, signingKey: fingerprint, userId: null },
      signedAt: context.committerTime,
      remedy: `add the key to keys/allowed_signers if ${fingerprint} belongs to an allowed signer`,
    });
  }
  return judgeKnownKey(sig, payload, matches, context);
}

function judgeKnownKey(sig: SshSig, payload: Uint8Array, matches: AllowedSigner[], context: SshVerifyContext): Verdict {
  const namespace = context.namespace ?? 'git';
  const fingerprint = sshFingerprint(sig.keyBlob);
  const conclude = (entry: AllowedSigner, status: VerdictStatus, reason: string | null, remedy?: string) =>
    makeVerdict(status, 'ssh', reason, {
      signer: signerOf(entry, fingerprint), signedAt: context.committerTime,
      remedy,
    });
  if (sig.namespace !== namespace) {
    const reason = `signature was made for namespace ${JSON.stringify(sig.namespace)}, not "${namespace}"`;
    return conclude(matches[0]!, 'bad-signature', reason, `re-sign with ssh-keygen -Y sign -n ${namespace}`);
  }
  if (!verifySignedData(sig, payload)) {
    const reason = `SSH signature by ${fingerprint} does not verify over the signed data`;
    return conclude(matches[0]!, 'bad-signature', reason, 'the object changed after signing; re-sign it or discard it');
  }
  const accepted = matches.find((entry) => rejectEntry(entry, namespace, context.committerTime) === null);
  if (!accepted) {
    const entry = matches.find((e) => signerAllowsNamespace(e, namespace)) ?? matches[0]!;
    const rejection = rejectEntry(entry, namespace, context.committerTime)!;
    return conclude(entry, rejection.status, rejection.reason, rejection.remedy);
  }
  if (sig.key.weakness !== null && !context.policy.allowWeak) {
    const remedy = 're-sign with an ed25519 key, or pass --allow-weak for old history';
    return conclude(accepted, 'weak-algorithm', sig.key.weakness, remedy);
  }
  return conclude(accepted, 'valid', null);
}

function signerOf(entry: AllowedSigner, fingerprint: string): Signer {
  const source = `${entry.source}:${entry.line}`;
  return { fingerprint, signingKey: fingerprint, userId: entry.principals[0] ?? null, source };
}

/** Why an allowed_signers entry does not cover this signature, or null when it does. */
function rejectEntry(entry: AllowedSigner, namespace: string, time: Date | null): Rejection | null {
  const where = `${entry.source}:${entry.line}`;
  if (!signerAllowsNamespace(entry, namespace)) {
    const reason = `${where} allows namespaces ${JSON.stringify(entry.namespaces?.join(','))}, not ${namespace}`;
    return { status: 'not-allowed', reason, remedy: `add ${namespace} to namespaces= at ${where} if the key may sign` };
  }
  if ((entry.validAfter || entry.validBefore) && time === null) {
    const reason = `${where} has a validity window but the object has no committer time`;
    return { status: 'not-allowed', reason, remedy: `remove valid-after/valid-before at ${where} to accept it` };
  }
  if (entry.validAfter && time && time < entry.validAfter) {
    const reason = `committer time ${time.toISOString()} is before valid-after at ${where}`;
    return { status: 'not-allowed', reason, remedy: `check the committer date, or move valid-after at ${where}` };
  }
  if (entry.validBefore && time && time >= entry.validBefore) {
    const reason = `committer time ${time.toISOString()} is not before valid-before at ${where}`;
    return { status: 'expired-key', reason, remedy: `re-sign with a current key, or extend valid-before at ${where}` };
  }
  return null;
}

function parseSshSignature(armored: string, allowWeak: boolean): SshSig {
  const blob = decodeArmor(armored);
  if (!MAGIC.equals(blob.subarray(0, MAGIC.length))) throw malformed('missing SSHSIG magic');
  const reader = new WireReader(blob.subarray(MAGIC.length), 'SSHSIG blob');
  const version = reader.readUint32();
  if (version !== 1) throw new SignatureProblem('unsupported', `SSHSIG version ${version} is not supported`);
  const keyBlob = reader.readString();
  const namespace = reader.readText();
  const reserved = reader.readString();
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
  const weakness = key.type === 'ssh-rsa' && sigType === 'ssh-rsa' ? 'ssh-rsa signature uses SHA-1' : key.weakness;
  return { keyBlob, key: { ...key, weakness }, namespace, reserved, hashAlgorithm, sigType, sigBytes };
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
  const x = base64url(point.subarray(1, 1 + curve.size));
  const y = base64url(point.subarray(1 + curve.size));
  return { type, keyObject: importJwk({ kty: 'EC', crv: curve.crv, x, y }), modulusBytes: 0, weakness: null };
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

function verifySignedData(sig: SshSig, payload: Uint8Array): boolean {
  const digest = createHash(sig.hashAlgorithm).update(payload).digest();
  const fields = [Buffer.from(sig.namespace, 'latin1'), sig.reserved, Buffer.from(sig.hashAlgorithm), digest];
  const signed = Buffer.concat([MAGIC, ...fields.map(encodeWireString)]);
  const { keyObject, type, modulusBytes } = sig.key;
  try {
    if (type === 'ssh-ed25519') return sig.sigType === type && verifyBytes(null, signed, keyObject, sig.sigBytes);
    if (type === 'ssh-rsa') {
      const hash = RSA_SIG_HASHES[sig.sigType];
      if (!hash || sig.sigBytes.length > modulusBytes) return false;
      const rsaKey = { key: keyObject, padding: constants.RSA_PKCS1_PADDING };
      return verifyBytes(hash, signed, rsaKey, leftPad(sig.sigBytes, modulusBytes));
    }
    const ecKey = { key: keyObject, dsaEncoding: 'ieee-p1363' as const };
    return sig.sigType === type && verifyBytes(EC_CURVES[type]!.hash, signed, ecKey, sig.sigBytes);
  } catch {
    return false;
  }
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

function encodeWireString(bytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  return bytes.length >= size ? bytes : Buffer.concat([Buffer.alloc(size - bytes.length), bytes]);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
