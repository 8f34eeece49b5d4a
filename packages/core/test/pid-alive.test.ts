import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { pidAlive, processName, processStartTime, sameProcessAlive } from '../src/util/pid-alive'

// A real zombie: sh backgrounds a short sleep, then execs a long one, which
// never reaps the short one once it exits.
const parent = spawn('sh', ['-c', 'sleep 0.05 & exec sleep 30'], { stdio: 'ignore' })
afterAll(() => {
  parent.kill('SIGKILL')
})

function child(pid: number): number | undefined {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]) || undefined
  } catch {
    return undefined
  }
}

async function zombie(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const pid = child(parent.pid!)
    if (pid && fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z')) return pid
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error('no zombie appeared')
}

describe('pidAlive and friends', () => {
  it('a live process is alive, with its start time and name', () => {
    expect(pidAlive(process.pid)).toBe(true)
    const start = processStartTime(process.pid)
    expect(start).toBeGreaterThan(0)
    expect(sameProcessAlive(process.pid, start)).toBe(true)
    expect(sameProcessAlive(process.pid, start! + 1)).toBe(false)
  })

  it('a zombie has exited, though signal 0 still finds it', async () => {
    const pid = await zombie()
    // Its parent execed sleep by now (the zombie is the child it never reaps).
    expect(processName(parent.pid!)).toBe('sleep')
    expect(() => process.kill(pid, 0)).not.toThrow()
    expect(pidAlive(pid)).toBe(false)
    expect(processStartTime(pid)).toBeUndefined()
    expect(processName(pid)).toBeUndefined()
  })

  it('no pid, a negative one, or one that is gone: not alive', () => {
    expect(pidAlive(undefined)).toBe(false)
    expect(pidAlive(-1)).toBe(false)
    expect(pidAlive(2 ** 22 + 1)).toBe(false)
    expect(sameProcessAlive(undefined, 1)).toBe(false)
  })
})
