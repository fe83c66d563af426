// The fixture E2B's suite uses: a fresh sandbox per test (template "base", the test's id as
// metadata), killed afterwards whatever the test did to it.
import { test as base } from 'vitest'
import { Sandbox } from 'e2b'

export const template = 'base'

/** The unprivileged user's home, where E2B's relative paths go (as in E2B). */
export const home = '/home/user'

export const sandboxTest = base.extend({
  sandboxTestId: [async ({}, use) => { await use('test-' + Math.random().toString(36).slice(2, 10)) }, { auto: true }],
  sandboxOpts: {},
  sandbox: async ({ sandboxTestId, sandboxOpts }, use) => {
    const sandbox = await Sandbox.create(template, { metadata: { sandboxTestId }, ...sandboxOpts })
    try {
      await use(sandbox)
    } finally {
      try { await sandbox.kill() } catch { /* killed by the test */ }
    }
  },
})

export const wait = ms => new Promise(r => setTimeout(r, ms))
