'use strict';
// Runs one of siggate's bundles (dist/bundle/NAME.cjs) from V8's code cache beside it (NAME.cjs.v8cache,
// written by the build's warm-up): the bytecode of what a tip verify or a resource check runs is read,
// not compiled, which is most of what starting siggate costs beyond Node itself.
//
// The cache file is the SHA-256 of the bundle it was made from, then V8's data. V8 itself only compares
// the source's length, so a cache is used only when the digest names this exact bundle; any other cache,
// or one V8 rejects (another Node version, other V8 flags), is ignored and the bundle compiles as usual.
const { createHash } = require('node:crypto');
const { readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
const DIGEST_BYTES = 32;

/** The exports of dist/bundle/NAME.cjs, run from its code cache when that cache fits. */
function loadBundle(name) {
  const file = join(__dirname, '..', 'dist', 'bundle', `${name}.cjs`);
  const source = readFileSync(file);
  const digest = createHash('sha256').update(source).digest();
  const cacheFile = `${file}.v8cache`;
  const script = new vm.Script(`${WRAPPER}${source.toString('utf8')}\n})`, {
    filename: file,
    columnOffset: -WRAPPER.length,
    cachedData: cacheFor(cacheFile, digest),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  // the build's warm-up only: keep what this run compiled, for the processes after it
  if (process.env.SIGGATE_WRITE_CODE_CACHE === '1') process.once('exit', () => writeCache(cacheFile, digest, script));
  return module.exports;
}

/** V8's data from the cache file when it was made from the bundle with this digest; else undefined. */
function cacheFor(cacheFile, digest) {
  let bytes;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined; // no cache: compiled as usual
  }
  if (bytes.length <= DIGEST_BYTES || !bytes.subarray(0, DIGEST_BYTES).equals(digest)) return undefined;
  return bytes.subarray(DIGEST_BYTES);
}

/**
 * Replaces the cache file at once: a process starting meanwhile reads the old cache or the new one. A cache
 * that cannot be written is only slower starts: said on stderr, never a change of the run's exit code.
 */
function writeCache(cacheFile, digest, script) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([digest, script.createCachedData()]));
    renameSync(temporary, cacheFile);
  } catch (error) {
    rmSync(temporary, { force: true });
    process.stderr.write(`siggate: cannot write the code cache ${cacheFile}: ${error.message}\n`);
  }
}

module.exports = { loadBundle };
