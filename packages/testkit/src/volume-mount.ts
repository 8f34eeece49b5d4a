import { execFileSync } from 'node:child_process'
import type { MountSpec } from '@tsrun/core'

/**
 * Mount a volume as a runtime would — at `$MNT` inside a private mount
 * namespace (`unshare -m`), never the host's — and run a shell script there.
 * Answers the script's stdout. Needs root.
 */
export function inVolume(spec: MountSpec, script: string): string {
  const mnt = '/mnt'
  const mount =
    spec.type === 'bind'
      ? `mount --rbind ${q(spec.source)} ${mnt}`
      : `mount -t ${q(spec.type)} ${spec.options.length ? `-o ${q(spec.options.join(','))}` : ''} ${q(spec.source)} ${mnt}`
  const full = `mount --make-rprivate / && mount -t tmpfs tmpfs ${mnt} && ${mount} && MNT=${mnt} && ${script}`
  return execFileSync('unshare', ['-m', 'sh', '-c', full], { encoding: 'utf8' })
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}
