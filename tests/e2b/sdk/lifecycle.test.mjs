// E2B's tests/sandbox/{timeout,connect,kill,metrics}.test.ts.
import { assert, expect, test } from 'vitest'
import { Sandbox } from 'e2b'
import { sandboxTest, template, wait } from './setup.mjs'

const until = async (what, fn, ms = 30_000) => {
  const deadline = Date.now() + ms
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail('never happened: ' + what)
    await wait(100)
  }
}

sandboxTest('shorten the timeout: the sandbox ends', async ({ sandbox }) => {
  await sandbox.setTimeout(5000)
  await until('the sandbox ends', async () => !(await sandbox.isRunning()))
})

sandboxTest('shorten then lengthen the timeout: the sandbox lives on', async ({ sandbox }) => {
  await sandbox.setTimeout(5000)
  await wait(1000)
  await sandbox.setTimeout(10000)
  await wait(6000)
  expect(await sandbox.isRunning()).toBeTruthy()
})

sandboxTest('getInfo has endAt', async ({ sandbox }) => {
  const { endAt, startedAt, templateId, state } = await sandbox.getInfo()
  expect(endAt).toBeInstanceOf(Date)
  expect(startedAt).toBeInstanceOf(Date)
  assert.equal(templateId, template)
  assert.equal(state, 'running')
})

test('connect to a running sandbox', async () => {
  const sbx = await Sandbox.create(template, { timeoutMs: 10_000 })
  try {
    assert.isTrue(await sbx.isRunning())
    assert.isTrue(await (await Sandbox.connect(sbx.sandboxId)).isRunning())
  } finally {
    await sbx.kill()
  }
})

sandboxTest('connect resumes a paused sandbox', async ({ sandbox }) => {
  await sandbox.pause()
  assert.isFalse(await sandbox.isRunning())
  assert.isTrue(await (await Sandbox.connect(sandbox.sandboxId)).isRunning())
})

sandboxTest('connect to a killed sandbox: SandboxNotFoundError', async ({ sandbox }) => {
  assert.isTrue(await sandbox.isRunning())
  await sandbox.kill()
  await expect(Sandbox.connect(sandbox.sandboxId)).rejects.toThrowError(expect.objectContaining({ name: 'SandboxNotFoundError' }))
})

test('connect does not shorten the timeout of a running sandbox', async () => {
  const sbx = await Sandbox.create(template, { timeoutMs: 300_000 })
  try {
    const before = await Sandbox.getInfo(sbx.sandboxId)
    await Sandbox.connect(sbx.sandboxId, { timeoutMs: 10_000 })
    const after = await sbx.getInfo()
    assert.equal(after.endAt.getTime(), before.endAt.getTime())
  } finally {
    await sbx.kill()
  }
})

sandboxTest('connect extends the timeout of a running sandbox', async ({ sandbox }) => {
  const before = await sandbox.getInfo()
  await sandbox.connect({ timeoutMs: 600_000 })
  const after = await sandbox.getInfo()
  assert.isTrue(after.endAt.getTime() > before.endAt.getTime())
})

sandboxTest('a killed sandbox is not listed', async ({ sandbox, sandboxTestId }) => {
  expect(await sandbox.kill()).toBe(true)
  const listed = await Sandbox.list({ query: { state: ['running'], metadata: { sandboxTestId } } }).nextItems()
  expect(listed.map(s => s.sandboxId)).not.toContain(sandbox.sandboxId)
})

sandboxTest('metrics', async ({ sandbox }) => {
  let metrics = []
  await until('a metrics sample', async () => (metrics = await sandbox.getMetrics()).length > 0)
  const m = metrics[0]
  for (const key of ['cpuCount', 'cpuUsedPct', 'memUsed', 'memTotal', 'diskUsed', 'diskTotal']) assert.isNumber(m[key], key)
  expect(m.timestamp).toBeInstanceOf(Date)
  // diskUsed is the sandbox's own disk: 8 MiB written raise it by about that much, within diskTotal.
  expect(m.diskUsed).toBeGreaterThan(0)
  expect(m.diskUsed).toBeLessThan(m.diskTotal)
  await sandbox.commands.run('head -c 8388608 /dev/urandom > big && sync')
  const [grown] = await sandbox.getMetrics()
  expect(grown.diskUsed - m.diskUsed).toBeGreaterThan(7 * 1024 * 1024)
  expect(grown.diskUsed).toBeLessThan(grown.diskTotal)
})
