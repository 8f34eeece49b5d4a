// What a process inside sees: its own PID 1, hostname, network, mounts, /dev, /sys.
import * as fs from 'node:fs'
import * as os from 'node:os'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PATH, hostNs, lines, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

async function sh(script: string, extra: string[] = []): Promise<string> {
  const r = await t.run(['run', '--rm', ...extra, 'demo:1', 'sh', '-c', script])
  if (r.code !== 0) throw new Error(`sh -c ${script} failed:\n${show(r)}`)
  return r.stdout
}

function hostInterfaces(): string[] {
  return fs
    .readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0].trim())
    .filter(Boolean)
    .sort()
}

function interfacesOf(procNetDev: string): string[] {
  return procNetDev
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0].trim())
    .filter(Boolean)
    .sort()
}

describe('PID namespace', () => {
  it('the user process is PID 1', async () => {
    expect(await sh('echo $$')).toBe('1\n')
  })

  it('sees only its own processes', async () => {
    // a busy neighbour that must stay invisible
    await t.ok(['run', '-d', '--name', 'neighbour', 'demo:1', 'sh', '-c', 'exec sleep 4242'])
    try {
      const pids = lines(await sh('ls /proc | grep -E "^[0-9]+$"')).map(Number)
      // sh (1), ls and grep: nothing else
      expect(pids.length).toBeLessThanOrEqual(3)
      for (const p of pids) expect(p).toBeLessThan(10)
      const ps = await sh('ps -o pid,args')
      expect(ps).not.toMatch(/sleep 4242/)
      expect(ps).not.toMatch(/node|vitest|tsrun/)
      // the host does see the neighbour
      const hostPid = (await t.inspect('neighbour')).State.Pid
      expect(fs.readFileSync(`/proc/${hostPid}/cmdline`, 'utf8')).toContain('4242')
    } finally {
      await t.run(['rm', '-f', 'neighbour'])
    }
  })

  it('has its own pid, mount, uts, ipc and net namespaces', async () => {
    const out = await sh('for n in pid mnt uts ipc net; do echo $n $(readlink /proc/self/ns/$n); done')
    const ns = Object.fromEntries(lines(out).map((l) => l.split(' ')))
    for (const k of ['pid', 'mnt', 'uts', 'ipc', 'net'] as const) {
      expect(ns[k], out).toMatch(/^[a-z]+:\[\d+\]$/)
      expect(ns[k], `${k} namespace is the host's`).not.toBe(hostNs(k))
    }
  })
})

describe('UTS namespace and /etc files', () => {
  it('the hostname defaults to the 12-char short id', async () => {
    const r = await t.run(['run', '--name', 'hn', 'demo:1', 'hostname'])
    expect(r.code, show(r)).toBe(0)
    const id = (await t.inspect('hn')).Id
    expect(r.stdout.trim()).toBe(id.slice(0, 12))
    await t.ok(['rm', 'hn'])
  })

  it('--hostname sets it, /etc/hostname and /etc/hosts agree; the host keeps its own', async () => {
    const before = os.hostname()
    const out = await sh('hostname; cat /etc/hostname; echo ---; cat /etc/hosts', ['--hostname', 'box1'])
    const [a, b] = lines(out)
    expect(a).toBe('box1')
    expect(b).toBe('box1')
    const hosts = out.split('---\n')[1]
    expect(hosts).toMatch(/^127\.0\.0\.1\s+.*localhost/m)
    expect(hosts).toMatch(/\bbox1\b/)
    expect(os.hostname()).toBe(before)
  })

  it('/etc/resolv.conf exists', async () => {
    expect(await sh('test -f /etc/resolv.conf && echo yes')).toBe('yes\n')
  })

  it('writing /etc/hosts inside does not touch the host', async () => {
    const host = fs.readFileSync('/etc/hosts', 'utf8')
    await sh('echo "10.9.9.9 injected" >> /etc/hosts; cat /etc/hosts > /dev/null')
    expect(fs.readFileSync('/etc/hosts', 'utf8')).toBe(host)
  })
})

describe('network', () => {
  it('the default is none: only lo, and it is up', async () => {
    const dev = await sh('cat /proc/net/dev')
    expect(interfacesOf(dev)).toEqual(['lo'])
    const link = await sh('ip link')
    expect(link).toMatch(/^\d+: lo:/m)
    expect(link).toMatch(/lo:.*[<,]UP[,>]/)
    expect(link).not.toMatch(/^\d+: (?!lo:)/m)
  })

  it('--network none: only lo', async () => {
    expect(interfacesOf(await sh('cat /proc/net/dev', ['--network', 'none']))).toEqual(['lo'])
  })

  it('--network host sees the host interfaces', async () => {
    const ifs = interfacesOf(await sh('cat /proc/net/dev', ['--network', 'host']))
    expect(ifs).toEqual(hostInterfaces())
    const ns = (await sh('readlink /proc/self/ns/net', ['--network', 'host'])).trim()
    expect(ns).toBe(hostNs('net'))
  })

  it('inspect records the network mode', async () => {
    await t.ok(['create', '--name', 'nethost', '--network', 'host', 'demo:1', 'true'])
    expect((await t.inspect('nethost')).HostConfig.NetworkMode).toBe('host')
    await t.ok(['rm', 'nethost'])
  })
})

describe('mounts, /dev, /sys', () => {
  it('no host mount is visible', async () => {
    const info = await sh('cat /proc/self/mountinfo')
    const points = lines(info).map((l) => l.split(' ')[4])
    expect(points).toContain('/')
    expect(points).toContain('/proc')
    expect(points).toContain('/dev')
    for (const p of points) {
      // everything is /, or under /proc, /dev, /sys, or one of the /etc files the engine provides
      expect(p).toMatch(/^\/$|^\/(proc|dev|sys)(\/|$)|^\/etc\/(hostname|hosts|resolv\.conf)$/)
    }
    expect(info).not.toContain(' /work')
    expect(info).not.toContain(t.root + ' ')
  })

  it('/ is the image: busybox, no host files', async () => {
    expect(await sh('ls /work /home/* 2>/dev/null; readlink /bin/sh')).toBe('/bin/busybox\n')
    const passwd = await sh('cat /etc/passwd')
    expect(passwd).toMatch(/^nobody:x:65534:/m)
    expect(passwd).not.toBe(fs.readFileSync('/etc/passwd', 'utf8'))
  })

  it('/dev is minimal and works', async () => {
    const ls = lines(await sh('ls -1 /dev'))
    for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'ptmx', 'pts', 'shm']) expect(ls).toContain(d)
    // host devices are not there
    for (const d of ['mem', 'kmem', 'port', 'kmsg', 'sda', 'vda', 'nvme0n1']) expect(ls).not.toContain(d)
    expect(await sh('echo x > /dev/null && head -c 5 /dev/zero | wc -c && head -c 8 /dev/urandom | wc -c')).toBe('5\n8\n')
    expect(await sh('if echo x > /dev/full; then echo wrote; else echo full; fi 2>/dev/null')).toBe('full\n')
    expect(await sh('test -c /dev/null && test -c /dev/urandom && test -d /dev/pts && echo ok')).toBe('ok\n')
  })

  it('/dev/shm is writable', async () => {
    expect(await sh('echo hi > /dev/shm/x && cat /dev/shm/x')).toBe('hi\n')
  })

  it('/sys is read-only', async () => {
    const mounts = await sh('cat /proc/mounts')
    const sys = lines(mounts).find((l) => l.split(' ')[1] === '/sys')
    expect(sys, mounts).toBeDefined()
    expect(sys!.split(' ')[3].split(',')).toContain('ro')
    expect(await sh('if mkdir /sys/fs/tsrun-test 2>/dev/null || touch /sys/tsrun-test 2>/dev/null; then echo writable; else echo ro; fi')).toBe('ro\n')
  })

  it('/proc works and is the container\'s', async () => {
    expect(await sh('cat /proc/1/cmdline | tr "\\0" " "')).toMatch(/^sh -c /)
  })

  it('a file written inside stays inside', async () => {
    const marker = `/tmp/tsrun-inside-${process.pid}-${Date.now()}`
    await sh(`echo x > ${marker}`)
    expect(fs.existsSync(marker)).toBe(false)
  })
})

describe('environment and defaults', () => {
  it('an image without PATH gets Docker\'s default PATH', async () => {
    expect(await sh('echo $PATH')).toBe(DEFAULT_PATH + '\n')
  })

  it('runs as root in / by default', async () => {
    expect(await sh('id -u; id -g; pwd')).toBe('0\n0\n/\n')
  })

  it('HOME is /root for root (as Docker)', async () => {
    expect(lines(await sh('env'))).toContain('HOME=/root')
  })

  it('HOSTNAME is in the environment (as Docker)', async () => {
    expect(lines(await sh('env', ['--hostname', 'envhost']))).toContain('HOSTNAME=envhost')
  })

  it('does not leak the host or tsrun environment', async () => {
    const env = await sh('env', [])
    expect(env).not.toMatch(/^TSRUN_ROOT=/m)
    expect(env).not.toMatch(/^NODE_/m)
    expect(env).not.toMatch(/^VITEST/m)
  })
})
