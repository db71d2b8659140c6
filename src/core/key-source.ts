/** Key material as data: a file's bytes, an inline key from a pipeline's JSON, an object from S3. */
export interface KeySource {
  /** Named in every message about it: a path, `source.commit_verification_keys[0]`, `s3://…`. */
  name: string;
  bytes: Uint8Array;
  /** `allowed-signers`: an OpenSSH allowed_signers file; `auto` (default): told apart by content. */
  kind?: 'allowed-signers' | 'auto';
}

/** A `--keys` entry: a path (a file, a directory, or an `s3://` prefix), or key material itself. */
export type KeyRef = string | KeySource;

/** A secret key to sign with: a file's path (`--key FILE`), or the armored key itself (a pipeline's credential). */
export type SigningKeyRef = string | { name: string; armored: string };
