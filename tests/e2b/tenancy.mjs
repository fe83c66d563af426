// Two tenants' keys (TENANT_A_KEY, TENANT_B_KEY): each reaches its own sandboxes only;
// another's id is not found, exactly like an id that never existed. A key that is nobody's is 401.
import { Sandbox, SandboxNotFoundError, AuthenticationError } from 'e2b'
import { assert, check, envd } from './lib.mjs'

const a = { apiKey: process.env.TENANT_A_KEY }
const b = { apiKey: process.env.TENANT_B_KEY }

await check('a key that is no principal\'s is refused', async () => {
  await assert.rejects(Sandbox.create({ apiKey: 'not-a-key-of-anyone' }), AuthenticationError)
  await assert.rejects(Sandbox.list({ apiKey: 'not-a-key-of-anyone' }).nextItems(), AuthenticationError)
})

const mine = await Sandbox.create({ ...a, metadata: { owner: 'a' } })
const theirs = await Sandbox.create({ ...b, metadata: { owner: 'b' } })
try {
  await check('B cannot see, connect to, time out, pause or kill A\'s sandbox', async () => {
    await assert.rejects(Sandbox.getInfo(mine.sandboxId, b), SandboxNotFoundError)
    await assert.rejects(Sandbox.connect(mine.sandboxId, b), SandboxNotFoundError)
    await assert.rejects(Sandbox.setTimeout(mine.sandboxId, 1_000, b), SandboxNotFoundError)
    await assert.rejects(Sandbox.pause(mine.sandboxId, b), SandboxNotFoundError)
    assert.equal(await Sandbox.kill(mine.sandboxId, b), false)
    const listed = await Sandbox.list(b).nextItems()
    assert.ok(!listed.some(s => s.sandboxId === mine.sandboxId), JSON.stringify(listed))
    assert.ok(listed.some(s => s.sandboxId === theirs.sandboxId))
  })

  await check('B\'s sandbox token does not open A\'s sandbox', async () => {
    assert.equal((await envd('/health', mine.sandboxId, theirs.envdAccessToken)).status, 502)
    const r = await envd('/files?path=/etc/hostname', mine.sandboxId, theirs.envdAccessToken)
    assert.equal(r.status, 401)
  })

  await check('A still has it, untouched', async () => {
    assert.equal((await Sandbox.getInfo(mine.sandboxId, a)).metadata.owner, 'a')
    assert.equal((await mine.commands.run('echo mine')).stdout, 'mine\n')
    assert.ok(!(await Sandbox.list(a).nextItems()).some(s => s.sandboxId === theirs.sandboxId))
  })
} finally {
  await mine.kill()
  await theirs.kill()
}
