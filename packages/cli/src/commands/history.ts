import { Args, Flags } from '@oclif/core'
import { humanDuration, humanSize, shortId } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { rfc3339Seconds } from '../render/docker-text'
import { HISTORY } from '../render/listings'
import { printListing } from '../render/output'
import { noHeadingFlag } from '../flags/listing-flags'

export default class History extends EngineCommand {
  static override summary = 'Show the history of an image'
  static override aliases = ['image:history']
  static override description = 'One row per history entry of the image config, newest first; SIZE is the uncompressed size of the layer the step made (0B for steps that made none).'
  static override examples = ['<%= config.bin %> history demo:1', '<%= config.bin %> history --no-trunc --format json demo:1']
  static override args = { image: Args.string({ required: true, description: 'image reference or id' }) }
  static override flags = {
    noheading: noHeadingFlag(),
    'no-trunc': Flags.boolean({ description: "don't truncate the command" }),
    quiet: Flags.boolean({ char: 'q', description: 'only show image ids' }),
    format: Flags.string({ description: 'table (default), json (one object per line), or a Go template like {{.CreatedBy}}' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(History)
    const engine = await this.openEngine(flags)
    engine.images.list()
    const img = engine.images.store.resolve(args.image)
    const history = img.config.history?.length ? img.config.history : img.layerSizes.map(() => ({ created: img.config.created, created_by: '' }))
    let layer = 0
    const rows = history.map((h) => {
      const empty = 'empty_layer' in h && h.empty_layer
      const size = empty ? 0 : img.layerSizes[layer++] ?? 0
      let createdBy = (h.created_by ?? '').replace(/\t/g, ' ')
      if (!flags['no-trunc'] && createdBy.length > 45) createdBy = `${createdBy.slice(0, 44)}…`
      return {
        CreatedAt: h.created ? rfc3339Seconds(h.created) : '',
        CreatedSince: h.created ? `${humanDuration(Date.now() - Date.parse(h.created))} ago` : 'N/A',
        CreatedBy: createdBy,
        Size: humanSize(size),
        Comment: ('comment' in h ? h.comment : '') ?? '',
      }
    })
    rows.reverse()
    const id = flags['no-trunc'] ? img.id : shortId(img.id)
    const withIds = rows.map((r, i) => ({ ID: i === 0 ? id : '<missing>', ...r }))
    if (flags.quiet) {
      this.log(id)
      return
    }
    printListing(flags.format, HISTORY, withIds, { noHeading: flags.noheading })
  }
}
