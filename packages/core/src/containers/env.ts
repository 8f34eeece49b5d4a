import { isUtf8 } from 'node:buffer'
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
    let raw: Buffer
    try {
      raw = fs.readFileSync(file)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      throw new InvalidArgumentError(`cannot read env file ${file}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`)
    }
    out.push(...parseEnvFlags(envFileLines(raw, file), hostEnv))
  }
  return out
}

/**
 * The KEY=VAL lines of an env file, checked as Docker checks them: text in
 * UTF-8 (a binary file is refused, naming the line), no NUL byte (the
 * kernel could not pass it), no whitespace in a name.
 */
function envFileLines(raw: Buffer, file: string): string[] {
  const out: string[] = []
  let start = 0
  for (let n = 1; start <= raw.length; n++) {
    let end = raw.indexOf(0x0a, start)
    if (end < 0) end = raw.length
    const bytes = raw.subarray(start, end)
    start = end + 1
    if (!isUtf8(bytes)) throw new InvalidArgumentError(`env file ${file} contains invalid utf8 bytes at line ${n}: is it a text file of KEY=VAL lines?`)
    if (bytes.includes(0)) throw new InvalidArgumentError(`env file ${file} contains a NUL byte at line ${n}: is it a text file of KEY=VAL lines?`)
    const line = bytes.toString('utf8').replace(/\r$/, '').replace(/^\s+/, '')
    if (!line || line.startsWith('#')) continue
    const name = line.split('=', 1)[0]
    if (/\s/.test(name)) throw new InvalidArgumentError(`env file ${file} line ${n}: variable '${name}' contains whitespaces`)
    out.push(line)
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
