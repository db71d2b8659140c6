import type { RemoteSpec } from '../../remote/access.js';
import type { ResourceSource } from './source.js';

/**
 * How the scripts reach the source's remote (the private key already unlocked by `prepareSource`). One
 * transport and one host-key policy for all three scripts: `private_key_user`, `forward_agent` and
 * `https_tunnel` become ssh `-o` options; a tunnel's credentials travel in proxytunnel's environment.
 */
export function remoteSpecOf(source: ResourceSource, knownHostsFile: string, sshKey: string | null = source.privateKey): RemoteSpec {
  const auth = {
    ...(source.username !== null ? { username: source.username } : {}),
    ...(source.password !== null ? { password: source.password } : {}),
  };
  const sshOptions: string[] = [];
  if (source.privateKeyUser) sshOptions.push(`User=${source.privateKeyUser}`);
  if (source.forwardAgent) sshOptions.push('ForwardAgent=yes');
  const sshEnv: Record<string, string> = {};
  const tunnel = source.httpsTunnel;
  if (tunnel) {
    sshOptions.push(`ProxyCommand=proxytunnel -q -p ${tunnel.host}:${tunnel.port} -d %h:%p`);
    if (tunnel.user) sshEnv['PROXYUSER'] = tunnel.user;
    if (tunnel.password) sshEnv['PROXYPASS'] = tunnel.password;
  }
  return { url: source.uri, auth, sshKey, knownHostsFile, skipSslVerification: source.skipSslVerification, sshOptions, sshEnv };
}

/** Everything in a source that must never reach a log line, whatever printed it. */
export function secretsOf(source: ResourceSource): string[] {
  const secrets: string[] = [];
  if (source.password) secrets.push(source.password);
  if (source.username !== null || source.password !== null) {
    secrets.push(Buffer.from(`${source.username ?? ''}:${source.password ?? ''}`).toString('base64'));
  }
  for (const key of [source.privateKey, source.signingKey, source.gitCryptKey]) if (key) secrets.push(...keyLines(key));
  for (const secret of [source.signingKeyPassphrase, source.privateKeyPassphrase, source.httpsTunnel?.password]) if (secret) secrets.push(secret);
  for (const credential of source.submoduleCredentials) {
    if (credential.kind === 'https') secrets.push(credential.password, Buffer.from(`${credential.username}:${credential.password}`).toString('base64'));
    else secrets.push(...keyLines(credential.privateKey), ...(credential.privateKeyPassphrase ? [credential.privateKeyPassphrase] : []));
  }
  return secrets.filter((s) => s.length >= 3);
}

/** The lines of a private key worth redacting (not its armor lines). */
export const keyLines = (key: string): string[] => key.split(/\s+/).filter((l) => l.length >= 16 && !l.startsWith('-----'));
