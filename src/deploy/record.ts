import { DeployStateError } from './errors.js';
import type { DeployRecord } from './types.js';

const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * A stored deploy record, checked: its commit becomes the next trust root, so anything but a full commit
 * id for this very project is refused (exit 3) rather than trusted or ignored — ignoring it would drop the
 * rollback protection.
 */
export function parseDeployRecord(text: string, project: string, where: string): DeployRecord {
  let value: Partial<Record<keyof DeployRecord, unknown>>;
  try {
    value = JSON.parse(text) as typeof value;
  } catch (error) {
    throw new DeployStateError(`the deploy state ${where} is not valid JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || value.project !== project || typeof value.commit !== 'string' || !OID.test(value.commit) || typeof value.branch !== 'string') {
    throw new DeployStateError(`the deploy state ${where} is not a record of ${project} with a full commit id; fix or remove it`);
  }
  return { project, branch: value.branch, commit: value.commit, deployedAt: String(value.deployedAt ?? '') };
}
