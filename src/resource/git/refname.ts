/** A branch name longer than this is refused before git sees it (git has no limit, the command line has). */
export const MAX_BRANCH_BYTES = 1024;

/**
 * Why `name` is not a branch name git accepts (`git check-ref-format --branch`), or null when it is; decided
 * here, without spawning git, so that an absurd value never reaches a command line. Also refused: a path
 * component longer than a file name may be (255 bytes), which git accepts but cannot store as a loose ref.
 */
export function branchNameProblem(name: string): string | null {
  const bytes = Buffer.byteLength(name);
  if (name === '') return 'it is empty';
  if (bytes > MAX_BRANCH_BYTES) return `it is ${bytes} bytes long, at most ${MAX_BRANCH_BYTES}`;
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name === 'HEAD') return '"HEAD" is not a branch name';
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'it contains a space, a control character or one of ~ ^ : ? * [ \\';
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('@{')) return 'it contains "@{"';
  if (name.endsWith('.')) return 'it ends with "."';
  for (const component of name.split('/')) {
    if (component === '') return 'it has an empty path component (a leading, trailing or double "/")';
    if (component.startsWith('.')) return 'a path component starts with "."';
    if (component.endsWith('.lock')) return 'a path component ends with ".lock"';
    if (Buffer.byteLength(component) > 255) return 'a path component is longer than 255 bytes';
  }
  return null;
}
