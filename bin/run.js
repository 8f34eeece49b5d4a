// Entry point behind bin/tsrun. oclif reads the command manifest
// (oclif.manifest.json), so only the command being run is loaded.
'use strict'
let args = process.argv.slice(2)
if (args[0] === '--') args.shift()
args = keepCommandHelp(args)
const oclif = require('@oclif/core')
oclif.execute({ dir: __dirname, args }).catch(require('@oclif/core/handle'))

/**
 * oclif shows help when `--help` appears anywhere before `--`, so
 * `tsrun run IMG ls --help` would print tsrun's help instead of running
 * `ls --help`. For the commands that pass a command line to the container,
 * put `--` where the container's command starts (the command drops it again).
 */
function keepCommandHelp(argv) {
  const passThrough = ['run', 'create', 'exec']
  if (!passThrough.includes(argv[0]) || !argv.includes('--help') || argv.includes('--')) return argv
  const { splitRunArgv } = require('../packages/cli/dist/flags/split-argv')
  const flags = require('../oclif.manifest.json').commands[argv[0]].flags
  const { ours, command } = splitRunArgv(argv.slice(1), flags)
  return command.length ? [argv[0], ...ours, '--', ...command] : argv
}
