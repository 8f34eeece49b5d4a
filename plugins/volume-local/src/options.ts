import * as fs from 'node:fs'
import { InvalidArgumentError, parseByteSize } from '@tsrun/core'

/**
 * What `-o` means to `volume:local`, as with Docker's local driver:
 *
 * - nothing: a directory on the host disk (`<dir>/_data`);
 * - `type=none, o=bind, device=/path`: that host directory instead;
 * - `type=tmpfs, device=tmpfs, o=size=100m,...`: a tmpfs, mounted afresh
 *   in each container that uses the volume (never on the host, so nothing
 *   reaches the host mount table; two containers do not share its content);
 * - `type=<fs>, device=<source>, o=<options>`: any other filesystem
 *   (`nfs`, `ext4` on a block device, ...), mounted in each container.
 */
export type LocalOptions =
  | { kind: 'dir' }
  | { kind: 'bind'; device: string; mountOptions: string[] }
  | { kind: 'tmpfs'; mountOptions: string[] }
  | { kind: 'fs'; type: string; device: string; mountOptions: string[] }

const KEYS = ['type', 'device', 'o']

/** Check and read `-o` options; InvalidArgumentError names what is wrong. Touches nothing. */
export function parseLocalOptions(options: Record<string, string>): LocalOptions {
  for (const k of Object.keys(options)) {
    if (!KEYS.includes(k)) throw new InvalidArgumentError(`invalid option "${k}" for volume driver local: the options are type, device and o`)
  }
  const { type, device, o } = options
  if (type === undefined) {
    if (device !== undefined || o !== undefined) throw new InvalidArgumentError('volume driver local: device and o need a type (-o type=none, -o type=tmpfs, ...)')
    return { kind: 'dir' }
  }
  const words = (o ?? '').split(',').filter(Boolean)
  if (!/^[a-z0-9_.-]+$/i.test(type)) throw new InvalidArgumentError(`volume driver local: invalid type "${type}"`)
  if (type === 'none') {
    if (!words.includes('bind') && !words.includes('rbind')) throw new InvalidArgumentError('volume driver local: type=none needs -o o=bind')
    if (!device || !device.startsWith('/')) throw new InvalidArgumentError(`volume driver local: type=none needs an absolute device path, not "${device ?? ''}"`)
    let st: fs.Stats
    try {
      st = fs.statSync(device)
    } catch {
      throw new InvalidArgumentError(`volume driver local: device ${device} does not exist`)
    }
    if (!st.isDirectory()) throw new InvalidArgumentError(`volume driver local: device ${device} is not a directory`)
    return { kind: 'bind', device, mountOptions: words.filter((w) => w !== 'bind' && w !== 'rbind') }
  }
  if (type === 'tmpfs') {
    if (device !== undefined && device !== 'tmpfs') throw new InvalidArgumentError(`volume driver local: a tmpfs device must be "tmpfs", not "${device}"`)
    for (const w of words) {
      if (w.startsWith('size=')) parseByteSize(w.slice(5), 'tmpfs size')
      else if (w.startsWith('mode=') && !/^[0-7]{1,4}$/.test(w.slice(5))) throw new InvalidArgumentError(`volume driver local: tmpfs mode must be octal, not "${w.slice(5)}"`)
    }
    return { kind: 'tmpfs', mountOptions: words.map((w) => (w.startsWith('size=') ? `size=${parseByteSize(w.slice(5), 'tmpfs size')}` : w)) }
  }
  if (!device) throw new InvalidArgumentError(`volume driver local: type=${type} needs a device`)
  return { kind: 'fs', type, device, mountOptions: words }
}
