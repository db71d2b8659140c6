/** How a promotion tag is named (`siggate promote`, the resource's `out`): pure rules over the tags that exist. */
import { UsageError } from './errors.js';
import { bumpSemVer, formatSemVer, highestWithPrefix, parseSemVer, type BumpLevel } from './semver.js';

/** A tag ref: the object it names (a tag object or a commit) and the commit it peels to. */
export interface TagRef {
  name: string;
  object: string;
  commit: string;
}

/** How the promotion tag is named. */
export type PromotionNaming =
  | { kind: 'tag'; name: string }
  /** REV carries `from<semver>` (the highest if several); the new tag is `to<semver>`. */
  | { kind: 'prefix'; from: string; to: string }
  /** The next version at `level` after the highest `prefix<semver>` tag. */
  | { kind: 'bump'; level: BumpLevel; prefix: string };

/** The naming fields as the CLI flags and the resource params give them. */
export interface NamingFields {
  tag?: string | null;
  fromPrefix?: string | null;
  toPrefix?: string | null;
  bump?: string | null;
  prefix?: string | null;
  verifySourceTag?: boolean;
}

/** The names the fields go by where the user wrote them, for messages. */
export interface NamingWords {
  tag: string;
  fromPrefix: string;
  toPrefix: string;
  bump: string;
  prefix: string;
  verifySourceTag: string;
}

/** One naming from the fields, or a usage error saying how to name it. `prefixDefault` is the prefix a bump takes when none is given (null: required). */
export function promotionNamingOf(fields: NamingFields, words: NamingWords, prefixDefault: string | null = null): PromotionNaming {
  const given = (value: string | null | undefined): value is string => value !== undefined && value !== null;
  const ways = [given(fields.tag), given(fields.fromPrefix) || given(fields.toPrefix), given(fields.bump)].filter(Boolean).length;
  if (ways !== 1) throw new UsageError(`name the tag one way: ${words.tag}, ${words.fromPrefix} with ${words.toPrefix}, or ${words.bump} with ${words.prefix}`);
  if (fields.verifySourceTag && !given(fields.fromPrefix)) throw new UsageError(`${words.verifySourceTag} needs ${words.fromPrefix}`);
  if (given(fields.tag)) return { kind: 'tag', name: fields.tag };
  if (given(fields.bump)) {
    const level = fields.bump;
    if (level !== 'major' && level !== 'minor' && level !== 'patch') throw new UsageError(`${words.bump} must be major, minor or patch, not "${level}"`);
    const prefix = fields.prefix ?? prefixDefault;
    if (prefix === null) throw new UsageError(`${words.bump} needs ${words.prefix} (it may be empty)`);
    return { kind: 'bump', level, prefix };
  }
  if (!fields.fromPrefix || !fields.toPrefix) throw new UsageError(`${words.fromPrefix} and ${words.toPrefix} go together, and neither may be empty`);
  if (fields.fromPrefix === fields.toPrefix) throw new UsageError(`${words.fromPrefix} and ${words.toPrefix} must differ`);
  return { kind: 'prefix', from: fields.fromPrefix, to: fields.toPrefix };
}

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
