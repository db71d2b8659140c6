/**
 * What a key's self-signatures say at one instant: GnuPG's rules (getkey.c, merge_selfsigs) with its clock
 * set to the signature's time. Pure: verified signatures and a time in, a state out.
 */
import { PK, type KeyPacket } from './key-packet.js';
import { SIG, type SignaturePacket } from './signature-packet.js';
import type { Revocation, SubkeySignatures, VerifiedCertificate } from './self-signatures.js';

export const USAGE = { certify: 0x01, sign: 0x02, encrypt: 0x0c, authenticate: 0x20 } as const;

/** A revocation that applies at the instant asked about, with whether it is hard (voids every signature). */
export interface AppliedRevocation {
  at: Date;
  hard: boolean;
  reason: string;
  revoker: string | null;
}

/** The state of the primary key or of one subkey at one instant. */
export interface ComponentState {
  /** Bound by a self-signature in force (for subkeys: a binding signature). */
  bound: boolean;
  /** For signing subkeys: the binding's back-signature verifies. Always true for the primary key. */
  crossCertified: boolean;
  usage: number;
  /** null: never expires. */
  expires: Date | null;
  revocation: AppliedRevocation | null;
}

/** Reasons for revocation that only void signatures made after the revocation: 1 superseded, 3 retired. */
const SOFT_REASONS = new Set([1, 3]);

/**
 * The primary key at `at`. The newest direct-key signature not expired at `at` supplies flags and expiry;
 * otherwise the newest user-ID self-signature with flags (or with an expiry) does, whichever user ID it is
 * on and whenever it was made — as GnuPG does. A self-signature made later than `at` counts too: a key
 * owner who later shortens the key's life or withdraws its signing flag is heard, as GnuPG hears them.
 */
export function primaryStateAt(cert: VerifiedCertificate, at: Date, ignoreExpiry: boolean): ComponentState {
  const userIds = cert.userIds.filter((u) => u.record.kind === 'uid');
  const alive = (s: SignaturePacket): boolean => ignoreExpiry || !signatureExpired(s, at);
  const direct = newest(cert.direct.filter(alive));
  const directUsage = direct ? keyUsage(direct) : null;
  let usage = directUsage;
  let expiresAfter = direct?.keyExpiresAfter || null;
  let bound = direct !== null;
  let usageDate = -1;
  let expiryDate = -1;
  for (const { signatures } of userIds) {
    const chosen = newest(signatures);
    if (!chosen) continue;
    bound = true;
    // a revoked or expired user ID still makes the key valid, but lends it neither flags nor expiry
    if (chosen.type === SIG.certRevocation || !alive(chosen)) continue;
    const flags = keyUsage(chosen);
    if (directUsage === null && flags !== null && created(chosen) > usageDate) [usage, usageDate] = [flags, created(chosen)];
    if (!direct?.keyExpiresAfter && chosen.keyExpiresAfter && created(chosen) > expiryDate) [expiresAfter, expiryDate] = [chosen.keyExpiresAfter, created(chosen)];
  }
  return {
    bound,
    crossCertified: true,
    usage: effectiveUsage(usage, cert.primary.algorithm) | USAGE.certify,
    expires: ignoreExpiry || !expiresAfter ? null : new Date(cert.primary.created.getTime() + expiresAfter * 1000),
    revocation: appliedRevocation(cert.revocations, at),
  };
}

/** A subkey at `at`: its newest binding signature not expired at `at`, that binding's back-signature, and its revocations. */
export function subkeyStateAt(subkey: SubkeySignatures, at: Date, ignoreExpiry: boolean): ComponentState {
  const candidates = subkey.bindings.filter((b) => ignoreExpiry || !signatureExpired(b.packet, at));
  const chosen = candidates.reduce<(typeof candidates)[number] | null>((best, b) => (!best || created(b.packet) >= created(best.packet) ? b : best), null);
  const expiresAfter = chosen?.packet.keyExpiresAfter || null;
  return {
    bound: chosen !== null,
    crossCertified: chosen?.crossCertified ?? false,
    usage: chosen ? effectiveUsage(keyUsage(chosen.packet), subkey.key.algorithm) : 0,
    expires: ignoreExpiry || !expiresAfter ? null : new Date(subkey.key.created.getTime() + expiresAfter * 1000),
    revocation: appliedRevocation(subkey.revocations.map((packet) => ({ packet, revoker: null })), at),
  };
}

/** Every instant at which the answer of the two functions above can change: between two, it is constant. */
export function eventTimes(cert: VerifiedCertificate): number[] {
  const times = new Set<number>();
  const add = (packet: SignaturePacket, key: KeyPacket): void => {
    const t = created(packet);
    times.add(t);
    if (packet.expiresAfter) times.add(t + packet.expiresAfter * 1000);
    // key expiry compares strictly: a key expiring at E is still valid at E
    if (packet.keyExpiresAfter) times.add(key.created.getTime() + packet.keyExpiresAfter * 1000 + 1);
  };
  for (const packet of [...cert.direct, ...cert.userIds.flatMap((u) => u.signatures)]) add(packet, cert.primary);
  for (const revocation of cert.revocations) times.add(created(revocation.packet));
  for (const subkey of cert.subkeys) {
    times.add(subkey.key.created.getTime() + 1);
    for (const binding of subkey.bindings) add(binding.packet, subkey.key);
    for (const packet of subkey.revocations) times.add(created(packet));
  }
  times.add(cert.primary.created.getTime() + 1);
  return [...times].filter(Number.isFinite).sort((a, b) => a - b);
}

function appliedRevocation(revocations: readonly Revocation[], at: Date): AppliedRevocation | null {
  let soft: AppliedRevocation | null = null;
  for (const { packet, revoker } of revocations) {
    const reason = packet.revocationReason;
    const hard = !reason || !SOFT_REASONS.has(reason.code);
    const applied = { at: packet.created!, hard, reason: describeReason(reason?.code ?? null), revoker };
    if (hard) return applied;
    if (created(packet) <= at.getTime()) soft ??= applied;
  }
  return soft;
}

function describeReason(code: number | null): string {
  switch (code) {
    case null:
      return 'no reason given';
    case 0:
      return 'no reason specified';
    case 1:
      return 'key superseded';
    case 2:
      return 'key compromised';
    case 3:
      return 'key retired';
    case 32:
      return 'user ID no longer valid';
    default:
      return `reason code ${code}`;
  }
}

/** The usage a key-flags subpacket grants (null: no flags), as GnuPG parses it; unknown bits grant nothing. */
function keyUsage(packet: SignaturePacket): number | null {
  const flags = packet.keyFlags;
  if (!flags || flags.length === 0) return null;
  const first = flags[0]!;
  return (first & USAGE.certify) | (first & USAGE.sign) | (first & USAGE.encrypt) | (first & USAGE.authenticate);
}

/** Flags masked by what the algorithm can do; no flags: what the algorithm can do. */
function effectiveUsage(flags: number | null, algorithm: number): number {
  const possible = algorithmUsage(algorithm);
  if (flags === null) return possible;
  return possible ? flags & possible : flags;
}

function algorithmUsage(algorithm: number): number {
  const { certify, sign, encrypt, authenticate } = USAGE;
  switch (algorithm) {
    case PK.rsa:
      return certify | sign | encrypt | authenticate;
    case PK.rsaSign:
      return certify | sign;
    case PK.rsaEncrypt:
    case PK.ecdh:
    case PK.elgamalEncrypt:
    case PK.elgamal:
    case PK.x25519:
    case PK.x448:
      return encrypt;
    case PK.dsa:
    case PK.ecdsa:
    case PK.eddsaLegacy:
    case PK.ed25519:
    case PK.ed448:
      return certify | sign | authenticate;
    default:
      return 0;
  }
}

/** GnuPG: a signature whose expiration instant is at or before the clock has expired. */
export function signatureExpired(packet: SignaturePacket, at: Date): boolean {
  return packet.expiresAfter !== null && packet.expiresAfter > 0 && created(packet) + packet.expiresAfter * 1000 <= at.getTime();
}

function created(packet: SignaturePacket): number {
  return packet.created?.getTime() ?? Number.POSITIVE_INFINITY;
}

/** The newest signature; on equal times the later one in the key, as GnuPG's `>=` picks it. */
function newest(packets: readonly SignaturePacket[]): SignaturePacket | null {
  let best: SignaturePacket | null = null;
  for (const packet of packets) if (!best || created(packet) >= created(best)) best = packet;
  return best;
}
