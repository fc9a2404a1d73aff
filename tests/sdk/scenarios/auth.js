// Tokens through @commercelayer/js-auth, and what the SDK makes of them: the API host it derives
// from the token's claims, revocation, refused credentials and the customer (password) grant.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { authenticate, getCoreApiBaseEndpoint, revoke } from '@commercelayer/js-auth'

import {
  apiError,
  authenticateClient,
  integrationClient,
  integrationToken,
  jwtDecode,
  sdk,
  seed,
  sent,
  tokenFor,
  usaClient,
} from '../support.js'

describe('client credentials through js-auth', () => {
  test('a sales channel token: camel-cased response, Commerce Layer claims', async () => {
    const auth = await authenticateClient(usaClient)
    assert.equal(auth.errors, undefined)
    assert.equal(auth.tokenType, 'bearer')
    assert.equal(auth.scope, 'market:code:usa')
    assert.ok(auth.expiresIn > 0)
    assert.ok(auth.expires instanceof Date && auth.expires > new Date())
    assert.equal(typeof auth.createdAt, 'number')
    const request = sent.findLast(
      (r) => r.url.endsWith('/oauth/token') && JSON.parse(r.body).client_id === usaClient.client_id,
    )
    assert.deepEqual(JSON.parse(request.body), {
      grant_type: 'client_credentials',
      client_id: usaClient.client_id,
      scope: 'market:code:usa',
    })

    const { payload } = jwtDecode(auth.accessToken)
    assert.equal(payload.application.kind, 'sales_channel')
    assert.equal(payload.application.client_id, usaClient.client_id)
    assert.equal(payload.market.code, 'usa')
    assert.ok(Array.isArray(payload.market.id) && payload.market.id.length === 1)
    assert.ok(payload.organization.slug)
    assert.match(payload.iss, /^https:\/\/auth\./)
    assert.ok(payload.exp > payload.iat)
  })

  test('the SDK builds its API host from the token (organization slug and iss domain)', async () => {
    const token = await tokenFor(usaClient)
    const { payload } = jwtDecode(token)
    const domain = payload.iss.replace('https://auth.', '')
    const expected = `https://${payload.organization.slug}.${domain}`
    assert.equal(getCoreApiBaseEndpoint(token), expected)

    const cl = sdk(token)
    const markets = await cl.markets.retrieve(payload.market.id[0])
    assert.equal(markets.code, 'usa')
    assert.equal(sent.at(-1).url, `${expected}/api/markets/${payload.market.id[0]}`)
  })

  test('an integration token has no market and full access', async () => {
    const token = await integrationToken()
    const { payload } = jwtDecode(token)
    assert.equal(payload.application.kind, 'integration')
    assert.equal(payload.market, undefined)
    const markets = await sdk(token).markets.list({ filters: { code_in: ['usa', 'eu'] }, sort: ['code'] })
    assert.deepEqual(
      [...markets].map((m) => m.code),
      ['eu', 'usa'],
    )
  })

  test('refused credentials come back as auth.errors, not as an exception', async () => {
    const badSecret = await authenticateClient({ ...integrationClient, client_secret: 'wrong' })
    assert.equal(badSecret.accessToken, undefined)
    assert.equal(badSecret.errors.length, 1)
    assert.equal(badSecret.errors[0].title, 'invalid_client')
    assert.equal(badSecret.errors[0].code, 'UNAUTHORIZED')
    assert.equal(Number(badSecret.errors[0].status), 401)

    const badScope = await authenticateClient({ ...usaClient, scope: 'market:code:nowhere' })
    assert.equal(badScope.accessToken, undefined)
    assert.equal(badScope.errors[0].title, 'invalid_scope')
    assert.equal(Number(badScope.errors[0].status), 400)
  })

  test('a revoked token is answered 401 INVALID_TOKEN, the code the SDK refreshes on', async () => {
    const token = await tokenFor(usaClient)
    const cl = sdk(token)
    assert.ok((await cl.skus.list()).length > 0)
    const answer = await revoke({ clientId: usaClient.client_id, token })
    assert.deepEqual(answer, {})
    assert.ok(sent.at(-1).url.endsWith('/oauth/revoke'))
    const error = await apiError(cl, cl.skus.list())
    assert.equal(error.status, 401)
    assert.equal(error.errors[0].code, 'INVALID_TOKEN')
  })

  test('an unreadable token is 401 INVALID_TOKEN (organization and domain given explicitly)', async () => {
    const valid = jwtDecode(await tokenFor(usaClient)).payload
    const cl = sdk('not-a-token', {
      organization: valid.organization.slug,
      domain: valid.iss.replace('https://auth.', ''),
    })
    const error = await apiError(cl, cl.skus.list())
    assert.equal(error.status, 401)
    assert.equal(error.errors[0].code, 'INVALID_TOKEN')
  })
})

describe('customer (password grant) through a sales channel', () => {
  test('the demo customer signs in, gets a refresh token and lists only its own orders', async () => {
    const signIn = (password) =>
      authenticate('password', {
        clientId: usaClient.client_id,
        scope: usaClient.scope,
        username: seed.customer.email,
        password,
      })
    const auth = await signIn(seed.customer.password)
    assert.equal(auth.errors, undefined)
    assert.ok(auth.refreshToken)
    assert.ok(auth.ownerId)
    assert.equal(auth.ownerType, 'customer')
    const { payload } = jwtDecode(auth.accessToken)
    assert.equal(payload.owner.type, 'Customer')

    const cl = sdk(auth.accessToken)
    const order = await cl.orders.create({}, { include: ['customer'] })
    assert.equal(order.customer.email, seed.customer.email)
    const mine = await cl.orders.list({ filters: { id_eq: order.id } })
    assert.equal(mine.recordCount, 1)

    const refreshed = await authenticate('refresh_token', {
      clientId: usaClient.client_id,
      refreshToken: auth.refreshToken,
    })
    assert.equal(refreshed.errors, undefined)
    assert.ok(refreshed.accessToken)
    assert.equal(jwtDecode(refreshed.accessToken).payload.owner.id, payload.owner.id)

    const wrong = await signIn('not-the-password')
    assert.equal(wrong.accessToken, undefined)
    assert.equal(wrong.errors[0].title, 'invalid_grant')
  })
})
