import type { Log, ResourceKind } from '../protocol/types.js';
import { checkS3, getS3, putS3, S3_OUT_PARAMS } from './s3-resource.js';
import { parseS3Request } from './s3-source.js';

/** The resource scripts in S3 mode (a `source` with `bucket`). */
export async function runS3Script(kind: ResourceKind, raw: Record<string, unknown>, dir: string | undefined, log: Log): Promise<unknown> {
  const request = parseS3Request(raw, kind === 'out' ? S3_OUT_PARAMS : []);
  if (kind === 'check') return checkS3(request, log);
  if (kind === 'in') return getS3(request, dir, log);
  return putS3(request, dir, log);
}
