// Shared setup for the SDK tests: where the server is, the demo API clients, tokens through
// @commercelayer/js-auth and SDK clients through @commercelayer/sdk, both redirected from
// Commerce Layer's hosts to our server. scripts/sdk-tests.sh sets the environment:
//   SDK_BASE_URL   the server, e.g. http://127.0.0.1:PORT
//   SDK_SEED_FILE  the JSON printed by `manage.py seed_demo --json` (the demo API clients)
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

import { authenticate, jwtDecode } from '@commercelayer/js-auth'
// The bundle entry gives one isolated client per token (the main entry shares one adapter).
import { CommerceLayer } from '@commercelayer/sdk/bundle'

function required(name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run these tests through scripts/sdk-tests.sh`)
  return value
}

export const BASE_URL = required('SDK_BASE_URL').replace(/\/+$/, '')
export const seed = JSON.parse(readFileSync(required('SDK_SEED_FILE'), 'utf8'))

function demoClient(predicate, what) {
  const client = seed.clients.find(predicate)
  if (!client) throw new Error(`seed_demo printed no ${what} client`)
  return client
}
export const integrationClient = demoClient((c) => c.kind === 'integration', 'integration')
export const usaClient = demoClient((c) => c.scope === 'market:code:usa', 'market:code:usa')

// Every request either library made, as it left it (before redirection): tests read the hosts
// and query strings the SDK built from our tokens.
export const sent = []

// js-auth has no fetch option: it calls the global fetch on https://auth.<domain>/oauth/...
const nativeFetch = globalThis.fetch
globalThis.fetch = (input, init) => {
  const url = String(input instanceof Request ? input.url : input)
  const match = url.match(/^https:\/\/auth\.[^/]+(\/oauth\/.*)$/)
  if (!match) return nativeFetch(input, init)
  sent.push({ url, method: init?.method ?? 'GET', body: init?.body })
  return nativeFetch(`${BASE_URL}${match[1]}`, init)
}

// The SDK's own fetch option: https://<organization>.<domain>/api/... -> our server.
export function apiFetch(url, init) {
  const original = String(url)
  const match = original.match(/^https:\/\/[^/]+(\/api\/.*)$/)
  assert.ok(match, `the SDK called an unexpected URL: ${original}`)
  sent.push({ url: original, method: init?.method ?? 'GET', body: init?.body })
  return nativeFetch(`${BASE_URL}${match[1]}`, init)
}

// A token through js-auth's request format (client_credentials), as storefronts get one.
export async function authenticateClient(client, extra = {}) {
  const options = { clientId: client.client_id, ...extra }
  if (client.client_secret) options.clientSecret = client.client_secret
  if (client.scope) options.scope = client.scope
  return authenticate('client_credentials', options)
}

export async function tokenFor(client) {
  const auth = await authenticateClient(client)
  assert.equal(auth.errors, undefined, `token refused: ${JSON.stringify(auth.errors)}`)
  assert.ok(auth.accessToken, 'no access token')
  return auth.accessToken
}

// An SDK client for a token; organization and domain come from the token (iss, organization.slug).
// The SDK's 15 s default timeout is for a live API; a busy CI machine gets more room.
export function sdk(accessToken, config = {}) {
  return CommerceLayer({ accessToken, fetch: apiFetch, timeout: 60_000, ...config })
}

// One token per client for the whole run (an integration token costs a secret hash on the server).
const once = (make) => {
  let value
  return () => (value ??= make())
}
export const integrationToken = once(() => tokenFor(integrationClient))
export const guest = once(async () => sdk(await tokenFor(usaClient)))
export const backOffice = once(async () => sdk(await integrationToken()))

export { jwtDecode }

// The rejection of `promise` as the SDK surfaces it (an ApiError), checked with its own guard.
export async function apiError(cl, promise) {
  try {
    await promise
  } catch (error) {
    assert.ok(cl.isApiError(error), `not an SDK ApiError: ${error?.name}: ${error?.message}`)
    return error
  }
  assert.fail('the SDK call succeeded; an API error was expected')
}

// Money triplets: cents, float and formatted members in sync (USD: `$1,234.56`).
export function usd(cents) {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  const dollars = Math.floor(abs / 100).toLocaleString('en-US')
  return `${sign}$${dollars}.${String(abs % 100).padStart(2, '0')}`
}

export function assertUsd(resource, name, cents) {
  assert.equal(resource[`${name}_cents`], cents, `${name}_cents`)
  assert.equal(resource[`${name}_float`], cents / 100, `${name}_float`)
  assert.equal(resource[`formatted_${name}`], usd(cents), `formatted_${name}`)
}

export const uniq = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
