/**
 * Whether a process with this pid exists (signal 0). EPERM means it exists
 * but belongs to someone else; only ESRCH means it is gone. Used to tell the
 * temp files and state of a dead tsrun from those of a running one.
 */
export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
