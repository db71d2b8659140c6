import { describe, expect, it } from 'vitest';
import { judgeEdge, parseSequoiaPolicy, requiredRights, type KeyringSummary, type Right, type SequoiaPolicy } from '../../../src/core/sequoia-policy.js';
import { parseTomlSubset } from '../../../src/core/toml-subset.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

const POLICY = `version = 0
commit_goodlist = []

[authorization."Kan-Ru Chen <kanru@kanru.info>"]
sign_commit = true
add_user = true
keyring = """
-----BEGIN PGP PUBLIC KEY BLOCK-----
Comment: 374F F2AD 0A12 935F D0B0  C84F 1B13 2E01 CEC6 AD46

xsFNBErbyYoBEADPKUSVdYiKrWCEl2xk99gcEZghczDpm2
-----END PGP PUBLIC KEY BLOCK-----
"""
`;

describe('parseTomlSubset', () => {
  it('reads what sq-git writes: quoted table keys, booleans, integers, arrays, multi-line strings', () => {
    const root = parseTomlSubset(POLICY);
    expect(root.get('version')).toBe(0n);
    expect(root.get('commit_goodlist')).toEqual([]);
    const entry = (root.get('authorization') as Map<string, unknown>).get('Kan-Ru Chen <kanru@kanru.info>') as Map<string, unknown>;
    expect(entry.get('sign_commit')).toBe(true);
    expect(entry.get('keyring')).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment/);
    expect(entry.get('keyring')).toMatch(/END PGP PUBLIC KEY BLOCK-----\n$/);
  });

  it('reads escapes, literal strings, comments, CRLF, multi-line arrays with a trailing comma', () => {
    const root = parseTomlSubset('# c\r\na = "x\\u00e9\\"\\\\" # c\r\nb = \'lit\\n\'\r\nc = [\r\n "1", # one\r\n "2",\r\n]\r\nd = """\\\n   joined"""\n');
    expect(root.get('a')).toBe('xé"\\');
    expect(root.get('b')).toBe('lit\\n');
    expect(root.get('c')).toEqual(['1', '2']);
    expect(root.get('d')).toBe('joined');
  });

  it('keeps keys such as __proto__ as data', () => {
    const root = parseTomlSubset('[authorization."__proto__"]\nkeyring = ""\n');
    expect([...(root.get('authorization') as Map<string, unknown>).keys()]).toEqual(['__proto__']);
  });

  it.each([
    ['a duplicate key', 'a = 1\na = 2\n'],
    ['a table defined twice', '[t]\n[t]\n'],
    ['a table defined twice under two spellings of one name', '[authorization."a"]\n[authorization."\\u0061"]\n'],
    ['a value then a table of the same name', 'a = 1\n[a]\n'],
    ['an inline table', 'a = { b = 1 }\n'],
    ['an array of tables', '[[a]]\n'],
    ['a float', 'a = 1.5\n'],
    ['a date', 'a = 1979-05-27\n'],
    ['a dotted key in an assignment', 'a.b = 1\n'],
    ['a leading zero', 'a = 01\n'],
    ['two values on a line', 'a = 1 b = 2\n'],
    ['an unterminated string', 'a = "x\n'],
    ['an unterminated multi-line string', 'a = """x\n'],
    ['an invalid escape', 'a = "\\q"\n'],
    ['a control character', 'a = "\u0001"\n'],
    ['a bare value', 'a = yes\n'],
  ])('refuses %s', (_, text) => {
    expect(() => parseTomlSubset(text)).toThrow();
  });
});

describe('parseSequoiaPolicy', () => {
  it('reads the libchewing shape; absent rights are false, unknown keys ignored', () => {
    const parsed = parseSequoiaPolicy(bytes(POLICY + 'future = "x"\n'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const entry = parsed.policy.authorizations.get('Kan-Ru Chen <kanru@kanru.info>')!;
    expect([...entry.rights].sort()).toEqual(['add_user', 'sign_commit']);
  });

  it.each([
    ['a missing keyring', '[authorization."a"]\nsign_commit = true\n'],
    ['a right that is not a boolean', '[authorization."a"]\nsign_commit = "yes"\nkeyring = ""\n'],
    ['a negative version', 'version = -1\n'],
    ['a goodlist of integers', 'commit_goodlist = [1]\n'],
    ['an authorization that is not a table', 'authorization = "a"\n'],
    ['invalid UTF-8', '\xff'],
  ])('refuses %s', (_, text) => {
    const data = text === '\xff' ? new Uint8Array([0x61, 0x3d, 0x22, 0xff, 0x22]) : bytes(text);
    expect(parseSequoiaPolicy(data).ok).toBe(false);
  });
});

const policy = (entries: Record<string, { rights: string[]; keyring: string }>, extra: Partial<SequoiaPolicy> = {}): SequoiaPolicy => ({
  version: 0n,
  goodlist: [],
  authorizations: new Map(Object.entries(entries).map(([name, e]) => [name, { name, rights: new Set(e.rights as Right[]), keyring: e.keyring }])),
  ...extra,
});
// keyrings stand for certificates: "FPR:sig1,sig2;FPR2:…"
const summarize = (keyring: string): KeyringSummary =>
  keyring === 'broken' ? { ok: false, problem: 'broken' } : { ok: true, certificates: new Map(keyring.split(';').filter(Boolean).map((c) => { const [f, s] = c.split(':'); return [f!, new Set((s ?? '').split(',').filter(Boolean))]; })) };
const rightsOf = (parent: SequoiaPolicy, child: SequoiaPolicy): string[] => {
  const r = requiredRights(parent, child, summarize);
  return r.ok ? [...r.rights].sort() : ['REFUSED'];
};

describe('requiredRights', () => {
  const base = policy({ alice: { rights: ['sign_commit', 'add_user'], keyring: 'A:1' } });
  it('a new entity needs add_user and each right it gets', () => {
    expect(rightsOf(base, policy({ alice: { rights: ['sign_commit', 'add_user'], keyring: 'A:1' }, bob: { rights: ['sign_commit', 'audit'], keyring: 'B:1' } }))).toEqual(['add_user', 'audit', 'sign_commit']);
  });
  it('a removed entity needs retire_user and each right it had', () => {
    expect(rightsOf(base, policy({}))).toEqual(['add_user', 'retire_user', 'sign_commit']);
  });
  it('certificates: added needs add_user, removed or a signature dropped needs retire_user, signatures added need nothing', () => {
    const withKeyring = (keyring: string): SequoiaPolicy => policy({ alice: { rights: ['sign_commit', 'add_user'], keyring } });
    expect(rightsOf(base, withKeyring('A:1;C:1'))).toEqual(['add_user']);
    expect(rightsOf(withKeyring('A:1;C:1'), base)).toEqual(['retire_user']);
    expect(rightsOf(withKeyring('A:1,2'), base)).toEqual(['retire_user']);
    expect(rightsOf(base, withKeyring('A:1,2'))).toEqual([]);
    expect(rightsOf(base, withKeyring('broken'))).toEqual(['REFUSED']);
  });
  it('the version and the goodlist need audit; a goodlist entry that is not a commit id is refused', () => {
    expect(rightsOf(base, { ...base, version: 1n })).toEqual(['audit']);
    expect(rightsOf(base, { ...base, goodlist: ['a'.repeat(40)] })).toEqual(['audit']);
    expect(rightsOf(base, { ...base, goodlist: ['abc'] })).toEqual(['REFUSED']);
  });
});

describe('judgeEdge', () => {
  const holds = (keyring: string, fpr: string): boolean => keyring.split(';').some((c) => c.startsWith(`${fpr}:`));
  it('rights come from the parent; any entity listing the certificate may carry them', () => {
    const parent = policy({ a: { rights: ['sign_tag'], keyring: 'A:1' }, b: { rights: ['sign_commit', 'add_user'], keyring: 'A:1' } });
    expect(judgeEdge(parent, 'A', new Set(['add_user']), holds)).toMatchObject({ ok: true, name: 'b' });
    expect(judgeEdge(parent, 'A', new Set(['retire_user']), holds)).toMatchObject({ ok: false, missing: ['retire_user'] });
    expect(judgeEdge(parent, 'Z', new Set(), holds).ok).toBe(false);
  });
});
