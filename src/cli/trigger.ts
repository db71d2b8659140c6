import type { Command } from 'commander';
import { writeErr, writeOut } from './output.js';

interface TriggerFlags {
  branch: string;
  topicArn: string;
  region?: string;
  json?: boolean;
}

/** Registers `siggate trigger PROJECT --branch B --topic-arn ARN`: what a hosted CI runs to ask for a deploy. */
export function addTriggerCommand(program: Command): void {
  program
    .command('trigger')
    .description('ask the deployer for a deploy: publish {project, branch} to its SNS topic (the deployer verifies; the CI holds no deploy credentials)')
    .argument('<project>', 'project name in the register')
    .requiredOption('--branch <branch>', 'branch to deploy')
    .requiredOption('--topic-arn <arn>', "the deployer's SNS topic")
    .option('--region <region>', 'AWS region (default: the SDK chain, or the ARN’s)')
    .option('--json', 'print {"messageId": …} on stdout')
    .action(async (project: string, flags: TriggerFlags) => {
      const { triggerMessageOf } = await import('../commands/deploy-trigger.js');
      const message = triggerMessageOf(project, flags.branch, flags.topicArn);
      const { createSnsClient, publishToTopic } = await import('../deploy/trigger-aws.js');
      const region = flags.region ?? flags.topicArn.split(':')[3];
      const messageId = await publishToTopic(createSnsClient(region ? { region } : {}), flags.topicArn, message);
      if (flags.json) await writeOut(`${JSON.stringify({ messageId, project, branch: flags.branch })}\n`);
      else await writeErr(`published a deploy request for ${project} (${flags.branch}): ${messageId}\n`);
    });
}
