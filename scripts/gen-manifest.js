#!/usr/bin/env node
// Writes oclif.manifest.json for the root CLI: oclif then reads command
// metadata from it instead of importing every command at start-up.
// With --check it only compares, and exits 1 when the committed file is stale
// (a test runs that, so a changed flag cannot ship with an old manifest).
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { Plugin } = require('@oclif/core')

async function main() {
  const root = path.resolve(__dirname, '..')
  const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true })
  await plugin.load()
  // oclif loads commands concurrently, so its key order varies from run to
  // run: sort it, or --check would fail at random.
  const commands = Object.fromEntries(Object.entries(plugin.manifest.commands).sort(([a], [b]) => a.localeCompare(b)))
  const manifest = { ...plugin.manifest, commands, version: require(path.join(root, 'package.json')).version }
  const text = JSON.stringify(manifest, null, 2) + '\n'
  const file = path.join(root, 'oclif.manifest.json')
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''
    if (current !== text) {
      process.stderr.write(`oclif.manifest.json is stale: run \`npm run manifest\` and commit it\n${firstDifference(current, text)}\n`)
      process.exit(1)
    }
    return
  }
  fs.writeFileSync(file, text)
  process.stdout.write(`wrote ${file} (${Object.keys(manifest.commands).length} commands)\n`)
}

/** The first line that differs, so a stale manifest says what changed. */
function firstDifference(a, b) {
  const x = a.split('\n')
  const y = b.split('\n')
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: committed ${JSON.stringify(x[i])}, built ${JSON.stringify(y[i])}`
  }
  return ''
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`)
  process.exit(1)
})
