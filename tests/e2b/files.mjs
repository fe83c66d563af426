// files write/read/list/exists/makeDir/rename/remove/getInfo/watchDir, bytes, signed URLs.
import { Sandbox, FileNotFoundError, NotFoundError } from 'e2b'
import { assert, check, eventually } from './lib.mjs'

const sbx = await Sandbox.create()
try {
  await check('write (parents made), read, list, exists, getInfo', async () => {
    const info = await sbx.files.write('/tmp/d/a.txt', 'alpha')
    assert.equal(info.path, '/tmp/d/a.txt')
    assert.equal(await sbx.files.read('/tmp/d/a.txt'), 'alpha')
    const listed = await sbx.files.list('/tmp/d')
    assert.deepEqual(listed.map(e => [e.name, e.type, e.path]), [['a.txt', 'file', '/tmp/d/a.txt']])
    assert.equal(await sbx.files.exists('/tmp/d/a.txt'), true)
    assert.equal(await sbx.files.exists('/tmp/d/none'), false)
    const stat = await sbx.files.getInfo('/tmp/d/a.txt')
    assert.equal(stat.size, 5)
    assert.equal(stat.type, 'file')
    assert.equal(stat.permissions, '-rw-r--r--')
  })

  await check('relative paths are under the user\'s home; bytes round-trip', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255])
    await sbx.files.write('bin.dat', bytes.buffer)
    assert.deepEqual(await sbx.files.read('bin.dat', { format: 'bytes' }), bytes)
    const home = (await sbx.commands.run('echo $HOME')).stdout.trim()
    assert.equal((await sbx.commands.run('od -An -tu1 ' + home + '/bin.dat')).stdout.trim().split(/\s+/).join(','), '0,1,2,250,255')
  })

  await check('several files at once', async () => {
    const written = await sbx.files.write([{ path: '/tmp/m/one', data: '1' }, { path: '/tmp/m/two', data: '2' }])
    assert.deepEqual(written.map(w => w.path).sort(), ['/tmp/m/one', '/tmp/m/two'])
    assert.equal(await sbx.files.read('/tmp/m/two'), '2')
  })

  await check('makeDir, rename, remove', async () => {
    assert.equal(await sbx.files.makeDir('/tmp/d/sub/deeper'), true)
    assert.equal(await sbx.files.makeDir('/tmp/d/sub/deeper'), false)
    const moved = await sbx.files.rename('/tmp/d/a.txt', '/tmp/d/sub/b.txt')
    assert.equal(moved.name, 'b.txt')
    assert.equal(await sbx.files.exists('/tmp/d/a.txt'), false)
    assert.equal(await sbx.files.read('/tmp/d/sub/b.txt'), 'alpha')
    const deep = await sbx.files.list('/tmp/d', { depth: 3 })
    assert.deepEqual(deep.map(e => e.path).sort(), ['/tmp/d/sub', '/tmp/d/sub/b.txt', '/tmp/d/sub/deeper'])
    await sbx.files.remove('/tmp/d/sub')
    assert.equal(await sbx.files.exists('/tmp/d/sub'), false)
  })

  await check('a missing file is FileNotFoundError / NotFoundError', async () => {
    await assert.rejects(sbx.files.read('/tmp/nothing-here'), e => e instanceof FileNotFoundError || e instanceof NotFoundError)
    await assert.rejects(sbx.files.getInfo('/tmp/nothing-here'), e => e instanceof FileNotFoundError || e instanceof NotFoundError)
  })

  await check('watchDir reports creates, writes and removes', async () => {
    await sbx.files.makeDir('/tmp/w')
    const events = []
    const handle = await sbx.files.watchDir('/tmp/w', e => events.push(e))
    await sbx.files.write('/tmp/w/new.txt', 'x')
    await sbx.commands.run('echo more >> /tmp/w/new.txt; rm /tmp/w/new.txt')
    await eventually('create, write and remove of new.txt', () =>
      ['create', 'write', 'remove'].every(t => events.some(e => e.name === 'new.txt' && e.type === t)))
    await handle.stop()
  })

  await check('upload and download URLs work without the SDK\'s headers', async () => {
    const up = await sbx.uploadUrl('/tmp/url.txt')
    const form = new FormData()
    form.append('file', new Blob(['via url']), 'url.txt')
    const put = await fetch(up, { method: 'POST', body: form })
    assert.equal(put.status, 200, await put.clone().text())
    const down = await sbx.downloadUrl('/tmp/url.txt')
    const got = await fetch(down)
    assert.equal(got.status, 200)
    assert.equal(await got.text(), 'via url')
    // The signature covers the path: another path with it is refused.
    const other = new URL(down)
    other.searchParams.set('path', '/etc/passwd')
    assert.equal((await fetch(other)).status, 401)
  })
} finally {
  await sbx.kill()
}
