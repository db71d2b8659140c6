import { describe, expect, it } from 'vitest';
import { parseCommit } from '../../../src/core/commit.js';

const TREE = 'a22e7062ec5f1d236f7261ec21ae2af637082bbe';
const PARENT = '1a71141d85d221653c40b80efffef3e652ed3b07';
const IDENT = 'A U Thor <a@example.org> 1700000000 +0100';
const SIG = ['-----BEGIN PGP SIGNATURE-----', '', 'iQEzBAABCAAdFiEE', '=abcd', '-----END PGP SIGNATURE-----'];

const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const text = (data: Uint8Array): string => Buffer.from(data).toString('latin1');
const header = (name: string, lines: string[]): string => `${name} ${lines[0]}\n${lines.slice(1).map((l) => ` ${l}\n`).join('')}`;

function commit(extraHeaders: string, message = 'subject line\n\nbody\n'): string {
  return `tree ${TREE}\nparent ${PARENT}\nauthor ${IDENT}\ncommitter ${IDENT}\n${extraHeaders}\n${message}`;
}

describe('parseCommit', () => {
  it('takes the gpgsig header and its continuation lines out of the payload, byte for byte', () => {
    const raw = commit(header('gpgsig', SIG));
    const parsed = parseCommit(bytes(raw), 'sha1');
    expect(parsed.signature).toBe(SIG.join('\n') + '\n');
    expect(text(parsed.payload)).toBe(commit(''));
    expect(parsed.problems).toEqual([]);
    expect(parsed.parents).toEqual([PARENT]);
    expect(parsed.subject).toBe('subject line');
    expect(parsed.committerTime?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
  });

  it('joins continuation lines to the header above as git does, whatever their spaces, a header without a value included', () => {
    // a header line without a space has an empty value: its continuation lines still join it, each after a newline
    const raw = commit(`x-empty\n one\n  two\n \nx-more a\n b\n` + header('gpgsig', SIG));
    const parsed = parseCommit(bytes(raw), 'sha1');
    expect(parsed.problems).toEqual([]);
    expect(parsed.signature).toBe(SIG.join('\n') + '\n');
    // the unknown headers stay in the payload byte for byte
    expect(text(parsed.payload)).toBe(commit(`x-empty\n one\n  two\n \nx-more a\n b\n`));
    const signature = parseCommit(bytes(commit(header('gpgsig', ['-----BEGIN PGP SIGNATURE-----', ' indented', '', 'data']))), 'sha1').signature;
    expect(signature).toBe('-----BEGIN PGP SIGNATURE-----\n indented\n\ndata\n');
  });

  it('reads the committer time whatever bytes the name holds, and refuses a committer line without one', () => {
    // a name in latin-1 (not UTF-8): the time after it is read all the same
    const latin = parseCommit(bytes(commit('').replace(`committer ${IDENT}`, 'committer J\xf6rg \xc3<j@example.org> 1700000000 +0100')), 'sha1');
    expect(latin.problems).toEqual([]);
    expect(latin.committerTime?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    const timeless = parseCommit(bytes(commit('').replace(`committer ${IDENT}`, 'committer A <a@example.org>')), 'sha1');
    expect(timeless.committerTime).toBeNull();
    expect(timeless.problems).toContain('commit has a committer line without a valid time');
  });

  it('keeps mergetag headers (and their continuation lines) in the payload', () => {
    const mergetag = header('mergetag', ['object ' + PARENT, 'type commit', 'tag v1', '', 'msg', ...SIG]);
    const raw = commit(mergetag + header('gpgsig', SIG));
    const parsed = parseCommit(bytes(raw), 'sha1');
    expect(text(parsed.payload)).toBe(commit(mergetag));
    expect(parsed.signature).toBe(SIG.join('\n') + '\n');
  });

  it('uses gpgsig-sha256 in SHA-256 repositories and drops the other algorithm header from the payload', () => {
    const tree = 'b'.repeat(64);
    const raw = `tree ${tree}\nauthor ${IDENT}\ncommitter ${IDENT}\n${header('gpgsig', ['OTHER'])}${header('gpgsig-sha256', SIG)}\nmsg\n`;
    const parsed = parseCommit(bytes(raw), 'sha256');
    expect(parsed.signature).toBe(SIG.join('\n') + '\n');
    expect(text(parsed.payload)).toBe(`tree ${tree}\nauthor ${IDENT}\ncommitter ${IDENT}\n\nmsg\n`);
    expect(parsed.otherAlgorithmSignature).toBe(true);
    const asSha1 = parseCommit(bytes(raw.replace(tree, 'c'.repeat(40))), 'sha1');
    expect(asSha1.signature).toBe('OTHER\n');
  });

  it('leaves gpgsig text inside the message in the payload and does not treat it as a signature', () => {
    const raw = commit('', `subject\n\n${header('gpgsig', SIG)}`);
    const parsed = parseCommit(bytes(raw), 'sha1');
    expect(parsed.signature).toBeNull();
    expect(text(parsed.payload)).toBe(raw);
  });

  it('flags a second gpgsig header', () => {
    const parsed = parseCommit(bytes(commit(header('gpgsig', SIG) + header('gpgsig', SIG))), 'sha1');
    expect(parsed.problems.join()).toMatch(/2 gpgsig headers/);
  });

  it('keeps CR and latin-1 bytes of the message verbatim', () => {
    const message = 'caf\xe9 fix\r\n\r\nbody\r\n';
    const raw = commit('encoding ISO-8859-1\n', message);
    const parsed = parseCommit(bytes(raw), 'sha1');
    expect(text(parsed.payload)).toBe(raw);
    expect(parsed.subject).toBe('café fix');
  });

  it.each([
    ['a NUL byte', commit('', 'sub\0ject\n')],
    ['no committer', `tree ${TREE}\nauthor ${IDENT}\n\nmsg\n`],
    ['no tree', `parent ${PARENT}\nauthor ${IDENT}\ncommitter ${IDENT}\n\nmsg\n`],
    ['a bad parent id', `tree ${TREE}\nparent xyz\nauthor ${IDENT}\ncommitter ${IDENT}\n\nmsg\n`],
    ['a committer without time', `tree ${TREE}\nauthor ${IDENT}\ncommitter nobody\n\nmsg\n`],
    ['a continuation line first', ` dangling\ntree ${TREE}\nauthor ${IDENT}\ncommitter ${IDENT}\n\nmsg\n`],
    ['two trees', `tree ${TREE}\ntree ${TREE}\nauthor ${IDENT}\ncommitter ${IDENT}\n\nmsg\n`],
  ])('reports a commit with %s as a problem', (_name, raw) => {
    expect(parseCommit(bytes(raw), 'sha1').problems.length).toBeGreaterThan(0);
  });
});
