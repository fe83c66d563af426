// E2B's tests/sandbox/commands/*: run, env vars, kill, list, connect, stdin, a sandbox killed mid-run.
import { assert, describe, expect } from 'vitest'
import { CommandExitError, TimeoutError } from 'e2b'
import { sandboxTest, wait } from './setup.mjs'

describe('run', () => {
  for (const [name, text] of [['plain', 'Hello, World!'], ['special characters', '!@#$%^&*()_+'], ['multiline', 'Hello,\nWorld!']]) {
    sandboxTest(`run echoes ${name}`, async ({ sandbox }) => {
      const cmd = await sandbox.commands.run(`echo "${text}"`)
      assert.equal(cmd.exitCode, 0)
      assert.equal(cmd.stdout, `${text}\n`)
    })
  }

  sandboxTest('run within its timeout', async ({ sandbox }) => {
    assert.equal((await sandbox.commands.run('echo "Hello, World!"', { timeoutMs: 4000 })).exitCode, 0)
  })

  sandboxTest('run past a too short timeout rejects', async ({ sandbox }) => {
    await expect(sandbox.commands.run('sleep 10', { timeoutMs: 1000 })).rejects.toThrow()
  })

  sandboxTest('a background command past its timeout: wait throws TimeoutError', async ({ sandbox }) => {
    const handle = await sandbox.commands.run('sleep 10', { timeoutMs: 2000, background: true })
    await expect(handle.wait()).rejects.toThrowError(TimeoutError)
  })

  sandboxTest('a failing command throws CommandExitError with its code and output', async ({ sandbox }) => {
    const err = await sandbox.commands.run('echo out; echo err >&2; exit 3').catch(e => e)
    assert.instanceOf(err, CommandExitError)
    assert.equal(err.exitCode, 3)
    assert.equal(err.stdout, 'out\n')
    assert.equal(err.stderr, 'err\n')
  })

  sandboxTest('cwd, user and streaming callbacks', async ({ sandbox }) => {
    const seen = []
    const cmd = await sandbox.commands.run('pwd; id -un >&2', { cwd: '/tmp', onStdout: d => seen.push(['out', d]), onStderr: d => seen.push(['err', d]) })
    assert.equal(cmd.stdout, '/tmp\n')
    assert.deepEqual(seen.map(s => s[0]).sort(), ['err', 'out'])
    assert.equal((await sandbox.commands.run('id -u', { user: 'root' })).stdout, '0\n')
    // E2B's default user and home, which agent code writes paths against.
    assert.equal((await sandbox.commands.run('id -un; echo $HOME; pwd')).stdout, 'user\n/home/user\n/home/user\n')
  })
})

describe('env vars', () => {
  sandboxTest('the sandbox-wide envs reach every command', async () => {
    const { Sandbox } = await import('e2b')
    const sbx = await Sandbox.create({ envs: { FOO: 'bar' } })
    try {
      assert.equal((await sbx.commands.run('echo $FOO')).stdout.trim(), 'bar')
    } finally {
      await sbx.kill()
    }
  })
})

sandboxTest('command-scoped envs do not leak into the next command', async ({ sandbox }) => {
  assert.equal((await sandbox.commands.run('echo $FOO', { envs: { FOO: 'bar' } })).stdout.trim(), 'bar')
  const next = await sandbox.commands.run('echo "$FOO"')
  assert.equal(next.exitCode, 0)
  assert.equal(next.stdout.trim(), '')
})

sandboxTest('command-scoped envs reach python', async ({ sandbox }) => {
  const cmd = await sandbox.commands.run('python3 -c "import os; print(os.environ[\'FOO\'])"', { envs: { FOO: 'bar' } })
  assert.equal(cmd.stdout.trim(), 'bar')
})

sandboxTest('kill a process; kill -0 then fails', async ({ sandbox }) => {
  const cmd = await sandbox.commands.run('sleep 10', { background: true })
  assert.equal(await sandbox.commands.kill(cmd.pid), true)
  await expect(sandbox.commands.run(`kill -0 ${cmd.pid}`)).rejects.toThrowError(CommandExitError)
})

sandboxTest('kill a pid that does not exist is false', async ({ sandbox }) => {
  await expect(sandbox.commands.kill(999999)).resolves.toBe(false)
})

sandboxTest('list processes', async ({ sandbox }) => {
  await sandbox.commands.run('sleep 10', { background: true })
  await sandbox.commands.run('sleep 10', { background: true })
  const processes = await sandbox.commands.list()
  assert.isAtLeast(processes.length, 2)
  for (const p of processes) assert.containsAllKeys(p, ['pid', 'cmd', 'args', 'envs'])
})

sandboxTest('connect to a process', async ({ sandbox }) => {
  const cmd = await sandbox.commands.run('sleep 10', { background: true })
  const info = await sandbox.commands.connect(cmd.pid)
  assert.equal(info.pid, cmd.pid)
})

sandboxTest('connect to a pid that does not exist rejects', async ({ sandbox }) => {
  await expect(sandbox.commands.connect(999999)).rejects.toThrowError()
})

describe('stdin', () => {
  const send = {
    'a string': (s, pid, t) => s.commands.sendStdin(pid, t),
    'a Uint8Array': (s, pid, t) => s.commands.sendStdin(pid, new TextEncoder().encode(t)),
    'the handle': (s, pid, t, h) => h.sendStdin(t),
  }
  for (const [how, fn] of Object.entries(send)) {
    for (const text of ['Hello, World!', '!@#$%^&*()_+', 'Hello,\nWorld!']) {
      sandboxTest(`send ${JSON.stringify(text)} through ${how}`, async ({ sandbox }) => {
        const cmd = await sandbox.commands.run('cat', { background: true, stdin: true })
        await fn(sandbox, cmd.pid, text, cmd)
        for (let i = 0; i < 50 && cmd.stdout !== text; i++) await wait(100)
        await cmd.kill()
        assert.equal(cmd.stdout, text)
      })
    }
  }

  sandboxTest('close stdin: cat exits 0 with what it read', async ({ sandbox }) => {
    const cmd = await sandbox.commands.run('cat', { background: true, stdin: true })
    await cmd.sendStdin('Hello, World!')
    await cmd.closeStdin()
    const result = await cmd.wait()
    assert.equal(result.exitCode, 0)
    assert.equal(result.stdout, 'Hello, World!')
  })

  sandboxTest('send empty stdin', async ({ sandbox }) => {
    const cmd = await sandbox.commands.run('cat', { background: true, stdin: true })
    await sandbox.commands.sendStdin(cmd.pid, '')
    await cmd.kill()
    assert.equal(cmd.stdout, '')
  })
})

sandboxTest('killing the sandbox under a running command: wait throws an actionable TimeoutError', async ({ sandbox }) => {
  const cmd = await sandbox.commands.run('sleep 60', { background: true })
  await sandbox.kill()
  const err = await cmd.wait().catch(e => e)
  expect(err).toBeInstanceOf(TimeoutError)
  expect(err.message).toContain('sandbox was killed or reached its end of life')
})
