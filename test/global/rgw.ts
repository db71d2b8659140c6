// vitest globalSetup: one real S3 (Ceph RGW from Debian's packages, .ci/rgw/start-rgw.sh) for the whole run, shared by
// every test file through inject('rgw'), stopped in the teardown. Without the ceph binaries the S3 tests skip and say so
// (with CI set that is an error instead, so a green CI cannot hide it).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const SCRIPTS = join(import.meta.dirname, '..', '..', '.ci', 'rgw');
/** Users live in this tenant, so ARNs have an account as on AWS (siggate's --role-arn check wants 12 digits). */
export const RGW_TENANT = '123456789012';

export interface RgwUser {
  uid: string;
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
}
/** What start-rgw.sh prints. `endpoint` checks SigV4 exactly; `stsEndpoint` also takes STS session credentials. */
export interface RgwInfo {
  endpoint: string;
  stsEndpoint: string;
  region: string;
  tenant: string | null;
  workDir: string;
  users: Record<'admin' | 'reader' | 'writer' | 'outsider', RgwUser>;
}
declare module 'vitest' {
  export interface ProvidedContext {
    rgw: RgwInfo | null;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const haveCeph = await run('sh', ['-c', 'command -v radosgw && command -v ceph-mon && command -v ceph-osd']).then(() => true, () => false);
  if (process.env['SIGGATE_RGW'] === 'off') {
    process.stderr.write('\n*** the S3 tests are SKIPPED: SIGGATE_RGW=off ***\n\n');
    project.provide('rgw', null);
    return undefined;
  }
  if (!haveCeph) {
    const hint = 'radosgw/ceph-mon/ceph-osd are not installed (apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common)';
    if (process.env['CI']) throw new Error(hint);
    process.stderr.write(`\n*** the S3 tests are SKIPPED: ${hint} ***\n\n`);
    project.provide('rgw', null);
    return undefined;
  }
  const workDir = mkdtempSync(join(tmpdir(), 'siggate-rgw-'));
  const [port, stsPort] = [await freePort(), await freePort()];
  let stdout: string;
  try {
    ({ stdout } = await run(join(SCRIPTS, 'start-rgw.sh'), [workDir, String(port), String(stsPort)], {
      timeout: 120_000,
      // The watchdog stops the daemons if this vitest process dies without running the teardown.
      env: { ...process.env, RGW_OWNER_PID: String(process.pid), RGW_TENANT },
    }));
  } catch (error) {
    await run(join(SCRIPTS, 'stop-rgw.sh'), [workDir]).catch(() => {});
    throw new Error(`start-rgw.sh failed:\n${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
  project.provide('rgw', JSON.parse(stdout) as RgwInfo);
  return async () => {
    await run(join(SCRIPTS, 'stop-rgw.sh'), [workDir]);
  };
}
