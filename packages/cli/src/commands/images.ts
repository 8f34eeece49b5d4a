import { Flags } from '@oclif/core'
import { familiarRepository, humanDuration, humanSize, parseReference, shortId } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { printListing } from '../render/output'
import { referenceFilter } from '../render/reference-filter'

export default class Images extends EngineCommand {
  static override summary = 'List images'
  static override examples = ['<%= config.bin %> images', '<%= config.bin %> images -q', '<%= config.bin %> images --format json', "<%= config.bin %> images --digests --filter 'reference=127.0.0.1:5000/*'"]
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'show all images (dangling ones included; they are shown anyway)' }),
    quiet: Flags.boolean({ char: 'q', description: 'only show image ids' }),
    'no-trunc': Flags.boolean({ description: "don't truncate ids" }),
    digests: Flags.boolean({ description: 'show the manifest digest of each image' }),
    filter: Flags.string({ char: 'f', multiple: true, description: 'only images whose name matches, e.g. reference=demo:* (shell-style pattern)' }),
    format: Flags.string({ description: 'table (default), json (one object per line), or a Go template like {{.Repository}}' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Images)
    const engine = await this.openEngine(flags)
    const rows: Array<Record<string, string>> = []
    const matches = referenceFilter(flags.filter)
    const images = engine.images.list().sort((a, b) => (b.config.created ?? '').localeCompare(a.config.created ?? ''))
    for (const img of images) {
      const id = flags['no-trunc'] ? img.id : shortId(img.id)
      const base = {
        ID: id,
        CreatedAt: img.config.created ?? '',
        CreatedSince: img.config.created ? `${humanDuration(Date.now() - Date.parse(img.config.created))} ago` : 'N/A',
        Size: humanSize(img.size),
        Digest: img.manifestDigest,
      }
      const refs = img.refs.length ? img.refs.map((r) => parseReference(r)) : [undefined]
      for (const ref of refs) {
        if (!matches(ref)) continue
        rows.push({ Repository: ref ? familiarRepository(ref) : '<none>', Tag: ref?.tag ?? '<none>', ...base })
      }
    }
    if (flags.quiet) {
      for (const id of new Set(rows.map((r) => r.ID))) this.log(id)
      return
    }
    if (flags.digests) {
      printListing(flags.format, ['REPOSITORY', 'TAG', 'DIGEST', 'IMAGE ID', 'CREATED', 'SIZE'], rows, ['Repository', 'Tag', 'Digest', 'ID', 'CreatedSince', 'Size'])
    } else {
      printListing(flags.format, ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows, ['Repository', 'Tag', 'ID', 'CreatedSince', 'Size'])
    }
  }
}
