// Start-up patches applied to @oclif/core when it is bundled (scripts/bundle-cli.js).
// Each one removes work oclif does on every invocation that costs this CLI
// measurable time without changing what it does for our commands and plugins.
// A patch whose text is no longer found (oclif changed) is reported at build
// time and skipped: the CLI then works as before, only slower.
'use strict'

module.exports = [
  {
    file: '@oclif/core/lib/config/plugin.js',
    // The first String#localeCompare call builds an ICU collator (~6 ms here),
    // only to order the command list. Command ids are lower-case letters,
    // '-' and ':', which both orders sort alike.
    find: '.sort((a, b) => a.id.localeCompare(b.id));',
    replace: '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));',
  },
  {
    file: '@oclif/core/lib/config/plugin-loader.js',
    // oclif compiles a minimatch pattern for every (dependency, plugin name)
    // pair (~3 ms). A name without glob syntax (* ? [ ] { } ( ) ! or a
    // backslash; extglobs need parentheses) matches only itself.
    find: 'patterns.some((w) => (0, minimatch_1.minimatch)(p, w))',
    replace: 'patterns.some((w) => (/[*?[\\]{}()!\\\\]/.test(w) ? (0, minimatch_1.minimatch)(p, w) : p === w))',
  },
]
