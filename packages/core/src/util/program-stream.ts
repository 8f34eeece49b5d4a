import { spawn } from 'node:child_process'
import type { ChangesOptions, RootfsChange, TarStream } from '../backends/rootfs-changes'

/**
 * Run `program args` and answer its stdout as a stream, with `done`
 * settling when it exits: resolved on exit 0, rejected with the last line
 * it wrote to stderr otherwise (tsrun-shim's one-line errors). `cleanup`
 * runs once it has exited, either way. Used by storage drivers to read a
 * container's files through tsrun-shim, which alone may unshare a mount
 * namespace (Node never may).
 */
export function programStream(program: string, args: string[], cleanup?: () => void | Promise<void>): TarStream {
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4096)
  })
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`cannot run ${program}: ${err.message}`)))
    child.on('close', (code, signal) => {
      if (code === 0) return resolve()
      const name = args[0] ?? program
      reject(new Error(stderr.trim().split('\n').pop() || `${name} ended with ${signal ?? `code ${code}`}`))
    })
  }).finally(() => cleanup?.())
  done.catch(() => undefined)
  return { stream: child.stdout, done }
}

/** The output of `tsrun-shim changes` (records `K /path\0`) read whole. */
export async function readChangeRecords(out: TarStream): Promise<RootfsChange[]> {
  const chunks: Buffer[] = []
  for await (const c of out.stream) chunks.push(c as Buffer)
  await out.done
  const text = Buffer.concat(chunks).toString('utf8')
  return text
    .split('\0')
    .filter((r) => r.length > 2)
    .map((r) => ({ kind: r[0] as RootfsChange['kind'], path: r.slice(2) }))
}

/** `tsrun-shim changes --skip PATH` for each mount target the engine made. */
export function skipArgs(opts: ChangesOptions): string[] {
  return opts.mountTargets.flatMap((p) => ['--skip', p])
}
