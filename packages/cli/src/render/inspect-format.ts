/**
 * `inspect --format` as docker/cli's inspect package does it: no format is
 * indented JSON, `json` compact JSON, anything else a Go template run on each
 * object. Docker runs the template on its typed object first (a struct: an
 * unknown field fails; a map such as Config.Labels answers <no value>), and
 * when that fails, again on the raw JSON with missingkey=error, so that
 * `index .State "Status"` works and `{{.Nope}}` is `map has no entry for key
 * "Nope"`. tsrun's objects are JSON-shaped, so the first run sees them as
 * structs except at the paths Docker's types make maps (MAP_PATHS).
 */
import { goTemplateEngine, InvalidArgumentError, TemplateExecError, TemplateSyntaxError, type GoTemplate } from '@tsrun/core'

/** Where Docker's inspect types hold maps (container, image and volume objects); arrays add nothing to a path. */
const MAP_PATHS = new Set([
  'Config.Labels',
  'Config.Volumes',
  'Config.ExposedPorts',
  'ContainerConfig.Labels',
  'ContainerConfig.Volumes',
  'ContainerConfig.ExposedPorts',
  'HostConfig.Sysctls',
  'HostConfig.PortBindings',
  'HostConfig.Tmpfs',
  'HostConfig.StorageOpt',
  'HostConfig.LogConfig.Config',
  'GraphDriver.Data',
  'NetworkSettings.Networks',
  'NetworkSettings.Ports',
  'Labels',
  'Options',
  'Status',
])

/**
 * Fields Docker's inspect types have but whose JSON omits them when empty
 * (omitempty): a template on the typed object still reads their zero value
 * (`{{.HostConfig.Tmpfs}}` is `map[]`, `{{.Config.StopSignal}}` empty,
 * `{{.State.Health}}` `<nil>`), so here too.
 */
const OMITTED_ZEROS: Record<string, Record<string, unknown>> = {
  State: { Health: null },
  HostConfig: { Tmpfs: {}, StorageOpt: {} },
  Config: { StopSignal: '', ExposedPorts: {} },
}

/** The text to print and, when some objects failed, the error of the first one (printed after the text). */
export interface InspectOutput {
  text: string
  error?: InvalidArgumentError
}

/**
 * A renderer of inspect objects under `format`. The template is parsed here,
 * before any object is looked up, so a malformed one is the error even when
 * an object is missing too (as in Docker).
 */
export function inspectRenderer(format: string | undefined): (views: unknown[]) => InspectOutput {
  if (!format) return (views) => ({ text: `${JSON.stringify(views, null, 4)}\n` })
  if (format === 'json') return (views) => ({ text: `${JSON.stringify(views)}\n` })
  const { compileGoTemplate } = goTemplateEngine()
  let template: GoTemplate
  try {
    template = compileGoTemplate(format)
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new InvalidArgumentError(`template parsing error: ${err.message}`)
    throw err
  }
  return (views) => {
    let text = ''
    let error: InvalidArgumentError | undefined
    for (const view of views) {
      try {
        text += `${template.execute(asTyped(view, ''))}\n`
        continue
      } catch (err) {
        if (!(err instanceof TemplateExecError)) throw err
      }
      try {
        text += `${template.execute(view, { missingKey: 'error' })}\n`
      } catch (err) {
        if (!(err instanceof TemplateExecError)) throw err
        error ??= new InvalidArgumentError(`template parsing error: ${err.message}`)
      }
    }
    return { text, error }
  }
}

/** The object as Docker's typed one: plain objects become structs, but for the maps at MAP_PATHS. */
function asTyped(v: unknown, path: string): unknown {
  if (Array.isArray(v)) return v.map((e) => asTyped(e, path))
  if (v === null || typeof v !== 'object') return v
  const entries = Object.entries(v as Record<string, unknown>)
  if (MAP_PATHS.has(path)) return Object.fromEntries(entries.map(([k, e]) => [k, asTyped(e, `${path}.*`)]))
  for (const [k, zero] of Object.entries(OMITTED_ZEROS[path] ?? {})) {
    const at = entries.findIndex(([key]) => key === k)
    if (at < 0) entries.push([k, zero])
    else if (entries[at][1] === undefined) entries[at] = [k, zero]
  }
  const { GoObject } = goTemplateEngine()
  return new GoObject('struct', 'struct', Object.fromEntries(entries.map(([k, e]) => [k, asTyped(e, path ? `${path}.${k}` : k)])))
}
