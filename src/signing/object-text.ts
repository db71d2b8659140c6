/** Commit and tag objects as text, and where a signature goes in each (the way git writes them). */

/** A name, an email and a moment, as git's `author`/`committer`/`tagger` lines hold them. */
export interface Identity {
  name: string;
  email: string;
}

/** `Name <email> EPOCH +HHMM` in the local zone of `at`. */
export function formatIdent(identity: Identity, at: Date): string {
  const offset = -at.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return `${identity.name} <${identity.email}> ${Math.floor(at.getTime() / 1000)} ${zone}`;
}

export interface CommitSpec {
  tree: string;
  parents: readonly string[];
  author: Identity;
  committer: Identity;
  at: Date;
  message: string;
}

/** The unsigned commit object: exactly the bytes a signature covers. */
export function formatCommit(spec: CommitSpec): string {
  const parents = spec.parents.map((p) => `parent ${p}\n`).join('');
  return `tree ${spec.tree}\n${parents}author ${formatIdent(spec.author, spec.at)}\ncommitter ${formatIdent(spec.committer, spec.at)}\n\n${withNewline(spec.message)}`;
}

/** Puts an armored signature into a commit as git does: a `gpgsig` header after the committer line, continued with spaces. */
export function insertCommitSignature(commit: string, armored: string, header = 'gpgsig'): string {
  const end = commit.indexOf('\n\n');
  if (end < 0) throw new Error('commit text has no message separator');
  const lines = armored.replace(/\r/g, '').replace(/\n+$/, '').split('\n');
  return `${commit.slice(0, end)}\n${header} ${lines.join('\n ')}${commit.slice(end)}`;
}

export interface TagSpec {
  object: string;
  type: string;
  tag: string;
  tagger: Identity;
  at: Date;
  message: string;
}

/** The unsigned tag object: exactly the bytes a signature covers. */
export function formatTag(spec: TagSpec): string {
  return `object ${spec.object}\ntype ${spec.type}\ntag ${spec.tag}\ntagger ${formatIdent(spec.tagger, spec.at)}\n\n${withNewline(spec.message)}`;
}

/** A signed tag is its text followed by the armored signature. */
export function appendTagSignature(tag: string, armored: string): string {
  return `${tag}${armored.replace(/\r/g, '').replace(/\n*$/, '\n')}`;
}

const withNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);
