// A seeded kill -9 storm over pull, run, create, rm, import, load and volume
// calls (issue 17). Each call's duration is measured first; then, over and
// over, a random call is started and SIGKILLed after a random delay within
// that duration. After every kill `images`, `ps -a` and `volume ls` must work
// and agree with the disk, and the rerun must complete. At the end,
// everything is removed and nothing may be left: no mount, cgroup, process,
// temp file or layer directory.
//
// Replay a failure with the seed it printed:
//   TSRUN_STORM_SEED=1234 npx vitest run test/e2e/kill-storm.test.ts
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killAfter, seededRandom, timeMs, type KillOutcome } from '../support/kill'
import { startRegistry, type Registry } from '../support/registry'
import { storeProblems } from '../support/store-check'
import { busyboxRootfs, cgroupDirsFor, hostMountsMentioning, lines, listFiles, pidsWithCmdline, show } from '../support/tsrun'
import { useRoot } from '../support/suite'

/** Kills actually delivered to a running call (a call that finished before its delay does not count). */
const KILLS = 100
const SEED = Number(process.env.TSRUN_STORM_SEED ?? Math.floor(Math.random() * 2 ** 31))

const { t } = useRoot()
let reg: Registry
let work: string
/** A rootfs tarball with 4 MiB of random bytes on top of busybox, for import and push. */
let bigRootfs: string
/** `save` of an image no other is built from, for load. */
let loadArchive: string
let pullRef: string
const LOAD_REF = 'storm/loadme:1'

/** Every container id the storm may have made (for the cgroup and process checks at the end). */
const seenIds = new Set<string>()

function noteIds(): void {
  for (const sub of ['containers', 'containers/.creating', 'containers/.removing']) {
    let names: string[] = []
    try {
      names = fs.readdirSync(path.join(t.root, sub))
    } catch {
      /* none */
    }
    for (const n of names) if (/^[0-9a-f]{64}$/.test(n)) seenIds.add(n)
  }
}

/** A tarball: busybox plus one file of `bytes` random bytes named `name`. */
function rootfsWithRandomFile(name: string, bytes: number): string {
  const out = path.join(work, `${name}.tar`)
  fs.copyFileSync(busyboxRootfs(), out)
  const dir = fs.mkdtempSync(path.join(work, 'payload-'))
  fs.writeFileSync(path.join(dir, name), randomBytes(bytes))
  execFileSync('tar', ['--append', '-f', out, '-C', dir, name])
  return out
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-storm-'))
  reg = await startRegistry()
  bigRootfs = rootfsWithRandomFile('payload-a', 4 << 20)
  pullRef = `${reg.host}/storm/big:1`
  await t.ok(['import', bigRootfs, pullRef], { timeout: 60_000 })
  await t.ok(['push', '-q', pullRef], { timeout: 60_000 })
  await t.ok(['rmi', pullRef])
  await t.ok(['import', rootfsWithRandomFile('payload-b', 4 << 20), LOAD_REF], { timeout: 60_000 })
  loadArchive = path.join(work, 'loadme.tar')
  await t.ok(['save', '-o', loadArchive, LOAD_REF], { timeout: 60_000 })
  await t.ok(['rmi', LOAD_REF])
}, 180_000)

afterAll(async () => {
  await reg?.stop()
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

/** One kind of call the storm kills. */
interface Op {
  name: string
  /** Make what the call needs (not killed). */
  prepare: () => Promise<void>
  /** The call to kill; `n` makes names unique. */
  args: (n: number) => string[]
  /** After the kill and the store check: what remains is whole or gone, and the rerun completes. */
  settle: (n: number, k: KillOutcome, listed: Listed) => Promise<void>
  /** Its rerun takes the volumes lock, which reclaims half-made volume directories first. */
  locksVolumes?: boolean
}

interface Listed {
  containers: Map<string, string>
  images: Map<string, string>
  volumes: Set<string>
}

let rng: () => number = seededRandom(SEED)
const pick = <T,>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]

async function mustRerun(args: string[], why: string): Promise<void> {
  const r = await t.run(args, { timeout: 60_000 })
  expect(r.code, `rerun of ${args.join(' ')} ${why}\n${show(r)}`).toBe(0)
}

// The storm's own bookkeeping reads the disk (the last store check vouched
// for it), which keeps tsrun calls for the kills, checks and reruns.
function readRecords<T>(dir: string, file: string): T[] {
  const out: T[] = []
  for (const e of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    try {
      out.push(JSON.parse(fs.readFileSync(path.join(dir, e, file), 'utf8')))
    } catch {
      /* not a record */
    }
  }
  return out
}

/** Container records, newest first. */
function diskContainers(): { id: string; created: string; mounts?: { Name?: string }[] }[] {
  return readRecords<{ id: string; created: string }>(path.join(t.root, 'containers'), 'container.json').sort((a, b) => b.created.localeCompare(a.created))
}

function diskHasImage(ref: string): boolean {
  const index = path.join(t.root, 'images', 'index.json')
  if (!fs.existsSync(index)) return false
  const full = ref.includes('/') && /[.:]/.test(ref.split('/')[0]) ? ref : `docker.io/${ref}`
  return JSON.parse(fs.readFileSync(index, 'utf8')).manifests.some((m: any) => m.annotations?.['org.opencontainers.image.ref.name'] === full)
}

/** The storm's volumes no container mounts. */
function freeVolumes(): string[] {
  const used = new Set(diskContainers().flatMap((c) => (c.mounts ?? []).map((m) => m.Name)))
  return readRecords<{ name: string }>(path.join(t.root, 'volumes'), 'volume.json').map((v) => v.name).filter((v) => v.startsWith('sv') && !used.has(v)).sort()
}

/** Keep the number of containers bounded: remove the oldest beyond `max` (not killed). */
async function trimContainers(max: number): Promise<void> {
  const ids = diskContainers().map((c) => c.id)
  if (ids.length > max) await t.ok(['rm', '-f', '-v', ...ids.slice(max)], { timeout: 60_000 })
}

const ops: Op[] = [
  {
    name: 'pull',
    prepare: async () => {
      if (diskHasImage(pullRef)) await t.ok(['rmi', pullRef])
    },
    args: () => ['pull', '-q', pullRef],
    settle: async (_n, _k, listed) => mustRerun(['pull', '-q', pullRef], `(the image was ${listed.images.has(pullRef) ? 'complete' : 'absent'})`),
  },
  {
    name: 'run -d',
    prepare: () => trimContainers(6),
    args: (n) => ['run', '-d', '--name', `r${n}`, 'demo:1', 'sleep', '1000'],
    settle: async (n, _k, listed) => {
      const name = `r${n}`
      if ([...listed.containers.values()].includes(name)) {
        const state = (await t.inspect(name)).State.Status
        expect(['created', 'running'], `${name} after its run -d was killed`).toContain(state)
        if (state === 'created') await mustRerun(['start', name], 'of a container whose run -d was killed before it started')
      } else {
        await mustRerun(['run', '-d', '--name', name, 'demo:1', 'sleep', '1000'], 'after its container vanished')
      }
    },
  },
  {
    name: 'run --rm -v',
    locksVolumes: true,
    prepare: () => trimContainers(6),
    args: () => ['run', '--rm', '-v', '/data', 'demo:1', 'true'],
    settle: async () => mustRerun(['run', '--rm', '-v', '/data', 'demo:1', 'true'], ''),
  },
  {
    name: 'create -v',
    locksVolumes: true,
    prepare: () => trimContainers(6),
    args: (n) => ['create', '--name', `c${n}`, '-v', `cv${n % 3}:/data`, 'demo:1', 'echo', 'whole'],
    settle: async (n, _k, listed) => {
      const name = `c${n}`
      if (![...listed.containers.values()].includes(name)) await mustRerun(['create', '--name', name, '-v', `cv${n % 3}:/data`, 'demo:1', 'echo', 'whole'], '')
      const r = await t.run(['start', '-a', name])
      expect(r.stdout, `${name}, whose create was killed, starts\n${show(r)}`).toBe('whole\n')
    },
  },
  {
    name: 'rm -f -v',
    prepare: async () => {
      if (diskContainers().length === 0) await t.ok(['run', '-d', '--name', 'target', '-v', '/data', 'demo:1', 'sleep', '1000'])
    },
    args: () => ['rm', '-f', '-v', '@target'],
    settle: async (_n, _k, listed) => {
      if (listed.containers.has(rmTarget)) await mustRerun(['rm', '-f', '-v', rmTarget], 'of a removal that was killed')
      expect(lines((await t.ok(['ps', '-aq', '--no-trunc'])).stdout)).not.toContain(rmTarget)
    },
  },
  {
    name: 'import',
    prepare: async () => {},
    args: (n) => ['import', bigRootfs, `storm/imp:${n % 2}`],
    settle: (n) => mustRerun(['import', bigRootfs, `storm/imp:${n % 2}`], ''),
  },
  {
    name: 'load',
    prepare: async () => {
      if (diskHasImage(LOAD_REF)) await t.ok(['rmi', LOAD_REF])
    },
    args: () => ['load', '-q', '-i', loadArchive],
    settle: () => mustRerun(['load', '-q', '-i', loadArchive], ''),
  },
  {
    name: 'volume create',
    locksVolumes: true,
    prepare: async () => {
      const free = freeVolumes()
      if (free.length > 4) await t.ok(['volume', 'rm', ...free.slice(4)])
    },
    args: (n) => ['volume', 'create', `sv${n}`],
    settle: (n) => mustRerun(['volume', 'create', `sv${n}`], ''),
  },
  {
    name: 'volume rm',
    locksVolumes: true,
    prepare: async () => {
      if (freeVolumes().length === 0) await t.ok(['volume', 'create', 'svspare'])
    },
    args: () => ['volume', 'rm', '@volume'],
    settle: async (_n, _k, listed) => {
      // Run again either way: a removal that got as far as the record is done, and says so.
      const r = await t.run(['volume', 'rm', rmVolume])
      if (listed.volumes.has(rmVolume)) expect(r.code, `rerun of volume rm ${rmVolume}\n${show(r)}`).toBe(0)
      else expect(r.stderr, `rerun of volume rm ${rmVolume}, already gone\n${show(r)}`).toMatch(/no such volume/i)
      expect(lines((await t.ok(['volume', 'ls', '-q'])).stdout)).not.toContain(rmVolume)
    },
  },
]

// The targets of the removals, chosen (by the seeded generator) when the call is made.
let rmTarget = ''
let rmVolume = ''
async function resolveArgs(op: Op, n: number): Promise<string[]> {
  const args = op.args(n)
  if (args.includes('@target')) {
    rmTarget = pick(diskContainers().map((c) => c.id).sort())
    return args.map((a) => (a === '@target' ? rmTarget : a))
  }
  if (args.includes('@volume')) {
    rmVolume = pick(freeVolumes())
    return args.map((a) => (a === '@volume' ? rmVolume : a))
  }
  return args
}

/** Volume directories without a record: a killed volume create or rm, until the next volumes lock. */
function recordlessVolumeDirs(): string[] {
  const dir = path.join(t.root, 'volumes')
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir).filter((v) => !fs.existsSync(path.join(dir, v, 'volume.json')))
}

/** Files that may never be left once everything is removed (spool, layers and blobs included: rmi collects them). */
function leftoverFiles(): string[] {
  return listFiles(t.root).filter((f) => !(/(^|\/)locks\//.test(f) || /(^|\/)leases\//.test(f) || f === 'events.log' || f === 'images/index.json' || f === 'images/oci-layout'))
}

describe('kill -9 storm', () => {
  it(`over pull, run, create, rm, import, load and volume calls`, async () => {
    console.log(`kill storm: seed ${SEED} (replay: TSRUN_STORM_SEED=${SEED} npx vitest run test/e2e/kill-storm.test.ts)`)
    rng = seededRandom(SEED)

    // How long each call takes when left alone (the median of three): the kills are spread over that.
    const duration = new Map<string, number>()
    let n = 0
    for (const op of ops) {
      const ms: number[] = []
      for (let i = 0; i < 3; i++) {
        await op.prepare()
        const args = await resolveArgs(op, ++n)
        ms.push(await timeMs(async () => {
          const r = await t.run(args, { timeout: 60_000 })
          expect(r.code, `${args.join(' ')} left alone\n${show(r)}`).toBe(0)
        }))
      }
      duration.set(op.name, ms.sort((a, b) => a - b)[1])
    }
    console.log(`kill storm: durations ${[...duration].map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}`)

    const kills = new Map<string, number>()
    let delivered = 0
    let calls = 0
    while (delivered < KILLS) {
      expect(calls++, 'calls that finished before their kill').toBeLessThan(KILLS * 2)
      const op = pick(ops)
      await op.prepare()
      const args = await resolveArgs(op, ++n)
      const delay = Math.floor(rng() * duration.get(op.name)!)
      const k = await killAfter(t, args, delay)
      if (k.killed) {
        delivered++
        kills.set(op.name, (kills.get(op.name) ?? 0) + 1)
      }
      noteIds()
      const what = `${args.join(' ')} killed at ${delay} ms (kill ${delivered}, seed ${SEED})`
      const { problems, listed } = await storeProblems(t)
      expect(problems, what).toEqual([])
      await op.settle(n, k, listed)
      if (op.locksVolumes) expect(recordlessVolumeDirs(), `after the rerun of ${what}`).toEqual([])
      noteIds()
    }
    console.log(`kill storm: ${delivered} kills in ${calls} calls (${[...kills].map(([k, v]) => `${k} ${v}`).join(', ')}), seed ${SEED}`)

    // One more unpack: the overlay driver sweeps temp dirs of killed unpacks at each prepare.
    await t.ok(['rmi', '-f', pullRef])
    await t.ok(['pull', '-q', pullRef], { timeout: 60_000 })

    // Remove everything; then nothing may be left.
    await t.removeAllContainers()
    const vols = lines((await t.ok(['volume', 'ls', '-q'])).stdout)
    if (vols.length) await t.ok(['volume', 'rm', ...vols])
    const images = lines((await t.ok(['images', '-q', '--no-trunc'])).stdout)
    if (images.length) await t.ok(['rmi', '-f', ...new Set(images)], { timeout: 60_000 })
    const { problems } = await storeProblems(t)
    expect(problems).toEqual([])
    expect(lines((await t.ok(['ps', '-aq'])).stdout)).toEqual([])
    expect(lines((await t.ok(['images', '-q'])).stdout)).toEqual([])
    expect(lines((await t.ok(['volume', 'ls', '-q'])).stdout)).toEqual([])

    expect(hostMountsMentioning(t.root), 'mounts').toEqual([])
    expect(pidsWithCmdline(t.root), 'processes').toEqual([])
    const cgroups = [...seenIds].flatMap((id) => cgroupDirsFor(id))
    expect(cgroups, 'cgroups').toEqual([])
    for (const id of seenIds) expect(pidsWithCmdline(id), `processes of ${id}`).toEqual([])
    for (const dir of ['containers', 'names', 'volumes']) {
      let left: string[] = []
      try {
        left = fs.readdirSync(path.join(t.root, dir))
      } catch {
        /* gone is fine */
      }
      expect(left, `${dir}/`).toEqual([])
    }
    const layers = path.join(t.root, 'storage', 'overlay', 'layers')
    const layerDirs = fs.existsSync(layers) ? fs.readdirSync(layers) : []
    expect(layerDirs.filter((d) => d.startsWith('.tmp-')), 'unpack temp dirs').toEqual([])
    expect(layerDirs, 'layer dirs').toEqual([])
    expect(leftoverFiles(), 'files left').toEqual([])
  }, 900_000)
})
