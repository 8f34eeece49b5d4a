import { Flags } from '@oclif/core'
import { InvalidArgumentError } from '@tsrun/core'

/** Docker's default: Ctrl-P then Ctrl-Q. */
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q'

/** The control keys Docker names (`ctrl-@` is 0, `ctrl-a` 1, ... `ctrl-_` 31). */
const CONTROL = ['@', ...'abcdefghijklmnopqrstuvwxyz', '[', '\\', ']', '^', '_']

/** `--detach-keys` on run, start, attach and exec, in Docker's format. */
export const detachKeysFlag = {
  'detach-keys': Flags.string({ description: `the keys that detach, leaving the container running (default ${DEFAULT_DETACH_KEYS}): comma-separated ctrl-<a-z, @, [, \\, ], ^, _> or single characters` }),
}

/**
 * Docker's detach key format (docker/cli's `term.ToBytes`): a comma-
 * separated list of keys, each `ctrl-X` for X in a-z, @, [, \, ], ^, _, or
 * a single character; `ctrl-p,ctrl-q` is 0x10 0x11. Empty or absent is the
 * default, as in Docker. Anything else is refused in one line.
 */
export function parseDetachKeys(text: string | undefined): Uint8Array {
  const spec = text || DEFAULT_DETACH_KEYS
  const bytes: number[] = []
  for (const key of spec.split(',')) {
    const ctrl = key.startsWith('ctrl-') && key.length === 6 ? CONTROL.indexOf(key[5]) : -1
    if (ctrl >= 0) bytes.push(ctrl)
    else if (key.length === 1 && key.charCodeAt(0) < 128) bytes.push(key.charCodeAt(0))
    else throw new InvalidArgumentError(`invalid --detach-keys "${spec}": unknown key "${key}"; use ctrl-<a-z, @, [, \\, ], ^, _> or single characters, comma-separated (e.g. ${DEFAULT_DETACH_KEYS})`)
  }
  return Uint8Array.from(bytes)
}

/**
 * Watches input for the detach keys as Docker's escape proxy does: bytes
 * that may start the sequence are held back until the next byte decides,
 * and go on in order when the sequence breaks.
 */
export class DetachKeyMatcher {
  private held = 0

  constructor(private readonly keys: Uint8Array) {}

  /** What of `chunk` goes to the container, and whether the sequence was completed (the rest is then dropped). */
  feed(chunk: Uint8Array): { forward: Buffer; detach: boolean } {
    const out: number[] = []
    for (const b of chunk) {
      if (b === this.keys[this.held]) this.held++
      else {
        for (let i = 0; i < this.held; i++) out.push(this.keys[i])
        this.held = b === this.keys[0] ? 1 : 0
        if (this.held === 0) out.push(b)
      }
      if (this.held === this.keys.length) {
        this.held = 0
        return { forward: Buffer.from(out), detach: true }
      }
    }
    return { forward: Buffer.from(out), detach: false }
  }
}
