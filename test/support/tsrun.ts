// Helpers for the end-to-end tests: drive ./bin/tsrun as a subprocess against a
// private state root, and inspect the host for leftovers.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = path.join(REPO, 'bin', 'tsrun')
export const SUPPORT = path.join(REPO, 'test', 'support')

export const HEX64 = /^[0-9a-f]{64}$/
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export interface Result {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

export interface RunOpts {
  /** Data written to stdin, then stdin is closed. Without it stdin is /dev/null. */
  input?: string | Buffer
  env?: Record<string, string | undefined>
  /** ms; the process is SIGKILLed after it (and the result says timedOut). */
  timeout?: number
  cwd?: string
}

/** Spawn any program, collect its output. Never throws for a non-zero exit. */
export function exec(cmd: string, args: string[], opts: RunOpts = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, ...opts.env } as NodeJS.ProcessEnv,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, opts.timeout ?? 25_000)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut })
    })
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => {})
      child.stdin!.end(opts.input)
    }
  })
}

/** Human-readable summary of a result, for assertion messages. */
export function show(r: Result): string {
  return `exit=${r.code}${r.signal ? ` signal=${r.signal}` : ''}${r.timedOut ? ' (TIMED OUT)' : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
}

/** Split output into non-empty lines, \r stripped. */
export function lines(s: string): string[] {
  return s.replace(/\r/g, '').split('\n').filter((l) => l.trim() !== '')
}

/** No JS stack trace leaked to the user. */
export const STACK_TRACE = /^\s+at .+[:(].*\d+:\d+\)?$/m

/** Poll fn until it returns a truthy value; throws the last state after `timeout` ms. */
export async function waitFor<T>(fn: () => Promise<T> | T, what: string, timeout = 20_000, every = 100): Promise<T> {
  const deadline = Date.now() + timeout
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
      last = v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(last)}`)
    await sleep(every)
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---------------------------------------------------------------------------
// A private tsrun state root per test file

export class Tsrun {
  constructor(readonly root: string) {}

  /**
   * TSRUN_ROOT, and the root's own credentials file, so no test reads or
   * writes the machine's ~/.docker/config.json or podman's auth.json
   * (tests of those pass REGISTRY_AUTH_FILE: undefined and a HOME of their own).
   */
  get env(): Record<string, string> {
    return { TSRUN_ROOT: this.root, REGISTRY_AUTH_FILE: path.join(this.root, 'auth.json') }
  }

  /** Run `./bin/tsrun args...` with TSRUN_ROOT set to this root. */
  run(args: string[], opts: RunOpts = {}): Promise<Result> {
    return exec(BIN, args, { ...opts, env: { ...this.env, ...opts.env } })
  }

  /** Like run, but fails the test (throws) unless the exit code is 0. */
  async ok(args: string[], opts: RunOpts = {}): Promise<Result> {
    const r = await this.run(args, opts)
    if (r.code !== 0) throw new Error(`tsrun ${args.join(' ')} failed:\n${show(r)}`)
    return r
  }

  /** Spawn tsrun without waiting (for foreground runs killed from outside). */
  spawn(args: string[], opts: RunOpts = {}): ChildProcess {
    return spawn(BIN, args, {
      cwd: REPO,
      env: { ...process.env, ...this.env, ...opts.env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  }

  /** `inspect` one container/image and return the parsed object. */
  async inspect(name: string): Promise<any> {
    const r = await this.ok(['inspect', name])
    const arr = JSON.parse(r.stdout)
    if (!Array.isArray(arr) || arr.length !== 1) throw new Error(`inspect ${name}: expected a 1-element array, got ${r.stdout}`)
    return arr[0]
  }

  /** `ps -a --format json` parsed (one object per line). */
  async psJson(all = true): Promise<any[]> {
    const r = await this.ok(all ? ['ps', '-a', '--format', 'json'] : ['ps', '--format', 'json'])
    return lines(r.stdout).map((l) => JSON.parse(l))
  }

  /** `repo:tag@id` of every image: a stable summary (unlike the CREATED column). */
  async imageSummary(): Promise<string[]> {
    return (await this.imagesJson()).map((o) => `${o.Repository}:${o.Tag}@${o.ID}`).sort()
  }

  async imagesJson(): Promise<any[]> {
    const r = await this.ok(['images', '--format', 'json'])
    return lines(r.stdout).map((l) => JSON.parse(l))
  }

  /** Import the busybox test image under `ref`; returns the image id printed. */
  async importDemo(ref = 'demo:1'): Promise<string> {
    const r = await this.ok(['import', busyboxRootfs(), ref], { timeout: 60_000 })
    return r.stdout.trim()
  }

  /** Force-remove every container of this root, then anything still left behind. */
  async removeAllContainers(): Promise<void> {
    const ids = await this.run(['ps', '-aq', '--no-trunc']).catch(() => undefined)
    const list = ids && ids.code === 0 ? lines(ids.stdout) : []
    if (list.length) await this.run(['rm', '-f', ...list], { timeout: 60_000 }).catch(() => undefined)
  }

  /** Remove the root: containers first, then leftover processes and mounts, then files. */
  async destroy(): Promise<void> {
    await this.removeAllContainers()
    killLeftovers(this.root)
    unmountUnder(this.root)
    if (mountsUnder(this.root).length) {
      // Never recurse into a live mount: it may be a host directory.
      console.warn(`leaving ${this.root} in place: still mounted:\n${mountsUnder(this.root).join('\n')}`)
      return
    }
    spawnSync('rm', ['-rf', '--one-file-system', this.root])
  }
}

/** A fresh root under /tmp. */
export function newRoot(prefix = 'tsrun-e2e-'): Tsrun {
  return new Tsrun(fs.mkdtempSync(path.join(os.tmpdir(), prefix)))
}

// ---------------------------------------------------------------------------
// The test image

let cachedRootfs: string | undefined

/** Path of the busybox rootfs tarball (built once, cached under test/.cache). */
export function busyboxRootfs(): string {
  if (!cachedRootfs) {
    cachedRootfs = execFileSync(path.join(SUPPORT, 'build-rootfs.sh'), { encoding: 'utf8' }).trim()
  }
  return cachedRootfs
}

// ---------------------------------------------------------------------------
// Host inspection: mounts, cgroups, processes

/** Lines of the host's /proc/self/mountinfo that mention `needle`. */
export function hostMountsMentioning(needle: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(needle))
}

/** Host mount points at or below dir. */
export function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => unescapeMount(l.split(' ')[4]))
    .filter((mp) => mp === dir || mp.startsWith(dir + '/'))
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)))
}

function unmountUnder(dir: string) {
  for (const mp of mountsUnder(dir).sort((a, b) => b.length - a.length)) {
    spawnSync('umount', ['-l', mp])
  }
}

/** Cgroup directories (any hierarchy, v1 or v2) whose name contains `id`. */
export function cgroupDirsFor(id: string): string[] {
  const found: string[] = []
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue
      const p = path.join(dir, e.name)
      if (e.name.includes(id)) found.push(p)
      if (depth > 0) walk(p, depth - 1)
    }
  }
  walk('/sys/fs/cgroup', 3)
  return found
}

/** Host pids whose command line contains `needle`. */
export function pidsWithCmdline(needle: string): number[] {
  const out: number[] = []
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ')
      if (cmd.includes(needle)) out.push(Number(d))
    } catch {
      /* gone */
    }
  }
  return out
}

/** Start time (field 22 of /proc/PID/stat), or undefined when the pid is gone. */
export function pidStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/** The same process (pid + start time) is still alive and not a zombie. */
export function processAlive(pid: number, startTime: string | undefined): boolean {
  if (!pid || !startTime) return false
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19] === startTime && fields[0] !== 'Z'
  } catch {
    return false
  }
}

/** Best effort: kill processes left by a broken engine for this root (monitors, container inits). */
function killLeftovers(root: string) {
  const pids = new Set(pidsWithCmdline(root))
  let ids: string[] = []
  try {
    ids = fs.readdirSync(path.join(root, 'containers'))
  } catch {
    /* none */
  }
  for (const id of ids) {
    for (const cg of cgroupDirsFor(id)) {
      try {
        for (const p of fs.readFileSync(path.join(cg, 'cgroup.procs'), 'utf8').split('\n')) if (p) pids.add(Number(p))
      } catch {
        /* ignore */
      }
    }
    for (const p of pidsWithCmdline(id)) pids.add(p)
  }
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL')
    } catch {
      /* gone */
    }
  }
  for (const id of ids) {
    for (const cg of cgroupDirsFor(id).sort((a, b) => b.length - a.length)) {
      try {
        fs.rmdirSync(cg)
      } catch {
        /* busy or gone */
      }
    }
  }
}

/** Every regular file / symlink under dir (relative paths), for "nothing half-made" checks. */
export function listFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(d, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else out.push(path.relative(dir, p))
    }
  }
  walk(dir)
  return out.sort()
}

/** The state files of a root that matter (lock files are allowed to appear). */
export function storeFiles(root: string): string[] {
  return listFiles(root).filter((f) => !/(^|\/)[^/]*\.?lock$/.test(f) && !/(^|\/)locks\//.test(f))
}

/** Host namespace inode (`mnt:[4026531840]`) of this process. */
export function hostNs(kind: 'mnt' | 'pid' | 'uts' | 'ipc' | 'net'): string {
  return fs.readlinkSync(`/proc/self/ns/${kind}`)
}

/** Random suffix for marker files. */
export function rand(): string {
  return Math.random().toString(36).slice(2, 10)
}

/**
 * Parse a padded table (`ps`, `images`): column starts are taken from the header,
 * whose titles are separated by two or more spaces.
 */
export function parseTable(out: string): { header: string[]; rows: Record<string, string>[] } {
  const ls = out.replace(/\r/g, '').split('\n').filter((l) => l.trim() !== '')
  if (!ls.length) return { header: [], rows: [] }
  const head = ls[0]
  const header: string[] = []
  const starts: number[] = []
  const re = /\S+(?: \S+)*/g
  let m: RegExpExecArray | null
  while ((m = re.exec(head))) {
    header.push(m[0])
    starts.push(m.index)
  }
  const rows = ls.slice(1).map((l) => {
    const row: Record<string, string> = {}
    header.forEach((h, i) => {
      row[h] = l.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim()
    })
    return row
  })
  return { header, rows }
}
