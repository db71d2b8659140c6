/** The deployer's ports: where the register, the state and the secrets live. Adapters in this folder implement them. */

/** Where project entries are read: a local JSON file, or SSM parameters. */
export interface RegisterSource {
  /** For messages: the file or `ssm:/PATH`. */
  readonly description: string;
  /** Relative paths in its entries (keys, deployDir) are relative to this directory; default: the working directory. */
  readonly baseDir?: string;
  /** The project's entry as parsed JSON, or undefined when the register has none (nothing else is read). */
  readEntry(project: string): Promise<unknown>;
}

/** The last successful deploy of a project. */
export interface DeployRecord {
  project: string;
  branch: string;
  commit: string;
  deployedAt: string;
}

/** Where deploy records live, and the per-project lock that keeps two deploys of one project apart. */
export interface StateStore {
  readonly description: string;
  read(project: string): Promise<DeployRecord | null>;
  /** Replace the record in one step (a reader sees the old one or the new one). */
  write(record: DeployRecord): Promise<void>;
  /** Run `body` holding the project's lock; a lock held elsewhere is waited for up to `waitMs`, then refused (DeployBusyError). */
  withLock<T>(project: string, waitMs: number, body: () => Promise<T>): Promise<T>;
}

/** Resolves a secret's name (from `((name))`) for a project to its plaintext value. */
export interface SecretResolver {
  resolve(project: string, name: string): Promise<string>;
}

/** Temporary credentials for the command (a role's), with the region they are for. */
export interface CommandCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  region: string | null;
}
