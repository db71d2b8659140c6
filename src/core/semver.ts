/** Semantic versions (semver.org 2.0.0) for promotion tags: parse, order, bump. */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated pre-release identifiers; empty for a release. */
  prerelease: string[];
  /** Build metadata; ignored for ordering. */
  build: string | null;
}

export type BumpLevel = 'major' | 'minor' | 'patch';

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** The version `text` spells, or null when it is not exactly a semantic version. */
export function parseSemVer(text: string): SemVer | null {
  const match = SEMVER.exec(text);
  if (!match) return null;
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  if (![major, minor, patch].every(Number.isSafeInteger)) return null;
  return { major, minor, patch, prerelease: match[4] ? match[4].split('.') : [], build: match[5] ?? null };
}

export function formatSemVer(version: SemVer): string {
  const pre = version.prerelease.length > 0 ? `-${version.prerelease.join('.')}` : '';
  return `${version.major}.${version.minor}.${version.patch}${pre}${version.build ? `+${version.build}` : ''}`;
}

/** Precedence order (semver §11): negative when a < b. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return Math.sign(b.prerelease.length - a.prerelease.length);
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return Math.sign(Number(x) - Number(y));
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** The next version at `level`; a pre-release bumps to its own release where that is the next one (as npm's semver does). */
export function bumpSemVer(version: SemVer, level: BumpLevel): SemVer {
  const pre = version.prerelease.length > 0;
  const next = { major: version.major, minor: version.minor, patch: version.patch, prerelease: [], build: null };
  if (level === 'major') return pre && version.minor === 0 && version.patch === 0 ? next : { ...next, major: version.major + 1, minor: 0, patch: 0 };
  if (level === 'minor') return pre && version.patch === 0 ? next : { ...next, minor: version.minor + 1, patch: 0 };
  return pre ? next : { ...next, patch: version.patch + 1 };
}

/** The highest version among `names` that are `prefix` followed by a semantic version, with its name. */
export function highestWithPrefix(names: Iterable<string>, prefix: string): { name: string; version: SemVer } | null {
  let best: { name: string; version: SemVer } | null = null;
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const version = parseSemVer(name.slice(prefix.length));
    if (version && (!best || compareSemVer(version, best.version) > 0)) best = { name, version };
  }
  return best;
}

/**
 * Orders version strings as s3-resource users expect: semantic versions by precedence; anything else
 * (`1.2`, `2024-01-05`, `build7`) by runs of digits as numbers and the rest as text.
 */
export function compareVersionText(a: string, b: string): number {
  const sa = parseSemVer(a);
  const sb = parseSemVer(b);
  if (sa && sb) return compareSemVer(sa, sb);
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny && BigInt(x) !== BigInt(y)) return BigInt(x) < BigInt(y) ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
