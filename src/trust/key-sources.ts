import { createHash } from 'node:crypto';
import type { KeySource } from '../core/key-source.js';
import { KeyConfigError } from '../core/errors.js';
import { isSshPublicKeyText, parseAllowedSigners, parseSshPublicKeyFile, type AllowedSigner } from './ssh/allowed-signers.js';
import { Keyring } from './keyring.js';
import { OpenpgpKeyring } from './openpgp/keyring.js';
import { findArmoredKeyBlocks } from './openpgp/armor.js';
import { mergeCertificate, readCertificates, type Certificate, type KeyFileContent, type SignatureRecord } from './openpgp/certificate.js';
import { OpenpgpFormatError } from './openpgp/packets.js';

/**
 * Parse every allowed signer in `sources`: OpenPGP certificates (armored or binary, several per source,
 * the same key in two sources merged, revocation certificates applied), OpenSSH allowed_signers and
 * `*.pub` lines. Anything that cannot be parsed is a configuration error naming its source.
 */
export function parseKeySources(sources: readonly KeySource[], onWarning: (message: string) => void = () => {}): Keyring {
  const certificates = new Map<string, { certificate: Certificate; source: string }>();
  const standalone: SignatureRecord[] = [];
  const ssh: AllowedSigner[] = [];
  const digests: string[] = [];
  for (const source of sources) {
    digests.push(createHash('sha256').update(source.bytes).digest('hex'));
    const text = Buffer.from(source.bytes).toString('utf8');
    refusePrivateKey(source.name, text);
    if (source.kind === 'allowed-signers') ssh.push(...parseAllowedSigners(text, source.name));
    else if (isSshPublicKeyText(firstContentLine(text))) ssh.push(...parseSshPublicKeyFile(text, source.name, baseName(source.name).replace(/\.pub$/, '')));
    else {
      const content = readOpenpgpSource(source);
      for (const skipped of content.skipped) onWarning(`${source.name}: a key was skipped: ${skipped}`);
      if (content.certificates.some((c) => c.fromSecret)) {
        onWarning(`${source.name} holds a secret key; only its public part is used — keep secret keys out of the keys directory`);
      }
      for (const certificate of content.certificates) {
        const known = certificates.get(certificate.primary.fingerprint);
        if (known) mergeCertificate(known.certificate, certificate);
        else certificates.set(certificate.primary.fingerprint, { certificate, source: source.name });
      }
      standalone.push(...content.standalone);
    }
  }
  if (certificates.size === 0 && ssh.length === 0) {
    throw new KeyConfigError(`no keys found in ${sources.map((s) => s.name).join(', ') || 'the keys'}`);
  }
  const digest = createHash('sha256').update(digests.sort().join('\n')).digest('hex');
  return new Keyring(new OpenpgpKeyring([...certificates.values()], standalone), ssh, sources.map((s) => s.name), digest);
}

// OpenSSH's own format, and the PEM forms ssh-keygen also reads (an OpenPGP secret key is `PGP PRIVATE KEY BLOCK`)
const PRIVATE_KEY_PEM = /-----BEGIN (?:OPENSSH |RSA |DSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

/** An SSH private key given as a key (`--keys ~/.ssh/id_ed25519`, or one named `*.pub`) is refused by name, its bytes never quoted. */
function refusePrivateKey(name: string, text: string): void {
  if (!PRIVATE_KEY_PEM.test(text)) return;
  throw new KeyConfigError(
    `${name} is an SSH private key; give its public half (ssh-keygen -y -f ${name}) or an allowed_signers file; a private key has no place among the allowed keys`,
  );
}

/** The first line that is neither blank nor a comment, found without splitting a whole (up to 16 MB) file into lines. */
function firstContentLine(text: string): string {
  return /^[^\S\n]*([^#\s][^\n]*)/m.exec(text)?.[1]?.trim() ?? '';
}

function readOpenpgpSource(source: KeySource): KeyFileContent {
  const bytes = source.bytes;
  const text = Buffer.from(bytes).toString('latin1');
  const fail = (reason: string, cause?: unknown): never => {
    throw new KeyConfigError(`${source.name} is not an OpenPGP public key: ${reason}`, { cause });
  };
  let content: KeyFileContent;
  try {
    if (text.includes('-----BEGIN PGP')) {
      const blocks = findArmoredKeyBlocks(text);
      if (blocks.length === 0) fail('its armored block is not a public key block');
      content = { certificates: [], standalone: [], skipped: [] };
      for (const block of blocks) {
        if (typeof block.data === 'string') fail(block.data);
        const found = readCertificates(block.data as Uint8Array);
        content.certificates.push(...found.certificates);
        content.standalone.push(...found.standalone);
        content.skipped.push(...found.skipped);
      }
    } else {
      content = readCertificates(bytes);
    }
  } catch (error) {
    if (error instanceof OpenpgpFormatError) fail(error.message, error);
    throw error;
  }
  if (content!.certificates.length === 0 && content!.standalone.length === 0 && content!.skipped.length === 0) {
    throw new KeyConfigError(`${source.name} holds no OpenPGP key`);
  }
  return content!;
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
