// OpenSSH's pattern lists (ssh_config(5) "PATTERNS", match.c), as allowed_signers uses them for
// principals and namespaces=. Matching is on UTF-8 bytes and case-sensitive, as ssh-keygen does it.

/** OpenSSH gives up on a subpattern this long (its 1024-byte buffer) and treats the whole list as no match. */
const MAX_SUBPATTERN_BYTES = 1023;
const STAR = 0x2a;
const QUESTION = 0x3f;

/** The outcome of matching a string against a pattern list: a negated pattern matched, a positive one did, or none. */
export type PatternListMatch = -1 | 0 | 1;

/**
 * Whether `text` matches one glob `pattern`: `*` is any run of bytes (also none), `?` is exactly one byte,
 * every other byte stands for itself.
 */
export function matchPattern(text: string, pattern: string): boolean {
  return matchBytes(Buffer.from(text, 'utf8'), Buffer.from(pattern, 'utf8'));
}

/**
 * Matches `text` against a pattern list already split at its commas (`["*", "!bob"]`), as OpenSSH's
 * match_pattern_list does: -1 as soon as a negated pattern (`!p`) matches, else 1 when a positive one
 * matched, else 0. Only 1 means "matches"; a list of negations alone matches nothing.
 */
export function matchPatternList(text: string, patterns: readonly string[]): PatternListMatch {
  const subject = Buffer.from(text, 'utf8');
  let positive = false;
  for (const entry of patterns) {
    const negated = entry.startsWith('!');
    const pattern = Buffer.from(negated ? entry.slice(1) : entry, 'utf8');
    if (pattern.length >= MAX_SUBPATTERN_BYTES) return 0;
    if (!matchBytes(subject, pattern)) continue;
    if (negated) return -1;
    positive = true;
  }
  return positive ? 1 : 0;
}

/** Glob matching with one backtrack point (the last `*`): linear in practice, never exponential. */
function matchBytes(text: Uint8Array, pattern: Uint8Array): boolean {
  let t = 0;
  let p = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === QUESTION || (pattern[p] !== STAR && pattern[p] === text[t]))) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === STAR) {
      starAt = p++;
      resumeAt = t;
    } else if (starAt >= 0) {
      p = starAt + 1;
      t = ++resumeAt;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === STAR) p++;
  return p === pattern.length;
}
