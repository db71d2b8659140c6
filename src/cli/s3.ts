import { InvalidArgumentError, type Command } from 'commander';
import type { ArtifactReport } from '../commands/s3-artifact.js';
import type { PutReport } from '../commands/s3-put.js';
import type { S3AccessOptions } from '../s3/access.js';
import { addPolicyOptions, policyOptionsOf, type PolicyFlags } from './options.js';
import { finish } from './output.js';

interface S3Flags extends PolicyFlags {
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  roleArn?: string;
  roleSessionName: string;
  roleDuration: number;
  stsEndpoint?: string;
  namespace: string;
}

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected whole seconds');
  return Number(value);
}

/** Region, endpoint, role and namespace options of every `s3` subcommand, plus the policy options. */
function addS3Options(command: Command): Command {
  return addPolicyOptions(command)
    .option('--region <region>', 'AWS region (default: AWS_REGION or the shared config)')
    .option('--endpoint <url>', 'S3-compatible endpoint URL')
    .option('--force-path-style', 'address buckets as URL paths (most S3-compatible stores)')
    .option('--role-arn <arn>', 'assume this IAM role through STS first')
    .option('--role-session-name <name>', 'session name for --role-arn', 'siggate')
    .option('--role-duration <seconds>', 'session length for --role-arn, 900-43200 (at most 3600 when the caller is itself a role: EC2, ECS, EKS)', parseSeconds, 3600)
    .option('--sts-endpoint <url>', 'STS endpoint for --role-arn (default: the SDK\'s for the region)')
    .option('--namespace <ns>', 'SSH signature namespace (ssh-keygen -Y sign -n)', 'file');
}

function accessOf(flags: S3Flags): S3AccessOptions {
  return {
    region: flags.region ?? null,
    endpoint: flags.endpoint ?? null,
    forcePathStyle: flags.forcePathStyle ?? false,
    roleArn: flags.roleArn ?? null,
    roleSessionName: flags.roleSessionName,
    roleDuration: flags.roleDuration,
    stsEndpoint: flags.stsEndpoint ?? null,
  };
}

/** Registers `siggate s3 get|verify|put`. */
export function addS3Command(program: Command): void {
  const s3 = program.command('s3').description('move artifacts through S3 only with a detached signature by an allowed key');

  addS3Options(s3.command('verify').argument('<object>', 's3://BUCKET/KEY'))
    .description("verify an object's detached signature (KEY.sig or KEY.asc) over its exact bytes")
    .option('--signature <uri>', 's3:// URI of the signature (default KEY.sig, then KEY.asc)')
    .option('--version-id <id>', 'object version (versioned buckets)')
    .action(async (object: string, flags: S3Flags & { signature?: string; versionId?: string }) => {
      const { s3Verify } = await import('../commands/s3-artifact.js');
      const report = await s3Verify({ ...policyOptionsOf(flags), ...accessOf(flags), object, signature: flags.signature ?? null, versionId: flags.versionId ?? null, namespace: flags.namespace });
      await finish({ ok: report.ok, json: report, human: () => formatArtifact(report) }, flags.json ?? false);
    });

  addS3Options(s3.command('get').argument('<object>', 's3://BUCKET/KEY'))
    .description('download an object, verify its signature, and only then write FILE (atomically)')
    .requiredOption('--out <file>', 'where to write the verified object')
    .option('--signature <uri>', 's3:// URI of the signature (default KEY.sig, then KEY.asc)')
    .option('--version-id <id>', 'object version (versioned buckets)')
    .action(async (object: string, flags: S3Flags & { out: string; signature?: string; versionId?: string }) => {
      const { s3Get } = await import('../commands/s3-artifact.js');
      const report = await s3Get({ ...policyOptionsOf(flags), ...accessOf(flags), object, out: flags.out, signature: flags.signature ?? null, versionId: flags.versionId ?? null, namespace: flags.namespace });
      await finish({ ok: report.ok, json: report, human: () => formatArtifact(report) }, flags.json ?? false);
    });

  addS3Options(s3.command('put').argument('<file>', 'local file').argument('<object>', 's3://BUCKET/KEY'))
    .description('sign FILE (or take --signature FILE), verify the signature, and only then upload both')
    .option('--signature <file>', 'an existing detached signature of FILE (it must verify)')
    .option('--key <file>', 'sign with this armored OpenPGP secret key (passphrase: $SIGGATE_KEY_PASSPHRASE or a prompt)')
    .action(async (file: string, object: string, flags: S3Flags & { signature?: string; key?: string }) => {
      const { s3Put } = await import('../commands/s3-put.js');
      const report = await s3Put({ ...policyOptionsOf(flags), ...accessOf(flags), file, object, signatureFile: flags.signature ?? null, keyFile: flags.key ?? null, namespace: flags.namespace });
      await finish({ ok: report.ok, json: report, human: () => formatPut(report) }, flags.json ?? false);
    });
}

/** The human report of `s3 verify` / `s3 get`. */
export function formatArtifact(report: ArtifactReport): string {
  const signer = report.signer ? `${report.signer.userId ?? 'unknown'} (${report.signer.fingerprint})` : '';
  const lines = [`${report.object.uri}: ${report.status}${signer ? ` — ${signer}` : ''}`];
  if (report.signature) lines.push(`  signature ${report.signature.uri}${report.signature.versionId ? ` (version ${report.signature.versionId})` : ''}`);
  if (report.object.sha256) lines.push(`  ${report.object.size} bytes, sha256 ${report.object.sha256}`);
  if (!report.ok) {
    if (report.reason) lines.push(`  why: ${report.reason}`);
    if (report.remedy) lines.push(`  fix: ${report.remedy}`);
  }
  lines.push(report.written ? `wrote ${report.written}` : report.ok ? 'verified' : 'nothing was written');
  return `${lines.join('\n')}\n`;
}

function formatPut(report: PutReport): string {
  if (!report.ok) return `refused: ${report.reason}\n`;
  const signer = report.signer ? `${report.signer.userId ?? 'unknown'} (${report.signer.fingerprint})` : 'unknown';
  return `uploaded ${report.object?.uri} and ${report.signature?.uri}, signed by ${signer}\n`;
}
