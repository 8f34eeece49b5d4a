// The entries of a tar archive as Python's tarfile reads them (names with
// newlines and all), for tests of what tsrun writes (export, commit layers).
import { execFileSync } from 'node:child_process'

export interface TarEntry {
  name: string
  /** tarfile's type: '0' file, '5' dir, '2' symlink, '1' hard link, '3' char, '4' block, '6' fifo. */
  type: string
  size: number
  linkname: string
  mode: number
  devmajor: number
  devminor: number
}

/** Every entry of the archive at `file` (or given as bytes), in archive order. */
export function tarEntries(file: string | Buffer): TarEntry[] {
  const script = `
import json, sys, tarfile, io
src = sys.argv[1]
tf = tarfile.open(src, "r:*") if src != "-" else tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()), mode="r:*")
out = []
for m in tf.getmembers():
    out.append({"name": m.name, "type": m.type.decode(), "size": m.size, "linkname": m.linkname, "mode": m.mode, "devmajor": m.devmajor, "devminor": m.devminor})
print(json.dumps(out))
`
  const arg = typeof file === 'string' ? file : '-'
  const out = execFileSync('python3', ['-c', script, arg], { input: typeof file === 'string' ? undefined : file, maxBuffer: 256 << 20, encoding: 'utf8' })
  return JSON.parse(out) as TarEntry[]
}
