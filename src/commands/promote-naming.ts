import { bumpSemVer, formatSemVer, highestWithPrefix, parseSemVer, type BumpLevel } from '../core/semver.js';
import type { TagRef } from '../git/tags.js';

/** How the promotion tag is named. */
export type PromotionNaming =
  | { kind: 'tag'; name: string }
  /** REV carries `from<semver>` (the highest if several); the new tag is `to<semver>`. */
  | { kind: 'prefix'; from: string; to: string }
  /** The next version at `level` after the highest `prefix<semver>` tag. */
  | { kind: 'bump'; level: BumpLevel; prefix: string };

/** The name chosen, the source tag it came from, or why there is none. */
export type PlannedName =
  | { ok: true; tag: string; source: TagRef | null; why: string }
  | { ok: false; reason: string };

/**
 * Picks the promotion tag for `target` among `tags` (the local ones, and the remote's when pushing).
 * A bump is idempotent: a target that already carries a `prefix<semver>` tag is promoted under that name again.
 */
export function planTagName(naming: PromotionNaming, target: string, tags: ReadonlyMap<string, TagRef>): PlannedName {
  switch (naming.kind) {
    case 'tag':
      return { ok: true, tag: naming.name, source: null, why: `named ${naming.name}` };
    case 'prefix': {
      const onTarget = [...tags.values()].filter((t) => t.commit === target).map((t) => t.name);
      const source = highestWithPrefix(onTarget, naming.from);
      if (!source) return { ok: false, reason: `${target.slice(0, 12)} carries no ${naming.from}<semver> tag to promote from` };
      const version = source.name.slice(naming.from.length);
      return { ok: true, tag: `${naming.to}${version}`, source: tags.get(source.name) ?? null, why: `${source.name} is on ${target.slice(0, 12)}` };
    }
    case 'bump': {
      const onTarget = highestWithPrefix([...tags.values()].filter((t) => t.commit === target).map((t) => t.name), naming.prefix);
      if (onTarget) return { ok: true, tag: onTarget.name, source: null, why: `${target.slice(0, 12)} already carries ${onTarget.name}` };
      const highest = highestWithPrefix(tags.keys(), naming.prefix);
      const next = bumpSemVer(highest?.version ?? parseSemVer('0.0.0')!, naming.level);
      return { ok: true, tag: `${naming.prefix}${formatSemVer(next)}`, source: null, why: `${naming.level} bump after ${highest?.name ?? `no ${naming.prefix}<semver> tag`}` };
    }
  }
}
