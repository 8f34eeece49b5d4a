import { Flags } from '@oclif/core'
import { familiarRepository, humanDuration, humanSize, parseReference, shortId } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { goTimeString } from '../render/docker-text'
import { IMAGES, IMAGES_WITH_DIGESTS } from '../render/listings'
import { printListing, type ListingRow } from '../render/output'
import { referenceFilter } from '../render/reference-filter'

export default class Images extends EngineCommand {
  static override summary = 'List images'
  static override aliases = ['image:ls', 'image:list']
  static override examples = ['<%= config.bin %> images', '<%= config.bin %> images -q', '<%= config.bin %> images --format json', "<%= config.bin %> images --digests --filter 'reference=127.0.0.1:5000/*'"]
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'show all images (dangling ones included; they are shown anyway)' }),
    quiet: Flags.boolean({ char: 'q', description: 'only show image ids' }),
    'no-trunc': Flags.boolean({ description: "don't truncate ids" }),
    digests: Flags.boolean({ description: 'show the manifest digest of each image' }),
    filter: Flags.string({ char: 'f', multiple: true, description: 'only images whose name matches, e.g. reference=demo:* (shell-style pattern)' }),
    format: Flags.string({ description: "table (default), json (one object per line), a Go template like {{.Repository}}, or 'table {{.Repository}}\\t{{.Tag}}'" }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Images)
    const engine = await this.openEngine(flags)
    const rows: ListingRow[] = []
    const matches = referenceFilter(flags.filter)
    const images = engine.images.list().sort((a, b) => (b.config.created ?? '').localeCompare(a.config.created ?? ''))
    for (const img of images) {
      const id = flags['no-trunc'] ? img.id : shortId(img.id)
      const created = img.config.created
      const base = {
        ID: id,
        CreatedAt: () => (created ? goTimeString(created) : ''),
        CreatedSince: created ? `${humanDuration(Date.now() - Date.parse(created))} ago` : 'N/A',
        Size: humanSize(img.size),
        VirtualSize: humanSize(img.size),
        Digest: img.manifestDigest,
        // What Docker computes only for `system df -v`.
        Containers: 'N/A',
        SharedSize: 'N/A',
        UniqueSize: 'N/A',
      }
      const refs = img.refs.length ? img.refs.map((r) => parseReference(r)) : [undefined]
      for (const ref of refs) {
        if (!matches(ref)) continue
        rows.push({ Repository: ref ? familiarRepository(ref) : '<none>', Tag: ref?.tag ?? '<none>', ...base })
      }
    }
    if (flags.quiet) {
      for (const id of new Set(rows.map((r) => r.ID as string))) this.log(id)
      return
    }
    let format = flags.format
    // As Docker: --digests adds the column to a table format that lacks it.
    if (flags.digests && format?.startsWith('table') && format !== 'table' && !format.includes('{{.Digest}}')) format += '\\t{{.Digest}}'
    printListing(format, flags.digests ? IMAGES_WITH_DIGESTS : IMAGES, rows)
  }
}
