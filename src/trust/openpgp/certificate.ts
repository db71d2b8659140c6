import { parseKeyPacket, type KeyPacket } from './key-packet.js';
import { OpenpgpFormatError, OpenpgpUnsupportedError, readPackets, TAG, type Packet } from './packets.js';
import { parseSignaturePacket, type SignaturePacket } from './signature-packet.js';

/** A signature as it appeared in a key file: its bytes (for de-duplication) and, when it parses, its fields. */
export interface SignatureRecord {
  raw: Uint8Array;
  packet: SignaturePacket | null;
}

export interface UserIdRecord {
  /** `uid`: a user ID packet; `attribute`: a user attribute (photo), hashed with another prefix. */
  kind: 'uid' | 'attribute';
  body: Uint8Array;
  /** The user ID as text (attributes: null). */
  text: string | null;
  signatures: SignatureRecord[];
}

export interface SubkeyRecord {
  key: KeyPacket;
  signatures: SignatureRecord[];
}

/** A transferable public key (RFC 9580 §10.1): the primary key and everything that was attached to it. */
export interface Certificate {
  primary: KeyPacket;
  /** Signatures directly on the primary key: direct-key signatures and key revocations. */
  direct: SignatureRecord[];
  userIds: UserIdRecord[];
  subkeys: SubkeyRecord[];
  /** It came from a secret key block (only its public part is kept). */
  fromSecret: boolean;
}

/** What a key file holds: certificates, and signatures that stand alone (revocation certificates). */
export interface KeyFileContent {
  certificates: Certificate[];
  standalone: SignatureRecord[];
  /** Certificates skipped because their version or algorithm is not supported, with why. */
  skipped: string[];
}

/**
 * Group the packets of a key file into certificates. Unknown packets (trust, marker) are ignored, as
 * GnuPG does on import; a certificate of an unsupported version is skipped with a note.
 */
export function readCertificates(binary: Uint8Array): KeyFileContent {
  const content: KeyFileContent = { certificates: [], standalone: [], skipped: [] };
  let current: Certificate | null = null;
  let skipping = false;
  let attach: SignatureRecord[] | null = null;
  for (const packet of readPackets(binary)) {
    if (packet.tag === TAG.publicKey || packet.tag === TAG.secretKey) {
      const primary = tryKeyPacket(packet, content.skipped);
      skipping = primary === null;
      current = primary && { primary, direct: [], userIds: [], subkeys: [], fromSecret: packet.tag === TAG.secretKey };
      if (current) content.certificates.push(current);
      attach = current?.direct ?? null;
    } else if (skipping) {
      continue;
    } else if (packet.tag === TAG.signature) {
      (attach ?? content.standalone).push(signatureRecord(packet.body));
    } else if (packet.tag === TAG.userId || packet.tag === TAG.userAttribute) {
      if (!current) throw new OpenpgpFormatError('a user ID before any primary key');
      const record = userIdRecord(packet);
      current.userIds.push(record);
      attach = record.signatures;
    } else if (packet.tag === TAG.publicSubkey || packet.tag === TAG.secretSubkey) {
      if (!current) throw new OpenpgpFormatError('a subkey before any primary key');
      const key = tryKeyPacket(packet, content.skipped);
      const record: SubkeyRecord | null = key && { key, signatures: [] };
      if (record) current.subkeys.push(record);
      attach = record?.signatures ?? [];
    }
  }
  return content;
}

function tryKeyPacket(packet: Packet, skipped: string[]): KeyPacket | null {
  try {
    return parseKeyPacket(packet.tag, packet.body);
  } catch (error) {
    if (!(error instanceof OpenpgpUnsupportedError)) throw error;
    skipped.push(error.message);
    return null;
  }
}

function signatureRecord(raw: Uint8Array): SignatureRecord {
  try {
    return { raw, packet: parseSignaturePacket(raw) };
  } catch (error) {
    // an unparseable or unsupported signature binds nothing: it is kept only so that merging stays exact
    if (error instanceof OpenpgpFormatError || error instanceof OpenpgpUnsupportedError) return { raw, packet: null };
    throw error;
  }
}

function userIdRecord(packet: Packet): UserIdRecord {
  if (packet.tag === TAG.userAttribute) return { kind: 'attribute', body: packet.body, text: null, signatures: [] };
  return { kind: 'uid', body: packet.body, text: Buffer.from(packet.body).toString('utf8'), signatures: [] };
}

/** Merge `from` into `into` (the same primary key): user IDs by content, subkeys by fingerprint, signatures by bytes. */
export function mergeCertificate(into: Certificate, from: Certificate): void {
  addSignatures(into.direct, from.direct);
  for (const uid of from.userIds) {
    const same = into.userIds.find((u) => u.kind === uid.kind && Buffer.compare(u.body, uid.body) === 0);
    if (same) addSignatures(same.signatures, uid.signatures);
    else into.userIds.push({ ...uid, signatures: [...uid.signatures] });
  }
  for (const subkey of from.subkeys) {
    const same = into.subkeys.find((s) => s.key.fingerprint === subkey.key.fingerprint);
    if (same) addSignatures(same.signatures, subkey.signatures);
    else into.subkeys.push({ key: subkey.key, signatures: [...subkey.signatures] });
  }
}

/** Add signatures not already present (byte-identical). */
export function addSignatures(into: SignatureRecord[], from: readonly SignatureRecord[]): void {
  const present = new Set(into.map((s) => Buffer.from(s.raw).toString('base64')));
  for (const record of from) {
    const key = Buffer.from(record.raw).toString('base64');
    if (present.has(key)) continue;
    present.add(key);
    into.push(record);
  }
}
