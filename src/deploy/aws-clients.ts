import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { awsProxyConfig } from '../remote/proxy.js';

/** What the deployer's AWS clients share: the region (default: the SDK's chain, AWS_REGION on CodeBuild). Endpoints follow `AWS_ENDPOINT_URL_<SERVICE>`. */
export interface AwsClientOptions {
  region?: string;
}

/** SSM, for registers and state in Parameter Store: the default credential chain, the SDK's bounded retries. */
export function createSsmClient(options: AwsClientOptions): SSMClient {
  return new SSMClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 3, ...awsProxyConfig() });
}

/** Secrets Manager: one attempt per call, throttling is retried by the resolver with its own bounded waits. */
export function createSecretsManagerClient(options: AwsClientOptions): SecretsManagerClient {
  return new SecretsManagerClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 1, ...awsProxyConfig() });
}

/** STS, to assume a project's role with the deployer's own credentials. */
export function createStsClient(options: AwsClientOptions): STSClient {
  return new STSClient({ ...(options.region ? { region: options.region } : {}), maxAttempts: 3, ...awsProxyConfig() });
}

/** The region a client resolved (from the option or the SDK chain), or null when it has none. */
export async function regionOf(client: { config: { region: () => Promise<string> } }): Promise<string | null> {
  return client.config.region().then((region) => region || null, () => null);
}
