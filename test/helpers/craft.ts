import { addSignatureHeader } from '../../fixtures/lib/git-objects.js';
import type { SignatureHeader } from '../../fixtures/lib/git-objects.js';
import type { GpgHome } from '../../fixtures/lib/gpg.js';
import type { Repo } from '../../fixtures/lib/repo.js';

/** The raw bytes of a fresh unsigned commit on HEAD, without moving HEAD: a payload to tamper with. */
export async function unsignedPayload(repo: Repo, message: string): Promise<Buffer> {
  const oid = await repo.commit({ message, update: false });
  return repo.readObject(oid);
}

/**
 * Signs `payload` exactly as given with gpg (a cryptographically valid signature over those bytes),
 * puts it in a `gpgsig` header, writes the object unchecked and returns its oid.
 */
export async function writeSignedRaw(
  repo: Repo,
  signer: { gpg: GpgHome; key: string },
  payload: Uint8Array,
  options: { header?: SignatureHeader } = {},
): Promise<string> {
  const signature = await signer.gpg.signDetached(signer.key, payload);
  return repo.writeRawCommit(addSignatureHeader(payload, signature, options));
}
