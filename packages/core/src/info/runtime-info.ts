import * as fs from 'node:fs'
import * as os from 'node:os'
import { shimPath } from '@tsrun/native'

/** Versions and build facts of the engine and its runtime, for `version` and `info`. */
export interface EngineBuild {
  /** @tsrun/core's version: the engine and the API plugins and embedders program against. */
  version: string
  /** tsrun-shim, the runtime every native container runs under. */
  runtime: { name: string; version: string; path: string }
  nodeVersion: string
  os: string
  arch: string
  kernelVersion: string
}

/** Docker's names for Node's architectures (GOARCH). */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }

/** The architecture as Docker names it (`amd64`, `arm64`). */
export function goArch(arch = process.arch): string {
  return GOARCH[arch] ?? arch
}

/** What this engine is built of. Reads two package.json files; never fails (a missing shim shows as such). */
export function engineBuild(): EngineBuild {
  let shim = ''
  try {
    shim = shimPath()
  } catch {
    shim = 'not built'
  }
  return {
    // Literal requires, so the bundler inlines core's and leaves native's to Node.
    version: packageVersion(() => require('../../package.json')),
    runtime: { name: 'tsrun-shim', version: packageVersion(() => require('@tsrun/native/package.json')), path: shim },
    nodeVersion: process.version,
    os: process.platform,
    arch: goArch(),
    kernelVersion: os.release(),
  }
}

function packageVersion(load: () => unknown): string {
  try {
    return (load() as { version: string }).version
  } catch {
    return 'unknown'
  }
}

/** `PRETTY_NAME` of /etc/os-release (`Debian GNU/Linux 12 (bookworm)`), as Docker's OperatingSystem. */
export function operatingSystem(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))
    if (m) return m[1]
  } catch {
    /* fall through */
  }
  return 'unknown'
}
