import * as fs from 'node:fs'
import * as os from 'node:os'
import { InvalidArgumentError } from '../errors'

/** A syscall argument condition, the same in Docker's format and in OCI. */
export interface SeccompArg {
  index: number
  value: number
  valueTwo?: number
  op: string
}

/** A rule of a Docker seccomp profile (`docker run --security-opt seccomp=FILE`). */
export interface DockerSeccompRule {
  name?: string
  names?: string[]
  action: string
  errnoRet?: number
  args?: SeccompArg[] | null
  comment?: string
  includes?: { caps?: string[]; arches?: string[]; minKernel?: string }
  excludes?: { caps?: string[]; arches?: string[]; minKernel?: string }
}

/** Docker's seccomp profile format (moby's profiles/seccomp). */
export interface DockerSeccompProfile {
  defaultAction: string
  defaultErrnoRet?: number
  architectures?: string[]
  archMap?: Array<{ architecture: string; subArchitectures?: string[] }>
  flags?: string[]
  syscalls?: DockerSeccompRule[]
}

/** `linux.seccomp` of the OCI runtime spec. */
export interface OciSeccomp {
  defaultAction: string
  defaultErrnoRet?: number
  architectures: string[]
  flags?: string[]
  syscalls: Array<{ names: string[]; action: string; errnoRet?: number; args?: SeccompArg[] }>
}

/** The libseccomp name of the architecture we run on. */
export function hostSeccompArch(): string {
  const map: Record<string, string> = { x64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', ia32: 'SCMP_ARCH_X86' }
  return map[process.arch] ?? `SCMP_ARCH_${process.arch.toUpperCase()}`
}

/** Read and check a profile file; a missing file or bad JSON is one clear line. */
export function loadSeccompProfile(file: string): DockerSeccompProfile {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new InvalidArgumentError(`seccomp profile ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new InvalidArgumentError(`seccomp profile ${file}: not valid JSON: ${(err as Error).message.replace(/\s+/g, ' ')}`)
  }
  return checkProfile(parsed, file)
}

/** Shape check, so that a wrong file fails at create and not in the container's init. */
export function checkProfile(p: unknown, where: string): DockerSeccompProfile {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`seccomp profile ${where}: ${why}`)
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p)) bad('expected a JSON object with defaultAction and syscalls')
  const o = p as DockerSeccompProfile
  if (typeof o.defaultAction !== 'string') bad('defaultAction is missing')
  if (o.syscalls !== undefined && o.syscalls !== null && !Array.isArray(o.syscalls)) bad('syscalls must be an array')
  for (const [i, r] of (o.syscalls ?? []).entries()) {
    if (typeof r !== 'object' || r === null || typeof r.action !== 'string') bad(`syscalls[${i}]: action is missing`)
    if (!Array.isArray(r.names) && typeof r.name !== 'string') bad(`syscalls[${i}]: names is missing`)
    for (const a of r.args ?? []) {
      if (typeof a?.index !== 'number' || typeof a.value !== 'number' || typeof a.op !== 'string') bad(`syscalls[${i}]: each arg needs index, value and op`)
    }
  }
  return o
}

/**
 * Docker's format to OCI's, for one container: rules whose `includes` the
 * container does not meet (capabilities it lacks, other architectures, a
 * newer kernel) or whose `excludes` it does meet are dropped; `archMap`
 * gives the architectures for the host's.
 */
export function toOciSeccomp(p: DockerSeccompProfile, caps: string[], arch = hostSeccompArch(), kernel = os.release()): OciSeccomp {
  const has = new Set(caps)
  const applies = (r: DockerSeccompRule): boolean => {
    const inc = r.includes ?? {}
    const exc = r.excludes ?? {}
    if (inc.caps?.length && !inc.caps.every((c) => has.has(c))) return false
    if (inc.arches?.length && !inc.arches.some((a) => archMatches(a, arch))) return false
    if (inc.minKernel && compareKernel(kernel, inc.minKernel) < 0) return false
    if (exc.caps?.length && exc.caps.some((c) => has.has(c))) return false
    if (exc.arches?.length && exc.arches.some((a) => archMatches(a, arch))) return false
    if (exc.minKernel && compareKernel(kernel, exc.minKernel) >= 0) return false
    return true
  }
  const mapped = p.archMap?.find((m) => m.architecture === arch)
  const architectures = mapped ? [mapped.architecture, ...(mapped.subArchitectures ?? [])] : p.architectures ?? []
  const syscalls = (p.syscalls ?? []).filter(applies).map((r) => ({
    names: r.names ?? (r.name ? [r.name] : []),
    action: r.action,
    ...(r.errnoRet !== undefined ? { errnoRet: r.errnoRet } : {}),
    ...(r.args?.length ? { args: r.args } : {}),
  }))
  return {
    defaultAction: p.defaultAction,
    ...(p.defaultErrnoRet !== undefined ? { defaultErrnoRet: p.defaultErrnoRet } : {}),
    architectures,
    ...(p.flags?.length ? { flags: p.flags } : {}),
    syscalls,
  }
}

/** Docker writes arches both as `amd64` and as `SCMP_ARCH_X86_64`. */
function archMatches(name: string, arch: string): boolean {
  const aliases: Record<string, string> = { amd64: 'SCMP_ARCH_X86_64', arm64: 'SCMP_ARCH_AARCH64', x86: 'SCMP_ARCH_X86', x32: 'SCMP_ARCH_X32' }
  return (aliases[name] ?? name) === arch
}

/** `6.18.44-fc` vs `5.8`: numeric comparison of the leading dotted numbers. */
function compareKernel(a: string, b: string): number {
  const parts = (s: string) => (s.match(/^\d+(\.\d+)*/)?.[0] ?? '0').split('.').map(Number)
  const x = parts(a)
  const y = parts(b)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}
