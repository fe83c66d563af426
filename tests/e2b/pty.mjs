// pty.create, resize, input, and the terminal's output.
import { Sandbox } from 'e2b'
import { assert, check, eventually } from './lib.mjs'

const sbx = await Sandbox.create()
try {
  await check('a pty runs an interactive shell; resize and input reach it', async () => {
    let screen = ''
    const decoder = new TextDecoder()
    const term = await sbx.pty.create({ cols: 80, rows: 24, onData: d => { screen += decoder.decode(d, { stream: true }) } })
    await sbx.pty.resize(term.pid, { cols: 100, rows: 30 })
    await sbx.pty.sendInput(term.pid, new TextEncoder().encode('stty size; tty; echo marker-$((6*7))\n'))
    await eventually('the shell answered', () => screen.includes('marker-42'))
    assert.match(screen, /30 100/)
    assert.match(screen, /\/dev\/pts\/\d+/)
    await sbx.pty.sendInput(term.pid, new TextEncoder().encode('exit 0\n'))
    const r = await term.wait()
    assert.equal(r.exitCode, 0)
  })

  await check('pty.kill ends the terminal; again is false', async () => {
    const term = await sbx.pty.create({ cols: 80, rows: 24, onData: () => {} })
    assert.equal(await sbx.pty.kill(term.pid), true)
    assert.equal(await sbx.pty.kill(term.pid), false)
  })
} finally {
  await sbx.kill()
}
