import { execFileSync } from 'node:child_process'
import type { RootfsSpec } from '@tsrun/core'

/**
 * Assemble a rootfs as a runtime would — its mounts made in a private mount
 * namespace (`unshare -m`), never the host's — and run a shell script with
 * `$ROOT` set to it. Answers the script's stdout. Needs root.
 */
export function inRootfs(spec: RootfsSpec, script: string): string {
  const mounts = spec.mounts
    .map((m) => `mount -t ${q(m.type)} -o ${q(m.options.join(','))} ${q(m.source)} ${q(spec.path)}`)
    .join(' && ')
  const full = `mount --make-rprivate / && ${mounts || 'true'} && ROOT=${q(spec.path)} && ${script}`
  return execFileSync('unshare', ['-m', 'sh', '-c', full], { encoding: 'utf8' })
}

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}
