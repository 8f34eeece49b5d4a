/**
 * Limits on the JSON an image brings with it (registry manifests and
 * indexes, image configs, an archive's `manifest.json` or `index.json`),
 * checked where it enters the store (pull, load, import) so that nothing
 * absurd is ever stored and no later command (`inspect`, `run`, `history`)
 * can be made to crash by it.
 *
 * The size is checked on the bytes and the nesting depth by a linear scan
 * of them, both before `JSON.parse`: the parse of a 10-million-deep array
 * itself succeeds in Node 20 (its parser is iterative) but takes seconds
 * and the value then overflows the stack of anything recursive that touches
 * it (`JSON.stringify` already at 100,000 levels). Real documents are a few
 * levels deep and kilobytes long; the limits leave orders of magnitude of
 * room. See docs/architecture.md, "Hostile images".
 */
import { InvalidArchiveError } from '../errors'
import type { ImageConfig } from './oci'

const MiB = 1024 * 1024

export const IMAGE_LIMITS = {
  /** A manifest or an index from a registry or a layout (as containerd and the registry itself: 4 MiB). */
  manifestBytes: 4 * MiB,
  /** An image config. */
  configBytes: 8 * MiB,
  /** An archive's `index.json` / `manifest.json`: one entry per tag, so 20,000 tags take ~5 MB. */
  archiveIndexBytes: 64 * MiB,
  /** Arrays and objects inside one another. */
  depth: 64,
  /** Layers of one image: overlayfs cannot stack more than 500 (the kernel's OVL_MAX_STACK). */
  layers: 500,
  /** Entries of any list or map of a config (history, Env, Cmd, Entrypoint, Labels, ExposedPorts, Volumes). */
  entries: 10_000,
  /** Manifests an index may list (one per platform in a registry index; one per tag in an archive's). */
  indexEntries: 100_000,
} as const

/**
 * Parse `bytes` as JSON after checking its size against `maxBytes` and its
 * nesting against the depth limit; `what` names the document in errors.
 */
export function parseBoundedJson(bytes: Buffer, what: string, maxBytes: number): unknown {
  if (bytes.length > maxBytes) throw new InvalidArchiveError(`${what} is ${bytes.length} bytes, more than the ${maxBytes} allowed; refusing it`)
  const depth = nestingDepth(bytes, IMAGE_LIMITS.depth)
  if (depth > IMAGE_LIMITS.depth) throw new InvalidArchiveError(`${what} nests arrays or objects more than ${IMAGE_LIMITS.depth} deep; refusing it`)
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new InvalidArchiveError(`${what} is not valid JSON`)
  }
}

/**
 * Deepest nesting of `[`/`{` outside strings, stopping early once past
 * `stopAbove`. Malformed JSON is left for JSON.parse to report.
 */
export function nestingDepth(bytes: Buffer, stopAbove: number): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped byte
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth
        if (max > stopAbove) return max
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
  return max
}

/**
 * Check the shape of an image config where later commands rely on it:
 * `rootfs.diff_ids` as sha256 digests, the runtime config's lists as lists
 * of strings and its maps as objects, every count within the limits.
 * Answers the config, typed.
 */
export function checkImageConfig(value: unknown, what: string): ImageConfig {
  const bad = (why: string) => new InvalidArchiveError(`${what}: ${why}; refusing it`)
  if (!isObject(value)) throw bad('the config is not a JSON object')
  const { rootfs, history, config } = value as Record<string, unknown>
  if (!isObject(rootfs) || !Array.isArray(rootfs.diff_ids)) throw bad('the config has no rootfs.diff_ids list')
  if (rootfs.diff_ids.length > IMAGE_LIMITS.layers) throw bad(`the config lists ${rootfs.diff_ids.length} layers, more than the ${IMAGE_LIMITS.layers} allowed`)
  if (!rootfs.diff_ids.every((d) => typeof d === 'string' && /^sha256:[a-f0-9]{64}$/.test(d))) throw bad('a rootfs.diff_ids entry is not a sha256 digest')
  if (history !== undefined && history !== null) {
    if (!Array.isArray(history) || !history.every(isObject)) throw bad('history is not a list of objects')
    if (history.length > IMAGE_LIMITS.entries) throw bad(`history has ${history.length} entries, more than the ${IMAGE_LIMITS.entries} allowed`)
  }
  for (const key of ['os', 'architecture', 'variant', 'created', 'author'] as const) {
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined && v !== null && typeof v !== 'string') throw bad(`"${key}" is not a string`)
  }
  if (config !== undefined && config !== null) {
    if (!isObject(config)) throw bad('"config" is not an object')
    for (const key of ['Env', 'Cmd', 'Entrypoint']) {
      const v = config[key]
      if (v === undefined || v === null) continue
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw bad(`config.${key} is not a list of strings`)
      if (v.length > IMAGE_LIMITS.entries) throw bad(`config.${key} has ${v.length} entries, more than the ${IMAGE_LIMITS.entries} allowed`)
    }
    for (const key of ['Labels', 'ExposedPorts', 'Volumes']) {
      const v = config[key]
      if (v === undefined || v === null) continue
      if (!isObject(v)) throw bad(`config.${key} is not an object`)
      const n = Object.keys(v).length
      if (n > IMAGE_LIMITS.entries) throw bad(`config.${key} has ${n} entries, more than the ${IMAGE_LIMITS.entries} allowed`)
      if (key === 'Labels' && !Object.values(v).every((s) => typeof s === 'string')) throw bad('a config.Labels value is not a string')
    }
    for (const key of ['User', 'WorkingDir', 'StopSignal']) {
      const v = config[key]
      if (v !== undefined && v !== null && typeof v !== 'string') throw bad(`config.${key} is not a string`)
    }
  }
  return value as unknown as ImageConfig
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
