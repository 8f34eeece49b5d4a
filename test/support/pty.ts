// Drive `tsrun ARGS` inside a fresh pseudo-terminal (test/support/pty_drive.py), expect-style.
import { execFile } from 'node:child_process'
import * as path from 'node:path'
import { BIN, REPO, SUPPORT, type Tsrun } from './tsrun'

export type Step = { expect: string; timeout?: number } | { send: string } | { sleep: number } | { resize: [number, number] }

export interface PtyResult {
  ok: boolean
  exitCode: number | null
  signal: number | null
  output: string
  failed: string | null
}

/** Run tsrun ARGS against `t`'s root inside a fresh pty of rows x cols, performing the steps. */
export function pty(t: Tsrun, args: string[], steps: Step[], rows = 30, cols = 100, timeout = 20): Promise<PtyResult> {
  const spec = JSON.stringify({ argv: [BIN, ...args], env: t.env, rows, cols, timeout, steps, cwd: REPO })
  return new Promise((resolve, reject) => {
    const child = execFile('python3', [path.join(SUPPORT, 'pty_drive.py'), '-'], { timeout: (timeout * 3 + 10) * 1000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      try {
        resolve(JSON.parse(stdout))
      } catch {
        reject(new Error(`pty_drive failed: ${String(err)}\n${stderr}\n${stdout}`))
      }
    })
    child.stdin!.end(spec)
  })
}

export const describePty = (r: PtyResult) => `exit=${r.exitCode} signal=${r.signal} failed=${r.failed}\n--- output\n${JSON.stringify(r.output)}`
