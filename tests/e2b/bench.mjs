// make bench: E2B's create → commands.run("true") → kill cycle through the SDK, as its users
// time it. Prints "cycle MS" per timed cycle after the warm-up ones.
import { Sandbox } from 'e2b'

const n = Number(process.argv[2] ?? 30)
const warmup = Number(process.argv[3] ?? 5)
for (let i = 0; i < warmup + n; i++) {
  const start = process.hrtime.bigint()
  const sbx = await Sandbox.create()
  await sbx.commands.run('true')
  await sbx.kill()
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (i >= warmup) console.log('cycle ' + ms.toFixed(3))
}
