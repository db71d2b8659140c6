// `node --import` this file to log every module the process loads (see module-log.mjs): ES modules as the
// loader sees them, CommonJS ones (what the bundles `require`) from the require cache when the process exits,
// and the bundles bin/load-bundle.cjs runs (which no loader sees: they are compiled from V8's code cache).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./module-log.mjs', import.meta.url);

const require = createRequire(import.meta.url);
const vm = require('node:vm');
const log = process.env.SIGGATE_MODULE_LOG;
if (log) {
  const Script = vm.Script;
  vm.Script = function LoggedScript(code, options) {
    if (typeof options?.filename === 'string') appendFileSync(log, `${pathToFileURL(options.filename).href}\n`);
    return new Script(code, options);
  };
  process.once('exit', () => {
    const urls = Object.keys(require.cache).map((path) => pathToFileURL(path).href);
    appendFileSync(log, urls.map((url) => `${url}\n`).join(''));
  });
}
