#!/usr/bin/env node
// Bundles bin/main.js, the compiled CLI, core and the built-in plugins into
// bin/tsrun.bundle.js, which bin/run.js loads. Input is tsc's output (dist/),
// not TypeScript: esbuild does not emit the decorator metadata tsyringe reads.
// Left outside: @tsrun/native (it loads the .node addon next to it) and
// typescript (oclif requires it only to run commands from .ts sources).
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const esbuild = require('esbuild')

const root = path.resolve(__dirname, '..')
const outfile = path.join(root, 'bin', 'tsrun.bundle.js')

// The modules bin/main.js publishes in require.cache, by the file Node would
// resolve them to at run time (relative to the root, as the bundle moves with it).
const shared = [
  '@tsrun/core',
  '@tsrun/core/plugin',
  '@oclif/core',
  '@tsrun/cli/dist/commands',
  ...require(path.join(root, 'package.json')).oclif.plugins.map((p) => `${p}/dist/hook`),
]
const mainText = fs.readFileSync(path.join(root, 'bin', 'main.js'), 'utf8')
for (const id of shared) {
  // A built-in plugin added to package.json must be shared too, or it would load a second @tsrun/core.
  if (!mainText.includes(`share('${id}'`)) {
    process.stderr.write(`bundle-cli: bin/main.js does not share '${id}'; add it next to the others\n`)
    process.exit(1)
  }
}
const sharedFiles = Object.fromEntries(shared.map((id) => [id, path.relative(root, require.resolve(id, { paths: [path.join(root, 'bin')] }))]))

esbuild
  .build({
    entryPoints: [path.join(root, 'bin', 'main.js')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@tsrun/native', 'typescript'],
    define: { TSRUN_BUNDLE: 'true', TSRUN_SHARED: JSON.stringify(sharedFiles), ...buildFacts() },
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [slimOclifIndex(), patchPlugin(require('./oclif-patches'))],
    write: false,
  })
  .then((result) => {
    // Written by rename: a tsrun starting meanwhile reads the old file or the new one, never half of one.
    const tmp = `${outfile}.${process.pid}.tmp`
    fs.writeFileSync(tmp, asciiOnly(result.outputFiles[0].text))
    fs.renameSync(tmp, outfile)
    // A new bundle makes every cached compilation stale.
    fs.rmSync(path.join(root, 'bin', '.code-cache'), { recursive: true, force: true })
    process.stdout.write(`wrote ${path.relative(root, outfile)} (${Math.round(fs.statSync(outfile).size / 1024)} KiB)\n`)
  })
  .catch(() => process.exit(1))

/**
 * The commit and time of this build, for `tsrun version` (render/build-facts.ts):
 * the short commit of the checkout, or empty outside one.
 */
function buildFacts() {
  let commit = ''
  try {
    commit = require('node:child_process').execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    commit = ''
  }
  return { TSRUN_GIT_COMMIT: JSON.stringify(commit), TSRUN_BUILD_TIME: JSON.stringify(new Date().toUTCString()) }
}

/**
 * tsrun's commands and plugins import Args, Flags, Command and Errors from
 * '@oclif/core', whose index loads all of oclif (and checks the Node version
 * with semver: ~3 ms). In the bundle their imports get a module answering
 * those four from oclif's own subpath modules, and anything else from the
 * full index. bin/main.js still publishes the full index to outside plugins.
 */
function slimOclifIndex() {
  const ours = new RegExp(`^${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(packages|plugins)/`)
  return {
    name: 'slim-oclif-index',
    setup(build) {
      build.onResolve({ filter: /^@oclif\/core$/ }, (args) =>
        ours.test(args.importer) ? { path: 'oclif-core-slim', namespace: 'tsrun' } : undefined,
      )
      build.onLoad({ filter: /^oclif-core-slim$/, namespace: 'tsrun' }, () => ({
        resolveDir: root,
        loader: 'js',
        contents: `
          const parts = {
            Args: () => require('@oclif/core/args'),
            Flags: () => require('@oclif/core/flags'),
            Command: () => require('@oclif/core/command').Command,
            Errors: () => require('@oclif/core/errors'),
          }
          module.exports = new Proxy({}, {
            get: (_, key) => (key in parts ? parts[key]() : require('@oclif/core')[key]),
          })`,
      }))
    },
  }
}

/** An esbuild plugin applying text patches ({ file, find, replace }) to files in node_modules. */
function patchPlugin(patches) {
  return {
    name: 'tsrun-patches',
    setup(build) {
      const byFile = new Map(patches.map((p) => [path.join('node_modules', p.file), p]))
      build.onLoad({ filter: /node_modules[\\/]@oclif[\\/]core[\\/].*\.js$/ }, (args) => {
        const patch = [...byFile].find(([suffix]) => args.path.endsWith(suffix))?.[1]
        if (!patch) return undefined
        const text = fs.readFileSync(args.path, 'utf8')
        if (!text.includes(patch.find)) {
          process.stderr.write(`bundle-cli: warning: ${patch.file} changed; start-up patch not applied\n`)
          return undefined
        }
        return { contents: text.replace(patch.find, patch.replace), loader: 'js' }
      })
    },
  }
}

/**
 * Escape the few non-ASCII characters esbuild leaves (in regular expression
 * literals): an ASCII file is read as a one-byte string, several times faster
 * than decoding UTF-8, and bin/run.js relies on that. \uXXXX means the same
 * character in strings, regular expressions, identifiers and comments.
 */
function asciiOnly(text) {
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
