// Debian's tinyproxy as the HTTP proxy of proxy tests: CONNECT tunnels for
// https registries, absolute-URI requests for plain-HTTP ones. It listens on
// 127.0.0.1 on a free port, in the foreground, logging every request to a
// file the test reads (`requests()`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { freePort } from './registry'
import { sleep } from './tsrun'

export interface Proxy {
  /** `http://127.0.0.1:PORT` */
  url: string
  /** The request lines tinyproxy logged so far: `CONNECT vm:5000 HTTP/1.1`, `GET http://vm:5001/v2/ HTTP/1.1`. */
  requests(): string[]
  stop(): Promise<void>
}

/** Why tinyproxy cannot be used here, or undefined when it can. */
export function tinyproxyMissing(): string | undefined {
  return spawnSync('tinyproxy', ['-v'], { stdio: 'ignore' }).error ? 'tinyproxy is not installed (apt-get install tinyproxy-bin)' : undefined
}

/** `connectPorts`: the only ports CONNECT may reach (tinyproxy's ConnectPort); all when empty. */
export async function startTinyproxy(opts: { connectPorts?: number[] } = {}): Promise<Proxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-proxy-'))
  const port = await freePort()
  const log = path.join(dir, 'log')
  const conf = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 60',
    `LogFile "${log}"`,
    'LogLevel Connect',
    'MaxClients 50',
    'Allow 127.0.0.1',
    'DisableViaHeader Yes',
    ...(opts.connectPorts ?? []).map((p) => `ConnectPort ${p}`),
  ].join('\n')
  fs.writeFileSync(path.join(dir, 'tinyproxy.conf'), `${conf}\n`)
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', path.join(dir, 'tinyproxy.conf')], { stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'stderr'), 'w')] })
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => net.connect(port, '127.0.0.1').on('connect', function (this: net.Socket) { this.destroy(); resolve(true) }).on('error', () => resolve(false)))
    if (up) break
    if (child.exitCode !== null || i > 100) throw new Error(`tinyproxy did not start: ${fs.readFileSync(path.join(dir, 'stderr'), 'utf8')}`)
    await sleep(50)
  }
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => {
      const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''
      return [...text.matchAll(/Request \(file descriptor \d+\): (.+)$/gm)].map((m) => m[1].trim())
    },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await new Promise((r) => child.once('exit', r))
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
