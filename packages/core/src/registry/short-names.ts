/**
 * What a name the user typed means to a registry, with registries.conf:
 *
 *  - a fully qualified name (`host[:port]/repo`) is itself;
 *  - a short name (`alpine`, `team/app:1`) with an alias is the alias
 *    (`[aliases] "app" = "registry.lan/team/app"`; its tag or digest kept);
 *  - else each of `unqualified-search-registries`, in order (permissive and
 *    disabled modes; enforcing refuses more than one, as podman does when it
 *    cannot prompt: tsrun never prompts);
 *  - with no search registries configured anywhere, Docker Hub alone, so a
 *    machine without registries.conf behaves exactly as Docker.
 *
 * Pulled images are named by the candidate that answered
 * (`registry.lan/app:latest`), so a later local lookup of the short name
 * tries the same candidates (`localCandidates`).
 */
import { InvalidArgumentError } from '../errors'
import { formatReference, parseReference } from '../images/reference'
import { isQualified, type RegistriesConf } from './registries-conf'

export interface NameResolution {
  /** Canonical references to try, in order. */
  candidates: string[]
  how: 'qualified' | 'alias' | 'search'
  /** The file that gave the alias or the search list. */
  file?: string
}

/** The candidates a pull of `input` tries; errors say why a short name cannot be pulled. */
export function resolvePullName(conf: RegistriesConf | undefined, input: string): NameResolution {
  const canonical = formatReference(parseReference(input))
  if (isQualified(input) || !conf) return { candidates: [canonical], how: 'qualified' }
  const { name, suffix } = splitShortName(input)
  const alias = conf.aliases.get(name)
  if (alias) return { candidates: [formatReference(parseReference(alias.target + suffix))], how: 'alias', file: alias.file }
  const search = conf.searchRegistries
  if (!search) return { candidates: [canonical], how: 'qualified' }
  if (search.registries.length === 0) {
    throw new InvalidArgumentError(`short name "${input}" has no alias and ${search.file} sets no unqualified-search-registries; give the full name (registry/repository)`)
  }
  if (conf.shortNameMode === 'enforcing' && search.registries.length > 1) {
    throw new InvalidArgumentError(`short name "${input}" is ambiguous: it may come from ${search.registries.join(', ')} (short-name-mode is "enforcing" and tsrun does not prompt); give the full name or add an alias`)
  }
  const candidates = [...new Set(search.registries.map((r) => formatReference(parseReference(`${r}/${name}${suffix}`))))]
  return { candidates, how: 'search', file: search.file }
}

/**
 * The other names a local lookup of a short name may find its image under
 * once the Docker-normalised one (`docker.io/library/NAME`) missed: the
 * alias, then each search registry's. Never throws: a name that is not
 * short, or cannot be resolved, has none.
 */
export function localCandidates(conf: RegistriesConf, input: string): string[] {
  if (isQualified(input)) return []
  try {
    parseReference(input)
  } catch {
    return []
  }
  const { name, suffix } = splitShortName(input)
  const out: string[] = []
  const alias = conf.aliases.get(name)
  if (alias) out.push(formatReference(parseReference(alias.target + suffix)))
  for (const r of conf.searchRegistries?.registries ?? []) {
    try {
      out.push(formatReference(parseReference(`${r}/${name}${suffix}`)))
    } catch {
      /* a search registry that makes no valid name for this one */
    }
  }
  return [...new Set(out)]
}

/** `team/app:1` -> name `team/app`, suffix `:1` (a digest `@sha256:...` likewise). */
function splitShortName(input: string): { name: string; suffix: string } {
  const at = input.indexOf('@')
  const base = at >= 0 ? input.slice(0, at) : input
  const colon = base.lastIndexOf(':')
  const cut = colon > base.lastIndexOf('/') ? colon : at >= 0 ? at : input.length
  return { name: input.slice(0, cut), suffix: input.slice(cut) }
}
