// Entry point behind bin/tsrun. oclif reads the command manifest
// (oclif.manifest.json), so only the command being run is loaded.
'use strict'
const args = process.argv.slice(2)
if (args[0] === '--') args.shift()
const oclif = require('@oclif/core')
oclif.execute({ dir: __dirname, args }).catch(require('@oclif/core/handle'))
