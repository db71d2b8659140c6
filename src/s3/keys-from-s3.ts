import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { KeyConfigError } from '../errors.js';
import { getObject, listKeys } from './objects.js';
import { isS3Uri, parseS3Uri } from './s3-uri.js';

/**
 * `--keys` entries as local paths: an `s3://BUCKET/PREFIX/` entry is copied into a private temp dir
 * (0700, files 0600) that `dispose` removes. Keys from S3 are as trustworthy as whoever can write there.
 */
export async function materializeKeys(client: S3Client, entries: readonly string[]): Promise<{ paths: string[]; dispose(): Promise<void> }> {
  const temps: string[] = [];
  const dispose = async (): Promise<void> => {
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  try {
    const paths: string[] = [];
    for (const entry of entries) {
      if (!isS3Uri(entry)) {
        paths.push(entry);
        continue;
      }
      const location = parseS3Uri(entry, '--keys', { allowPrefix: true });
      const dir = await mkdtemp(join(tmpdir(), 'siggate-s3-keys-'));
      temps.push(dir);
      const keys = location.key === '' || location.key.endsWith('/') ? (await listKeys(client, location.bucket, location.key)).filter((k) => !k.endsWith('/')) : [location.key];
      if (keys.length === 0) throw new KeyConfigError(`no key files under ${entry}`);
      for (const key of keys) {
        const relative = normalize(key.slice(location.key.endsWith('/') || location.key === '' ? location.key.length : key.lastIndexOf('/') + 1));
        if (relative.startsWith('..') || relative.startsWith('/')) throw new KeyConfigError(`refusing key object name ${key} under ${entry}`);
        const object = await getObject(client, { bucket: location.bucket, key });
        if (!object) throw new KeyConfigError(`key object s3://${location.bucket}/${key} disappeared while loading ${entry}`);
        const path = join(dir, relative);
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        await writeFile(path, object.bytes, { mode: 0o600 });
      }
      paths.push(dir);
    }
    return { paths, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
