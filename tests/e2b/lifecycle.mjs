// setTimeout expiring a sandbox, list by metadata with paging, pause then connect keeping
// files, /health 502 after kill, an unknown id, a wrong access token.
import { Sandbox, SandboxNotFoundError, AuthenticationError } from 'e2b'
import { assert, check, envd, eventually } from './lib.mjs'

const suite = 'run-' + Date.now() + '-' + Math.random().toString(36).slice(2)

await check('setTimeout expires a sandbox', async () => {
  const sbx = await Sandbox.create({ timeoutMs: 300_000 })
  const before = await sbx.getInfo()
  assert.ok(before.endAt.getTime() - Date.now() > 200_000, String(before.endAt))
  await sbx.setTimeout(1_000)
  const after = await sbx.getInfo()
  assert.ok(after.endAt.getTime() - Date.now() < 5_000, String(after.endAt))
  await eventually('the sandbox is gone', async () => !(await sbx.isRunning()))
  await assert.rejects(Sandbox.getInfo(sbx.sandboxId), SandboxNotFoundError)
})

await check('list filters by metadata and pages', async () => {
  const a = await Sandbox.create({ metadata: { suite, n: '1' } })
  const b = await Sandbox.create({ metadata: { suite, n: '2' } })
  try {
    const one = await Sandbox.list({ query: { metadata: { suite, n: '1' } } }).nextItems()
    assert.deepEqual(one.map(s => s.sandboxId), [a.sandboxId])
    assert.equal(one[0].metadata.n, '1')
    assert.equal(one[0].state, 'running')
    const pages = Sandbox.list({ query: { metadata: { suite } }, limit: 1 })
    const first = await pages.nextItems()
    assert.equal(first.length, 1)
    assert.equal(pages.hasNext, true)
    const second = await pages.nextItems()
    assert.equal(pages.hasNext, false)
    assert.deepEqual([...first, ...second].map(s => s.sandboxId), [a.sandboxId, b.sandboxId])
    assert.deepEqual(await Sandbox.list({ query: { metadata: { suite: 'none-' + suite } } }).nextItems(), [])
  } finally {
    await a.kill()
    await b.kill()
  }
})

await check('pause, then connect: files and processes kept', async () => {
  const sbx = await Sandbox.create({ metadata: { suite, paused: 'yes' } })
  try {
    await sbx.files.write('/home/user/keep.txt', 'kept')
    const bg = await sbx.commands.run('sleep 600', { background: true })
    assert.equal(await sbx.pause(), true)
    assert.equal(await sbx.pause(), false)
    assert.equal((await sbx.getInfo()).state, 'paused')
    const paused = await Sandbox.list({ query: { metadata: { suite, paused: 'yes' }, state: ['paused'] } }).nextItems()
    assert.deepEqual(paused.map(s => s.sandboxId), [sbx.sandboxId])
    assert.deepEqual(await Sandbox.list({ query: { metadata: { suite, paused: 'yes' }, state: ['running'] } }).nextItems(), [])
    const again = await Sandbox.connect(sbx.sandboxId)
    assert.equal((await again.getInfo()).state, 'running')
    assert.equal(await again.files.read('/home/user/keep.txt'), 'kept')
    assert.ok((await again.commands.list()).some(p => p.pid === bg.pid))
    assert.equal((await again.commands.run('echo alive')).stdout, 'alive\n')
  } finally {
    await sbx.kill()
  }
})

await check('/health is 204 while it lives and 502 once killed', async () => {
  const sbx = await Sandbox.create()
  assert.equal(await sbx.isRunning(), true)
  assert.equal((await envd('/health', sbx.sandboxId, sbx.envdAccessToken)).status, 204)
  assert.equal(await sbx.kill(), true)
  assert.equal(await sbx.kill(), false)
  assert.equal((await envd('/health', sbx.sandboxId, sbx.envdAccessToken)).status, 502)
  assert.equal(await sbx.isRunning(), false)
  await assert.rejects(sbx.commands.run('true'))
})

await check('an unknown id is not found everywhere', async () => {
  const id = 'sbx-000000000000'
  await assert.rejects(Sandbox.connect(id), SandboxNotFoundError)
  await assert.rejects(Sandbox.getInfo(id), SandboxNotFoundError)
  await assert.rejects(Sandbox.setTimeout(id, 10_000), SandboxNotFoundError)
  assert.equal(await Sandbox.kill(id), false)
  assert.equal((await envd('/health', id, 'x')).status, 502)
})

await check('a wrong access token is refused', async () => {
  const sbx = await Sandbox.create()
  try {
    const forged = new Sandbox({ sandboxId: sbx.sandboxId, envdAccessToken: 'not-the-token', envdVersion: '0.5.7' })
    await assert.rejects(forged.commands.run('echo no'), AuthenticationError)
    await assert.rejects(forged.files.read('/etc/hostname'), AuthenticationError)
    assert.equal(await forged.isRunning(), false)
    assert.equal((await envd('/files?path=/etc/hostname', sbx.sandboxId, 'not-the-token')).status, 401)
    assert.equal((await envd('/files?path=/etc/hostname', sbx.sandboxId, null)).status, 401)
    assert.equal((await sbx.commands.run('echo yes')).stdout, 'yes\n')
  } finally {
    await sbx.kill()
  }
})
