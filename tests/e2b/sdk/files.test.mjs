// E2B's tests/sandbox/files/*: exists, getInfo, list (depth), makeDir, read (formats), remove,
// rename, write (one, many, streams, octet-stream, gzip), watchDir (recursive, entries). Paths
// are E2B's relative ones, under the default user's home (/home/user, as in E2B).
import { assert, expect } from 'vitest'
import { FileNotFoundError, FilesystemEventType, FileType, NotFoundError } from 'e2b'
import { home, sandboxTest } from './setup.mjs'
import path from 'node:path'

sandboxTest('exists: a written file, not a missing one', async ({ sandbox }) => {
  await sandbox.files.write('test_exists.txt', 'test')
  assert.isTrue(await sandbox.files.exists('test_exists.txt'))
  assert.isFalse(await sandbox.files.exists('test_does_not_exist.txt'))
})

sandboxTest('getInfo of a file, a directory, a symlink; missing ones are FileNotFoundError', async ({ sandbox }) => {
  await sandbox.files.write('test_file.txt', 'test')
  const cwd = (await sandbox.commands.run('pwd')).stdout.trim()
  assert.equal(cwd, home)
  const info = await sandbox.files.getInfo('test_file.txt')
  assert.equal(info.name, 'test_file.txt')
  assert.equal(info.type, 'file')
  assert.equal(info.path, `${cwd}/test_file.txt`)
  assert.equal(info.size, 4)
  assert.equal(info.mode, 0o644)
  assert.equal(info.permissions, '-rw-r--r--')
  assert.equal(info.owner, 'user')
  assert.equal(info.group, 'user')
  assert.property(info, 'modifiedTime')
  await sandbox.files.makeDir('test_dir')
  const dir = await sandbox.files.getInfo('test_dir')
  assert.equal(dir.type, 'dir')
  assert.equal(dir.path, `${cwd}/test_dir`)
  assert.isAbove(dir.size, 0)
  assert.equal(dir.mode, 0o755)
  assert.equal(dir.permissions, 'drwxr-xr-x')
  await sandbox.commands.run('ln -s test_file.txt test_symlink.txt')
  assert.equal((await sandbox.files.getInfo('test_symlink.txt')).symlinkTarget, `${cwd}/test_file.txt`)
  await expect(sandbox.files.getInfo('test_does_not_exist.txt')).rejects.toThrow(FileNotFoundError)
  await expect(sandbox.files.getInfo('test_does_not_exist_dir')).rejects.toThrow(FileNotFoundError)
})

sandboxTest('list a directory by depth, in name order', async ({ sandbox }) => {
  const p = 'test_directory'
  for (const d of ['', '/subdir1', '/subdir2', '/subdir1/subdir1_1', '/subdir1/subdir1_2', '/subdir2/subdir2_1', '/subdir2/subdir2_2'])
    await sandbox.files.makeDir(p + d)
  await sandbox.files.write(`${p}/file1.txt`, 'Hello, world!')
  const one = ['file1.txt', 'subdir1', 'subdir2']
  const two = ['file1.txt', 'subdir1', 'subdir1/subdir1_1', 'subdir1/subdir1_2', 'subdir2', 'subdir2/subdir2_1', 'subdir2/subdir2_2']
  for (const [depth, expected] of [[undefined, one], [1, one], [2, two], [3, two]]) {
    const files = await sandbox.files.list(p, depth === undefined ? undefined : { depth })
    assert.deepEqual(files.map(f => f.path), expected.map(e => `${home}/${p}/${e}`), `depth ${depth}`)
    assert.deepEqual(files.map(f => f.name), expected.map(e => path.basename(e)))
    assert.deepEqual(files.map(f => f.type), expected.map(e => (e === 'file1.txt' ? 'file' : 'dir')))
  }
  const err = await sandbox.files.list(p, { depth: -1 }).catch(e => e)
  assert.include(err.message, 'depth should be at least one')
})

sandboxTest('list entries carry mode, permissions, owner, size', async ({ sandbox }) => {
  await sandbox.files.makeDir('mixed/subdir')
  await sandbox.files.write('mixed/test.txt', 'Hello, World!')
  const entries = new Map((await sandbox.files.list('mixed', { depth: 1 })).map(e => [e.name, e]))
  assert.equal(entries.size, 2)
  const file = entries.get('test.txt'), dir = entries.get('subdir')
  assert.equal(file.type, 'file')
  assert.equal(file.mode, 0o644)
  assert.equal(file.permissions, '-rw-r--r--')
  assert.equal(file.size, 13)
  assert.isUndefined(file.symlinkTarget)
  assert.ok(file.modifiedTime)
  assert.equal(dir.type, 'dir')
  assert.equal(dir.mode, 0o755)
  assert.equal(dir.permissions, 'drwxr-xr-x')
  assert.equal(dir.owner, file.owner)
})

sandboxTest('makeDir: made, nested, and an existing one is false', async ({ sandbox }) => {
  assert.isTrue(await sandbox.files.makeDir('test_directory2'))
  assert.isTrue(await sandbox.files.exists('test_directory2'))
  assert.isFalse(await sandbox.files.makeDir('test_directory2'))
  await sandbox.files.makeDir('test_directory3/nested_directory')
  assert.isTrue(await sandbox.files.exists('test_directory3/nested_directory'))
})

sandboxTest('read: text, a stream, every format of an empty file; missing is FileNotFoundError', async ({ sandbox }) => {
  await sandbox.files.write('test_read.txt', 'Hello, world!')
  assert.equal(await sandbox.files.read('test_read.txt'), 'Hello, world!')
  await expect(sandbox.files.read('non_existing_file.txt')).rejects.toThrowError(FileNotFoundError)
  await expect(sandbox.files.read('non_existing_file.txt')).rejects.toThrowError(NotFoundError)
  await expect(sandbox.files.read('non_existing_file.txt', { format: 'stream' })).rejects.toThrowError(FileNotFoundError)
  const content = 'Streamed read content. '.repeat(10_000)
  await sandbox.files.write('stream.txt', content)
  const chunks = []
  for await (const c of await sandbox.files.read('stream.txt', { format: 'stream' })) chunks.push(c)
  assert.equal(Buffer.concat(chunks).toString('utf-8'), content)
  await sandbox.commands.run('touch empty.txt')
  expect(await sandbox.files.read('empty.txt', { format: 'text' })).toBe('')
  expect((await sandbox.files.read('empty.txt', { format: 'bytes' })).length).toBe(0)
  expect((await sandbox.files.read('empty.txt', { format: 'blob' })).size).toBe(0)
})

sandboxTest('remove: a file goes; a missing one is no error', async ({ sandbox }) => {
  await sandbox.files.write('test_remove.txt', 'gone')
  await sandbox.files.remove('test_remove.txt')
  assert.isFalse(await sandbox.files.exists('test_remove.txt'))
  await sandbox.files.remove('non_existing_file.txt')
})

sandboxTest('rename: the new entry; a missing one is FileNotFoundError', async ({ sandbox }) => {
  await sandbox.files.write('old.txt', 'moved')
  const info = await sandbox.files.rename('old.txt', 'new.txt')
  assert.equal(info.name, 'new.txt')
  assert.equal(info.type, 'file')
  assert.equal(info.path, `${home}/new.txt`)
  assert.isFalse(await sandbox.files.exists('old.txt'))
  assert.equal(await sandbox.files.read('new.txt'), 'moved')
  await expect(sandbox.files.rename('non_existing_file.txt', 'x.txt')).rejects.toThrowError(FileNotFoundError)
})

sandboxTest('write one file, overwrite it, into a missing directory', async ({ sandbox }) => {
  const info = await sandbox.files.write('test_write.txt', 'This is a test file.')
  assert.isFalse(Array.isArray(info))
  assert.equal(info.name, 'test_write.txt')
  assert.equal(info.type, 'file')
  assert.equal(info.path, `${home}/test_write.txt`)
  await sandbox.files.write('test_write.txt', 'New content.')
  assert.equal(await sandbox.files.read('test_write.txt'), 'New content.')
  await sandbox.files.write('non_existing_dir/test_write.txt', 'made')
  assert.equal(await sandbox.files.read('non_existing_dir/test_write.txt'), 'made')
})

sandboxTest('write many files at once, absolute and relative, in order', async ({ sandbox }) => {
  assert.deepEqual(await sandbox.files.write([]), [])
  const files = []
  for (let i = 0; i < 10; i++)
    files.push({ path: i % 2 === 0 ? `/tmp/${i}/multi_test_file${i}.txt` : `multi_test_file${i}.txt`, data: `This is a test file ${i}.` })
  const infos = await sandbox.files.write(files)
  assert.equal(infos.length, files.length)
  for (let i = 0; i < files.length; i++) {
    const expected = files[i].path.startsWith('/') ? files[i].path : `${home}/${files[i].path}`
    assert.equal(infos[i].path, expected)
    assert.equal(infos[i].name, path.basename(files[i].path))
    assert.equal(await sandbox.files.read(expected), files[i].data)
  }
})

sandboxTest('writeFiles: strings, ArrayBuffers, Blobs, streams; parents made', async ({ sandbox }) => {
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('ReadableStream data')); c.close() } })
  const infos = await sandbox.files.writeFiles([
    { path: 'w_text.txt', data: 'Text string data' },
    { path: 'w_ab.txt', data: new TextEncoder().encode('ArrayBuffer data').buffer },
    { path: 'w_blob.txt', data: new Blob(['Blob data']) },
    { path: 'w_stream.txt', data: stream },
    { path: 'w_nested/nested/file1.txt', data: 'nested' },
  ])
  assert.equal(infos.length, 5)
  assert.equal(await sandbox.files.read('w_text.txt'), 'Text string data')
  assert.equal(await sandbox.files.read('w_ab.txt'), 'ArrayBuffer data')
  assert.equal(await sandbox.files.read('w_blob.txt'), 'Blob data')
  assert.equal(await sandbox.files.read('w_stream.txt'), 'ReadableStream data')
  assert.equal(infos[4].path, `${home}/w_nested/nested/file1.txt`)
  assert.equal(await sandbox.files.read(infos[4].path), 'nested')
})

sandboxTest('write a stream as octet-stream, plain and gzipped', async ({ sandbox }) => {
  for (const gzip of [false, true]) {
    const content = `Streamed octet-stream upload ${gzip}. `.repeat(10_000)
    const info = await sandbox.files.write(`octet-${gzip}.bin`, new Blob([content]).stream(), { useOctetStream: true, gzip })
    assert.equal(info.path, `${home}/octet-${gzip}.bin`)
    assert.equal(await sandbox.files.read(`octet-${gzip}.bin`), content)
  }
})


sandboxTest('watchDir: a write in the directory', async ({ sandbox }) => {
  await sandbox.files.makeDir('watched')
  await sandbox.files.write('watched/w.txt', 'one')
  let hit
  const seen = new Promise(r => { hit = r })
  const handle = await sandbox.files.watchDir('watched', e => { if (e.type === FilesystemEventType.WRITE && e.name === 'w.txt') hit(e) })
  await sandbox.files.write('watched/w.txt', 'two')
  await seen
  await handle.stop()
})

sandboxTest('watchDir recursive: a nested write, and a folder made after the watch began', async ({ sandbox }) => {
  await sandbox.files.makeDir('rec/nested')
  await sandbox.files.write('rec/nested/w.txt', 'one')
  const events = []
  let wake = () => {}
  const handle = await sandbox.files.watchDir('rec', e => { events.push(e); wake() }, { recursive: true })
  const until = async pred => { while (!events.some(pred)) await new Promise(r => { wake = r }) }
  await sandbox.files.write('rec/nested/w.txt', 'two')
  await until(e => e.type === FilesystemEventType.WRITE && e.name === 'nested/w.txt')
  await sandbox.files.makeDir('rec/later')
  await until(e => e.type === FilesystemEventType.CREATE && e.name === 'later')
  await sandbox.files.write('rec/later/x.txt', 'x')
  await until(e => e.type === FilesystemEventType.WRITE && e.name === 'later/x.txt')
  await handle.stop()
})

sandboxTest('watchDir with entries', async ({ sandbox }) => {
  await sandbox.files.makeDir('entries')
  await sandbox.files.write('entries/w.txt', 'one')
  let hit
  const seen = new Promise(r => { hit = r })
  const handle = await sandbox.files.watchDir('entries', e => { if (e.type === FilesystemEventType.WRITE && e.name === 'w.txt') hit(e) }, { includeEntry: true })
  await sandbox.files.write('entries/w.txt', 'two')
  const event = await seen
  expect(event.entry?.name).toBe('w.txt')
  expect(event.entry?.path).toBe(`${home}/entries/w.txt`)
  expect(event.entry?.type).toBe(FileType.FILE)
  await handle.stop()
})

sandboxTest('watchDir on a missing directory is FileNotFoundError', async ({ sandbox }) => {
  await expect(sandbox.files.watchDir('no-such-dir', () => {})).rejects.toThrowError(FileNotFoundError)
})
