/**
 * `commit --change`: Dockerfile instructions applied
 * to an image config, as Docker's `BuildFromConfig` applies them: CMD,
 * ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, and podman's
 * STOPSIGNAL. CMD and ENTRYPOINT take the JSON form (`["sh","-c","x"]`) or
 * the shell form (`/bin/sh -c 'x'` is what the shell form runs); ENV and
 * LABEL take `KEY=VALUE` pairs (quotes and backslashes as in a Dockerfile)
 * or ENV's old `KEY VALUE`. Anything else is refused with Docker's words,
 * before anything is stored.
 */
import * as path from 'node:path/posix'
import { InvalidArgumentError } from '../errors'
import type { ImageRuntimeConfig } from './oci'

const SUPPORTED = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']

/** `config` with each of `changes` applied in order (a new object; `config` is left as it is). */
export function applyDockerfileChanges(config: ImageRuntimeConfig, changes: string[]): ImageRuntimeConfig {
  const out: ImageRuntimeConfig = structuredClone(config)
  for (const change of changes) {
    // A `--change` value may hold several lines, as Docker's CLI splits them.
    for (const line of change.split('\n')) {
      const trimmed = line.trim()
      if (trimmed) applyOne(out, trimmed)
    }
  }
  return out
}

function applyOne(c: ImageRuntimeConfig, line: string): void {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!
  const instruction = m[1].toUpperCase()
  const rest = m[2].trim()
  if (!SUPPORTED.includes(instruction)) {
    throw new InvalidArgumentError(`${m[1]} is not a valid change command (commit --change takes ${SUPPORTED.join(', ')})`)
  }
  if (!rest && instruction !== 'CMD' && instruction !== 'ENTRYPOINT') throw new InvalidArgumentError(`${instruction} requires at least one argument`)
  switch (instruction) {
    case 'CMD':
      c.Cmd = command(rest)
      return
    case 'ENTRYPOINT':
      c.Entrypoint = command(rest)
      // As a Dockerfile: a new ENTRYPOINT drops the CMD the config had.
      c.Cmd = null
      return
    case 'ENV':
      for (const [k, v] of pairs(rest, 'ENV', true)) {
        // A variable set again keeps its place, as Docker replaces it.
        const env = [...(c.Env ?? [])]
        const at = env.findIndex((e) => e.split('=')[0] === k)
        if (at >= 0) env[at] = `${k}=${v}`
        else env.push(`${k}=${v}`)
        c.Env = env
      }
      return
    case 'LABEL':
      for (const [k, v] of pairs(rest, 'LABEL', false)) c.Labels = { ...(c.Labels ?? {}), [k]: v }
      return
    case 'EXPOSE':
      for (const port of words(rest)) c.ExposedPorts = { ...(c.ExposedPorts ?? {}), [exposed(port)]: {} }
      return
    case 'USER':
      c.User = rest
      return
    case 'STOPSIGNAL':
      c.StopSignal = rest
      return
    case 'VOLUME':
      for (const v of rest.startsWith('[') ? jsonArray(rest, 'VOLUME') : words(rest)) {
        if (!v) throw new InvalidArgumentError('VOLUME specified can not be an empty string')
        c.Volumes = { ...(c.Volumes ?? {}), [v]: {} }
      }
      return
    case 'WORKDIR':
      c.WorkingDir = path.resolve(c.WorkingDir || '/', unquote(rest))
      return
  }
}

/** JSON form as is; shell form as `/bin/sh -c "..."`, as a Dockerfile runs it. */
function command(rest: string): string[] | null {
  if (!rest) return null
  if (rest.startsWith('[')) {
    try {
      return jsonArray(rest, 'CMD')
    } catch {
      // Not valid JSON: a Dockerfile treats it as the shell form.
    }
  }
  return ['/bin/sh', '-c', rest]
}

function jsonArray(text: string, what: string): string[] {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    throw new InvalidArgumentError(`${what} ${text}: not a JSON array of strings`)
  }
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new InvalidArgumentError(`${what} ${text}: not a JSON array of strings`)
  return v
}

/** `80`, `80/tcp`, `53/udp` -> Docker's `PORT/PROTO` key. */
function exposed(port: string): string {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(port)
  if (!m || Number(m[1]) > 65535 || (m[2] && Number(m[2]) > 65535)) throw new InvalidArgumentError(`EXPOSE ${port}: invalid port (want PORT[/tcp|udp|sctp])`)
  return `${m[2] ? `${m[1]}-${m[2]}` : m[1]}/${(m[3] ?? 'tcp').toLowerCase()}`
}

/** `K=V K2="v 2"`; for ENV also the old `K V W` form (one pair, the rest is the value). */
function pairs(rest: string, what: string, oldForm: boolean): Array<[string, string]> {
  const ws = words(rest)
  if (oldForm && !ws[0].includes('=')) {
    const m = /^(\S+)\s+([\s\S]+)$/.exec(rest)
    if (!m) throw new InvalidArgumentError(`ENV ${rest}: needs a value (ENV KEY=VALUE)`)
    return [[m[1], unquote(m[2])]]
  }
  return ws.map((w) => {
    const eq = w.indexOf('=')
    if (eq <= 0) throw new InvalidArgumentError(`${what} ${rest}: "${w}" is not KEY=VALUE`)
    return [w.slice(0, eq), w.slice(eq + 1)]
  })
}

/** Words split on whitespace outside quotes, with quotes removed and `\x` escapes read, as a Dockerfile's. */
function words(text: string): string[] {
  const out: string[] = []
  let cur = ''
  let inWord = false
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\\' && quote !== "'" && i + 1 < text.length) {
      cur += text[++i]
      inWord = true
    } else if (quote) {
      if (ch === quote) quote = undefined
      else cur += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur)
      cur = ''
      inWord = false
    } else {
      cur += ch
      inWord = true
    }
  }
  if (quote) throw new InvalidArgumentError(`unterminated quote in "${text}"`)
  if (inWord) out.push(cur)
  return out
}

function unquote(text: string): string {
  const ws = words(text)
  return ws.length === 1 ? ws[0] : text
}
