// A module hook for start-up tests: appends the URL of every module a process loads to $SIGGATE_MODULE_LOG.
import { appendFileSync } from 'node:fs';

/** Node's `load` hook: log, then load as usual. */
export async function load(url, context, next) {
  if (process.env.SIGGATE_MODULE_LOG) appendFileSync(process.env.SIGGATE_MODULE_LOG, `${url}\n`);
  return next(url, context);
}
