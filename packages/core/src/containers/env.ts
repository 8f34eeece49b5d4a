import * as fs from 'node:fs'
import { InvalidArgumentError } from '../errors'

/** Docker's PATH for images that set none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/**
 * `-e KEY=VAL` sets; `-e KEY` copies KEY from the caller's environment (and
 * drops it when the caller has none), as Docker does.
 */
export function parseEnvFlags(values: string[], hostEnv: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = []
  for (const v of values) {
    const eq = v.indexOf('=')
    if (eq === 0) throw new InvalidArgumentError(`invalid environment variable "${v}": the name is empty`)
    if (eq > 0) out.push(v)
    else if (hostEnv[v] !== undefined) out.push(`${v}=${hostEnv[v]}`)
  }
  return out
}

/** Read `--env-file` files: KEY=VAL or KEY lines, `#` comments and blank lines skipped. */
export function readEnvFiles(files: string[], hostEnv: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = []
  for (const file of files) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      throw new InvalidArgumentError(`cannot read env file ${file}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`)
    }
    const lines = text.split(/\r?\n/).map((l) => l.replace(/^\s+/, '')).filter((l) => l && !l.startsWith('#'))
    out.push(...parseEnvFlags(lines, hostEnv))
  }
  return out
}

/** Merge env lists left to right; a later KEY replaces an earlier one in place. */
export function mergeEnv(...lists: string[][]): string[] {
  const map = new Map<string, string>()
  for (const list of lists) {
    for (const kv of list) {
      const eq = kv.indexOf('=')
      map.set(eq < 0 ? kv : kv.slice(0, eq), kv)
    }
  }
  return [...map.values()]
}
