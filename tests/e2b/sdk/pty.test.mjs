// E2B's tests/sandbox/pty/*: create with envs, input, resize, kill, disconnect and reconnect.
import { assert, expect } from 'vitest'
import { CommandExitError } from 'e2b'
import { sandboxTest, wait } from './setup.mjs'

const bytes = s => new Uint8Array(Buffer.from(s))

sandboxTest('create a PTY with envs; exit ends it with 0', async ({ sandbox }) => {
  let output = ''
  const decoder = new TextDecoder()
  const terminal = await sandbox.pty.create({ cols: 80, rows: 24, onData: d => { output += decoder.decode(d) }, envs: { ABC: '123' } })
  await sandbox.pty.sendInput(terminal.pid, bytes('echo $ABC\nexit\n'))
  await terminal.wait()
  assert.equal(terminal.exitCode, 0)
  assert.include(output, '123')
})

sandboxTest('resize: tput cols follows the size', async ({ sandbox }) => {
  let output = ''
  const decoder = new TextDecoder()
  const onData = d => { output += decoder.decode(d) }
  const first = await sandbox.pty.create({ cols: 80, rows: 24, onData })
  await sandbox.pty.sendInput(first.pid, bytes('tput cols\nexit\n'))
  await first.wait()
  assert.equal(first.exitCode, 0)
  assert.include(output, '80')
  output = ''
  const resized = await sandbox.pty.create({ cols: 80, rows: 24, onData })
  await sandbox.pty.resize(resized.pid, { cols: 100, rows: 24 })
  await sandbox.pty.sendInput(resized.pid, bytes('tput cols\nexit\n'))
  await resized.wait()
  assert.equal(resized.exitCode, 0)
  assert.include(output, '100')
})

sandboxTest('send input: exit', async ({ sandbox }) => {
  const terminal = await sandbox.pty.create({ cols: 80, rows: 24, onData: () => null })
  await sandbox.pty.sendInput(terminal.pid, bytes('exit\n'))
  await terminal.wait()
  expect(terminal.exitCode).toBe(0)
})

sandboxTest('kill a PTY; kill -0 then fails', async ({ sandbox }) => {
  const terminal = await sandbox.pty.create({ cols: 80, rows: 24, onData: () => {} })
  assert.isTrue(await sandbox.pty.kill(terminal.pid))
  await expect(sandbox.commands.run(`kill -0 ${terminal.pid}`)).rejects.toThrowError(CommandExitError)
})

sandboxTest('kill a PTY that does not exist is false', async ({ sandbox }) => {
  await expect(sandbox.pty.kill(999999)).resolves.toBe(false)
})

sandboxTest('disconnect and reconnect to a PTY', async ({ sandbox }) => {
  let output1 = '', output2 = ''
  const decoder = new TextDecoder()
  const terminal = await sandbox.pty.create({ cols: 80, rows: 24, onData: d => { output1 += decoder.decode(d) }, envs: { FOO: 'bar' } })
  await sandbox.pty.sendInput(terminal.pid, bytes('echo $FOO\n'))
  for (let i = 0; i < 100 && !output1.includes('bar'); i++) await wait(50)
  await terminal.disconnect()
  const again = await sandbox.pty.connect(terminal.pid, { onData: d => { output2 += decoder.decode(d) } })
  await sandbox.pty.sendInput(terminal.pid, bytes('echo $FOO\nexit\n'))
  await again.wait()
  assert.equal(again.pid, terminal.pid)
  assert.equal(again.exitCode, 0)
  assert.include(output1, 'bar')
  assert.include(output2, 'bar')
})
