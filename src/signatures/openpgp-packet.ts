import { enums, readSignature, SignaturePacket } from 'openpgp';
import { STRICT_SIGNATURE_PARSING } from './openpgp-config.js';

/** What siggate needs from one OpenPGP signature packet. */
export interface SignatureInfo {
  version: number;
  signatureType: number;
  publicKeyAlgorithm: number;
  hashAlgorithm: number;
  /** From the hashed area only: an unhashed creation time is not signed. */
  created: Date | null;
  /** 16 hex upper, or null (absent or the wildcard). */
  issuerKeyId: string | null;
  /** Hex upper, or null. */
  issuerFingerprint: string | null;
  /** The bytes hashed after the data: version through the hashed subpackets. */
  signatureData: Uint8Array;
  salt: Uint8Array | null;
  params: Record<string, Uint8Array>;
  /** A critical subpacket or notation this parser does not interpret: the openpgp.js path decides then. */
  needsFullParser: boolean;
  /** openpgp.js's own packet, parsed lazily for the algorithms the node:crypto path leaves out. */
  packet(): Promise<SignaturePacket>;
}

const CREATION_TIME = 2;
const ISSUER = 16;
const ISSUER_FINGERPRINT = 33;

/** Parse exactly one signature packet; v4 by hand, anything else through openpgp.js. Throws on malformed input. */
export async function parseSignaturePacket(binary: Uint8Array): Promise<SignatureInfo> {
  let fast: SignatureInfo | null = null;
  try {
    fast = parseV4(binary);
  } catch {
    // anything odd goes to openpgp.js, which applies its own, stricter, checks
  }
  if (fast) return fast;
  const signature = await readSignature({ binarySignature: binary, config: STRICT_SIGNATURE_PARSING });
  const packets = [...signature.packets];
  if (packets.length !== 1) throw new Error(`signature block holds ${packets.length} signature packets, expected exactly one`);
  const packet = packets[0]!;
  if (!(packet instanceof SignaturePacket)) throw new Error('signature block holds a packet that is not a signature');
  return fromOpenpgp(packet);
}

async function fromOpenpgp(packet: SignaturePacket): Promise<SignatureInfo> {
  const raw = packet as unknown as { version: number; signatureData: Uint8Array; salt?: Uint8Array; params: unknown };
  const fingerprint = packet.issuerFingerprint;
  const keyId = packet.issuerKeyID.toHex().toUpperCase();
  return {
    version: raw.version,
    signatureType: packet.signatureType ?? -1,
    publicKeyAlgorithm: packet.publicKeyAlgorithm ?? -1,
    hashAlgorithm: packet.hashAlgorithm ?? -1,
    created: packet.created,
    issuerKeyId: /^0+$/.test(keyId) ? null : keyId,
    issuerFingerprint: fingerprint && fingerprint.length > 0 ? Buffer.from(fingerprint).toString('hex').toUpperCase() : null,
    signatureData: raw.signatureData,
    salt: raw.salt ?? null,
    params: (await raw.params) as Record<string, Uint8Array>,
    needsFullParser: true,
    packet: async () => packet,
  };
}

/** A v4 signature in a single new- or old-format packet, or null to let openpgp.js parse it. */
function parseV4(binary: Uint8Array): SignatureInfo | null {
  const body = packetBody(binary);
  if (!body || body[0] !== 4 || body.length < 12) return null;
  const hashedLength = (body[4]! << 8) | body[5]!;
  const hashedEnd = 6 + hashedLength;
  if (hashedEnd + 2 > body.length) return null;
  const unhashedEnd = hashedEnd + 2 + ((body[hashedEnd]! << 8) | body[hashedEnd + 1]!);
  if (unhashedEnd + 2 > body.length) return null;
  const info = { created: null as Date | null, issuerKeyId: null as string | null, issuerFingerprint: null as string | null, unknown: false };
  if (!readSubpackets(body.subarray(6, hashedEnd), true, info) || !readSubpackets(body.subarray(hashedEnd + 2, unhashedEnd), false, info)) return null;
  const params = readParams(body[2]!, body.subarray(unhashedEnd));
  if (!params) return null;
  let parsed: Promise<SignaturePacket> | null = null;
  return {
    version: 4,
    signatureType: body[1]!,
    publicKeyAlgorithm: body[2]!,
    hashAlgorithm: body[3]!,
    created: info.created,
    issuerKeyId: info.issuerKeyId,
    issuerFingerprint: info.issuerFingerprint,
    signatureData: body.subarray(0, hashedEnd),
    salt: null,
    params,
    needsFullParser: info.unknown,
    packet: () => (parsed ??= parseSignaturePacketWithOpenpgp(binary)),
  };
}

async function parseSignaturePacketWithOpenpgp(binary: Uint8Array): Promise<SignaturePacket> {
  const signature = await readSignature({ binarySignature: binary, config: STRICT_SIGNATURE_PARSING });
  return signature.packets[0] as SignaturePacket;
}

/** The body of the only packet in `binary` when it is a signature packet with a definite length. */
function packetBody(binary: Uint8Array): Uint8Array | null {
  const tag = binary[0];
  if (tag === undefined || (tag & 0x80) === 0) return null;
  let start: number;
  let length: number;
  if (tag & 0x40) {
    if ((tag & 0x3f) !== 2) return null;
    const first = binary[1] ?? 255;
    if (first < 192) [start, length] = [2, first];
    else if (first < 224) [start, length] = [3, ((first - 192) << 8) + (binary[2] ?? 0) + 192];
    else if (first === 255 && binary.length >= 6) [start, length] = [6, Buffer.from(binary.subarray(2, 6)).readUInt32BE(0)];
    else return null;
  } else {
    if (((tag >> 2) & 0x0f) !== 2) return null;
    const size = [1, 2, 4][tag & 3];
    if (size === undefined || binary.length < 1 + size) return null;
    [start, length] = [1 + size, Buffer.from(binary.subarray(1, 1 + size)).readUIntBE(0, size)];
  }
  return start + length === binary.length ? binary.subarray(start) : null;
}

interface SubpacketFacts {
  created: Date | null;
  issuerKeyId: string | null;
  issuerFingerprint: string | null;
  unknown: boolean;
}

function readSubpackets(area: Uint8Array, hashed: boolean, facts: SubpacketFacts): boolean {
  for (let pos = 0; pos < area.length; ) {
    const first = area[pos]!;
    let header: number;
    let length: number;
    if (first < 192) [header, length] = [1, first];
    else if (first < 255) [header, length] = [2, ((first - 192) << 8) + (area[pos + 1] ?? 0) + 192];
    else [header, length] = [5, Buffer.from(area.subarray(pos + 1, pos + 5)).readUInt32BE(0)];
    if (length < 1 || pos + header + length > area.length) return false;
    const type = area[pos + header]! & 0x7f;
    const critical = (area[pos + header]! & 0x80) !== 0;
    const data = area.subarray(pos + header + 1, pos + header + length);
    if (type === CREATION_TIME && hashed && data.length === 4) facts.created = new Date(Buffer.from(data).readUInt32BE(0) * 1000);
    else if (type === ISSUER && data.length === 8) facts.issuerKeyId = Buffer.from(data).toString('hex').toUpperCase();
    else if (type === ISSUER_FINGERPRINT && data.length === 21 && data[0] === 4) facts.issuerFingerprint = Buffer.from(data.subarray(1)).toString('hex').toUpperCase();
    else if (critical) facts.unknown = true;
    pos += header + length;
  }
  if (facts.issuerKeyId === '0000000000000000') facts.issuerKeyId = null;
  return true;
}

/** The algorithm-specific signature fields: MPIs for RSA, DSA, ECDSA and legacy EdDSA; 64 raw bytes for Ed25519. */
function readParams(algorithm: number, data: Uint8Array): Record<string, Uint8Array> | null {
  if (data.length < 2) return null;
  const rest = data.subarray(2); // the two-byte digest prefix is a hint only (see openpgp-crypto.ts)
  if (algorithm === enums.publicKey.ed25519) return rest.length === 64 ? { RS: rest } : null;
  const mpis: Uint8Array[] = [];
  for (let pos = 0; pos < rest.length; ) {
    const bytes = Math.ceil(((rest[pos]! << 8) | (rest[pos + 1] ?? 0)) / 8);
    if (pos + 2 + bytes > rest.length) return null;
    mpis.push(rest.subarray(pos + 2, pos + 2 + bytes));
    pos += 2 + bytes;
  }
  const rsa = algorithm === enums.publicKey.rsaEncryptSign || algorithm === enums.publicKey.rsaSign;
  if (rsa) return mpis.length === 1 ? { s: mpis[0]! } : null;
  return mpis.length === 2 ? { r: mpis[0]!, s: mpis[1]! } : null;
}
