import { Flags } from '@oclif/core'
import { familiarRepository, FilterArgs, filterImages, humanDuration, humanSize, parseReference, shortId } from '@tsrun/core'
import { EngineCommand } from '../engine-command'
import { goTimeString } from '../render/docker-text'
import { IMAGES, IMAGES_WITH_DIGESTS } from '../render/listings'
import { printListing, type ListingRow } from '../render/output'

export default class Images extends EngineCommand {
  static override summary = 'List images'
  static override examples = ['<%= config.bin %> images', '<%= config.bin %> images -q', '<%= config.bin %> images --format json', "<%= config.bin %> images --digests --filter 'reference=127.0.0.1:5000/*'"]
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'show all images (dangling ones included; they are shown anyway)' }),
    quiet: Flags.boolean({ char: 'q', description: 'only show image ids' }),
    'no-trunc': Flags.boolean({ description: "don't truncate ids" }),
    digests: Flags.boolean({ description: 'show the manifest digest of each image' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE, until=TIME, reference=PATTERN (shell-style, e.g. demo:*)' }),
    format: Flags.string({ description: "table (default), json (one object per line), a Go template like {{.Repository}}, or 'table {{.Repository}}\\t{{.Tag}}'" }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Images)
    const engine = await this.openEngine(flags)
    const rows: ListingRow[] = []
    const filters = FilterArgs.parse(flags.filter)
    const images = engine.images.list().sort((a, b) => (b.config.created ?? '').localeCompare(a.config.created ?? ''))
    for (const { image: img, refs } of filterImages(images, filters, (ref) => engine.images.store.resolve(ref))) {
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
      for (const [repository, tag] of repositoryRows(refs)) rows.push({ Repository: repository, Tag: tag, ...base })
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

/**
 * The (REPOSITORY, TAG) rows of one image, as docker/cli's image formatter
 * makes them: a row per tag; a repository known only by digest
 * (`pull repo@sha256:...`) gets one `<none>` row, and none when it has a
 * tag too; no names at all is `<none> <none>`. A name with both a tag and a
 * digest counts as the digest, as Docker pulls it.
 */
function repositoryRows(refs: string[]): Array<[string, string]> {
  if (!refs.length) return [['<none>', '<none>']]
  const tags = new Map<string, string[]>()
  const digestOnly = new Set<string>()
  for (const r of refs) {
    const ref = parseReference(r)
    const repository = familiarRepository(ref)
    if (ref.digest || !ref.tag) digestOnly.add(repository)
    else if (!tags.get(repository)?.includes(ref.tag)) tags.set(repository, [...(tags.get(repository) ?? []), ref.tag])
  }
  const out: Array<[string, string]> = []
  for (const [repository, list] of tags) for (const tag of list) out.push([repository, tag])
  for (const repository of digestOnly) if (!tags.has(repository)) out.push([repository, '<none>'])
  return out
}
