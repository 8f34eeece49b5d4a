// After a crash: do `images`, `ps -a` and `volume ls` work, and does what
// they say agree with what is on disk? Answers the disagreements, one line
// each, so a test can expect [] and print the rest.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { lines, show, type Tsrun } from './tsrun'

/** What the three listings said. */
export interface Listings {
  /** `ps -a`: id -> name */
  containers: Map<string, string>
  /** `images`: `repo:tag` -> manifest digest (tagged images only) */
  images: Map<string, string>
  /** `images`: manifest digests of the untagged (`<none>`) images */
  untagged: Set<string>
  volumes: Set<string>
}

function entries(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/** `docker.io/library/demo:1` as `images` shows it (`demo:1`). */
function familiar(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '')
}

/** Run the three listings; throws (with their output) when one fails. */
export async function listings(t: Tsrun): Promise<Listings> {
  const [ps, images, volumes] = await Promise.all([
    t.run(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}']),
    t.run(['images', '--digests', '--format', '{{.Repository}}:{{.Tag}} {{.Digest}}']),
    t.run(['volume', 'ls', '-q']),
  ])
  for (const [what, r] of [['ps -a', ps], ['images', images], ['volume ls', volumes]] as const) {
    if (r.code !== 0) throw new Error(`${what} failed after a crash:\n${show(r)}`)
  }
  return {
    containers: new Map(lines(ps.stdout).map((l) => l.split(' ') as [string, string])),
    images: new Map(lines(images.stdout).map((l) => l.split(' ') as [string, string]).filter(([ref]) => !ref.includes('<none>'))),
    untagged: new Set(lines(images.stdout).map((l) => l.split(' ')).filter(([ref]) => ref.includes('<none>')).map(([, d]) => d)),
    volumes: new Set(lines(volumes.stdout)),
  }
}

/**
 * The listings against the disk, with no tsrun call running (so no create is
 * in progress): every container directory has its record and is listed,
 * nothing waits in `.creating` or `.removing` once `ps -a` has run, names
 * and containers match both ways; every tagged image in index.json is listed
 * with its manifest, config and layer blobs present; the volumes listed are
 * exactly the directories with a record. `pendingVolumeDirs` are volume
 * directories without a record, which only the next holder of the volumes
 * lock reclaims: reported apart, for the caller to check after its rerun.
 */
export async function storeProblems(t: Tsrun): Promise<{ problems: string[]; listed: Listings; pendingVolumeDirs: string[] }> {
  const listed = await listings(t)
  const problems: string[] = []
  const root = t.root

  const containersDir = path.join(root, 'containers')
  const onDisk = new Map<string, string>()
  for (const e of entries(containersDir)) {
    if (e === '.creating' || e === '.removing') {
      for (const left of entries(path.join(containersDir, e))) problems.push(`containers/${e}/${left} left after ps -a`)
      continue
    }
    const rec = path.join(containersDir, e, 'container.json')
    if (!fs.existsSync(rec)) problems.push(`containers/${e}: a directory without a record after ps -a`)
    else onDisk.set(e, readJson(rec).name)
  }
  for (const [id, name] of onDisk) {
    if (listed.containers.get(id) !== name) problems.push(`container ${id} (${name}) on disk, ps -a says ${listed.containers.get(id) ?? 'nothing'}`)
  }
  for (const id of listed.containers.keys()) if (!onDisk.has(id)) problems.push(`ps -a lists ${id}, which has no record on disk`)
  const namesDir = path.join(root, 'names')
  const links = new Map(entries(namesDir).map((n) => [n, fs.readlinkSync(path.join(namesDir, n))]))
  for (const [id, name] of onDisk) if (links.get(name) !== id) problems.push(`container ${id} is named ${name}, names/${name} -> ${links.get(name) ?? 'missing'}`)
  for (const [name, id] of links) if (onDisk.get(id) !== name) problems.push(`names/${name} -> ${id}, which is no container of that name (a reservation nobody can free)`)

  const indexFile = path.join(root, 'images', 'index.json')
  const index = fs.existsSync(indexFile) ? readJson(indexFile) : { manifests: [] }
  const blob = (digest: string) => path.join(root, 'images', 'blobs', 'sha256', digest.replace(/^sha256:/, ''))
  const tagged = new Map<string, string>()
  const untagged = new Set<string>()
  for (const m of index.manifests ?? []) {
    const ref = m.annotations?.['org.opencontainers.image.ref.name']
    if (ref) tagged.set(familiar(ref), m.digest)
    else untagged.add(m.digest)
    if (!fs.existsSync(blob(m.digest))) {
      problems.push(`index.json names manifest ${m.digest}, whose blob is missing`)
      continue
    }
    const manifest = readJson(blob(m.digest))
    for (const d of [manifest.config, ...(manifest.layers ?? [])]) {
      if (d && !fs.existsSync(blob(d.digest))) problems.push(`manifest ${m.digest} names blob ${d.digest}, which is missing`)
    }
  }
  for (const [ref, digest] of tagged) if (listed.images.get(ref) !== digest) problems.push(`index.json tags ${ref} (${digest}), images says ${listed.images.get(ref) ?? 'nothing'}`)
  for (const ref of listed.images.keys()) if (!tagged.has(ref)) problems.push(`images lists ${ref}, which index.json does not tag`)
  for (const d of untagged) if (!listed.untagged.has(d)) problems.push(`index.json holds untagged ${d}, images does not list it`)
  for (const d of listed.untagged) if (!untagged.has(d)) problems.push(`images lists an untagged ${d}, which index.json does not hold`)

  const volumesDir = path.join(root, 'volumes')
  const pendingVolumeDirs: string[] = []
  const recorded = new Set<string>()
  for (const v of entries(volumesDir)) {
    if (fs.existsSync(path.join(volumesDir, v, 'volume.json'))) recorded.add(v)
    else pendingVolumeDirs.push(v)
  }
  for (const v of recorded) if (!listed.volumes.has(v)) problems.push(`volume ${v} has a record, volume ls does not list it`)
  for (const v of listed.volumes) if (!recorded.has(v)) problems.push(`volume ls lists ${v}, which has no record`)
  return { problems, listed, pendingVolumeDirs }
}

/** What a crash may have left half-made, seen on disk before any tsrun call reclaims it. */
export function halfMade(root: string): string[] {
  const found: string[] = []
  const containersDir = path.join(root, 'containers')
  for (const e of entries(containersDir)) {
    if (e === '.creating' || e === '.removing') found.push(...entries(path.join(containersDir, e)).map((id) => `${e}/${id}`))
    else if (!fs.existsSync(path.join(containersDir, e, 'container.json'))) found.push(`${e} (no record)`)
  }
  for (const n of entries(path.join(root, 'names'))) {
    const id = fs.readlinkSync(path.join(root, 'names', n))
    if (!fs.existsSync(path.join(containersDir, id, 'container.json'))) found.push(`names/${n} (no container)`)
  }
  for (const v of entries(path.join(root, 'volumes'))) if (!fs.existsSync(path.join(root, 'volumes', v, 'volume.json'))) found.push(`volumes/${v} (no record)`)
  return found
}
