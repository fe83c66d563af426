// The SDK over https: E2B_API_URL and E2B_SANDBOX_URL are https:// addresses of a listener that
// serves the daemon's --tls-cert (the test's CA trusted through NODE_EXTRA_CA_CERTS).
import { Sandbox } from 'e2b'
import { assert, check } from './lib.mjs'

await check('create, run, files and kill over https', async () => {
  assert.ok(process.env.E2B_API_URL.startsWith('https://'), process.env.E2B_API_URL)
  const sbx = await Sandbox.create()
  try {
    assert.equal((await sbx.commands.run('echo over tls')).stdout, 'over tls\n')
    await sbx.files.write('/home/user/t.txt', 'secret')
    assert.equal(await sbx.files.read('/home/user/t.txt'), 'secret')
  } finally {
    assert.equal(await sbx.kill(), true)
  }
})
