// The official Commerce Layer clients against our server (run by scripts/sdk-tests.sh).
// One process, scenarios in this order: they share one token per API client (fetched in root
// `before` hooks, never while a test runs), and only the checkout places orders before its stock
// assertions are done (the Stripe payment and the related endpoints' order come after it).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import './scenarios/auth.js'
import './scenarios/lists.js'
import './scenarios/cart.js'
import './scenarios/errors.js'
import { placeAsGuest } from './scenarios/checkout.js'
import './scenarios/stripe.js'
import './scenarios/returns.js'
import './scenarios/editing.js'
import './scenarios/catalog.js'
import './scenarios/bundles_gift_cards.js'
import { apiError, backOffice, guest } from './support.js'

// Registered last, so it runs after the checkout and places its own order: the related endpoints
// the SDK names for an order's stock and a shipment's contents (issue 7, they were 404s).
test('related endpoints: stock of an order, line items and delivery lead time of a shipment', async () => {
  const shop = await guest()
  const office = await backOffice()
  const { order } = await placeAsGuest([['24-WB03', 2]], { email: 'related@example.com' })

  const stockLines = await shop.orders.stock_line_items(order.id)
  assert.deepEqual(
    [...stockLines].map((l) => [l.type, l.sku_code, l.quantity]),
    [['stock_line_items', '24-WB03', 2]],
  )
  const reservations = await office.orders.stock_reservations(order.id)
  assert.deepEqual(
    [...reservations].map((r) => [r.type, r.status, r.quantity]),
    [['stock_reservations', 'pending', 2]],
  )
  // Reservations stay the back office's (auth.md), through an order too.
  assert.equal((await apiError(shop, shop.orders.stock_reservations(order.id))).status, 401)
  // Stock transfers are made by hand here: no order has any (an empty list, not a 404).
  const transfers = await office.orders.stock_transfers(order.id)
  assert.equal(transfers.length, 0)
  assert.equal(transfers.meta.recordCount, 0)

  const [shipment] = await office.orders.shipments(order.id, { include: ['stock_location', 'shipping_method'] })
  const lines = await shop.shipments.line_items(shipment.id)
  assert.deepEqual(
    [...lines].map((l) => [l.sku_code, l.quantity]),
    [['24-WB03', 2]],
  )
  assert.equal((await office.shipments.stock_transfers(shipment.id)).length, 0)

  // The demo's own lead time for this pair: Standard from ne_wh in 72-120 hours (demo/data.py).
  try {
    const read = await shop.shipments.delivery_lead_time(shipment.id)
    assert.deepEqual([shipment.stock_location.code, shipment.shipping_method.name], ['ne_wh', 'Standard'])
    assert.deepEqual([read.type, read.min_hours, read.max_hours], ['delivery_lead_times', 72, 120])
    const included = await shop.shipments.retrieve(shipment.id, { include: ['line_items', 'delivery_lead_time'] })
    assert.equal(included.delivery_lead_time.id, read.id)
    assert.deepEqual(
      included.line_items.map((l) => l.id),
      [...lines].map((l) => l.id),
    )
  } finally {
    await office.orders._cancel(order.id)
  }
})
