// Bad volume and mount input: one clear line, exit 125, nothing created.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { lines, show, STACK_TRACE, storeFiles } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

let file: string
beforeAll(() => {
  file = path.join(t.root, 'a-file')
  fs.writeFileSync(file, 'x\n')
})

/** [what, argv, the error line's pattern] */
const cases: Array<[string, () => string[], RegExp]> = [
  ['a bind source that is a file over an image directory', () => ['run', '--rm', '-v', `${file}:/etc`, 'demo:1', 'true'], /source is a file, but \/etc is a directory in the image/],
  ['a destination that is not absolute (-v)', () => ['run', '--rm', '-v', 'data:relative', 'demo:1', 'true'], /destination "relative" is not an absolute path/],
  ['a destination that is not absolute (--mount)', () => ['run', '--rm', '--mount', 'type=tmpfs,dst=cache', 'demo:1', 'true'], /destination "cache" is not an absolute path/],
  ['.. in a subpath escaping the volume', () => ['run', '--rm', '--mount', 'type=volume,src=data,dst=/d,volume-subpath=a/../../x', 'demo:1', 'true'], /volume-subpath "a\/..\/..\/x" must be a relative path inside the volume/],
  ['an unknown driver', () => ['run', '--rm', '--mount', 'type=volume,src=data,dst=/d,volume-driver=nfs-nope', 'demo:1', 'true'], /unknown volume backend "nfs-nope": registered volume backends are local/],
  ['an unknown --mount option', () => ['run', '--rm', '--mount', 'type=bind,src=/tmp,dst=/d,colour=blue', 'demo:1', 'true'], /unknown option "colour"/],
  ['an unknown -v option', () => ['run', '--rm', '-v', 'data:/d:rx', 'demo:1', 'true'], /unknown option "rx"/],
  ['an unknown driver option', () => ['run', '--rm', '--mount', 'type=volume,src=data,dst=/d,volume-opt=colour=blue', 'demo:1', 'true'], /invalid option "colour" for volume driver local/],
  ['a volume name with bad characters', () => ['run', '--rm', '-v', 'da$ta:/d', 'demo:1', 'true'], /"da\$ta" includes invalid characters for a volume name/],
  ['two mounts on one destination', () => ['run', '--rm', '-v', 'data:/d', '--tmpfs', '/d/', 'demo:1', 'true'], /duplicate mount point: \/d$/],
  ['a tmpfs size that does not parse (--tmpfs)', () => ['run', '--rm', '--tmpfs', '/c:size=big', 'demo:1', 'true'], /size "big": expected a size like 64m/],
  ['a tmpfs size that does not parse (--mount)', () => ['run', '--rm', '--mount', 'type=tmpfs,dst=/c,tmpfs-size=12q', 'demo:1', 'true'], /tmpfs-size "12q": expected a size like 64m/],
  ['an option of another mount type', () => ['run', '--rm', '--mount', 'type=bind,src=/tmp,dst=/d,tmpfs-size=1m', 'demo:1', 'true'], /tmpfs-size is only for type=tmpfs/],
  ['volumes-from a container that does not exist', () => ['run', '--rm', '--volumes-from', 'nobody-here', 'demo:1', 'true'], /No such container: nobody-here/],
  ['create with a bad name', () => ['volume', 'create', 'no/slashes'], /invalid volume name "no\/slashes"/],
  ['create with an unknown driver', () => ['volume', 'create', '-d', 'nope', 'vol1'], /unknown volume backend "nope"/],
  ['create with an unknown option', () => ['volume', 'create', '-o', 'size=1g', 'vol1'], /invalid option "size" for volume driver local/],
  ['create with a tmpfs size that does not parse', () => ['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=huge', 'vol1'], /tmpfs size "huge"/],
  ['create a bind volume of a missing device', () => ['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${'/nonexistent/tsrun-dev'}`, 'vol1'], /device \/nonexistent\/tsrun-dev does not exist/],
  ['ls with an unknown filter', () => ['volume', 'ls', '--filter', 'colour=red'], /invalid filter 'colour'/],
]

describe('bad volume input', () => {
  it.each(cases)('%s: one line, exit 125, nothing created', async (_what, argv, pattern) => {
    const before = storeFiles(t.root).filter((f) => !f.startsWith('a-file'))
    const r = await t.run(argv())
    expect(r.code, show(r)).toBe(125)
    const errLines = lines(r.stderr)
    expect(errLines, show(r)).toHaveLength(1)
    expect(errLines[0]).toMatch(/^Error: /)
    expect(errLines[0]).toMatch(pattern)
    expect(r.stderr).not.toMatch(STACK_TRACE)
    expect(storeFiles(t.root).filter((f) => !f.startsWith('a-file'))).toEqual(before)
    expect((await t.ok(['volume', 'ls', '-q'])).stdout).toBe('')
    expect(await t.psJson()).toEqual([])
  })

  it("inspect of a missing volume: docker/cli inspect's exit 1, an empty [] and one line, nothing created", async () => {
    const before = storeFiles(t.root).filter((f) => !f.startsWith('a-file'))
    const r = await t.run(['volume', 'inspect', 'ghost'])
    expect([r.code, r.stdout, r.stderr], show(r)).toEqual([1, '[]\n', 'Error: No such volume: ghost\n'])
    expect(storeFiles(t.root).filter((f) => !f.startsWith('a-file'))).toEqual(before)
  })
})
