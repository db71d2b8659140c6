// Stand-ins for the AWS services around S3 that the artifact gate meets, on 127.0.0.1, for the real SDK v3 clients: the
// EC2 instance metadata service (IMDSv2; nothing else serves it here) and an STS AssumeRole that records exactly what it
// was asked (RGW's real STS, used by the credential tests, does not say). S3 itself is the real RGW (rgw.ts).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AwsCredentials { accessKeyId: string; secretAccessKey: string; sessionToken: string }

/**
 * Empties the SDK's view of the environment for one test and returns the function that puts `process.env` back: every
 * AWS_* variable goes, the shared config and credentials files point at paths that do not exist (so ~/.aws is not
 * read), then `vars` are set. Also silences the SDK's one-time NodeVersionSupportWarning (Node < 22) on stderr.
 */
export function isolateAwsEnv(vars: Record<string, string> = {}): () => void {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  const nowhere = join(tmpdir(), `siggate-no-aws-${randomBytes(6).toString('hex')}`);
  Object.assign(process.env, {
    AWS_CONFIG_FILE: join(nowhere, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(nowhere, 'credentials'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...vars,
  });
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}

/** 'http://127.0.0.1:PORT' with nothing listening: connections are refused at once. */
export async function unusedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface ImdsRequest {
  method: string;
  path: string;
  /** The `x-aws-ec2-metadata-token` header sent, if any. */
  token: string | null;
  status: number;
}

/**
 * IMDSv2 as @smithy/credential-provider-imds 4.5.2 (SDK 3.1169.0) uses it: PUT /latest/api/token (TTL header
 * '21600'), then GET /latest/meta-data/iam/security-credentials/ and .../<role> with the token. It never asks for the
 * 'security-credentials-extended' paths. When the token PUT fails other than 400 it falls back to the same GETs without
 * a token (IMDSv1), which this fake answers 401. Clients without a region also GET /latest/meta-data/placement/region.
 */
export interface FakeImds {
  /** 'http://127.0.0.1:PORT', for AWS_EC2_METADATA_SERVICE_ENDPOINT. */
  endpoint: string;
  roleName: string;
  /** What the role's credentials document holds; replace it to rotate. */
  credentials: AwsCredentials & { expiration?: Date };
  requests: ImdsRequest[];
  /** Tokens issued by PUT /latest/api/token, in order. */
  tokens: string[];
  /** While true, requests are accepted and never answered: a metadata service that hangs. */
  stall: boolean;
  close(): Promise<void>;
}

const IMDS_CREDENTIALS = '/latest/meta-data/iam/security-credentials/';

/** Starts the fake IMDS on an ephemeral loopback port; `region` (default 'us-east-1') is what placement/region says. */
export async function startImds(options: { roleName: string; credentials: AwsCredentials & { expiration?: Date }; region?: string }): Promise<FakeImds> {
  const tokens = new Map<string, number>();
  const region = options.region ?? 'us-east-1';

  function answer(req: IncomingMessage): { status: number; type?: string; body: string } {
    const path = new URL(req.url ?? '/', 'http://imds').pathname;
    if (req.method === 'PUT' && path === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return { status: 400, body: 'Bad Request' };
      const token = randomBytes(32).toString('base64');
      tokens.set(token, Date.now() + ttl * 1000);
      imds.tokens.push(token);
      return { status: 200, body: token };
    }
    if (req.method !== 'GET') return { status: 405, body: 'Method Not Allowed' };
    // IMDSv2 only, as on an instance with HttpTokens=required: no valid token, no metadata.
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (typeof token !== 'string' || (tokens.get(token) ?? 0) < Date.now()) return { status: 401, body: 'Unauthorized' };
    if (path === IMDS_CREDENTIALS) return { status: 200, body: imds.roleName };
    if (path === `${IMDS_CREDENTIALS}${imds.roleName}`) {
      const c = imds.credentials;
      const document = {
        Code: 'Success',
        LastUpdated: isoSeconds(new Date()),
        Type: 'AWS-HMAC',
        AccessKeyId: c.accessKeyId,
        SecretAccessKey: c.secretAccessKey,
        Token: c.sessionToken,
        Expiration: isoSeconds(c.expiration ?? new Date(Date.now() + 6 * 3600_000)),
      };
      return { status: 200, type: 'application/json', body: JSON.stringify(document, null, 2) };
    }
    if (path === '/latest/meta-data/placement/region') return { status: 200, body: region };
    return { status: 404, body: 'Not Found' };
  }

  const server = createServer((req, res) => {
    const token = req.headers['x-aws-ec2-metadata-token'];
    const entry: ImdsRequest = { method: req.method ?? 'GET', path: req.url ?? '/', token: typeof token === 'string' ? token : null, status: 0 };
    imds.requests.push(entry);
    req.resume();
    if (imds.stall) return;
    const { status, type, body } = answer(req);
    entry.status = status;
    res.writeHead(status, { 'content-type': type ?? 'text/plain', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  });
  // One object, read by the handler above: what a test changes on it (stall, credentials) takes effect.
  const imds: FakeImds = { ...(await listen(server)), roleName: options.roleName, credentials: options.credentials, requests: [], tokens: [], stall: false };
  return imds;
}

/** The record of one AssumeRole call. */
export interface StsCall {
  roleArn: string;
  roleSessionName: string;
  durationSeconds: number | null;
  /** From the Authorization header's `Credential=`: the identity that asked. */
  callerAccessKeyId: string | null;
}
export interface StsError { status: number; code: string; message: string }

/**
 * STS as the SDK's STS client (3.1169.0 and the 3.998 nested client that `fromTemporaryCredentials` uses) calls it: the
 * awsQuery protocol, `POST /` with `content-type: application/x-www-form-urlencoded`, no X-Amz-Target, body
 * `Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…&DurationSeconds=…`, SigV4 with service 'sts'.
 */
export interface FakeSts {
  endpoint: string;
  /** What AssumeRole hands out. */
  credentials: AwsCredentials;
  /** Successful and refused AssumeRole calls alike. */
  calls: StsCall[];
  /** Every request, with the headers that tell the protocol apart. */
  requests: { method: string; path: string; contentType: string | null; amzTarget: string | null; body: string }[];
  /** Answers the next AssumeRole call with this STS error, then clears. The SDK retries 5xx and throttling. */
  assumeRoleError: StsError | null;
  close(): Promise<void>;
}

/**
 * Starts the fake STS on an ephemeral loopback port. Any signed caller may assume any well-formed role ARN; the
 * credentials expire at `expiration`, by default DurationSeconds (3600 when absent) from the call.
 */
export async function startSts(options: { credentials: AwsCredentials; expiration?: Date; assumeRoleError?: StsError }): Promise<FakeSts> {

  function answer(req: IncomingMessage, body: string): { status: number; xml: string } {
    const params = new URLSearchParams(body);
    if (req.method !== 'POST' || !/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] ?? '')) return stsError({ status: 400, code: 'InvalidAction', message: 'Only the awsQuery protocol is served' });
    const caller = /Credential=([^/,\s]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? null;
    if (caller === null) return stsError({ status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' });
    if (params.get('Action') !== 'AssumeRole' || params.get('Version') !== '2011-06-15') return stsError({ status: 400, code: 'InvalidAction', message: `Could not find operation ${params.get('Action')} for version ${params.get('Version')}` });
    const duration = params.get('DurationSeconds');
    const call: StsCall = { roleArn: params.get('RoleArn') ?? '', roleSessionName: params.get('RoleSessionName') ?? '', durationSeconds: duration === null ? null : Number(duration), callerAccessKeyId: caller };
    sts.calls.push(call);
    const error = sts.assumeRoleError;
    if (error) {
      sts.assumeRoleError = null;
      return stsError(error);
    }
    if (call.durationSeconds !== null && !(call.durationSeconds >= 900 && call.durationSeconds <= 43200)) {
      return stsError({ status: 400, code: 'ValidationError', message: `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200` });
    }
    const role = /^arn:([\w-]+):iam::(\d+):role\/(?:.*\/)?([^/]+)$/.exec(call.roleArn);
    if (!role || !/^[\w+=,.@-]{2,64}$/.test(call.roleSessionName)) return stsError({ status: 400, code: 'ValidationError', message: 'RoleArn or RoleSessionName is invalid' });
    const [, partition, account, roleName] = role;
    const expiration = options.expiration ?? new Date(Date.now() + (call.durationSeconds ?? 3600) * 1000);
    const c = sts.credentials;
    return {
      status: 200,
      xml: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${xml(c.accessKeyId)}</AccessKeyId>
      <SecretAccessKey>${xml(c.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${xml(c.sessionToken)}</SessionToken>
      <Expiration>${expiration.toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:${partition}:sts::${account}:assumed-role/${xml(roleName ?? '')}/${xml(call.roleSessionName)}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xml(call.roleSessionName)}</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${requestId()}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`,
    };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = req.headers['x-amz-target'];
      sts.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', contentType: req.headers['content-type'] ?? null, amzTarget: typeof target === 'string' ? target : null, body });
      const { status, xml: text } = answer(req, body);
      res.writeHead(status, { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(text)), 'x-amzn-requestid': requestId() });
      res.end(text);
    });
  });
  // One object, read by the handler above: an `assumeRoleError` a test sets takes effect.
  const sts: FakeSts = { ...(await listen(server)), credentials: options.credentials, calls: [], requests: [], assumeRoleError: options.assumeRoleError ?? null };
  return sts;
}

function stsError(error: StsError): { status: number; xml: string } {
  return {
    status: error.status,
    xml: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>
    <Code>${xml(error.code)}</Code>
    <Message>${xml(error.message)}</Message>
  </Error>
  <RequestId>${requestId()}</RequestId>
</ErrorResponse>
`,
  };
}

async function listen(server: Server): Promise<{ endpoint: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** '2024-05-01T12:00:00Z', the form IMDS writes. */
const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
const requestId = (): string => randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
const xml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
