import { spawn } from 'node:child_process'
import { shimPath } from '@tsrun/native'
import type { CopyRequest } from '@tsrun/core'

/**
 * `tsrun cp` through `tsrun-shim cp` (docs/runtime-contract.md §1b): the
 * shim, single-threaded, may unshare a mount namespace to assemble a stopped
 * container's rootfs; Node never may. Rejects with the shim's one line.
 * A host path of `-` is a tar stream: the shim gets our stdout (`out`) or
 * stdin (`in`) itself, so the bytes never pass through Node.
 */
export function copyWithShim(req: CopyRequest): Promise<void> {
  const args = ['cp', '--bundle', req.bundleDir]
  if (req.pid) args.push('--pid', String(req.pid))
  if (req.archive) args.push('--archive')
  if (req.followLink) args.push('--follow-link')
  if (req.direction === 'out') args.push('--from-container', req.containerPath, '--to-host', req.hostPath)
  else args.push('--from-host', req.hostPath, '--to-container', req.containerPath)
  return new Promise((resolve, reject) => {
    const stream = req.hostPath === '-'
    const stdin = stream && req.direction === 'in' ? 'inherit' : 'ignore'
    const stdout = stream && req.direction === 'out' ? 'inherit' : 'ignore'
    const child = spawn(shimPath(), args, { stdio: [stdin, stdout, 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', (err) => reject(new Error(`cannot run ${shimPath()}: ${err.message}`)))
    child.on('exit', (code, signal) => {
      if (code === 0) return resolve()
      reject(new Error(stderr.trim().split('\n').pop() || `tsrun-shim cp ended with ${signal ?? `code ${code}`}`))
    })
  })
}
