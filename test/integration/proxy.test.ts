// HTTPS_PROXY / HTTP_PROXY / NO_PROXY through a real CONNECT proxy on loopback, for both API clients: the GitHub
// client (undici's fetch) and the AWS SDK's S3 client (Node agents), read by the one module src/remote/proxy.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { createGitHubClient } from '../../src/github/client.js';
import { bypassesProxy, proxyFor, proxySettingsFrom } from '../../src/remote/proxy.js';
import { createS3Client } from '../../src/s3/client.js';
import { startFakeGitHub, type FakeGitHub } from '../helpers/github-server.js';
import { withoutProxy } from '../helpers/merge-world.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/sshd.js';

let gh: FakeGitHub;
let proxy: ConnectProxy;
beforeEach(async () => {
  gh = await startFakeGitHub({ fullName: 'acme/deploy' });
  gh.repo.permissions.set('bob', 'write');
  proxy = await startConnectProxy({ user: 'siggate', password: 'p@ss word' });
});
afterEach(async () => {
  await gh.close();
  await proxy.close();
});

const proxyUrl = () => `http://siggate:${encodeURIComponent('p@ss word')}@127.0.0.1:${proxy.port}`;
const target = () => new URL(gh.baseUrl).host;

async function askGitHub(env: NodeJS.ProcessEnv): Promise<string> {
  const octokit = createGitHubClient({ token: gh.token, apiUrl: gh.baseUrl, retryDelaysMs: [], env: { ...withoutProxy(process.env), ...env } });
  return (await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: 'acme', repo: 'deploy', username: 'bob' })).data.permission;
}

describe('the GitHub client', () => {
  it('tunnels through HTTP_PROXY with its credentials', async () => {
    expect(await askGitHub({ HTTP_PROXY: proxyUrl() })).toBe('write');
    expect(proxy.connects).toEqual([`${target()} Basic ${Buffer.from('siggate:p@ss word').toString('base64')}`]);
  });

  it('goes direct for a host NO_PROXY names, and with no proxy variable at all (control)', async () => {
    expect(await askGitHub({ http_proxy: proxyUrl(), NO_PROXY: 'example.com, 127.0.0.1' })).toBe('write');
    expect(await askGitHub({})).toBe('write');
    expect(proxy.connects).toEqual([]);
  });

  it('a proxy that refuses the credentials fails the request (nothing goes around it)', async () => {
    const wrong = `http://siggate:nope@127.0.0.1:${proxy.port}`;
    await expect(askGitHub({ HTTP_PROXY: wrong })).rejects.toThrow();
    expect(proxy.connects).toHaveLength(1);
  });
});

describe('the AWS SDK clients', () => {
  let s3: Server;
  let hits = 0;
  const saved = { ...process.env };
  beforeEach(async () => {
    hits = 0;
    s3 = createServer((_req, res) => {
      hits += 1;
      res.writeHead(200, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets></Buckets><Owner><ID>1</ID></Owner></ListAllMyBucketsResult>');
    });
    await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
    Object.assign(process.env, withoutProxy({}), { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-east-1' });
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[name];
  });
  afterEach(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await new Promise<void>((resolve) => s3.close(() => resolve()));
  });

  const endpoint = () => `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
  const list = () => createS3Client({ endpoint: endpoint(), forcePathStyle: true, maxAttempts: 1 }).send(new ListBucketsCommand({}));

  it('S3 tunnels through HTTP_PROXY with its credentials', async () => {
    process.env.HTTP_PROXY = proxyUrl();
    await list();
    expect(hits).toBe(1);
    expect(proxy.connects).toEqual([`${new URL(endpoint()).host} Basic ${Buffer.from('siggate:p@ss word').toString('base64')}`]);
  });

  it('S3 goes direct for a host NO_PROXY names (control: it reached the endpoint all the same)', async () => {
    process.env.HTTP_PROXY = proxyUrl();
    process.env.NO_PROXY = '127.0.0.1';
    await list();
    expect([hits, proxy.connects]).toEqual([1, []]);
  });
});

describe('reading the variables', () => {
  it('lower case wins, HTTPS falls back to the HTTP proxy, a bare host:port is http://', () => {
    const settings = proxySettingsFrom({ HTTP_PROXY: 'upper:1', http_proxy: 'lower:2', NO_PROXY: 'a' });
    expect(settings).toEqual({ httpProxy: 'http://lower:2', httpsProxy: 'http://lower:2', noProxy: 'a' });
    expect(proxyFor(new URL('https://api.github.com'), proxySettingsFrom({ HTTPS_PROXY: 'http://p:3' }))).toBe('http://p:3');
    expect(proxyFor(new URL('http://api.github.com'), proxySettingsFrom({ HTTPS_PROXY: 'http://p:3' }))).toBeNull();
  });

  it('NO_PROXY: names cover their subdomains, a leading dot or *. too, ports when given, * everything; nothing else', () => {
    expect(bypassesProxy('api.github.com', '443', 'github.com')).toBe(true);
    expect(bypassesProxy('api.github.com', '443', '.github.com')).toBe(true);
    expect(bypassesProxy('api.github.com', '443', '*.github.com')).toBe(true);
    expect(bypassesProxy('github.com.evil.example', '443', 'github.com')).toBe(false);
    expect(bypassesProxy('notgithub.com', '443', 'github.com')).toBe(false);
    expect(bypassesProxy('ghe.internal', '8443', 'ghe.internal:443')).toBe(false);
    expect(bypassesProxy('ghe.internal', '443', 'ghe.internal:443')).toBe(true);
    expect(bypassesProxy('::1', '443', '[::1]')).toBe(true);
    expect(bypassesProxy('anything', '80', '*')).toBe(true);
    expect(bypassesProxy('anything', '80', '')).toBe(false);
  });
});
