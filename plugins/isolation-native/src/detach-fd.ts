import { spawn, type ChildProcess } from 'node:child_process'
import { shimPath } from '@tsrun/native'

/** The fd the shim tells a detach on: the first after stdio. */
const DETACH_FD = 3

/** The shim's arguments for detach keys (runtime-contract §1: `--detach-keys HEX --detach-fd 3`). */
export function detachArgs(keys: Uint8Array): string[] {
  return ['--detach-keys', Buffer.from(keys).toString('hex'), '--detach-fd', String(DETACH_FD)]
}

/**
 * A foreground shim: our stdio inherited (it shares the terminal), plus, when
 * it watches for detach keys, a pipe on fd 3 it writes one byte to when the
 * terminal detached. With a TTY it stays in our process group, to read
 * the terminal; without one it gets a group of its own.
 */
export function spawnForeground(args: string[], tty: boolean, std: Array<'inherit' | 'ignore'> = ['inherit', 'inherit', 'inherit']): ChildProcess {
  const stdio = args.includes('--detach-fd') ? [...std, 'pipe'] : std
  return spawn(shimPath(), args, { stdio: stdio as never, detached: !tty })
}

/**
 * Call `detached` once the shim says the terminal detached: the container
 * runs on under it (now in a session of its own), so we stop waiting for
 * it and let this process end without killing or reaping it.
 */
export function onDetach(child: ChildProcess, detached: () => void): void {
  const pipe = child.stdio[DETACH_FD] as NodeJS.ReadableStream & { destroy(): void } | null | undefined
  if (!pipe) return
  pipe.once('data', () => {
    pipe.destroy()
    child.removeAllListeners('exit')
    child.unref()
    detached()
  })
  pipe.on('error', () => undefined)
}
