/**
 * Docker's credential helper protocol: a program `docker-credential-NAME`
 * on PATH, one action per run, the argument naming it:
 *
 *   get    stdin: the server URL          stdout: {"ServerURL","Username","Secret"}
 *   store  stdin: {"ServerURL","Username","Secret"}
 *   erase  stdin: the server URL
 *   list   stdout: {"<server URL>": "<username>", ...}
 *
 * A helper that has nothing for the URL exits non-zero printing
 * "credentials not found in native keychain". A Username of `<token>`
 * means the Secret is an identity token, not a password. NAME comes from
 * `credsStore` / `credHelpers` in a config.json.
 */
import { spawn } from 'node:child_process'
import { InvalidArgumentError, TsrunError } from '../errors'
import type { Credentials } from './credentials'

const NOT_FOUND = /credentials not found/i
const TOKEN_USER = '<token>'
/** A helper may unlock a keyring or ask a desktop agent; not forever. */
const HELPER_TIMEOUT_MS = 60_000
const MAX_OUTPUT = 1024 * 1024

/** A credential helper failed (not: had nothing to say). */
export class CredentialHelperError extends TsrunError {}

/** The program a helper name stands for; a name that could reach outside PATH is refused. */
export function helperProgram(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new InvalidArgumentError(`"${name}" is not a credential helper name (docker-credential-NAME runs it; NAME is letters, digits, . _ -)`)
  return `docker-credential-${name}`
}

/** `get`: the credentials the helper keeps for `serverUrl`, or undefined when it has none. */
export async function helperGet(name: string, serverUrl: string): Promise<Credentials | undefined> {
  const r = await runHelper(name, 'get', serverUrl)
  if (r.code !== 0) {
    if (NOT_FOUND.test(r.stdout) || NOT_FOUND.test(r.stderr)) return undefined
    throw failure(name, 'get', r)
  }
  let doc: { Username?: unknown; Secret?: unknown }
  try {
    doc = JSON.parse(r.stdout)
  } catch {
    throw new CredentialHelperError(`credential helper ${helperProgram(name)} answered get with something that is not JSON`)
  }
  if (typeof doc.Secret !== 'string' || (doc.Username !== undefined && typeof doc.Username !== 'string')) {
    throw new CredentialHelperError(`credential helper ${helperProgram(name)} answered get without a Username and Secret`)
  }
  const username = (doc.Username as string | undefined) ?? ''
  if (username === TOKEN_USER) return { username: '', password: '', identityToken: doc.Secret }
  if (!username && !doc.Secret) return undefined
  return { username, password: doc.Secret }
}

/** `store`: keep `creds` for `serverUrl` (an identity token as Username `<token>`). */
export async function helperStore(name: string, serverUrl: string, creds: Credentials): Promise<void> {
  const body = creds.identityToken
    ? { ServerURL: serverUrl, Username: TOKEN_USER, Secret: creds.identityToken }
    : { ServerURL: serverUrl, Username: creds.username, Secret: creds.password }
  const r = await runHelper(name, 'store', JSON.stringify(body))
  if (r.code !== 0) throw failure(name, 'store', r)
}

/** `erase`: forget `serverUrl`; answers false when the helper had nothing for it. */
export async function helperErase(name: string, serverUrl: string): Promise<boolean> {
  const r = await runHelper(name, 'erase', serverUrl)
  if (r.code === 0) return true
  if (NOT_FOUND.test(r.stdout) || NOT_FOUND.test(r.stderr)) return false
  throw failure(name, 'erase', r)
}

interface HelperResult {
  code: number | null
  stdout: string
  stderr: string
}

function runHelper(name: string, action: string, input: string): Promise<HelperResult> {
  const program = helperProgram(name)
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let size = 0
    const collect = (sink: 'out' | 'err') => (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_OUTPUT) return child.kill('SIGKILL')
      if (sink === 'out') stdout += chunk.toString('utf8')
      else stderr += chunk.toString('utf8')
    }
    child.stdout.on('data', collect('out'))
    child.stderr.on('data', collect('err'))
    const timer = setTimeout(() => child.kill('SIGKILL'), HELPER_TIMEOUT_MS)
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(
        err.code === 'ENOENT'
          ? new CredentialHelperError(`credential helper ${program} is not installed (not found on PATH); install it or remove it from the config file that names "${name}"`)
          : new CredentialHelperError(`cannot run credential helper ${program}: ${err.message}`),
      )
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (signal) return reject(new CredentialHelperError(`credential helper ${program} ${action} ${size > MAX_OUTPUT ? 'wrote more than 1 MiB' : signal === 'SIGKILL' ? `did not answer within ${HELPER_TIMEOUT_MS / 1000}s` : `was killed by ${signal}`}`))
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() })
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
  })
}

function failure(name: string, action: string, r: HelperResult): CredentialHelperError {
  const said = (r.stdout || r.stderr).split('\n')[0]
  return new CredentialHelperError(`credential helper ${helperProgram(name)} ${action} failed (exit ${r.code})${said ? `: ${said}` : ''}`)
}
