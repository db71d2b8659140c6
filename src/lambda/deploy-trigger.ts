/**
 * The Lambda face of the deployer: SNS messages `{project, branch}` in, CodeBuild builds of the worker out.
 * The worker gets PROJECTNAME and GITBRANCH and nothing else from the message; it reads the rest from the
 * register itself and verifies before it runs anything.
 */
import { validateTrigger, type TriggerRequest } from '../commands/deploy-trigger.js';
import { SiggateError } from '../core/errors.js';
import type { RegisterSource } from '../deploy/types.js';

/** The part of an SNS event Lambda delivers that the handler reads. */
export interface SnsEvent {
  Records?: { EventSource?: string; Sns?: { TopicArn?: string; Message?: string } }[];
}

/** Where the handler checks messages and what it starts. */
export interface DeployTriggerOptions {
  register: RegisterSource;
  /** Starts the worker build; returns its id. */
  startBuild: (request: TriggerRequest) => Promise<string>;
  /** Accept messages only from these topics (default: any topic that can invoke the function). */
  topicArns?: readonly string[];
  log?: (line: string) => void;
}

/** What the handler did with each record. */
export interface DeployTriggerResult {
  started: (TriggerRequest & { buildId: string })[];
  rejected: { index: number; code: string; reason: string }[];
}

/**
 * Handle one SNS event: each record is checked against the register (see `validateTrigger`) and, when it
 * passes, one worker build is started. A rejected record is logged and dropped (a retry would not make it
 * valid); a failure to start a build is thrown, so that Lambda retries the event.
 */
export async function handleDeployTrigger(event: SnsEvent, options: DeployTriggerOptions): Promise<DeployTriggerResult> {
  const result: DeployTriggerResult = { started: [], rejected: [] };
  const log = options.log ?? ((line: string) => console.log(line));
  for (const [index, record] of (event.Records ?? []).entries()) {
    let request: TriggerRequest;
    try {
      if (record.EventSource !== 'aws:sns' || typeof record.Sns?.Message !== 'string') throw new SiggateError('not an SNS notification');
      if (options.topicArns && !options.topicArns.includes(record.Sns.TopicArn ?? '')) throw new SiggateError('from a topic the handler does not accept');
      request = await validateTrigger(record.Sns.Message, options.register);
    } catch (error) {
      if (!(error instanceof SiggateError)) throw error;
      result.rejected.push({ index, code: error.code, reason: error.message });
      log(`siggate: rejected trigger record ${index}: ${error.message}`);
      continue;
    }
    const buildId = await options.startBuild(request);
    result.started.push({ ...request, buildId });
    log(`siggate: started ${buildId} for ${request.project} (${request.branch})`);
  }
  return result;
}

/**
 * The handler configured from the function's environment: `SIGGATE_REGISTER` (`ssm:/PATH`, or a file in the
 * bundle), `SIGGATE_CODEBUILD_PROJECT`, optional `SIGGATE_TOPIC_ARNS` (comma-separated). Export it as the
 * function's handler: `export { deployTriggerHandler as handler } from 'siggate'`.
 */
export async function deployTriggerHandler(event: SnsEvent): Promise<DeployTriggerResult> {
  const registerSource = process.env['SIGGATE_REGISTER'];
  const codeBuildProject = process.env['SIGGATE_CODEBUILD_PROJECT'];
  if (!registerSource || !codeBuildProject) throw new Error('set SIGGATE_REGISTER and SIGGATE_CODEBUILD_PROJECT');
  const [{ createSsmClient }, { ssmRegister, parseSsmPath }, { fileRegister }, { createCodeBuildClient, startWorkerBuild }] = await Promise.all([
    import('../deploy/aws-clients.js'),
    import('../deploy/register-ssm.js'),
    import('../deploy/register-file.js'),
    import('../deploy/trigger-aws.js'),
  ]);
  const register = registerSource.startsWith('ssm:') ? ssmRegister(parseSsmPath(registerSource), createSsmClient({})) : fileRegister(registerSource);
  const codeBuild = createCodeBuildClient({});
  const topics = process.env['SIGGATE_TOPIC_ARNS']?.split(',').map((arn) => arn.trim()).filter(Boolean);
  return handleDeployTrigger(event, {
    register,
    startBuild: (request) => startWorkerBuild(codeBuild, codeBuildProject, request.project, request.branch),
    ...(topics && topics.length > 0 ? { topicArns: topics } : {}),
  });
}
