import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { HashAlgo } from '../core/bytes.js';
import { GitError } from '../core/errors.js';
import { spawnGit } from './run-git.js';
import { isPlausibleRevision, type GitObject, type ObjectReader } from './object-reader.js';
import type { HistoryOverrides } from './overrides.js';

interface Pending {
  resolve: (object: GitObject | null) => void;
  reject: (error: Error) => void;
}

const OBJECT_TYPES = new Set(['commit', 'tag', 'tree', 'blob']);
/** How many objects may be read ahead of the caller: enough to keep git busy, few enough to bound memory. */
const READ_AHEAD = 256;

/**
 * One long-lived `git cat-file --batch` process. Requests are written in order and answered in order;
 * requests made in the same tick go out in one write, and `prefetch` keeps a bounded window in flight
 * so that a walk over a long history never waits on one round trip per commit.
 */
export class CatFileReader implements ObjectReader {
  readonly kind = 'git' as const;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Pending[] = [];
  private outgoing: string[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private stderr = '';
  private failure: Error | null = null;
  private readonly ahead: string[] = [];
  private aheadIndex = 0;
  private readonly awaitingRead = new Set<string>();
  private readonly readyAhead = new Map<string, Promise<GitObject | null>>();

  /**
   * `at` is the repository's git dir, or `{ cwd }`: git finds the repository from that directory as the
   * `git rev-parse` that says what it is (run meanwhile) does, and {@link located} then records the answer.
   */
  constructor(
    at: string | { cwd: string },
    public hashAlgo: HashAlgo = 'sha1',
    public overrides: HistoryOverrides = { replaceRefs: [], graftFile: null, shallow: false },
  ) {
    this.gitDir = typeof at === 'string' ? at : '';
    this.child = typeof at === 'string' ? spawnGit(['--git-dir', at, 'cat-file', '--batch']) : spawnGit(['cat-file', '--batch'], { cwd: at.cwd });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.child.on('error', (error) => this.fail(new GitError(`cannot run git cat-file: ${error.message}`, [], '', { cause: error })));
    this.child.on('close', (code) => this.fail(new GitError(`git cat-file exited with ${code}: ${this.stderr.trim()}`, ['cat-file', '--batch'], this.stderr)));
    this.child.stdin.on('error', () => {});
  }

  gitDir: string;

  /** What `git rev-parse` said of the repository this reader (started with a `cwd`) reads. */
  located(gitDir: string, hashAlgo: HashAlgo, overrides: HistoryOverrides): this {
    this.gitDir = gitDir;
    this.hashAlgo = hashAlgo;
    this.overrides = overrides;
    return this;
  }

  read(oid: string): Promise<GitObject | null> {
    const ready = this.readyAhead.get(oid);
    if (ready) {
      this.readyAhead.delete(oid);
      this.pumpAhead();
      return ready;
    }
    this.awaitingRead.delete(oid);
    // The caller left the hinted order: drop the oldest read-ahead so the window keeps moving.
    if (this.readyAhead.size >= READ_AHEAD) this.readyAhead.delete(this.readyAhead.keys().next().value!);
    return this.request(oid);
  }

  async resolve(rev: string): Promise<string | null> {
    if (!isPlausibleRevision(rev)) return null;
    const object = await this.request(rev);
    return object?.oid ?? null;
  }

  prefetch(oids: readonly string[]): void {
    for (const oid of oids) {
      if (this.awaitingRead.has(oid) || this.readyAhead.has(oid)) continue;
      this.ahead.push(oid);
      this.awaitingRead.add(oid);
    }
    this.pumpAhead();
  }

  async close(): Promise<void> {
    this.failure ??= new GitError('object reader closed', [], '');
    if (this.child.exitCode === null) {
      const closed = new Promise((resolve) => this.child.once('close', resolve));
      this.child.stdin.end();
      await closed;
    }
  }

  private pumpAhead(): void {
    // refill in bulk once half the window is used: one write for many requests
    if (this.readyAhead.size > READ_AHEAD / 2) return;
    while (this.readyAhead.size < READ_AHEAD && this.aheadIndex < this.ahead.length) {
      const oid = this.ahead[this.aheadIndex++]!;
      if (!this.awaitingRead.delete(oid)) continue;
      const result = this.request(oid);
      result.catch(() => {});
      this.readyAhead.set(oid, result);
    }
    if (this.aheadIndex === this.ahead.length && this.aheadIndex > 0) {
      this.ahead.length = 0;
      this.aheadIndex = 0;
    }
  }

  private request(name: string): Promise<GitObject | null> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      if (this.outgoing.push(name) === 1) queueMicrotask(() => this.flush());
    });
  }

  private flush(): void {
    const lines = this.outgoing;
    this.outgoing = [];
    if (lines.length > 0 && !this.failure) this.child.stdin.write(lines.join('\n') + '\n');
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    let buffer = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    let offset = 0;
    while (this.pending.length > 0) {
      const consumed = this.parseOne(buffer, offset);
      if (consumed === 0) break;
      offset += consumed;
    }
    buffer = buffer.subarray(offset);
    this.chunks = buffer.length > 0 ? [buffer] : [];
    this.buffered = buffer.length;
  }

  /** Parse one answer at `offset`; returns the bytes it took, or 0 when it is not complete yet. */
  private parseOne(buffer: Buffer, offset: number): number {
    const newline = buffer.indexOf(0x0a, offset);
    if (newline === -1) return 0;
    const parts = buffer.toString('latin1', offset, newline).split(' ');
    if (parts.length !== 3 || !OBJECT_TYPES.has(parts[1]!)) {
      // "<name> missing" / "<name> ambiguous" / a name git could not parse
      this.pending.shift()!.resolve(null);
      return newline + 1 - offset;
    }
    const end = newline + 1 + Number(parts[2]);
    if (buffer.length < end + 1) return 0;
    const content = new Uint8Array(buffer.subarray(newline + 1, end));
    this.pending.shift()!.resolve({ oid: parts[0]!, type: parts[1] as GitObject['type'], content });
    return end + 1 - offset;
  }

  private fail(error: Error): void {
    if (this.failure && this.pending.length === 0) return;
    this.failure ??= error;
    for (const waiting of this.pending.splice(0)) waiting.reject(this.failure);
  }
}
