import { checkBranchName, checkProjectName, parseDeployEntry, RegisterError } from '../core/deploy-entry.js';
import { UsageError } from '../core/errors.js';
import type { RegisterSource } from '../deploy/types.js';

/** What a trigger message may say: a project and a branch, nothing else. */
export interface TriggerRequest {
  project: string;
  branch: string;
}

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/** The message `siggate trigger` publishes, after checking both names (exit 2 on a bad one). */
export function triggerMessageOf(project: string, branch: string, topicArn: string): string {
  if (!SNS_TOPIC_ARN.test(topicArn)) throw new UsageError(`--topic-arn must be an SNS topic ARN, got ${JSON.stringify(topicArn)}`);
  return JSON.stringify({ project: checkProjectName(project), branch: checkBranchName(branch) });
}

/**
 * Parse and check a trigger message against the register: a JSON object with exactly `project` and `branch`
 * (anything more — a gitUrl, a command, env — is refused, never passed on), valid names, and a project whose
 * register entry exists and is well formed. Throws RegisterError (or UsageError) on anything else.
 */
export async function validateTrigger(message: string, register: RegisterSource): Promise<TriggerRequest> {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    throw new UsageError('the trigger message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError('the trigger message must be a JSON object');
  const fields = Object.keys(value);
  const extra = fields.filter((field) => field !== 'project' && field !== 'branch');
  if (extra.length > 0) throw new UsageError(`the trigger message may hold only project and branch, not ${extra.join(', ')}`);
  const { project, branch } = value as Record<string, unknown>;
  if (typeof project !== 'string' || typeof branch !== 'string') throw new UsageError('the trigger message needs project and branch as strings');
  checkProjectName(project);
  checkBranchName(branch);
  const entry = await register.readEntry(project);
  if (entry === undefined) throw new RegisterError(`project ${project} is not in the register ${register.description}`);
  parseDeployEntry(entry, project);
  return { project, branch };
}
