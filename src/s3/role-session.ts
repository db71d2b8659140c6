import { RemoteError, SiggateError, UsageError } from '../core/errors.js';
import type { S3AccessOptions } from './access.js';

/** STS's limit for a session assumed with a role's own credentials ("role chaining"), whatever the role allows. */
export const ROLE_CHAINING_MAX_DURATION = 3600;

/** Credentials as the SDK resolves them; `$source` records which provider gave them. */
interface ResolvedCredentials {
  accessKeyId: string;
  $source?: object;
}
/** A credential provider, as `fromNodeProviderChain()` returns one. */
type Provider<C extends ResolvedCredentials, P> = (identityProperties?: P) => Promise<C>;
type Env = Record<string, string | undefined>;

/** `--role-duration` above one hour asked by a caller that is itself a role: STS would refuse it (exit 2). */
const roleChainingError = (duration: number, caller: string): UsageError =>
  new UsageError(
    `--role-duration ${duration} is over ${ROLE_CHAINING_MAX_DURATION} s, but the credentials siggate starts from are ${caller}: ` +
      `STS limits a role assumed by another role to ${ROLE_CHAINING_MAX_DURATION} s (role chaining). Use --role-duration ${ROLE_CHAINING_MAX_DURATION} or less, or start from an IAM user's keys`,
  );

/**
 * The role the default chain will start from, told by the environment alone (before any request): the chain takes
 * static keys (AWS_ACCESS_KEY_ID) and then a profile first, and only without them a web identity token file (EKS) or
 * the ECS container endpoint. Null when the environment does not settle it.
 */
export function roleCallerFromEnvironment(env: Env = process.env): string | null {
  if ((env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']) || env['AWS_PROFILE']) return null;
  if (env['AWS_WEB_IDENTITY_TOKEN_FILE']) return 'a web identity role (AWS_WEB_IDENTITY_TOKEN_FILE, e.g. an EKS service account)';
  if (env['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'] || env['AWS_CONTAINER_CREDENTIALS_FULL_URI']) return 'an ECS task role (AWS_CONTAINER_CREDENTIALS_*)';
  return null;
}

/**
 * The role resolved credentials belong to, from the SDK's record of their provider (`$source`): web identity, ECS,
 * SSO, a profile's role_arn, or none at all, which in the default chain is the last link, EC2 instance metadata.
 * Null for static keys (environment, profile, credential_process): those may be a user's.
 */
export function roleCallerOf(credentials: ResolvedCredentials, env: Env = process.env): string | null {
  const sources = Object.keys(credentials.$source ?? {});
  if (sources.some((s) => s.includes('WEB_ID'))) return 'a web identity role (e.g. an EKS service account)';
  if (sources.includes('CREDENTIALS_HTTP')) return 'an ECS task role';
  if (sources.some((s) => s.includes('SSO'))) return 'an IAM Identity Center (SSO) role';
  if (sources.some((s) => s === 'CREDENTIALS_PROFILE_SOURCE_PROFILE' || s.startsWith('CREDENTIALS_STS_ASSUME_ROLE'))) return "a profile's role (role_arn)";
  if (sources.length > 0) return null;
  // an SDK release that records no source: static keys or a profile would have come first
  if ((env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY']) || env['AWS_PROFILE']) return null;
  return roleCallerFromEnvironment(env) ?? 'an EC2 instance profile (instance metadata)';
}

/** Refuses a chained session over an hour before STS is asked: from the environment now, from the credentials when resolved. */
export function guardRoleChaining<C extends ResolvedCredentials, P>(base: Provider<C, P>, options: S3AccessOptions): Provider<C, P> {
  const duration = options.roleDuration ?? ROLE_CHAINING_MAX_DURATION;
  if (duration <= ROLE_CHAINING_MAX_DURATION) return base;
  const known = roleCallerFromEnvironment();
  if (known) throw roleChainingError(duration, known);
  return async (identityProperties) => {
    const credentials = await base(identityProperties);
    const caller = roleCallerOf(credentials);
    if (caller) throw roleChainingError(duration, caller);
    return credentials;
  };
}

/** STS failing AssumeRole, said as such (exit 3) rather than as an S3 refusal. */
export function reportStsFailure<C extends ResolvedCredentials, P>(provider: Provider<C, P>, options: S3AccessOptions): Provider<C, P> {
  return async (identityProperties) => {
    try {
      return await provider(identityProperties);
    } catch (error) {
      if (error instanceof SiggateError || isMissingCredentials(error)) throw error;
      const name = error instanceof Error ? error.name : 'Error';
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const message = error instanceof Error ? error.message.split('\n')[0]!.trim() : String(error);
      throw new RemoteError(
        `STS refused to assume ${options.roleArn} for ${options.roleDuration ?? ROLE_CHAINING_MAX_DURATION} s (${name}${status ? ` ${status}` : ''}${message ? `: ${message}` : ''}): check the role's trust policy, its maximum session duration and the caller's sts:AssumeRole permission`,
        { cause: error },
      );
    }
  };
}

const isMissingCredentials = (error: unknown): boolean => error instanceof Error && error.name === 'CredentialsProviderError';
