/**
 * What `--policy guix` reads from a repository: the `.guix-authorizations` of any commit (parsed once per
 * blob: most commits share one), the channel's `keyring-reference`, and the keys of the keyring branch.
 */
import { AUTHORIZATIONS_FILE, CHANNEL_FILE, parseGuixAuthorizations, parseGuixChannelKeyring, type GuixAuthorizations } from '../core/guix-authorizations.js';
import type { GuixCommitFacts, ParentPolicy } from '../core/guix-rule.js';
import type { KeySource } from '../core/key-source.js';
import { KeyConfigError, RepositoryError } from '../core/errors.js';
import { findTreeEntry, isRegularFile, listTreeEntries, type TreeEntry } from '../core/tree.js';
import { CommitHeads, headOf } from './commit-heads.js';
import type { ObjectReader } from './object-reader.js';
import { BRANCH_NAMESPACE } from './quarantine.js';

/** The keys of a keyring branch, as Guix loads them. */
export interface GuixKeyring {
  /** The ref the branch was found under, and its tip. */
  ref: string;
  commit: string;
  /** One source per top-level `*.key` blob, named `<ref>:<file>`. */
  sources: KeySource[];
}

/** Reads Guix's policy files from one repository, remembering what it read. */
export class GuixRepository {
  private readonly objects: CommitHeads;
  private readonly files = new Map<string, Promise<TreeEntry | null>>();
  private readonly parsed = new Map<string, Promise<GuixAuthorizations>>();

  constructor(private readonly reader: ObjectReader) {
    this.objects = new CommitHeads(reader);
  }

  /** The facts the rule needs about a commit (its own tree and parents come from the commit being checked). */
  async factsFor(oid: string, commit: { tree: string | null; parents: readonly string[] }): Promise<GuixCommitFacts> {
    this.remember(oid, commit);
    const [own, parents] = await Promise.all([this.authorizationsEntry(oid), Promise.all(commit.parents.map((parent) => this.parentPolicy(parent)))]);
    return { hasOwnFile: own !== null, parents };
  }

  /** Remember a commit the caller already parsed: its children's facts then need no read of it. */
  remember(oid: string, commit: { tree: string | null; parents: readonly string[] }): void {
    if (commit.tree) this.objects.remember(oid, { tree: commit.tree, parents: [...commit.parents] });
  }

  /** Who a commit's `.guix-authorizations` authorizes (null: the commit has no such file). */
  async authorizationsAt(commit: string): Promise<GuixAuthorizations | null> {
    const entry = await this.authorizationsEntry(commit);
    return entry ? this.authorizationsIn(entry) : null;
  }

  /** The blob id of a commit's `.guix-authorizations`, or null. */
  async authorizationsBlob(commit: string): Promise<string | null> {
    return (await this.authorizationsEntry(commit))?.oid ?? null;
  }

  /** The parents of a commit, as its own bytes name them. */
  async parentsOf(commit: string): Promise<string[]> {
    return (await this.objects.head(commit)).parents;
  }

  /**
   * The `keyring-reference` in a commit's `.guix-channel`, or null when there is no file or it names none.
   * A file this reader cannot read gives null with a warning: the keyring only supplies keys, who may sign
   * is still decided by `.guix-authorizations`, so the default branch is a safe guess.
   */
  async keyringReferenceAt(commit: string, warn: (message: string) => void): Promise<string | null> {
    const entry = await this.entryInTree((await this.objects.head(commit)).tree, CHANNEL_FILE);
    if (!entry || !isRegularFile(entry)) return null;
    const value = parseGuixChannelKeyring(await this.blob(entry, CHANNEL_FILE));
    if (value === null || typeof value === 'string') return value;
    warn(`cannot read ${CHANNEL_FILE} at ${commit} (${value.problem}); using the default keyring branch (name it with --keyring-ref)`);
    return null;
  }

  /**
   * The keyring branch `name`: a local branch, else a remote-tracking one (`origin/NAME` too), else the
   * branch a siggate quarantine fetched. Every top-level `*.key` blob is a source; an armored one counts
   * only up to its first block, as Guix reads only that.
   */
  async loadKeyring(name: string): Promise<GuixKeyring> {
    const candidates = name.startsWith('refs/') ? [name] : [`refs/heads/${name}`, `refs/remotes/${name}`, `refs/remotes/origin/${name}`, `${BRANCH_NAMESPACE}${name}`];
    for (const ref of candidates) {
      const commit = await this.reader.resolve(ref);
      if (commit === null) continue;
      const object = await this.reader.read(commit);
      if (object?.type !== 'commit') throw new KeyConfigError(`keyring ${ref} does not name a commit`);
      const tree = await this.objects.object(headOf(object.content, commit).tree, 'tree');
      const sources: KeySource[] = [];
      for (const { name: file, entry } of listTreeEntries(tree, this.reader.hashAlgo)) {
        if (!file.endsWith('.key')) continue;
        if (!isRegularFile(entry)) throw new KeyConfigError(`keyring ${ref}: ${file} is not a regular file`);
        sources.push({ name: `${ref}:${file}`, bytes: firstArmorBlock(await this.objects.object(entry.oid, 'blob')) });
      }
      return { ref, commit, sources };
    }
    throw new KeyConfigError(`keyring branch ${JSON.stringify(name)} not found (looked for ${candidates.join(', ')}); fetch it, or name it with --keyring-ref`);
  }

  private async parentPolicy(parent: string): Promise<ParentPolicy> {
    const entry = await this.authorizationsEntry(parent);
    if (entry) return { parent, kind: 'file', authorizations: await this.authorizationsIn(entry) };
    const grandparents = await this.parentsOf(parent);
    const entries = await Promise.all(grandparents.map((g) => this.authorizationsEntry(g)));
    return entries.some((e) => e !== null) ? { parent, kind: 'removed' } : { parent, kind: 'none' };
  }

  private authorizationsEntry(commit: string): Promise<TreeEntry | null> {
    let found = this.files.get(commit);
    if (!found) {
      found = this.objects.head(commit).then((head) => this.entryInTree(head.tree, AUTHORIZATIONS_FILE));
      this.files.set(commit, found);
    }
    return found;
  }

  private authorizationsIn(entry: TreeEntry): Promise<GuixAuthorizations> {
    // a symlink or a directory named .guix-authorizations is not a file Guix can read
    if (!isRegularFile(entry)) return Promise.resolve({ ok: false, problem: `it is not a regular file (mode ${entry.mode})` });
    let parsed = this.parsed.get(entry.oid);
    if (!parsed) {
      parsed = this.blob(entry, AUTHORIZATIONS_FILE).then(parseGuixAuthorizations);
      this.parsed.set(entry.oid, parsed);
    }
    return parsed;
  }

  private async entryInTree(tree: string, name: string): Promise<TreeEntry | null> {
    return findTreeEntry(await this.objects.object(tree, 'tree'), name, this.reader.hashAlgo);
  }

  private blob(entry: TreeEntry, name: string): Promise<Uint8Array> {
    return this.objects.object(entry.oid, 'blob').catch((error: unknown) => {
      throw new RepositoryError(`cannot read ${name} (blob ${entry.oid})`, { cause: error });
    });
  }

}

/** Guix reads an armored `.key` file up to the end of its first block (a binary one whole). */
function firstArmorBlock(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) return bytes;
  const text = Buffer.from(bytes).toString('latin1');
  const end = text.indexOf('-----END PGP');
  if (end < 0) return bytes;
  const lineEnd = text.indexOf('\n', end);
  return bytes.subarray(0, lineEnd < 0 ? bytes.length : lineEnd + 1);
}
