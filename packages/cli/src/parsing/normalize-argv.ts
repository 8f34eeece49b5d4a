import { InvalidArgumentError } from '@tsrun/core'
import { parseGoBool } from './go-bool'

/** What argv normalising needs to know of a flag definition (oclif's shape). */
export interface FlagSpec {
  type: 'boolean' | 'option'
  char?: string
  aliases?: string[]
  charAliases?: string[]
  multiple?: boolean
  allowNo?: boolean
}

/** A boolean's final value, emitted where it was last given. */
interface BoolSlot {
  bool: string
  value: boolean
}

/** An option's tokens, kept or dropped as a whole. */
interface OptionSlot {
  option: string
  tokens: string[]
}

type Slot = string | BoolSlot | OptionSlot

/**
 * Rewrite argv into what oclif's parser takes, with the semantics of
 * Docker's and podman's flag parsing (spf13/pflag, Go's flag rules):
 *
 * - a boolean takes an attached value, `--rm=false`, `--tls-verify=true`,
 *   `-d=false`, in any of Go's `strconv.ParseBool` spellings; a separate word
 *   is never its value (`--rm false` leaves `false` an argument, as pflag
 *   does). A bad value is Docker's error: `invalid argument "x" for "--rm"
 *   flag: strconv.ParseBool: parsing "x": invalid syntax`.
 * - a boolean given more than once, or a single-valued option, takes the
 *   last one (`--name a --name b` is `b`, where oclif refuses the second);
 *   flags that take many values keep them all.
 * - short clusters are split (`-id=false` is `-i -d=false`; `-nweb` and
 *   `-n=web` are `-n web`).
 *
 * Unknown flags pass through untouched, so oclif reports them; nothing after
 * `--` is touched. Booleans come out as `--name` or `--no-name` (a false
 * one without a `--no-` form is just left out: false is its default).
 */
export function normalizeArgv(argv: string[], flags: Record<string, FlagSpec>): string[] {
  const byLong = new Map<string, string>()
  const byChar = new Map<string, string>()
  for (const [name, f] of Object.entries(flags)) {
    byLong.set(name, name)
    for (const a of f.aliases ?? []) byLong.set(a, name)
    if (f.char) byChar.set(f.char, name)
    for (const c of f.charAliases ?? []) byChar.set(c, name)
  }
  const out: Slot[] = []
  const setBool = (name: string, value: boolean) => {
    removeWhere(out, (s) => typeof s !== 'string' && 'bool' in s && s.bool === name)
    out.push({ bool: name, value })
  }
  const addOption = (name: string, tokens: string[]) => {
    if (!flags[name].multiple) removeWhere(out, (s) => typeof s !== 'string' && 'option' in s && s.option === name)
    out.push({ option: name, tokens })
  }

  let i = 0
  while (i < argv.length) {
    const tok = argv[i]
    if (tok === '--') {
      out.push(...argv.slice(i))
      break
    }
    if (tok.startsWith('--') && tok.length > 2) {
      const eq = tok.indexOf('=')
      const text = eq < 0 ? tok.slice(2) : tok.slice(2, eq)
      let name = byLong.get(text)
      let negated = false
      if (!name && text.startsWith('no-')) {
        const positive = byLong.get(text.slice(3))
        if (positive && flags[positive].type === 'boolean' && flags[positive].allowNo) {
          name = positive
          negated = true
        }
      }
      if (!name) {
        out.push(tok)
        i++
        continue
      }
      if (flags[name].type === 'boolean') {
        const value = eq < 0 ? true : boolValue(tok.slice(eq + 1), `--${text}`)
        setBool(name, negated ? !value : value)
        i++
        continue
      }
      const tokens = eq >= 0 || i + 1 >= argv.length ? [tok] : [tok, argv[i + 1]]
      addOption(name, tokens)
      i += tokens.length
      continue
    }
    if (tok.startsWith('-') && tok.length > 1 && byChar.has(tok[1])) {
      let consumed = 1
      for (let j = 1; j < tok.length; j++) {
        const c = tok[j]
        const name = byChar.get(c)
        if (!name) {
          // An unknown letter inside a cluster: oclif names it.
          out.push(`-${tok.slice(j)}`)
          break
        }
        if (flags[name].type === 'boolean') {
          if (tok[j + 1] === '=') {
            setBool(name, boolValue(tok.slice(j + 2), `-${c}, --${name}`))
            break
          }
          setBool(name, true)
          continue
        }
        const rest = tok.slice(j + 1)
        if (rest) addOption(name, [`-${c}=${rest.startsWith('=') ? rest.slice(1) : rest}`])
        else if (i + 1 < argv.length) {
          addOption(name, [`-${c}`, argv[i + 1]])
          consumed = 2
        } else addOption(name, [`-${c}`])
        break
      }
      i += consumed
      continue
    }
    out.push(tok)
    i++
  }

  const result: string[] = []
  for (const s of out) {
    if (typeof s === 'string') result.push(s)
    else if ('option' in s) result.push(...s.tokens)
    else if (s.value) result.push(`--${s.bool}`)
    else if (flags[s.bool].allowNo) result.push(`--no-${s.bool}`)
  }
  return result
}

function boolValue(text: string, shown: string): boolean {
  const v = parseGoBool(text)
  if (v === undefined) throw new InvalidArgumentError(`invalid argument "${text}" for "${shown}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`)
  return v
}

function removeWhere<T>(list: T[], pred: (x: T) => boolean): void {
  for (let k = list.length - 1; k >= 0; k--) if (pred(list[k])) list.splice(k, 1)
}
