// A signature whose issuer subpackets name an allowed key but that another key made.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoKeys } from '../../fixtures/lib/demo-keys.js';
import { signWithSpoofedIssuer, verifiesUnder } from '../../fixtures/lib/forge.js';
import { addSignatureHeader } from '../../fixtures/lib/git-objects.js';
import { Repo } from '../../fixtures/lib/repo.js';
import { verifyCommit } from '../../src/index.js';
import { unsignedPayload } from '../helpers/craft.js';
import { demoWorld, makeKeysDir, READERS, useFixtureCleanup } from '../helpers/world.js';
import type { DemoWorld } from '../helpers/world.js';

useFixtureCleanup();

let world: DemoWorld;
let repo: Repo;
let withMallory: string;
let spoofed: string;
let genuineMallory: string;

beforeAll(async () => {
  world = await demoWorld();
  withMallory = await makeKeysDir({
    'alice.asc': { copy: demoKeys.alice.publicKeyPath },
    'bob.asc': { copy: demoKeys.bob.publicKeyPath },
    'mallory.asc': { copy: demoKeys.mallory.publicKeyPath },
  });
  repo = await Repo.init();
  await repo.commit({ message: 'base\n', sign: world.as('alice') });
  const payload = await unsignedPayload(repo, 'Deploy this, says alice\n');
  const signature = await signWithSpoofedIssuer({
    signerSecretKey: await readFile(demoKeys.mallory.secretKeyPath, 'utf8'),
    claimedPublicKey: await readFile(demoKeys.alice.publicKeyPath, 'utf8'),
    data: payload,
  });
  // The forgery is sound: mallory's key verifies it, alice's does not.
  expect(await verifiesUnder(signature, await readFile(demoKeys.mallory.publicKeyPath, 'utf8'), payload)).toBe(true);
  spoofed = await repo.writeRawCommit(addSignatureHeader(payload, signature));
  genuineMallory = await repo.commit({ message: 'mallory, honestly\n', sign: world.as('mallory') });
});

describe.each(READERS)('issuer spoofing with the %s reader', (reader) => {
  it('mallory signing with alice as issuer is bad-signature when mallory is unknown', async () => {
    const report = await verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: spoofed, reader });
    expect(report.status).toBe('bad-signature');
  });

  it('mallory signing with alice as issuer is not valid when mallory is known but not allowed', async () => {
    const report = await verifyCommit({ repo: repo.dir, keys: [withMallory], rev: spoofed, reader, allow: [world.fingerprints.alice] });
    expect(report.status).not.toBe('valid');
  });

  it('mallory signing with alice as issuer is never attributed to alice, even with mallory allowed', async () => {
    const report = await verifyCommit({ repo: repo.dir, keys: [withMallory], rev: spoofed, reader });
    if (report.status === 'valid') expect(report.signer?.fingerprint).toBe(world.fingerprints.mallory);
    else expect(report.status).toBe('bad-signature');
    expect(report.signer?.fingerprint === world.fingerprints.alice && report.status === 'valid').toBe(false);
  });

  it("mallory's honest signature is unknown-key (control: the forgery is the only difference)", async () => {
    const report = await verifyCommit({ repo: repo.dir, keys: [world.keysDir], rev: genuineMallory, reader });
    expect(report.status).toBe('unknown-key');
  });
});
