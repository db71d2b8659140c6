/** Replace each secret (and its URL-encoded form) with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}

/**
 * A URL for messages: a userinfo password becomes `***`, and so does a user name that looks like a
 * token (`https://ghp_…@github.com/…`); a plain user name such as `git` stays.
 */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/i, (_match, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0] ?? '';
    const shownUser = /^[a-z0-9._-]{1,20}$/i.test(user) ? user : '***';
    return userinfo.includes(':') ? `${scheme}${shownUser}:***@` : `${scheme}${shownUser}@`;
  });
}
