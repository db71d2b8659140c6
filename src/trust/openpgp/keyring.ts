import type { Certificate, SignatureRecord } from './certificate.js';
import type { KeyPacket } from './key-packet.js';
import { verifyCertificate, type VerifiedCertificate } from './self-signatures.js';
import { SIG } from './signature-packet.js';

/** One OpenPGP certificate from the keys, with its self-signatures verified on first use. */
export interface OpenpgpKeyEntry {
  certificate: Certificate;
  /** Primary key fingerprint, upper-case hex. */
  fingerprint: string;
  /** Where the key came from (a file path, or the name of an inline or S3 source). */
  source: string;
  verified(): VerifiedCertificate;
  /** The primary user ID, as GnuPG picks it. */
  userId(): string | null;
}

/** A key or subkey that can be named by a signature's issuer. */
export interface KeyComponent {
  entry: OpenpgpKeyEntry;
  key: KeyPacket;
  fingerprint: string;
  /** Index into the certificate's subkeys; null for the primary key. */
  subkey: number | null;
}

/** The OpenPGP certificates among the keys, indexed for lookup by full fingerprint and by key ID. */
export class OpenpgpKeyring {
  readonly byFingerprint = new Map<string, KeyComponent[]>();
  readonly byKeyId = new Map<string, KeyComponent[]>();
  readonly entries: readonly OpenpgpKeyEntry[];

  constructor(
    certificates: readonly { certificate: Certificate; source: string }[],
    /** Signatures that came alone (revocation certificates), applied to whichever key they verify for. */
    standalone: readonly SignatureRecord[],
  ) {
    const revocations = standalone.filter((r) => r.packet?.type === SIG.keyRevocation);
    const findKeys = (fingerprint: string): KeyPacket[] => (this.byFingerprint.get(fingerprint) ?? []).map((c) => c.key);
    this.entries = certificates.map(({ certificate, source }) => makeEntry(certificate, source, () => verifyCertificate(certificate, revocations, findKeys)));
    for (const entry of this.entries) {
      const components = [entry.certificate.primary, ...entry.certificate.subkeys.map((s) => s.key)];
      components.forEach((key, index) => {
        const indexed: KeyComponent = { entry, key, fingerprint: key.fingerprint, subkey: index === 0 ? null : index - 1 };
        pushTo(this.byFingerprint, key.fingerprint, indexed);
        pushTo(this.byKeyId, key.keyId, indexed);
      });
    }
  }
}

function makeEntry(certificate: Certificate, source: string, verify: () => VerifiedCertificate): OpenpgpKeyEntry {
  let verified: VerifiedCertificate | null = null;
  let userId: string | null | undefined;
  const entry: OpenpgpKeyEntry = {
    certificate,
    fingerprint: certificate.primary.fingerprint,
    source,
    verified: () => (verified ??= verify()),
    userId: () => (userId === undefined ? (userId = primaryUserId(entry.verified(), certificate)) : userId),
  };
  return entry;
}

/** The newest self-signed user ID flagged primary, else the newest self-signed one, else the first: GnuPG's choice. */
function primaryUserId(verified: VerifiedCertificate, certificate: Certificate): string | null {
  let best: { text: string; primary: boolean; created: number } | null = null;
  for (const { record, signatures } of verified.userIds) {
    if (record.kind !== 'uid' || record.text === null) continue;
    const newest = signatures.reduce<(typeof signatures)[number] | null>((a, s) => (!a || (s.created?.getTime() ?? 0) >= (a.created?.getTime() ?? 0) ? s : a), null);
    if (!newest || newest.type === SIG.certRevocation) continue;
    const candidate = { text: record.text, primary: newest.primaryUserId, created: newest.created?.getTime() ?? 0 };
    if (!best || Number(candidate.primary) > Number(best.primary) || (candidate.primary === best.primary && candidate.created > best.created)) best = candidate;
  }
  return best?.text ?? certificate.userIds.find((u) => u.kind === 'uid')?.text ?? null;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
