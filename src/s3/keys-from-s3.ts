import type { KeySource } from '../core/key-source.js';
import { KeyConfigError } from '../core/errors.js';
import type { S3ClientLike } from './access.js';
import { asS3Client } from './client.js';
import { getObject, listObjectKeys } from './s3-objects.js';
import { parseS3Uri } from './s3-uri.js';

/**
 * The key objects under an `s3://BUCKET/PREFIX/` (or one `s3://BUCKET/KEY`) as key sources, read into
 * memory and never written anywhere. Keys in S3 are exactly as trustworthy as whoever can write there.
 */
export async function readS3KeySources(like: S3ClientLike, uri: string): Promise<KeySource[]> {
  const client = asS3Client(like);
  const location = parseS3Uri(uri, '--keys', { allowPrefix: true });
  const prefix = location.key === '' || location.key.endsWith('/');
  const keys = prefix ? (await listObjectKeys(client, location.bucket, location.key)).filter((k) => !k.endsWith('/')) : [location.key];
  if (keys.length === 0) throw new KeyConfigError(`no key files under ${uri}`);
  const sources: KeySource[] = [];
  for (const key of keys) {
    const object = await getObject(client, { bucket: location.bucket, key });
    if (!object) throw new KeyConfigError(`key object s3://${location.bucket}/${key} disappeared while loading ${uri}`);
    const name = `s3://${location.bucket}/${key}`;
    sources.push({ name, bytes: object.bytes, kind: /(^|\/)(allowed_signers|[^/]*\.allowed_signers)$/.test(key) ? 'allowed-signers' : 'auto' });
  }
  return sources;
}
