import { CryptoPool } from '../crypto/pool.js';
import type { Certificate, SignatureRecord, UserIdRecord } from './certificate.js';
import { prepareCheck } from './crypto.js';
import { keyHashPrefix, type KeyPacket } from './key-packet.js';
import { OpenpgpFormatError, OpenpgpUnsupportedError } from './packets.js';
import { parseSignaturePacket, SIG, type RevocationKey, type SignaturePacket } from './signature-packet.js';

/** A key revocation that verified: by the key itself, or by one of its designated revokers. */
export interface Revocation {
  packet: SignaturePacket;
  /** The designated revoker's fingerprint; null for a self-revocation. */
  revoker: string | null;
}

export interface UserIdSignatures {
  record: UserIdRecord;
  /** Valid self-certifications (0x10–0x13) and user ID revocations (0x30). */
  signatures: SignaturePacket[];
}

export interface SubkeySignatures {
  key: KeyPacket;
  /** Valid binding signatures, each with whether its newest back-signature verifies. */
  bindings: { packet: SignaturePacket; crossCertified: boolean }[];
  revocations: SignaturePacket[];
}

/** The self-signatures of a certificate that verify cryptographically: the input of the validity rules. */
export interface VerifiedCertificate {
  primary: KeyPacket;
  direct: SignaturePacket[];
  revocations: Revocation[];
  revokers: RevocationKey[];
  userIds: UserIdSignatures[];
  subkeys: SubkeySignatures[];
}

const MD5 = 1;

/**
 * Verify every self-signature of `cert` once. `standalone` signatures (revocation certificates kept in
 * their own files) are tried as key revocations; `findKeys` looks up a designated revoker's key by
 * fingerprint among all keys present. Anything that does not verify is dropped, as GnuPG does.
 */
export function verifyCertificate(cert: Certificate, standalone: readonly SignatureRecord[], findKeys: (fingerprint: string) => KeyPacket[]): VerifiedCertificate {
  const primary = cert.primary;
  const keyParts = [keyHashPrefix(primary.version, primary.body.length), primary.body];
  const selfValid = (packet: SignaturePacket, parts: Uint8Array[]): boolean =>
    issuedBy(packet, primary) && admissible(packet, primary) && verifies(packet, primary, parts);
  const onKey = cert.direct.flatMap((r) => (r.packet ? [r.packet] : []));
  const direct = onKey.filter((p) => p.type === SIG.directKey && selfValid(p, keyParts));
  const revokers = uniqueRevokers(direct);
  const revocationCandidates = [...onKey, ...standalone.flatMap((r) => (r.packet ? [r.packet] : []))].filter((p) => p.type === SIG.keyRevocation);
  const revocations: Revocation[] = [];
  for (const packet of revocationCandidates) {
    if (selfValid(packet, keyParts)) revocations.push({ packet, revoker: null });
    else {
      const revoker = designatedRevoker(packet, revokers, findKeys, keyParts);
      if (revoker) revocations.push({ packet, revoker });
    }
  }
  const userIds = cert.userIds.map((record) => {
    const parts = [...keyParts, userIdPrefix(record), record.body];
    const signatures = record.signatures.flatMap((r) => (r.packet && isUserIdSignature(r.packet.type) && selfValid(r.packet, parts) ? [r.packet] : []));
    return { record, signatures };
  });
  const subkeys = cert.subkeys.map(({ key, signatures }) => {
    const parts = [...keyParts, keyHashPrefix(key.version, key.body.length), key.body];
    const valid = signatures.flatMap((r) => (r.packet && selfValid(r.packet, parts) ? [r.packet] : []));
    const bindings = valid.filter((p) => p.type === SIG.subkeyBinding).map((packet) => ({ packet, crossCertified: backSignatureVerifies(packet, key, parts) }));
    return { key, bindings, revocations: valid.filter((p) => p.type === SIG.subkeyRevocation) };
  });
  return { primary, direct, revocations, revokers, userIds, subkeys };
}

function isUserIdSignature(type: number): boolean {
  return (type >= SIG.certGeneric && type <= SIG.certPositive) || type === SIG.certRevocation;
}

/** Key signatures must be at least as new as the key, carry no critical subpacket GnuPG would refuse, and not use MD5. */
function admissible(packet: SignaturePacket, primary: KeyPacket): boolean {
  if (packet.unknownCritical !== null || packet.created === null || packet.hashAlgorithm === MD5) return false;
  return packet.created.getTime() >= primary.created.getTime();
}

/** Whether the signature names `key` as its issuer (by fingerprint when it has one), or names no issuer at all. */
export function issuedBy(packet: SignaturePacket, key: KeyPacket): boolean {
  if (packet.issuerFingerprint) return packet.issuerFingerprint === key.fingerprint;
  if (packet.issuerKeyId) return packet.issuerKeyId === key.keyId;
  return true;
}

function verifies(packet: SignaturePacket, key: KeyPacket, parts: readonly Uint8Array[]): boolean {
  const check = prepareCheck(packet, key, parts);
  return typeof check !== 'string' && CryptoPool.run(check.key, check.job);
}

function uniqueRevokers(direct: readonly SignaturePacket[]): RevocationKey[] {
  const byFingerprint = new Map<string, RevocationKey>();
  // revokers come from every valid direct-key signature, not only the newest (as GnuPG gathers them)
  for (const packet of direct) for (const revoker of packet.revocationKeys) byFingerprint.set(revoker.fingerprint, revoker);
  return [...byFingerprint.values()];
}

function designatedRevoker(packet: SignaturePacket, revokers: readonly RevocationKey[], findKeys: (fingerprint: string) => KeyPacket[], keyParts: Uint8Array[]): string | null {
  if (packet.unknownCritical !== null || packet.created === null || packet.hashAlgorithm === MD5) return null;
  for (const revoker of revokers) {
    const named = packet.issuerFingerprint ? packet.issuerFingerprint === revoker.fingerprint : packet.issuerKeyId === revoker.fingerprint.slice(-16);
    if (!named) continue;
    if (findKeys(revoker.fingerprint).some((key) => verifies(packet, key, keyParts))) return revoker.fingerprint;
  }
  return null;
}

/** The newest embedded primary-key binding signature (0x19) of a binding, hashed area first, checked with the subkey. */
function backSignatureVerifies(binding: SignaturePacket, subkey: KeyPacket, parts: readonly Uint8Array[]): boolean {
  let newest: SignaturePacket | null = null;
  for (const raw of binding.embedded) {
    let embedded: SignaturePacket;
    try {
      embedded = parseSignaturePacket(raw);
    } catch (error) {
      if (error instanceof OpenpgpFormatError || error instanceof OpenpgpUnsupportedError) continue;
      throw error;
    }
    if (embedded.type !== SIG.primaryKeyBinding || !embedded.created) continue;
    if (!newest || embedded.created.getTime() > newest.created!.getTime()) newest = embedded;
  }
  return newest !== null && newest.unknownCritical === null && verifies(newest, subkey, parts);
}

function userIdPrefix(record: UserIdRecord): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = record.kind === 'uid' ? 0xb4 : 0xd1;
  prefix.writeUInt32BE(record.body.length, 1);
  return prefix;
}
