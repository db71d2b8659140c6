/** Git tree objects: finding one entry of a tree by name, from the raw bytes. */
import type { HashAlgo } from './bytes.js';

/** One entry of a tree. */
export interface TreeEntry {
  /** As git writes it: `100644`, `100755`, `120000` (symlink), `40000` (tree), `160000` (submodule). */
  mode: string;
  oid: string;
}

const OID_BYTES: Record<HashAlgo, number> = { sha1: 20, sha256: 32 };
const SPACE = 0x20;

/** The entry `name` at the top level of a raw tree, or null; a tree that cannot be parsed is an Error. */
export function findTreeEntry(raw: Uint8Array, name: string, hashAlgo: HashAlgo): TreeEntry | null {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  const wanted = Buffer.from(name, 'utf8');
  const oidBytes = OID_BYTES[hashAlgo];
  for (let at = 0; at < bytes.length; ) {
    const space = bytes.indexOf(SPACE, at);
    const nul = space < 0 ? -1 : bytes.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > bytes.length) throw new Error('malformed tree object');
    const entryName = bytes.subarray(space + 1, nul);
    if (entryName.equals(wanted)) {
      return { mode: bytes.toString('latin1', at, space), oid: bytes.toString('hex', nul + 1, nul + 1 + oidBytes) };
    }
    at = nul + 1 + oidBytes;
  }
  return null;
}

/** Whether an entry is a file whose content git stores as is (not a symlink, tree or submodule). */
export function isRegularFile(entry: TreeEntry): boolean {
  return entry.mode === '100644' || entry.mode === '100755';
}

/** Every top-level entry name of a raw tree, with its entry, in tree order. */
export function listTreeEntries(raw: Uint8Array, hashAlgo: HashAlgo): { name: string; entry: TreeEntry }[] {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  const oidBytes = OID_BYTES[hashAlgo];
  const entries: { name: string; entry: TreeEntry }[] = [];
  for (let at = 0; at < bytes.length; ) {
    const space = bytes.indexOf(SPACE, at);
    const nul = space < 0 ? -1 : bytes.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > bytes.length) throw new Error('malformed tree object');
    entries.push({
      name: bytes.toString('utf8', space + 1, nul),
      entry: { mode: bytes.toString('latin1', at, space), oid: bytes.toString('hex', nul + 1, nul + 1 + oidBytes) },
    });
    at = nul + 1 + oidBytes;
  }
  return entries;
}
