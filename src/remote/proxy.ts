import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import { UsageError } from '../core/errors.js';

// One reading of HTTPS_PROXY / HTTP_PROXY / NO_PROXY for every API client siggate builds (GitHub through
// fetch, AWS through Node's agents), so both follow the variables as git and curl do. Node 20 reads none.

/** The proxy settings of the environment: lower-case variables win, as in curl and undici. */
export interface ProxySettings {
  /** For https:// targets: `https_proxy`, else `HTTPS_PROXY`, else the HTTP proxy. */
  httpsProxy: string | null;
  /** For http:// targets: `http_proxy`, else `HTTP_PROXY`. */
  httpProxy: string | null;
  /** `no_proxy`, else `NO_PROXY`: hosts (`example.com` also covers its subdomains, `.example.com` too), `host:port`, or `*`. */
  noProxy: string;
}

const pick = (env: NodeJS.ProcessEnv, name: string): string | null => env[name.toLowerCase()]?.trim() || env[name.toUpperCase()]?.trim() || null;

/** Reads the proxy variables; a proxy URL that does not parse is a usage error naming the variable (never its password). */
export function proxySettingsFrom(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const httpProxy = pick(env, 'http_proxy');
  const httpsProxy = pick(env, 'https_proxy') ?? httpProxy;
  for (const [name, value] of [['HTTPS_PROXY', httpsProxy], ['HTTP_PROXY', httpProxy]] as const) {
    if (value !== null && !URL.canParse(withScheme(value))) throw new UsageError(`${name} is not a proxy URL`);
  }
  return { httpsProxy: httpsProxy && withScheme(httpsProxy), httpProxy: httpProxy && withScheme(httpProxy), noProxy: pick(env, 'no_proxy') ?? '' };
}

/** curl takes `host:port` for `http://host:port`. */
const withScheme = (value: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);

/** The proxy for `target` (an `http:`/`https:` URL), or null when there is none or NO_PROXY names the host. */
export function proxyFor(target: URL, settings: ProxySettings): string | null {
  const proxy = target.protocol === 'https:' ? settings.httpsProxy : target.protocol === 'http:' ? settings.httpProxy : null;
  if (proxy === null || bypassesProxy(target.hostname, target.port || (target.protocol === 'https:' ? '443' : '80'), settings.noProxy)) return null;
  return proxy;
}

/** Whether NO_PROXY exempts `host` (and `port`): exact names and their subdomains, IPs exactly, `*` all. */
export function bypassesProxy(host: string, port: string, noProxy: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const [pattern, entryPort] = bracketed ? [bracketed[1]!, bracketed[2]] : splitPort(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    const bare = pattern.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name === bare || name.endsWith(`.${bare}`)) return true;
  }
  return false;
}

function splitPort(entry: string): [string, string | undefined] {
  const match = /^([^:]+):(\d+)$/.exec(entry);
  return match ? [match[1]!, match[2]] : [entry, undefined];
}

/** Whether any proxy variable is set at all (the default paths stay untouched when none is). */
export const hasProxy = (settings: ProxySettings): boolean => settings.httpsProxy !== null || settings.httpProxy !== null;

/**
 * A `fetch` that goes through the environment's proxy (CONNECT for https, NO_PROXY honoured), for Octokit's
 * `request.fetch`; undefined when no proxy is configured, so that the built-in fetch is used.
 */
export function proxiedFetch(env: NodeJS.ProcessEnv = process.env): typeof fetch | undefined {
  const settings = proxySettingsFrom(env);
  if (!hasProxy(settings)) return undefined;
  const dispatcher = new EnvHttpProxyAgent({
    ...(settings.httpProxy ? { httpProxy: settings.httpProxy } : {}),
    ...(settings.httpsProxy ? { httpsProxy: settings.httpsProxy } : {}),
    noProxy: settings.noProxy,
  });
  const proxied = (input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) => undiciFetch(input, { ...init, dispatcher });
  return proxied as unknown as typeof fetch;
}

type ConnectionCallback = (error: Error | null, socket: Duplex) => void;

/**
 * Node agents for the AWS SDK (`requestHandler: { httpAgent, httpsAgent }`, the AWS-documented way): each
 * connection asks `proxyFor` about its own host, so NO_PROXY holds per endpoint (S3, STS, SSO). Undefined
 * when no proxy is configured. The instance metadata and ECS credential endpoints build their own
 * connections and never go through these agents.
 */
export function awsProxyAgents(env: NodeJS.ProcessEnv = process.env): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } | undefined {
  const settings = proxySettingsFrom(env);
  if (!hasProxy(settings)) return undefined;
  return { httpAgent: new EnvProxyHttpAgent(settings), httpsAgent: new EnvProxyHttpsAgent(settings) };
}

/** An AWS SDK v3 client's config part for HTTPS_PROXY / HTTP_PROXY / NO_PROXY (the SDK reads none of them itself): spread it into every client's config. */
export function awsProxyConfig(env: NodeJS.ProcessEnv = process.env): { requestHandler?: { httpAgent: HttpAgent; httpsAgent: HttpsAgent } } {
  const agents = awsProxyAgents(env);
  return agents ? { requestHandler: agents } : {};
}

class EnvProxyHttpsAgent extends HttpsAgent {
  readonly #settings: ProxySettings;
  readonly #tunnels = new Map<string, HttpsProxyAgent>();
  constructor(settings: ProxySettings) {
    super({ keepAlive: true });
    this.#settings = settings;
  }
  override createConnection(options: ClientRequestArgs, callback?: ConnectionCallback): Duplex | null | undefined {
    const proxy = proxyFor(new URL(`https://${hostOf(options)}:${options.port ?? 443}`), this.#settings);
    if (proxy === null) return super.createConnection(options, callback);
    let tunnel = this.#tunnels.get(proxy);
    if (!tunnel) this.#tunnels.set(proxy, (tunnel = new HttpsProxyAgent({ proxy })));
    return tunnel.createConnection(options, callback);
  }
}

class EnvProxyHttpAgent extends HttpAgent {
  readonly #settings: ProxySettings;
  readonly #tunnels = new Map<string, HttpProxyAgent>();
  constructor(settings: ProxySettings) {
    super({ keepAlive: true });
    this.#settings = settings;
  }
  override createConnection(options: ClientRequestArgs, callback?: ConnectionCallback): Duplex | null | undefined {
    const proxy = proxyFor(new URL(`http://${hostOf(options)}:${options.port ?? 80}`), this.#settings);
    if (proxy === null) return super.createConnection(options, callback);
    let tunnel = this.#tunnels.get(proxy);
    if (!tunnel) this.#tunnels.set(proxy, (tunnel = new HttpProxyAgent({ proxy })));
    return tunnel.createConnection(options, callback);
  }
}

function hostOf(options: ClientRequestArgs): string {
  const host = options.hostname ?? options.host ?? 'localhost';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
