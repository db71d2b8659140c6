// The packed type declarations, as a strict TypeScript consumer compiles them: without skipLibCheck.
import { execFile } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../fixtures/lib/temp.js';
import { npmPack, PROJECT_ROOT } from '../helpers/npm-pack.js';
import { useFixtureCleanup } from '../helpers/world.js';

useFixtureCleanup();

const run = promisify(execFile);

/** A library user's file: imports every export of 'siggate' and uses it as the README shows. */
const CONSUMER = `
import {
  verifyRange, verifyCommit, verifyTag, listKeys, fetchVerified, runResource, mergeSign, s3Get, s3Verify, s3Put, promote,
  awsProxyAgents, proxiedFetch,
  SiggateError, UsageError, KeyConfigError, RepositoryError, GitError, RemoteError, GateClosedError, SigningError, exitCodeFor,
  type KeySummary, type FetchOptions, type FetchResult, type ResourceDeps, type ResourceIo, type ResourceKind,
  type MergeSignOptions, type MergeSignResult, type MergeSignStatus, type MergeCheck,
  type S3VerifyOptions, type ArtifactReport, type ArtifactStatus, type S3PutOptions, type PutReport,
  type PromoteOptions, type PromoteResult, type PromoteStatus, type PromotionNaming,
  type Verdict, type VerdictStatus, type SignatureFormat, type Signer,
  type CommitReport, type RangeMode, type RangeReport, type RangeStatus, type TagReport,
  type GateOptions, type RangeOptions, type KeyRef, type KeySource, type ReaderKind, type VerifyOptions, type VerifyRangeOptions,
  type S3AccessOptions, type S3ClientLike, type RemoteAuth, type SigningKeyRef,
  deploy, handleDeployTrigger, deployTriggerHandler, fileRegister, localState, RegisterError,
  type DeployOptions, type DeployResult, type RoleRequest, type CommandCredentials, type DeployRecord, type RegisterSource,
  type SecretResolver, type StateStore, type DeployTriggerOptions, type DeployTriggerResult, type SnsEvent,
  showPolicy, type PolicyEntry, type PolicyReport, type PolicyShowOptions, type PolicyKind,
  showSequoiaPolicy, type SequoiaPolicyEntry, type SequoiaPolicyReport, type SequoiaPolicyShowOptions,
} from 'siggate';

const inline: KeySource = { name: 'deploy.asc', bytes: new Uint8Array([1, 2, 3]) };
const keys: KeyRef[] = ['./keys', inline];
const gate: GateOptions = { keys, allow: [], ignoreExpiry: false, now: new Date(), onWarning: (message: string) => console.warn(message) };
const mode: RangeMode = 'first-parent';
const range: RangeOptions = { since: 'v1.0', mode, allowRewind: false };
const reader: ReaderKind = 'git';
const base: VerifyOptions = { ...gate, repo: '.', reader };
const options: VerifyRangeOptions = { ...base, ...range, target: 'HEAD', onProgress: (done: number, total: number | null) => void [done, total] };
const access: S3AccessOptions = { region: 'eu-west-1', endpoint: null, forcePathStyle: false, maxAttempts: 3 };
/** Stands for the caller's own \`new S3Client(…)\`. */
const client: S3ClientLike = { send: async (command: object) => ({ command }) };
/** HTTPS_PROXY / NO_PROXY for the caller's own clients: \`new S3Client({ requestHandler: agents })\`, Octokit's \`request.fetch\`. */
const agents = awsProxyAgents(process.env);
const proxied: typeof fetch | undefined = proxiedFetch(process.env);
void [agents?.httpsAgent, proxied];
const signingKey: SigningKeyRef = { name: 'release-key', armored: '-----BEGIN PGP PRIVATE KEY BLOCK-----' };
const auth: RemoteAuth = { token: 'token' };
const naming: PromotionNaming = { kind: 'prefix', from: 'staging-', to: 'prod-' };

const policy: PolicyKind = 'guix';
const channel: RangeOptions = { policy, since: '897c1a470da759236cc11798f4e0a5f7d4d59fbc', introSigner: '2A39 3FFF 68F4 EF7A 3D29  12AF 6F51 20A0 22FB B2D5', keyringRef: 'keyring' };

export async function authorizations(): Promise<string[]> {
  const shown: PolicyShowOptions = { repo: '.', rev: 'HEAD', policy, since: String(channel.since) };
  const report: PolicyReport = await showPolicy(shown);
  return report.entries.map((entry: PolicyEntry) => \`\${entry.fingerprint} \${entry.since}\`);
}

export async function sequoiaEntities(): Promise<string[]> {
  const sequoia: RangeOptions = { policy: 'sequoia', since: 'e582b07e73f9376be102df97d46a70282763fe32' };
  const shown: SequoiaPolicyShowOptions = { repo: '.', rev: 'HEAD' };
  const report: SequoiaPolicyReport = await showSequoiaPolicy(shown);
  return report.entries.map((entry: SequoiaPolicyEntry) => \`\${entry.name} \${entry.rights.join(',')} \${String(sequoia.since)}\`);
}

export function describeVerdict(verdict: Verdict): string {
  const status: VerdictStatus = verdict.status;
  const format: SignatureFormat = verdict.format;
  const signer: Signer | null = verdict.signer;
  return [status, format, signer?.fingerprint ?? 'nobody', verdict.signedAt?.toISOString() ?? ''].join(' ');
}

function describeRange(report: RangeReport): string {
  const status: RangeStatus = report.status;
  const first: CommitReport | undefined = report.commits[0];
  return \`\${status} \${report.checked}/\${report.failed} \${first?.oid ?? ''}\`;
}

export async function library(): Promise<string[]> {
  const lines: string[] = [];
  lines.push(describeRange(await verifyRange(options)));
  const commit: CommitReport = await verifyCommit({ ...base, rev: 'HEAD' });
  const tag: TagReport = await verifyTag({ ...base, tag: 'v1.0' });
  const summaries: KeySummary[] = await listKeys({ keys });
  const fetchOptions: FetchOptions = { ...gate, ...range, url: 'https://example.test/repo.git', into: 'checkout', auth };
  const fetched: FetchResult = await fetchVerified(fetchOptions);
  const io: ResourceIo = { stdout: (text: string) => void text, stderr: (text: string) => void text };
  const deps: ResourceDeps = { cacheDir: '/tmp/siggate' };
  const kind: ResourceKind = 'check';
  const code: number = await runResource(kind, [], '{}', io, deps);
  const mergeOptions: MergeSignOptions = { ...gate, pr: 42, token: 'token', keyFile: signingKey };
  const merged: MergeSignResult = await mergeSign(mergeOptions);
  const mergeStatus: MergeSignStatus = merged.status;
  const checks: MergeCheck[] = merged.checks;
  const verifyOptions: S3VerifyOptions = { ...gate, ...access, object: 's3://bucket/app.tgz' };
  const artifact: ArtifactReport = await s3Verify(verifyOptions);
  const artifactStatus: ArtifactStatus = (await s3Get({ ...verifyOptions, out: 'app.tgz' })).status;
  const putOptions: S3PutOptions = { ...gate, ...access, client, file: 'app.tgz', object: 's3://bucket/app.tgz', keyFile: signingKey };
  const put: PutReport = await s3Put(putOptions);
  const promoteOptions: PromoteOptions = { ...options, naming, push: 'origin', keyFile: 'release.asc' };
  const promoted: PromoteResult = await promote(promoteOptions);
  const promoteStatus: PromoteStatus = promoted.status;
  lines.push(commit.status, tag.status, String(summaries.length), fetched.commit, String(code), mergeStatus, String(checks.length));
  lines.push(artifact.status, artifactStatus, String(put.ok), promoteStatus);
  const register: RegisterSource = fileRegister('deploy.json');
  const state: StateStore = localState('/var/lib/siggate-deploy');
  const secrets: SecretResolver = { resolve: async (project: string, name: string) => \`\${project}/\${name}\` };
  const assumeRole = async (request: RoleRequest): Promise<CommandCredentials> => ({ accessKeyId: request.roleArn, secretAccessKey: 's', sessionToken: 't', region: null });
  const deployOptions: DeployOptions = { project: 'shop', register, state, secrets, assumeRole };
  const deployed: DeployResult = await deploy(deployOptions);
  const record: DeployRecord | null = await state.read('shop');
  const event: SnsEvent = { Records: [] };
  const triggerOptions: DeployTriggerOptions = { register, startBuild: async () => 'build-id' };
  const triggered: DeployTriggerResult = await handleDeployTrigger(event, triggerOptions);
  const viaEnvironment: DeployTriggerResult = await deployTriggerHandler(event);
  lines.push(String(deployed.deployed), record?.commit ?? '', String(triggered.started.length), String(viaEnvironment.rejected.length));
  return lines;
}

export function exitCode(error: unknown): number {
  const classes = [UsageError, KeyConfigError, RepositoryError, GitError, RemoteError, GateClosedError, SigningError, RegisterError];
  if (error instanceof SiggateError) return classes.some((kind) => error instanceof kind) ? error.exitCode : exitCodeFor(error);
  return exitCodeFor(error);
}
`;

/** The names the packed `index.d.ts` exports (its `export { … } from` and `export type { … } from` lines). */
function exportedNames(indexDts: string): string[] {
  const names: string[] = [];
  for (const [, list = ''] of indexDts.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    names.push(...list.split(',').map((name) => name.trim().replace(/^type\s+/, '')).filter(Boolean));
  }
  return names.sort();
}

/** The names a source imports from 'siggate'. */
function importedNames(source: string): string[] {
  const [, list = ''] = /import\s*\{([^}]*)\}\s*from 'siggate'/.exec(source) ?? [];
  return list.split(',').map((name) => name.trim().replace(/^type\s+/, '')).filter(Boolean).sort();
}

let consumer: string;
let siggateDir: string;
let dependencies: string[];
beforeAll(async () => {
  const dir = await makeTempDir('siggate-consumer-');
  const pack = await npmPack(['--pack-destination', dir]);
  consumer = join(dir, 'consumer');
  siggateDir = join(consumer, 'node_modules', 'siggate');
  await mkdir(siggateDir, { recursive: true });
  await run('tar', ['-xzf', join(dir, pack.filename), '-C', siggateDir, '--strip-components=1']);
  // What `npm install siggate` gives a consumer, without the network: siggate's dependencies and the
  // consumer's own @types/node, linked from this repository's node_modules (populated by `npm ci`).
  const manifest = JSON.parse(await readFile(join(siggateDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  dependencies = Object.keys(manifest.dependencies ?? {});
  for (const name of [...dependencies, '@types/node']) {
    const link = join(consumer, 'node_modules', name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(PROJECT_ROOT, 'node_modules', name), link, 'dir');
  }
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { siggate: `file:../${pack.filename}` } }));
  const compilerOptions = { strict: true, noEmit: true, skipLibCheck: false, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023'], types: ['node'] };
  await writeFile(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
  await writeFile(join(consumer, 'consumer.ts'), CONSUMER);
});

describe('the packed type declarations', () => {
  it('compile in a strict consumer without skipLibCheck, and load no dependency’s own declarations', async () => {
    const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', consumer, '--listFiles'], { maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
    );
    const diagnostics = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(diagnostics).toEqual([]);
    expect(result.code).toBe(0);
    // The public types are siggate's own (structural where a dependency's object crosses the API), so a
    // consumer's check never depends on how the dependencies' declarations compile.
    const loaded = result.stdout.split('\n').filter((line) => dependencies.some((name) => line.includes(`/node_modules/${name}/`)));
    expect(loaded).toEqual([]);
  });

  it('the consumer imports every export of the package', async () => {
    const indexDts = await readFile(join(siggateDir, 'dist', 'src', 'index.d.ts'), 'utf8');
    expect(importedNames(CONSUMER)).toEqual(exportedNames(indexDts));
  });
});
