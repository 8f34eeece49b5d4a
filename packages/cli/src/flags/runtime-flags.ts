import * as fs from 'node:fs'
import { Flags } from '@oclif/core'
import { InvalidArgumentError, parseNamespaceOptions, parseSignal, type CreateOptions } from '@tsrun/core'

const many = { multiple: true, multipleNonGreedy: true } as const

/**
 * `run`/`create` flags for namespaces, /dev/shm, stopping, attaching, the
 * id file, label files, the OOM killer and block I/O, with Docker's names.
 * The limits `update` shares are in resource-flags.ts.
 */
export const runtimeFlags = {
  quiet: Flags.boolean({ char: 'q', description: 'suppress the pull output' }),
  cidfile: Flags.string({ description: 'write the container id to this file (it must not exist)' }),
  'stop-signal': Flags.string({ description: "signal to stop the container (default: the image's, else SIGTERM)" }),
  'stop-timeout': Flags.integer({ description: 'seconds stop waits before killing the container (default 10; -1: no limit)' }),
  attach: Flags.string({ char: 'a', ...many, description: 'attach to STDIN, STDOUT or STDERR (default: stdout and stderr)' }),
  'label-file': Flags.string({ ...many, description: 'read labels from a file of KEY=VALUE lines' }),
  ipc: Flags.string({ description: 'IPC mode: private (default), shareable, none, host or container:NAME' }),
  pid: Flags.string({ description: 'PID namespace: host or container:NAME (default: its own)' }),
  uts: Flags.string({ description: "UTS namespace: host (the host's hostname)" }),
  cgroupns: Flags.string({ description: 'cgroup namespace: private (default on every host) or host' }),
  'cgroup-parent': Flags.string({ description: 'parent cgroup of the container (default /tsrun)' }),
  'shm-size': Flags.string({ description: 'size of /dev/shm, e.g. 128m (default 64m)' }),
  'group-add': Flags.string({ ...many, description: 'additional group (a name in the image or a gid)' }),
  'oom-kill-disable': Flags.boolean({ description: 'disable the OOM killer (cgroup v1)' }),
  'oom-score-adj': Flags.integer({ description: "tune the host's OOM preferences (-1000 to 1000)" }),
  'device-read-bps': Flags.string({ ...many, description: 'limit read rate from a device, e.g. /dev/vda:1mb' }),
  'device-write-bps': Flags.string({ ...many, description: 'limit write rate to a device, e.g. /dev/vda:1mb' }),
  'device-read-iops': Flags.string({ ...many, description: 'limit read operations per second from a device, e.g. /dev/vda:100' }),
  'device-write-iops': Flags.string({ ...many, description: 'limit write operations per second to a device, e.g. /dev/vda:100' }),
}

/** The parsed flags of `runtimeFlags`. */
export interface RuntimeFlagValues {
  quiet?: boolean
  cidfile?: string
  'stop-signal'?: string
  'stop-timeout'?: number
  attach?: string[]
  'label-file'?: string[]
  ipc?: string
  pid?: string
  uts?: string
  cgroupns?: string
  'cgroup-parent'?: string
  'shm-size'?: string
  'group-add'?: string[]
  'oom-kill-disable'?: boolean
  'oom-score-adj'?: number
  'device-read-bps'?: string[]
  'device-write-bps'?: string[]
  'device-read-iops'?: string[]
  'device-write-iops'?: string[]
}

/** What these flags add to CreateOptions; every value checked (one line, 125). */
export function runtimeCreateOptions(f: RuntimeFlagValues & { hostname?: string }): Partial<CreateOptions> {
  return {
    namespaces: parseNamespaceOptions({ ipc: f.ipc, pid: f.pid, uts: f.uts, cgroupns: f.cgroupns, cgroupParent: f['cgroup-parent'], shmSize: f['shm-size'], hostname: f.hostname }),
    // Checked now, kept as typed (Docker's Config.StopSignal shows what was given).
    stopSignal: f['stop-signal'] === undefined ? undefined : (parseSignal(f['stop-signal']), f['stop-signal']),
    stopTimeout: f['stop-timeout'],
    attach: f.attach?.map(attachStream),
    cidFile: f.cidfile,
  }
}

/** `-a stdout` or `-a STDOUT`, as Docker's validateAttach (its message when it is neither). */
function attachStream(v: string): 'stdin' | 'stdout' | 'stderr' {
  const s = v.toLowerCase()
  if (s === 'stdin' || s === 'stdout' || s === 'stderr') return s
  throw new InvalidArgumentError(`invalid argument "${v}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`)
}

/**
 * Labels from `--label-file` files, as Docker reads them (opts.ReadKVStrings):
 * one KEY=VALUE per line, blank lines and `#` comments skipped, a line
 * without `=` a label with an empty value. `--label` flags win over files.
 */
export function labelFileEntries(files: string[]): string[] {
  const out: string[] = []
  for (const file of files) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (err) {
      throw new InvalidArgumentError(`--label-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`)
    }
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/^\s+/, '')
      if (line === '' || line.startsWith('#')) continue
      out.push(line)
    }
  }
  return out
}

/**
 * `--cidfile`, as Docker's CLI: an existing file is refused before anything
 * is made ("container ID file found, make sure the other container isn't
 * running or delete FILE"); the file is created at once (so a directory
 * that is not there fails first), gets the id once the container exists,
 * and is removed when the container could not be made.
 */
export class CidFile {
  private fd?: number
  private written = false

  constructor(private readonly file: string | undefined) {
    if (file === undefined) return
    if (fs.existsSync(file)) throw new InvalidArgumentError(`container ID file found, make sure the other container isn't running or delete ${file}`)
    try {
      this.fd = fs.openSync(file, 'wx', 0o644)
    } catch (err) {
      throw new InvalidArgumentError(`failed to create the container ID file ${file}: ${(err as Error).message}`)
    }
  }

  write(id: string): void {
    if (this.fd === undefined) return
    fs.writeSync(this.fd, id)
    this.written = true
  }

  /** Closes it; removes it unless the id was written. */
  close(): void {
    if (this.fd === undefined) return
    fs.closeSync(this.fd)
    this.fd = undefined
    if (!this.written) fs.rmSync(this.file!, { force: true })
  }
}
