/**
 * Guix's in-repository policy files, read as Guix reads them (guix/git-authenticate.scm,
 * guix/channels.scm): `.guix-authorizations` and the `keyring-reference` of `.guix-channel`.
 */
import { readFirstDatum, SexpError, type Sexp } from './guix-sexp.js';

/** The file a commit's children are authorized by, at the root of its tree. */
export const AUTHORIZATIONS_FILE = '.guix-authorizations';
/** The channel's metadata file, at the root of its tree. */
export const CHANNEL_FILE = '.guix-channel';
/** The keyring branch when nothing names another. */
export const DEFAULT_KEYRING_REF = 'keyring';

/** One entry of `.guix-authorizations`. */
export interface GuixAuthorization {
  /** Upper-case hex, as written (Guix does not check the length: a short one matches no key). */
  fingerprint: string;
  /** The entry's `(name "…")`, when it has one. */
  name: string | null;
}

/** A parsed `.guix-authorizations`, or why it cannot be read (then it authorizes nobody). */
export type GuixAuthorizations = { ok: true; entries: GuixAuthorization[]; fingerprints: ReadonlySet<string> } | { ok: false; problem: string };

/**
 * Parse `.guix-authorizations`: `(authorizations (version 0) (("FPR" …) …) …)`, comments allowed. Guix
 * matches exactly this shape and version 0; any other content makes Guix fail, so it authorizes nobody here.
 */
export function parseGuixAuthorizations(bytes: Uint8Array): GuixAuthorizations {
  let datum: Sexp;
  try {
    datum = readFirstDatum(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    return { ok: false, problem: error instanceof SexpError ? error.message : String(error) };
  }
  const items = datum.kind === 'list' ? datum.items : [];
  if (!isSymbol(items[0], 'authorizations')) return { ok: false, problem: 'it is not an (authorizations …) form' };
  if (!isVersionZero(items[1])) return { ok: false, problem: 'its version is not 0' };
  const list = items[2];
  if (list?.kind !== 'list') return { ok: false, problem: 'it has no list of authorizations' };
  const entries: GuixAuthorization[] = [];
  for (const entry of list.items) {
    const first = entry.kind === 'list' ? entry.items[0] : undefined;
    if (entry.kind !== 'list' || first?.kind !== 'string') return { ok: false, problem: 'an entry is not a list starting with a fingerprint string' };
    const fingerprint = normalizeListedFingerprint(first.value);
    if (fingerprint === null) return { ok: false, problem: `fingerprint ${JSON.stringify(first.value)} is not hexadecimal` };
    entries.push({ fingerprint, name: entryName(entry.items.slice(1)) });
  }
  return { ok: true, entries, fingerprints: new Set(entries.map((e) => e.fingerprint)) };
}

/**
 * The `keyring-reference` of a `.guix-channel`, or null when it names none. A file Guix could not read
 * as channel metadata is an error string.
 */
export function parseGuixChannelKeyring(bytes: Uint8Array): string | null | { problem: string } {
  let datum: Sexp;
  try {
    datum = readFirstDatum(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    return { problem: error instanceof SexpError ? error.message : String(error) };
  }
  const items = datum.kind === 'list' ? datum.items : [];
  if (!isSymbol(items[0], 'channel') || items[1]?.kind !== 'list' || !isSymbol(items[1].items[0], 'version')) {
    return { problem: 'it is not a (channel (version …) …) form' };
  }
  for (const field of items.slice(2)) {
    if (field.kind !== 'list' || !isSymbol(field.items[0], 'keyring-reference')) continue;
    const value = field.items[1];
    if (value?.kind !== 'string' || value.value === '') return { problem: 'its keyring-reference is not a string' };
    return value.value;
  }
  return null;
}

/**
 * A fingerprint as listed in `.guix-authorizations`: Guix drops every non-graphic character (spaces,
 * tabs, no-break spaces), then requires hex digits of even count. Null when it would make Guix fail.
 */
export function normalizeListedFingerprint(text: string): string | null {
  const hex = text.replace(/[\s\p{C}\p{Z}]/gu, '');
  return /^(?:[0-9a-fA-F]{2})*$/.test(hex) ? hex.toUpperCase() : null;
}

/**
 * An introduction signer as a user writes it (`2A39 3FFF … B2D5`): hex digits and white space only,
 * 20 bytes (Guix's `openpgp-fingerprint*`). Null when it is not one.
 */
export function parseIntroSigner(text: string): string | null {
  if (!/^[0-9a-fA-F\s]+$/.test(text)) return null;
  const hex = text.replace(/\s+/g, '').toUpperCase();
  return hex.length === 40 ? hex : null;
}

/** A fingerprint as Guix prints it: ten groups of four, two spaces in the middle. */
export function formatGuixFingerprint(hex: string): string {
  if (hex.length !== 40) return hex;
  const groups = hex.match(/.{4}/g)!;
  return `${groups.slice(0, 5).join(' ')}  ${groups.slice(5).join(' ')}`;
}

function isSymbol(datum: Sexp | undefined, name: string): boolean {
  return datum?.kind === 'symbol' && datum.name === name;
}

function isVersionZero(datum: Sexp | undefined): boolean {
  return datum?.kind === 'list' && datum.items.length === 2 && isSymbol(datum.items[0], 'version') && datum.items[1]?.kind === 'integer' && datum.items[1].value === 0n;
}

function entryName(rest: readonly Sexp[]): string | null {
  for (const field of rest) {
    if (field.kind === 'list' && isSymbol(field.items[0], 'name') && field.items[1]?.kind === 'string') return field.items[1].value;
  }
  return null;
}
