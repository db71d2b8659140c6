import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { HashAlgo } from '../core/bytes.js';
import { GitError } from '../errors.js';
import { gitEnv } from './run-git.js';
import { isPlausibleRevision, type GitObject, type ObjectReader } from './object-reader.js';

interface Pending {
  resolve: (object: GitObject | null) => void;
  reject: (error: Error) => void;
}

const OBJECT_TYPES = new Set(['commit', 'tag', 'tree', 'blob']);

/** One long-lived `git cat-file --batch` process: requests are written in order and answered in order. */
export class CatFileReader implements ObjectReader {
  readonly kind = 'git' as const;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private stderr = '';
  private failure: Error | null = null;

  constructor(
    gitDir: string,
    readonly hashAlgo: HashAlgo,
  ) {
    this.child = spawn('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { env: gitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.child.on('error', (error) => this.fail(new GitError(`cannot run git cat-file: ${error.message}`, [], '', { cause: error })));
    this.child.on('close', (code) => this.fail(new GitError(`git cat-file exited with ${code}: ${this.stderr.trim()}`, ['cat-file', '--batch'], this.stderr)));
    this.child.stdin.on('error', () => {});
  }

  read(oid: string): Promise<GitObject | null> {
    return this.request(oid);
  }

  async resolve(rev: string): Promise<string | null> {
    if (!isPlausibleRevision(rev)) return null;
    const object = await this.request(rev);
    return object?.oid ?? null;
  }

  async close(): Promise<void> {
    this.failure ??= new GitError('object reader closed', [], '');
    if (this.child.exitCode === null) {
      const closed = new Promise((resolve) => this.child.once('close', resolve));
      this.child.stdin.end();
      await closed;
    }
  }

  private request(name: string): Promise<GitObject | null> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(`${name}\n`);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.pending.length > 0) {
      const newline = this.buffer.indexOf(0x0a);
      if (newline === -1) return;
      const header = this.buffer.subarray(0, newline).toString('latin1');
      const parts = header.split(' ');
      if (parts.length !== 3 || !OBJECT_TYPES.has(parts[1]!)) {
        // "<name> missing" / "<name> ambiguous" / a name git could not parse
        this.buffer = this.buffer.subarray(newline + 1);
        this.pending.shift()!.resolve(null);
        continue;
      }
      const size = Number(parts[2]);
      const end = newline + 1 + size;
      if (this.buffer.length < end + 1) return;
      const content = new Uint8Array(this.buffer.subarray(newline + 1, end));
      this.buffer = this.buffer.subarray(end + 1);
      this.pending.shift()!.resolve({ oid: parts[0]!, type: parts[1] as GitObject['type'], content });
    }
  }

  private fail(error: Error): void {
    if (this.failure && this.pending.length === 0) return;
    this.failure ??= error;
    for (const waiting of this.pending.splice(0)) waiting.reject(this.failure);
  }
}
