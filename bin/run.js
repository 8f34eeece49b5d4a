// Entry point behind bin/tsrun. Runs the bundled program (bin/tsrun.bundle.js,
// built by scripts/bundle-cli.js) through V8's code cache, or bin/main.js when
// no bundle was built. Start-up is most of a short command's time: one file
// instead of hundreds of modules, and compiled code instead of source, is
// what bench/breakdown.sh measures as the difference.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const bundle = path.join(__dirname, 'tsrun.bundle.js')
let source
try {
  source = readSource(bundle)
} catch {
  source = undefined
}
if (source === undefined) require('./main.js')
else runWithCodeCache(bundle, source)

/**
 * Compile the bundle with the cached data of an earlier run of the same
 * command, when there is one. V8 compiles functions as they are first called,
 * so each command keeps its own cache (written when it exits): the cache of
 * `ps` would not hold `run`'s code. The cache directory is keyed by Node's
 * version and the bundle's size and time, so a rebuild or an upgrade starts
 * afresh; V8 also refuses data it did not make for this source and flags.
 */
function runWithCodeCache(file, text) {
  const vm = require('node:vm')
  const Module = require('node:module')
  const stat = fs.statSync(file)
  const dir = path.join(__dirname, '.code-cache', `${process.version}-${process.arch}-${stat.size}-${Math.trunc(stat.mtimeMs)}`)
  const cacheFile = path.join(dir, `${commandKey()}.bin`)
  let cachedData
  try {
    cachedData = fs.readFileSync(cacheFile)
  } catch {
    cachedData = undefined
  }
  const script = new vm.Script(Module.wrap(text), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  })
  if (cachedData === undefined || script.cachedDataRejected) process.once('exit', () => saveCodeCache(script, dir, cacheFile))
  const mod = new Module(file, module)
  mod.filename = file
  mod.paths = Module._nodeModulePaths(path.dirname(file))
  require.cache[file] = mod
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file))
  mod.loaded = true
}

/** The bundle is ASCII (scripts/bundle-cli.js sees to it): a one-byte string is read without decoding. */
function readSource(file) {
  const bytes = fs.readFileSync(file)
  return require('node:buffer').isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8')
}

/**
 * The command word (`run`, `ps`, ...) that names the cache; `other` for
 * anything else. Global flags before it (`--debug`, `--root DIR`, `-l
 * LEVEL`) are skipped, so `tsrun --root R ps` shares `ps`'s cache.
 */
function commandKey() {
  const args = process.argv.slice(2)
  let i = args[0] === '--' ? 1 : 0
  for (;;) {
    if (/^(-D|--debug|--(root|runroot|log-level)=.*)$/.test(args[i] ?? '')) i += 1
    else if (/^(-l|--root|--runroot|--log-level)$/.test(args[i] ?? '')) i += 2
    else break
  }
  const word = args[i]
  return word && /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'other'
}

/** Best effort: a read-only install, or a full disk, only means no cache. */
function saveCodeCache(script, dir, file) {
  try {
    fs.mkdirSync(dir, { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    fs.writeFileSync(tmp, script.createCachedData())
    fs.renameSync(tmp, file)
  } catch {
    // no cache this time
  }
}
