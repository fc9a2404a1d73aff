// Preloaded into every `cl` process (NODE_OPTIONS=--require): sends the CLI's requests for
// Commerce Layer's hosts to our server. The CLI, its plugins, @commercelayer/sdk and js-auth all
// call the global fetch: js-auth on https://auth.<domain>/oauth/token, the SDK and the CLI's raw
// requests on https://<organization>.<domain>/api/..., with domain commercelayer.io (js-auth's
// and the CLI's default) or the one of the token's `iss` (https://auth.<domain>: the SDK derives
// its host from it). The only other client, axios, downloads `attachment_url`s, which our
// server already gives as its own absolute links.
//   CLI_BASE_URL     the server, e.g. http://127.0.0.1:PORT
//   CLI_API_DOMAIN   the server's API domain (its tokens' `iss` without https://auth.)
//   CLI_REQUEST_LOG  a file: one JSON line per request as the CLI built it (method, url, body),
//                    for tests and reports to read what the CLI sent
'use strict'

const { appendFileSync } = require('node:fs')

const base = (process.env.CLI_BASE_URL || '').replace(/\/+$/, '')
if (!base) throw new Error('CLI_BASE_URL is not set: run these tests through scripts/cli-tests.sh')
const log = process.env.CLI_REQUEST_LOG

const nativeFetch = globalThis.fetch
const domains = ['commercelayer.io', process.env.CLI_API_DOMAIN].filter(Boolean)
const escaped = domains.map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')
const HOST = new RegExp(`^https://([a-z0-9-]+)\\.(?:${escaped})(/.*)?$`, 'i')

function record(method, url, body) {
  if (!log) return
  const text = typeof body === 'string' ? body : body === undefined || body === null ? null : '<stream>'
  appendFileSync(log, JSON.stringify({ method, url, body: text }) + '\n')
}

globalThis.fetch = async function fetchThroughLoopback(input, init) {
  const url = String(input instanceof Request ? input.url : input)
  const method = (init && init.method) || (input instanceof Request ? input.method : 'GET')
  record(method.toUpperCase(), url, init && init.body)
  const match = url.match(HOST)
  if (!match) return nativeFetch(input, init)
  const [, sub, path = '/'] = match
  // auth.<domain>/oauth/... and <organization>.<domain>/api/...: the same server here.
  const allowed = (sub === 'auth' && path.startsWith('/oauth/')) || path.startsWith('/api/')
  if (!allowed) throw new TypeError(`cli-tests: the CLI called ${url}, which this test does not serve`)
  const target = `${base}${path}`
  return input instanceof Request ? nativeFetch(new Request(target, input), init) : nativeFetch(target, init)
}
