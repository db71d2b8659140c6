import { spawn } from 'node:child_process';
import { SigningError } from '../core/errors.js';
import { signDetached } from './key-file.js';
import type { ObjectSigner } from './signer.js';

/**
 * A detached signature over arbitrary bytes (an artifact), made the way git would make it with the same
 * configuration: `gpg -bsau KEY` for OpenPGP, `ssh-keygen -Y sign -n NAMESPACE -f KEY` for SSH; or by
 * openpgp.js with `--key FILE`.
 */
export async function signBytes(signer: ObjectSigner, bytes: Uint8Array, namespace: string, at: Date): Promise<Uint8Array> {
  if (signer.kind === 'key') return new TextEncoder().encode(await signDetached(signer.key, bytes, at));
  const config = configOf(signer.config);
  if (signer.format === 'ssh') {
    const key = signer.signingKey;
    if (!key || key.startsWith('key::') || key.startsWith('ssh-')) {
      throw new SigningError('SSH signing of files needs user.signingkey to be a private key file path (or pass --key FILE)');
    }
    return runSigner(config.get('gpg.ssh.program') ?? 'ssh-keygen', ['-Y', 'sign', '-n', namespace, '-f', key], bytes);
  }
  if (signer.format !== 'openpgp') throw new SigningError(`gpg.format ${signer.format} cannot sign files here; use openpgp, ssh or --key FILE`);
  const program = config.get('gpg.openpgp.program') ?? config.get('gpg.program') ?? 'gpg';
  const user = signer.signingKey ?? `${signer.identity.name} <${signer.identity.email}>`;
  return runSigner(program, ['--status-fd=2', '-bsau', user], bytes);
}

function configOf(args: readonly string[]): Map<string, string> {
  const config = new Map<string, string>();
  for (let i = 0; i + 1 < args.length; i += 2) {
    const setting = args[i + 1]!;
    const eq = setting.indexOf('=');
    if (args[i] === '-c' && eq > 0) config.set(setting.slice(0, eq), setting.slice(eq + 1));
  }
  return config;
}

function runSigner(program: string, args: readonly string[], input: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new SigningError(`cannot run ${program}: ${error.message}`, { cause: error })));
    child.on('close', (code) => {
      const signature = Buffer.concat(out);
      if (code === 0 && signature.length > 0) return resolve(signature);
      const detail = Buffer.concat(err).toString('utf8').trim().split('\n').filter((l) => !l.startsWith('[GNUPG:]')).slice(-2).join('; ');
      reject(new SigningError(`${program} could not sign: ${detail || `exit ${code}`}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
