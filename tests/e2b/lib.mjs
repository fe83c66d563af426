// Shared by the scenarios: each runs as a user's program would, with E2B_API_URL,
// E2B_SANDBOX_URL and E2B_API_KEY pointing at sandboxd, prints "ok NAME" per check that
// passed and exits non-zero (with the failure) on the first that does not.
import assert from 'node:assert/strict'

export async function check(name, fn) {
  await fn()
  console.log('ok ' + name)
}

/** Polls fn until it returns truthy (bounded: these wait for an event, not for a speed). */
export async function eventually(what, fn, ms = 20000) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await fn()
    if (value) return value
    if (Date.now() > deadline) assert.fail('never happened: ' + what)
    await new Promise(r => setTimeout(r, 50))
  }
}

/** A raw call to the envd side, as a program using the URL itself would make it. */
export function envd(path, sandboxId, token, init = {}) {
  const headers = { 'E2b-Sandbox-Id': sandboxId, 'E2b-Sandbox-Port': '49983', ...(init.headers ?? {}) }
  if (token) headers['X-Access-Token'] = token
  return fetch(process.env.E2B_SANDBOX_URL + path, { ...init, headers })
}

export { assert }
