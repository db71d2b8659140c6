/** The three Concourse resource scripts. */
export type ResourceKind = 'check' | 'in' | 'out';

/** Logs a line to stderr (the resource's only human channel). */
export type Log = (line: string) => void;

/** Concourse metadata: name/value pairs shown in the UI. */
export type Metadata = { name: string; value: string }[];

/** What `in` and `out` print on stdout. */
export interface ResourceOutput<V> {
  version: V;
  metadata: Metadata;
}

/** What the scripts need from outside, injected (tests pass their own). */
export interface ResourceDeps {
  /** Where `check` keeps its mirrors of remotes, and ssh its known hosts. Default: `siggate-resource-cache` in the temp dir. */
  cacheDir: string;
  /**
   * The home directory the scripts may configure as git-resource does (`~/.ssh/config`, the global git
   * config for `git_config`); absent, nothing outside the cache and temp dirs is written.
   */
  home?: string;
  /** The global git config file `git_config` is applied to (git-resource: `git config --global`). */
  globalGitConfig?: string;
}
