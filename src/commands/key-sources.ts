import type { S3Client } from '@aws-sdk/client-s3';
import type { KeyRef, KeySource } from '../core/key-source.js';
import { readKeyFiles } from '../files/key-files.js';

/** Where `s3://` key references are read from; default: a client from the SDK's credential chain, made on first use. */
export interface KeyReadDeps {
  s3Client?: () => S3Client | Promise<S3Client>;
}

/** Every `--keys` entry as key material: files and directories read, `s3://` prefixes downloaded, inline sources as they are. */
export async function readKeySources(refs: readonly KeyRef[], deps: KeyReadDeps = {}): Promise<KeySource[]> {
  const sources: KeySource[] = [];
  const paths: string[] = [];
  const flushPaths = async (): Promise<void> => {
    if (paths.length > 0) sources.push(...(await readKeyFiles(paths.splice(0))));
  };
  for (const ref of refs) {
    if (typeof ref !== 'string') {
      await flushPaths();
      sources.push(ref);
    } else if (ref.startsWith('s3://')) {
      await flushPaths();
      const { readS3KeySources } = await import('../s3/keys-from-s3.js');
      sources.push(...(await readS3KeySources(await s3ClientOf(deps), ref)));
    } else {
      paths.push(ref);
    }
  }
  await flushPaths();
  return sources;
}

async function s3ClientOf(deps: KeyReadDeps): Promise<S3Client> {
  if (deps.s3Client) return deps.s3Client();
  const { createS3Client } = await import('../s3/client.js');
  return createS3Client({});
}
