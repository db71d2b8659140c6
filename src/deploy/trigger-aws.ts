import { CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { awsFailure } from './aws-errors.js';
import type { AwsClientOptions } from './aws-clients.js';
import { awsProxyConfig } from '../remote/proxy.js';

/** Publish one SNS message; returns its MessageId. A failure is exit 3. */
export async function publishToTopic(client: SNSClient, topicArn: string, message: string): Promise<string> {
  try {
    return (await client.send(new PublishCommand({ TopicArn: topicArn, Message: message }))).MessageId ?? '';
  } catch (error) {
    throw awsFailure(`SNS Publish to ${topicArn}`, error);
  }
}

/** Start the worker's CodeBuild project with PROJECTNAME and GITBRANCH overridden, nothing else; returns the build id. */
export async function startWorkerBuild(client: CodeBuildClient, codeBuildProject: string, project: string, branch: string): Promise<string> {
  try {
    const answer = await client.send(
      new StartBuildCommand({
        projectName: codeBuildProject,
        environmentVariablesOverride: [
          { name: 'PROJECTNAME', value: project, type: 'PLAINTEXT' },
          { name: 'GITBRANCH', value: branch, type: 'PLAINTEXT' },
        ],
      }),
    );
    return answer.build?.id ?? '';
  } catch (error) {
    throw awsFailure(`CodeBuild StartBuild ${codeBuildProject}`, error);
  }
}

export function createSnsClient(options: AwsClientOptions): SNSClient {
  return new SNSClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 3, ...awsProxyConfig() });
}

export function createCodeBuildClient(options: AwsClientOptions): CodeBuildClient {
  return new CodeBuildClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 3, ...awsProxyConfig() });
}
