// A card payment through Stripe (payments.md), against the fake Stripe scripts/sdk-tests.sh
// starts: the back office adds a Stripe gateway and a stripe_payments method in usa, the guest
// pays its cart with `cl.stripe_payments` (the PaymentIntent's client_secret for Stripe.js), the
// card is confirmed as Stripe.js would, `_place` authorizes, and the back office captures.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { backOffice, guest, uniq } from '../support.js'
import { choosePaymentMethod, placeAsGuest } from './checkout.js'

const STRIPE_URL = process.env.SDK_STRIPE_URL
const STRIPE_KEY = process.env.SDK_STRIPE_KEY

// What Stripe.js does in the shopper's browser: confirm the intent with a test card.
async function confirmCard(intentId) {
  const response = await fetch(`${STRIPE_URL}/v1/payment_intents/${intentId}/confirm`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${STRIPE_KEY}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'payment_method=pm_card_visa',
  })
  const text = await response.text()
  assert.equal(response.status, 200, text)
  return JSON.parse(text)
}

async function intent(intentId) {
  const response = await fetch(`${STRIPE_URL}/v1/payment_intents/${intentId}`, {
    headers: { Authorization: `Bearer ${STRIPE_KEY}` },
  })
  return response.json()
}

describe('a card payment through Stripe', () => {
  let office
  let shop

  before(async () => {
    assert.ok(STRIPE_URL && STRIPE_KEY, 'run through scripts/sdk-tests.sh (the fake Stripe)')
    office = await backOffice()
    shop = await guest()
    const gateway = await office.stripe_gateways.create({
      name: `Stripe ${uniq()}`,
      login: STRIPE_KEY,
      publishable_key: 'pk_test_sdk',
    })
    assert.equal(gateway.credential_keys.login, `********${STRIPE_KEY.slice(-4)}`)
    assert.ok(gateway.webhook_endpoint_id.startsWith('we_'))
    const [usa] = await office.markets.list({ filters: { code_eq: 'usa' } })
    await office.payment_methods.create({
      payment_source_type: 'stripe_payments',
      payment_gateway: office.stripe_gateways.relationship(gateway.id),
      market: office.markets.relationship(usa.id),
    })
  })

  test('the guest pays with cl.stripe_payments, _place authorizes, the office captures', async () => {
    let payment
    const { order } = await placeAsGuest([['24-WB03', 1]], {
      email: 'card@example.com',
      pay: async (client, cart) => {
        await choosePaymentMethod(client, cart, 'stripe_payments')
        payment = await client.stripe_payments.create({ order: client.orders.relationship(cart.id) })
        assert.equal(payment.type, 'stripe_payments')
        assert.equal(payment.publishable_key, 'pk_test_sdk')
        assert.match(payment.client_secret, /^pi_.+_secret_/)
        assert.equal(payment.mismatched_amounts, false)
        await confirmCard(payment.stripe_id)
        return payment
      },
    })
    assert.equal(order.payment_status, 'authorized')
    assert.equal((await intent(payment.stripe_id)).status, 'requires_capture')

    const refreshed = await shop.stripe_payments._refresh(payment.id)
    assert.equal(refreshed.payment_instrument.last4, '4242')

    const paid = await office.orders._capture(order.id)
    assert.equal(paid.payment_status, 'paid')
    const captured = await intent(payment.stripe_id)
    assert.equal(captured.status, 'succeeded')
    assert.equal(captured.amount_received, order.total_amount_with_taxes_cents)
  })
})
