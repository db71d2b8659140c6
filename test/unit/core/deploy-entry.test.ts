import { describe, expect, it } from 'vitest';
import { checkProjectName, interpolateSecrets, parseDeployEntry, RegisterError, secretNamesIn } from '../../../src/core/deploy-entry.js';

const guix = { kind: 'guix', intro: 'a'.repeat(40), introSigner: 'B'.repeat(40), keyringRef: 'keyring' };
const base = { gitUrl: 'https://git.example.com/shop.git', command: './deploy.sh', keys: ['keys/'] };

function fieldOfFailure(entry: unknown): string | null {
  try {
    parseDeployEntry(entry, 'shop');
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(RegisterError);
    expect((error as RegisterError).exitCode).toBe(2);
    return /register entry shop: (\S+)/.exec((error as Error).message)?.[1] ?? '?';
  }
}

describe('parseDeployEntry', () => {
  it('accepts a minimal entry and applies the defaults', () => {
    expect(parseDeployEntry(base, 'shop')).toMatchObject({ branch: null, command: { argv: ['./deploy.sh'], shell: false }, mode: null, env: {}, secrets: {}, roleArn: null });
  });

  it('accepts every field', () => {
    const entry = parseDeployEntry(
      { ...base, branch: 'release/1', command: ['make', 'deploy'], deployDir: '/srv/shop', allow: ['A'.repeat(40)], mode: 'all', trustRoot: 'a'.repeat(40), ignoreExpiry: true, allowWeak: false, authToken: '((git-token))', roleArn: 'arn:aws:iam::123456789012:role/shop-deploy', roleDuration: 900, env: { STAGE: 'prod' }, secrets: { DB: '((db))' } },
      'shop',
    );
    expect(entry).toMatchObject({ branch: 'release/1', command: { argv: ['make', 'deploy'] }, mode: 'all', roleDuration: 900, secrets: { DB: '((db))' } });
  });

  it.each([
    ['gitUrl', { ...base, gitUrl: undefined }],
    ['gitUrl', { ...base, gitUrl: 42 }],
    ['command', { ...base, command: [] }],
    ['command', { ...base, command: ['make', 3] }],
    ['command', { ...base, command: ['a', 'b'], shell: true }],
    ['keys', { ...base, keys: [] }],
    ['mode', { ...base, mode: 'sometimes' }],
    ['branch', { ...base, branch: '-x' }],
    ['branch', { ...base, branch: 'a..b' }],
    ['roleArn', { ...base, roleArn: 'arn:aws:iam::1:user/x' }],
    ['roleDuration', { ...base, roleDuration: 60 }],
    ['roleDuration', { ...base, roleDuration: '3600' }],
    ['env.AWS_ACCESS_KEY_ID', { ...base, env: { AWS_ACCESS_KEY_ID: 'x' } }],
    ['env.GITBRANCH', { ...base, env: { GITBRANCH: 'x' } }],
    ['env.A-B', { ...base, env: { 'A-B': 'x' } }],
    ['secrets.DB', { ...base, secrets: { DB: 'plain' } }],
    ['secrets.DB', { ...base, secrets: { DB: '((other-project/db))' } }],
    ['env.DB', { ...base, env: { DB: 'x ((../db)) y' } }],
    ['authToken', { ...base, authToken: '((a/b))' }],
    ['policy', { ...base, policy: 'guix' }],
    ['policy.kind', { gitUrl: 'x', command: 'y', policy: { ...guix, kind: 'sq-git' } }],
    ['policy.kind', { gitUrl: 'x', command: 'y', policy: { ...guix, kind: 'constructor' } }],
    ['policy.intro', { gitUrl: 'x', command: 'y', policy: { ...guix, intro: 'abc1234' } }],
    ['policy.introSigner', { gitUrl: 'x', command: 'y', policy: { ...guix, introSigner: 'A'.repeat(39) } }],
    ['policy.keyringRef', { gitUrl: 'x', command: 'y', policy: { ...guix, keyringRef: '--upload-pack=x' } }],
    ['policy.intro_signer', { gitUrl: 'x', command: 'y', policy: { ...guix, intro_signer: 'x' } }],
    ['policy.trustRoot', { gitUrl: 'x', command: 'y', policy: { kind: 'sequoia' } }],
    ['policy.trustRoot', { gitUrl: 'x', command: 'y', policy: { kind: 'sequoia', trustRoot: 'main' } }],
    ['policy.intro', { gitUrl: 'x', command: 'y', policy: { kind: 'sequoia', trustRoot: 'a'.repeat(40), intro: 'a'.repeat(40) } }],
    ['keys', { ...base, policy: guix }],
    ['allow', { gitUrl: 'x', command: 'y', allow: ['A'.repeat(40)], policy: guix }],
    ['trustRoot', { gitUrl: 'x', command: 'y', trustRoot: 'a'.repeat(40), policy: guix }],
    ['mode', { gitUrl: 'x', command: 'y', mode: 'tip', policy: guix }],
    ['gitURL', { ...base, gitURL: 'x' }],
    ['shell', { ...base, shell: 'yes' }],
    ['(the', ['not', 'an', 'object']],
  ])('a malformed %s is a RegisterError naming it', (field, entry) => {
    expect(fieldOfFailure(entry)).toBe(field);
  });

  it('accepts a Guix policy without keys: the introduction, its signer (spaces allowed), the keyring branch', () => {
    const entry = parseDeployEntry({ gitUrl: 'x', command: 'y', policy: { ...guix, intro: 'AB'.repeat(20), introSigner: 'ABCD '.repeat(10) } }, 'shop');
    expect(entry.policy).toEqual({ kind: 'guix', intro: 'ab'.repeat(20), introSigner: 'ABCD'.repeat(10), keyringRef: 'keyring' });
    expect(entry.keys).toEqual([]);
    expect(parseDeployEntry(base, 'shop').policy).toBeNull();
  });

  it('accepts a sequoia-git policy: its trust root, a full commit id', () => {
    const entry = parseDeployEntry({ gitUrl: 'x', command: 'y', policy: { kind: 'sequoia', trustRoot: 'AB'.repeat(20) } }, 'shop');
    expect(entry.policy).toEqual({ kind: 'sequoia', trustRoot: 'ab'.repeat(20) });
  });

  it('tells inline keys from paths: armored blocks and allowed_signers lines are material, the rest paths', () => {
    const keys = parseDeployEntry({ ...base, keys: ['-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nx', 'alice@example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx', 'keys/alice.asc', 's3://b/p/'] }, 'shop').keys;
    expect(keys.map((k) => (typeof k === 'string' ? k : k.kind))).toEqual(['auto', 'allowed-signers', 'keys/alice.asc', 's3://b/p/']);
  });
});

describe('project names', () => {
  it.each(['../etc/passwd', 'a/b', '.hidden', '..', 'a..b', '', 'x'.repeat(129), 'a\0b', '-flag'])('refuses %j', (name) => {
    expect(() => checkProjectName(name)).toThrow(RegisterError);
  });
  it.each(['shop', 'shop-api', 'Shop_2.web'])('accepts %j', (name) => {
    expect(checkProjectName(name)).toBe(name);
  });
});

describe('secret references', () => {
  it('finds and replaces ((name)) references', () => {
    expect(secretNamesIn('user=((db.user)) pass=((db-pass))')).toEqual(['db.user', 'db-pass']);
    expect(interpolateSecrets('a ((x)) b', new Map([['x', 'S']]))).toBe('a S b');
  });
});
