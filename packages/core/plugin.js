// `require('@tsrun/core/plugin')`: the plugin API (src/plugin-api.ts).
'use strict'
module.exports = require('./dist/plugin-api')
