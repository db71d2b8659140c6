import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { formatRangeReport } from './format.js';
import { finish, printWarning } from './output.js';
import { collect } from './options.js';
import { registerSourceOf, secretResolverOf, stateStoreOf, roleAssumerOf } from './deploy-sources.js';

interface DeployFlags {
  branch?: string;
  register?: string;
  state?: string;
  allowRewind?: boolean;
  lockWait: number;
  secretTemplate?: string[];
  region?: string;
  s3Endpoint?: string;
  forcePathStyle?: boolean;
  json?: boolean;
}

const EXAMPLE_ENTRY = `
Register entry (a local JSON file maps project names to entries; with ssm:/PATH, the parameter
/PATH/PROJECT holds one entry):
  {
    "shop": {
      "gitUrl": "https://git.example.com/shop.git",
      "branch": "main",
      "command": ["./deploy.sh", "--prod"],
      "keys": ["keys/", "s3://trust-bucket/shop-keys/"],
      "allow": ["0123456789ABCDEF0123456789ABCDEF01234567"],
      "mode": "first-parent",
      "trustRoot": "<full commit id of the first commit to trust>",
      "authToken": "((git-token))",
      "roleArn": "arn:aws:iam::123456789012:role/shop-deploy",
      "roleDuration": 3600,
      "env": { "STAGE": "prod" },
      "secrets": { "DB_PASSWORD": "((db-password))" }
    }
  }
The command runs in the verified work tree with the branch as its first argument, never through a
shell (unless "shell": true and command is one script string). ((name)) is looked up in AWS Secrets
Manager as /siggate/PROJECT/name, then /siggate/name. A Guix channel replaces keys, allow, mode and
trustRoot by "policy": { "kind": "guix", "intro": "<full commit id>", "introSigner": "<fingerprint>" }
(optional "keyringRef"): every deploy checks from the introduction; the last deployed commit must stay
an ancestor of the tip (--allow-rewind waives that alone). A sequoia-git repository: "policy": { "kind":
"sequoia", "trustRoot": "<full commit id>" }.

Example:
  siggate deploy shop --register deploy.json --state /var/lib/siggate-deploy
`;

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400) throw new InvalidArgumentError('expected whole seconds from 0 to 86400');
  return seconds;
}

/** Default state directory: `$XDG_STATE_HOME/siggate/deploy`, else `~/.local/state/siggate/deploy`. */
function defaultStateDir(): string {
  return join(process.env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state'), 'siggate', 'deploy');
}

/** Registers `siggate deploy PROJECT`: register → fetch → verify → run, recording the deployed commit. */
export function addDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description('look a project up in a register, fetch and verify its branch since the last deploy, run its command in the verified tree, record the commit')
    .argument('[project]', 'project name in the register (default: $PROJECTNAME)')
    .option('--branch <branch>', "branch to deploy (default: $GITBRANCH, else the entry's branch)")
    .option('--register <source>', 'a JSON file, or ssm:/PATH (default: $CONFIGPATH)')
    .option('--state <source>', 'a directory, s3://BUCKET/PREFIX or ssm:/PATH (default: ~/.local/state/siggate/deploy)')
    .option('--allow-rewind', 'deploy a branch that no longer contains the last deployed commit')
    .option('--lock-wait <seconds>', 'how long to wait for another deploy of the project', parseSeconds, 600)
    .option('--secret-template <template>', 'Secrets Manager name template, {{.Project}} and {{.Secret}} (repeatable; default /siggate/{{.Project}}/{{.Secret}} then /siggate/{{.Secret}})', collect)
    .option('--region <region>', 'AWS region for SSM, Secrets Manager and STS (default: the SDK chain)')
    .option('--s3-endpoint <url>', 'an S3-compatible endpoint for s3:// state')
    .option('--force-path-style', 'path-style S3 addressing (MinIO, Ceph)')
    .option('--json', 'print the JSON report on stdout')
    .addHelpText('after', EXAMPLE_ENTRY)
    .action(async (projectArg: string | undefined, flags: DeployFlags) => {
      const project = projectArg ?? process.env['PROJECTNAME'];
      const registerArg = flags.register ?? process.env['CONFIGPATH'];
      if (!project) throw new UsageError('a project is required (argument or $PROJECTNAME)');
      if (!registerArg) throw new UsageError('a register is required (--register FILE|ssm:/PATH or $CONFIGPATH)');
      const branch = flags.branch ?? (process.env['GITBRANCH'] || undefined);
      for (const template of flags.secretTemplate ?? []) if (!template.includes('{{.Secret}}')) throw new UsageError(`--secret-template ${template} lacks {{.Secret}}`);
      const aws = { ...(flags.region ? { region: flags.region } : {}) };
      const { deploy } = await import('../commands/deploy.js');
      const result = await deploy({
        project,
        ...(branch ? { branch } : {}),
        register: await registerSourceOf(registerArg, aws),
        state: await stateStoreOf(flags.state ?? defaultStateDir(), { ...aws, ...(flags.s3Endpoint ? { s3Endpoint: flags.s3Endpoint } : {}), forcePathStyle: flags.forcePathStyle ?? false }),
        allowRewind: flags.allowRewind ?? false,
        lockWaitMs: flags.lockWait * 1000,
        secrets: secretResolverOf(flags.secretTemplate, aws),
        assumeRole: roleAssumerOf(aws),
        onWarning: printWarning,
      });
      const { report } = result;
      const json = { ...report, project: result.project, branch: result.branch, previous: result.previous, deployed: result.deployed };
      const where = result.deployed ? `deployed ${result.commit.slice(0, 12)} of ${result.project} (${result.branch})\n` : `nothing deployed; ${result.project} stays at ${result.previous?.slice(0, 12) ?? 'nothing'}\n`;
      await finish({ ok: result.deployed, json, human: () => formatRangeReport(report) + where }, flags.json ?? false);
    });
}
