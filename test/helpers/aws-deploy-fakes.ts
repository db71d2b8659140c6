// Fakes of the AWS services the deployer meets, on 127.0.0.1, for the real SDK v3 clients, each checking SigV4 with the
// known secret (aws-sigv4.ts): SSM and Secrets Manager and CodeBuild (awsJson1_1: POST /, X-Amz-Target, JSON), STS and
// SNS (awsQuery: form body, XML answers). They keep only what the deployer uses, answering as the services document.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSigV4, readBody } from './aws-sigv4.js';

/** An access key the fakes accept, and its secret. */
export interface FakeKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One request a fake saw, signed or not. */
export interface SeenRequest {
  target: string;
  accessKeyId: string | null;
  /** The refusal code when the signature did not check, else null. */
  refused: string | null;
  body: string;
}

export interface FakeService {
  endpoint: string;
  /** Access key id → secret: who may call. Add to it (an assumed role's keys). */
  keys: Map<string, string>;
  requests: SeenRequest[];
  close(): Promise<void>;
}

type JsonAnswer = { status: number; json: unknown };
type Handler = (operation: string, input: Record<string, unknown>, caller: string) => JsonAnswer | Promise<JsonAnswer>;

const jsonError = (status: number, type: string, message: string): JsonAnswer => ({ status, json: { __type: type, message } });

/** An awsJson1_1 service: `X-Amz-Target: PREFIX.Operation`, SigV4 with `service`. */
async function startJsonService(service: string, targetPrefix: string, keys: readonly FakeKey[], handle: Handler): Promise<FakeService> {
  const fake = await serve(keys, async (req, body, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const check = checkSigV4(req, body, service, fake.keys);
    fake.requests.push({ target, accessKeyId: check.ok ? check.accessKeyId : null, refused: check.ok ? null : check.code, body: body.toString('utf8') });
    let answer: JsonAnswer;
    if (!check.ok) answer = jsonError(check.code === 'MissingAuthenticationToken' ? 403 : 400, check.code, check.message);
    else if (req.method !== 'POST' || !target.startsWith(`${targetPrefix}.`) || req.headers['content-type'] !== 'application/x-amz-json-1.1') answer = jsonError(400, 'UnknownOperationException', '');
    else answer = await handle(target.slice(targetPrefix.length + 1), JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>, check.accessKeyId);
    const text = JSON.stringify(answer.json);
    res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId(), 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  });
  return fake;
}

async function serve(keys: readonly FakeKey[], handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<void>): Promise<FakeService> {
  const server = createServer((req, res) => {
    readBody(req).then((body) => handle(req, body, res)).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keys: new Map(keys.map((k) => [k.accessKeyId, k.secretAccessKey])),
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** SSM Parameter Store: GetParameter (WithDecryption), PutParameter (Overwrite, versions), DeleteParameter. */
export interface FakeSsm extends FakeService {
  parameters: Map<string, { value: string; type: 'String' | 'SecureString'; version: number }>;
}

export async function startSsm(keys: readonly FakeKey[]): Promise<FakeSsm> {
  const parameters: FakeSsm['parameters'] = new Map();
  const base = await startJsonService('ssm', 'AmazonSSM', keys, (operation, input) => {
    const name = String(input['Name'] ?? '');
    const found = parameters.get(name);
    switch (operation) {
      case 'GetParameter': {
        if (!found) return jsonError(400, 'ParameterNotFound', '');
        const hidden = found.type === 'SecureString' && input['WithDecryption'] !== true;
        return { status: 200, json: { Parameter: { Name: name, Type: found.type, Value: hidden ? 'AQICAH-encrypted' : found.value, Version: found.version, ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`, DataType: 'text' } } };
      }
      case 'PutParameter': {
        if (found && input['Overwrite'] !== true) return jsonError(400, 'ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
        const version = (found?.version ?? 0) + 1;
        parameters.set(name, { value: String(input['Value']), type: input['Type'] === 'SecureString' ? 'SecureString' : 'String', version });
        return { status: 200, json: { Version: version, Tier: 'Standard' } };
      }
      case 'DeleteParameter':
        if (!found) return jsonError(400, 'ParameterNotFound', '');
        parameters.delete(name);
        return { status: 200, json: {} };
      default:
        return jsonError(400, 'UnknownOperationException', operation);
    }
  });
  return Object.assign(base, { parameters });
}

/** Secrets Manager: GetSecretValue by name; `throttle` answers that many calls with ThrottlingException first. */
export interface FakeSecretsManager extends FakeService {
  secrets: Map<string, string | Uint8Array>;
  throttle: number;
}

export async function startSecretsManager(keys: readonly FakeKey[]): Promise<FakeSecretsManager> {
  // read by the handler, so that a test's `throttle = 2` takes effect
  let fake: FakeSecretsManager | undefined;
  const base = await startJsonService('secretsmanager', 'secretsmanager', keys, (operation, input) => {
    if (operation !== 'GetSecretValue') return jsonError(400, 'UnknownOperationException', operation);
    if (fake!.throttle > 0) {
      fake!.throttle -= 1;
      return jsonError(400, 'ThrottlingException', 'Rate exceeded');
    }
    const name = String(input['SecretId'] ?? '');
    const value = fake!.secrets.get(name);
    if (value === undefined) return jsonError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${randomBytes(3).toString('hex')}`;
    const payload = typeof value === 'string' ? { SecretString: value } : { SecretBinary: Buffer.from(value).toString('base64') };
    return { status: 200, json: { ARN: arn, Name: name, VersionId: randomBytes(16).toString('hex'), VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000, ...payload } };
  });
  fake = Object.assign(base, { secrets: new Map<string, string | Uint8Array>(), throttle: 0 });
  return fake;
}

/** CodeBuild: StartBuild, recorded. */
export interface FakeCodeBuild extends FakeService {
  builds: Record<string, unknown>[];
}

export async function startCodeBuild(keys: readonly FakeKey[]): Promise<FakeCodeBuild> {
  const builds: Record<string, unknown>[] = [];
  const base = await startJsonService('codebuild', 'CodeBuild_20161006', keys, (operation, input) => {
    if (operation !== 'StartBuild') return jsonError(400, 'InvalidInputException', operation);
    builds.push(input);
    const id = `${String(input['projectName'])}:${randomBytes(8).toString('hex')}`;
    return { status: 200, json: { build: { id, arn: `arn:aws:codebuild:us-east-1:123456789012:build/${id}`, buildStatus: 'IN_PROGRESS', projectName: input['projectName'] } } };
  });
  return Object.assign(base, { builds });
}

type QueryAnswer = { status: number; xml: string };
const queryError = (status: number, code: string, message: string): QueryAnswer => ({
  status,
  xml: `<ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
});

/** An awsQuery service: a form body with Action and Version, XML answers. */
async function startQueryService(service: string, version: string, keys: readonly FakeKey[], handle: (action: string, params: URLSearchParams, caller: string) => QueryAnswer): Promise<FakeService> {
  const fake = await serve(keys, async (req, body, res) => {
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action') ?? '';
    const check = checkSigV4(req, body, service, fake.keys);
    fake.requests.push({ target: action, accessKeyId: check.ok ? check.accessKeyId : null, refused: check.ok ? null : check.code, body: body.toString('utf8') });
    let answer: QueryAnswer;
    if (!check.ok) answer = queryError(403, check.code === 'UnrecognizedClientException' ? 'InvalidClientTokenId' : check.code === 'InvalidSignatureException' ? 'SignatureDoesNotMatch' : check.code, check.message);
    else if (req.method !== 'POST' || params.get('Version') !== version) answer = queryError(400, 'InvalidAction', action);
    else answer = handle(action, params, check.accessKeyId);
    res.writeHead(answer.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId(), 'content-length': String(Buffer.byteLength(answer.xml)) });
    res.end(answer.xml);
  });
  return fake;
}

/** STS AssumeRole: `refuse` names role ARNs answered AccessDenied; granted roles' keys are added to `grantTo` services. */
export interface FakeRoleSts extends FakeService {
  calls: { roleArn: string; durationSeconds: number | null; caller: string }[];
  refuse: Set<string>;
  /** The keys handed out for each role ARN. */
  issued: Map<string, FakeKey>;
}

export async function startRoleSts(keys: readonly FakeKey[], grantTo: readonly FakeService[] = []): Promise<FakeRoleSts> {
  const calls: FakeRoleSts['calls'] = [];
  const refuse = new Set<string>();
  const issued = new Map<string, FakeKey>();
  const base = await startQueryService('sts', '2011-06-15', keys, (action, params, caller) => {
    if (action !== 'AssumeRole') return queryError(400, 'InvalidAction', action);
    const roleArn = params.get('RoleArn') ?? '';
    const duration = params.get('DurationSeconds');
    calls.push({ roleArn, durationSeconds: duration === null ? null : Number(duration), caller });
    if (refuse.has(roleArn)) return queryError(403, 'AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    const key = { accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(20).toString('base64'), sessionToken: randomBytes(32).toString('base64') };
    issued.set(roleArn, key);
    for (const service of grantTo) service.keys.set(key.accessKeyId, key.secretAccessKey);
    const expiration = new Date(Date.now() + Number(duration ?? 3600) * 1000).toISOString();
    return {
      status: 200,
      xml: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${key.accessKeyId}</AccessKeyId><SecretAccessKey>${xml(key.secretAccessKey)}</SecretAccessKey><SessionToken>${xml(key.sessionToken)}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${xml(roleArn)}/siggate</Arn><AssumedRoleId>AROA0:siggate</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  });
  return Object.assign(base, { calls, refuse, issued });
}

/** SNS Publish, recorded. */
export interface FakeSns extends FakeService {
  published: { topicArn: string; message: string }[];
}

export async function startSns(keys: readonly FakeKey[]): Promise<FakeSns> {
  const published: FakeSns['published'] = [];
  const base = await startQueryService('sns', '2010-03-31', keys, (action, params) => {
    if (action !== 'Publish') return queryError(400, 'InvalidAction', action);
    const topicArn = params.get('TopicArn') ?? '';
    if (!/^arn:aws:sns:[\w-]+:\d{12}:[\w-]+$/.test(topicArn)) return queryError(400, 'InvalidParameter', 'Invalid parameter: TopicArn');
    published.push({ topicArn, message: params.get('Message') ?? '' });
    return { status: 200, xml: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${requestId()}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></PublishResponse>` };
  });
  return Object.assign(base, { published });
}

const requestId = (): string => randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
const xml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The deployer's own access key (its "instance profile"), which every fake accepts. */
export const DEPLOYER_KEY: FakeKey = { accessKeyId: 'AKIADEPLOYER0000TEST', secretAccessKey: 'deployer-secret-key-for-tests-only' };

/** SSM, Secrets Manager and STS for one test, and the environment that points the SDK at them with the deployer's key. */
export interface DeployAws {
  ssm: FakeSsm;
  secrets: FakeSecretsManager;
  sts: FakeRoleSts;
  /** AWS_* variables: the deployer's key, a region, AWS_ENDPOINT_URL_<SERVICE> for each fake. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startDeployAws(): Promise<DeployAws> {
  const [ssm, secrets] = await Promise.all([startSsm([DEPLOYER_KEY]), startSecretsManager([DEPLOYER_KEY])]);
  const sts = await startRoleSts([DEPLOYER_KEY]);
  return {
    ssm,
    secrets,
    sts,
    env: {
      AWS_ACCESS_KEY_ID: DEPLOYER_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEPLOYER_KEY.secretAccessKey,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
    },
    close: async () => void (await Promise.all([ssm.close(), secrets.close(), sts.close()])),
  };
}
