// Smoke check of the built addon: it loads, probes the host, and its errors
// carry an errno `code`. Run after `npm run build`: `node smoke.js`.
'use strict'
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const native = require('./index.js')

async function main() {
  const host = native.probeHost()
  console.log('probeHost:', JSON.stringify(host))
  assert.ok(['v1', 'v2', 'hybrid'].includes(host.cgroup))
  assert.equal(typeof host.overlay, 'boolean')
  assert.ok(Array.isArray(host.v1Controllers))

  const shim = native.shimPath()
  console.log('shimPath:', shim, fs.existsSync(shim) ? '(present)' : '(missing: run npm run build:shim)')
  assert.equal(shim, path.join(__dirname, 'bin', 'tsrun-shim'))

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsrun-smoke-'))
  try {
    const fd = native.lockFile(path.join(tmp, 'x.lock'))
    assert.ok(Number.isInteger(fd) && fd > 2)
    native.unlockFile(fd)

    const notTar = path.join(tmp, 'not.tar')
    fs.writeFileSync(notTar, 'hello\n')
    await assert.rejects(native.unpackLayer(notTar, path.join(tmp, 'dest'), { whiteouts: 'apply' }), (err) => {
      assert.ok(err instanceof Error)
      assert.equal(err.code, 'EINVAL')
      assert.equal(err.message, `layer ${notTar}: not a tar archive`)
      return true
    })
    await assert.rejects(native.unpackLayer(path.join(tmp, 'nope.tar'), path.join(tmp, 'dest'), { whiteouts: 'overlay' }), {
      code: 'ENOENT',
    })
    await assert.rejects(native.unpackLayer(notTar, path.join(tmp, 'dest'), { whiteouts: 'aufs' }), { code: 'EINVAL' })
    assert.throws(() => native.lockFile(path.join(tmp, 'no/such/dir/x.lock')), (err) => {
      assert.equal(err.code, 'ENOENT')
      assert.match(err.message, /^open .*x\.lock: no such file or directory$/)
      return true
    })

    // A one-file tar, written by hand (ustar header + data + two zero blocks).
    const header = Buffer.alloc(512)
    header.write('hello.txt', 0)
    header.write('0000644\0', 100)
    header.write('0000000\0', 108)
    header.write('0000000\0', 116)
    header.write('00000000006\0', 124)
    header.write('14000000000\0', 136)
    header.write('        ', 148)
    header.write('0', 156)
    header.write('ustar\0' + '00', 257)
    let sum = 0
    for (const b of header) sum += b
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    const data = Buffer.alloc(512)
    data.write('hello\n')
    const tarPath = path.join(tmp, 'one.tar')
    fs.writeFileSync(tarPath, Buffer.concat([header, data, Buffer.alloc(1024)]))
    const dest = path.join(tmp, 'out')
    const stats = await native.unpackLayer(tarPath, dest, { whiteouts: 'overlay', compression: 'auto' })
    assert.deepEqual(stats, { entries: 1, bytes: 6 })
    assert.equal(fs.readFileSync(path.join(dest, 'hello.txt'), 'utf8'), 'hello\n')
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  console.log('smoke: ok')
}

main().catch((err) => {
  console.error('smoke: FAILED', err)
  process.exit(1)
})
