// commands.run with streaming callbacks, exit codes, envs/cwd/user, a background command
// re-attached with commands.connect, sendStdin, kill (twice: false).
import { Sandbox, CommandExitError } from 'e2b'
import { assert, check } from './lib.mjs'

const sbx = await Sandbox.create({ envs: { GLOBAL: 'from-create' }, metadata: { scenario: 'commands' } })
try {
  await check('run streams stdout and stderr to the callbacks', async () => {
    const out = [], err = []
    const r = await sbx.commands.run('echo one; sleep 0.2; echo two; echo oops >&2', {
      onStdout: d => out.push(d), onStderr: d => err.push(d),
    })
    assert.equal(r.exitCode, 0)
    assert.equal(r.stdout, 'one\ntwo\n')
    assert.equal(out.join(''), 'one\ntwo\n')
    assert.ok(out.length >= 2, 'output came in pieces as it was printed: ' + JSON.stringify(out))
    assert.equal(err.join(''), 'oops\n')
  })

  await check('a failing command is CommandExitError with its code and output', async () => {
    await assert.rejects(sbx.commands.run('echo bad >&2; exit 3'), e => {
      assert.ok(e instanceof CommandExitError, String(e))
      assert.equal(e.exitCode, 3)
      assert.equal(e.stderr, 'bad\n')
      return true
    })
  })

  await check('envs, the create\'s envVars, cwd and user', async () => {
    const r = await sbx.commands.run('echo $FOO $GLOBAL; pwd; id -u', { envs: { FOO: 'bar' }, cwd: '/tmp', user: 'root' })
    assert.equal(r.stdout, 'bar from-create\n/tmp\n0\n')
    const plain = await sbx.commands.run('id -u; pwd')
    assert.notEqual(plain.stdout.split('\n')[0], '0')
  })

  await check('background command re-attached with commands.connect gets sendStdin\'s input', async () => {
    const bg = await sbx.commands.run('read line; echo got:$line; echo done', { background: true, stdin: true })
    assert.ok(bg.pid > 0)
    const listed = await sbx.commands.list()
    assert.ok(listed.some(p => p.pid === bg.pid && p.cmd === '/bin/bash'), JSON.stringify(listed))
    await bg.disconnect()
    const seen = []
    const again = await sbx.commands.connect(bg.pid, { onStdout: d => seen.push(d) })
    await sbx.commands.sendStdin(bg.pid, 'hello\n')
    const r = await again.wait()
    assert.equal(r.exitCode, 0)
    assert.equal(seen.join(''), 'got:hello\ndone\n')
  })

  await check('closeStdin ends a reader', async () => {
    const cat = await sbx.commands.run('cat; echo eof', { background: true, stdin: true })
    await cat.sendStdin('abc\n')
    await cat.closeStdin()
    assert.equal((await cat.wait()).stdout, 'abc\neof\n')
  })

  await check('kill ends a command; a second kill is false', async () => {
    const sleeper = await sbx.commands.run('sleep 300', { background: true })
    assert.equal(await sbx.commands.kill(sleeper.pid), true)
    await assert.rejects(sleeper.wait(), e => e instanceof CommandExitError && e.exitCode === -1)
    assert.equal(await sbx.commands.kill(sleeper.pid), false)
    assert.ok(!(await sbx.commands.list()).some(p => p.pid === sleeper.pid))
  })
} finally {
  await sbx.kill()
}
