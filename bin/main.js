// tsrun's program: everything bin/run.js starts. The build bundles this file
// with what it requires into bin/tsrun.bundle.js (scripts/bundle-cli.js), so
// a command reads one file instead of resolving some hundred modules; run
// unbundled it behaves the same.
'use strict'
require('reflect-metadata')
const Module = require('node:module')

// Modules that code outside the bundle also requires by name or path: oclif
// loads the command table and plugin hooks by file, and plugins import
// @tsrun/core (TsrunError, PluginHost). Publishing the bundle's instances in
// Node's module cache makes those requires answer the same objects, so there
// is one engine, one DI container and one TsrunError class in the process.
share('@tsrun/core', () => require('@tsrun/core'))
share('@tsrun/core/plugin', () => require('@tsrun/core/plugin'))
share('@oclif/core', () => require('@oclif/core'))
share('@tsrun/cli/dist/commands', () => require('@tsrun/cli/dist/commands'))
share('@tsrun/isolation-native/dist/hook', () => require('@tsrun/isolation-native/dist/hook'))
share('@tsrun/isolation-oci/dist/hook', () => require('@tsrun/isolation-oci/dist/hook'))
share('@tsrun/storage-overlay/dist/hook', () => require('@tsrun/storage-overlay/dist/hook'))
share('@tsrun/storage-bind/dist/hook', () => require('@tsrun/storage-bind/dist/hook'))
share('@tsrun/image-sources/dist/hook', () => require('@tsrun/image-sources/dist/hook'))
share('@tsrun/volume-local/dist/hook', () => require('@tsrun/volume-local/dist/hook'))

const { execute } = require('@oclif/core/execute')
const { prepareArgv } = require('@tsrun/cli/dist/parsing/prepare-argv')
const { COMMANDS } = require('@tsrun/cli/dist/commands')
execute({ dir: __dirname, args: prepareArgv(argvOfTsrun(), COMMANDS) }).catch(require('@oclif/core/handle'))

/**
 * Seed require.cache[file of `id`] with a module whose exports are the
 * bundle's copy, loaded on first use. The files were resolved when bundling
 * (TSRUN_SHARED, relative to the package root) so that start-up does not
 * search node_modules for them. Unbundled there is nothing to do: Node's
 * cache already holds the one copy.
 */
function share(id, load) {
  if (typeof TSRUN_BUNDLE === 'undefined') return
  const file = require('node:path').join(__dirname, '..', TSRUN_SHARED[id])
  if (require.cache[file]) return
  const mod = new Module(file, module)
  mod.filename = file
  mod.loaded = true
  let exports
  Object.defineProperty(mod, 'exports', {
    get: () => exports ?? (exports = load()),
    set: (v) => { exports = v },
    configurable: true,
  })
  require.cache[file] = mod
}

/** Our arguments: bin/tsrun puts `--` first so Node keeps its hands off them. */
function argvOfTsrun() {
  const args = process.argv.slice(2)
  if (args[0] === '--') args.shift()
  return args
}
