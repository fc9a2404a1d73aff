// A whole guest checkout in market `usa` with a sales-channel token, then the back office with an
// integration token: approve, capture, the shipments up to shipped, and the cancellation of a
// second placed order. Only this file places orders (stock is asserted as before/after deltas).
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { apiError, assertUsd, backOffice, guest } from '../support.js'

const SHOPPER = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  line_1: '1 Main St',
  city: 'Boston',
  zip_code: '02108',
  state_code: 'MA',
  country_code: 'US',
  phone: '555-0100',
}

let shop // sales channel client, market usa
let office // integration client

before(async () => {
  shop = await guest()
  office = await backOffice()
})

// Salable quantity in usa (the SKU's `inventory`, read with the market-scoped token).
const skuIds = {}
async function available(code) {
  if (!skuIds[code]) {
    const [sku] = await shop.skus.list({ filters: { code_eq: code }, fields: ['code'] })
    skuIds[code] = sku.id
  }
  const detail = await shop.skus.retrieve(skuIds[code], { fields: { skus: ['code', 'inventory'] } })
  assert.equal(detail.code, code)
  return detail.inventory.quantity
}

// On-hand quantity per stock location code, from the back office's stock items.
async function onHand(code) {
  const items = await office.stock_items.list({
    filters: { sku_code_eq: code },
    include: ['stock_location'],
    pageSize: 25,
  })
  return Object.fromEntries(items.map((item) => [item.stock_location.code, item.quantity]))
}

// The payment method of `type` the order offers, chosen for it.
export async function choosePaymentMethod(shop, order, type) {
  const withMethods = await shop.orders.retrieve(order.id, { include: ['available_payment_methods'] })
  const method = withMethods.available_payment_methods.find((m) => m.payment_source_type === type)
  assert.ok(method, `a ${type} payment method is offered`)
  await shop.orders.update({ id: order.id, payment_method: shop.payment_methods.relationship(method.id) })
  return method
}

// The wire transfer payment method and its payment source.
export async function payByWireTransfer(shop, order) {
  await choosePaymentMethod(shop, order, 'wire_transfers')
  const source = await shop.wire_transfers.create({ order: shop.orders.relationship(order.id) })
  assert.equal(source.type, 'wire_transfers')
  return source
}

// The guest's way to a placed order: cart, email, addresses, a shipping method on every shipment
// (the one named `method`), a payment method and its payment source (`pay`), `_place`.
// `lines`: [code, quantity] of SKUs, or [code, quantity, 'bundle_code'] of bundles; `prepare`
// runs on the cart just before it is paid (a gift card code, say).
export async function placeAsGuest(
  lines,
  { method = 'Standard', email = 'ada@example.com', pay = payByWireTransfer, prepare } = {},
) {
  const order = await shop.orders.create({ language_code: 'en' })
  assert.equal(order.status, 'draft')
  for (const [code, quantity, attribute = 'sku_code'] of lines) {
    const line = await shop.line_items.create({
      [attribute]: code,
      quantity,
      order: shop.orders.relationship(order.id),
    })
    assert.equal(line[attribute], code)
    assert.equal(line.quantity, quantity)
  }
  const pending = await shop.orders.update({ id: order.id, customer_email: email })
  assert.equal(pending.status, 'pending')
  assert.equal(pending.customer_email, email)

  const address = await shop.addresses.create(SHOPPER)
  await shop.orders.update({ id: order.id, billing_address: shop.addresses.relationship(address.id) })
  const addressed = await shop.orders._shipping_address_same_as_billing(order.id, {
    include: ['billing_address', 'shipping_address'],
  })
  assert.equal(addressed.billing_address.id, address.id)
  assert.equal(addressed.shipping_address.city, 'Boston')
  assert.notEqual(addressed.shipping_address.id, address.id, 'shipping address is a copy')

  const shipments = await shop.orders.shipments(order.id, {
    include: ['stock_location', 'stock_line_items', 'available_shipping_methods', 'shipping_method'],
  })
  for (const shipment of shipments) {
    assert.equal(shipment.status, 'draft')
    const chosen = shipment.available_shipping_methods.find((m) => m.name === method)
    assert.ok(chosen, `${method} is offered on the ${shipment.stock_location.code} shipment`)
    const updated = await shop.shipments.update(
      { id: shipment.id, shipping_method: shop.shipping_methods.relationship(chosen.id) },
      { include: ['shipping_method'] },
    )
    assert.equal(updated.shipping_method.name, method)
  }

  if (prepare) await prepare(shop, order)
  const source = await pay(shop, order)

  const placed = await shop.orders._place(order.id, { include: ['payment_source'] })
  assert.equal(placed.status, 'placed')
  assert.equal(placed.payment_status, 'authorized')
  assert.ok(placed.placed_at)
  assert.equal(placed.payment_source.id, source.id)
  return { order: placed, shipments }
}

describe('guest checkout in usa, then the back office', () => {
  const state = {}

  test('the catalog lists the SKUs with their USD prices', async () => {
    const skus = await shop.skus.list({
      filters: { code_in: ['24-WB01', '24-WB03', '240-LV06'] },
      include: ['prices'],
      sort: { name: 'asc' },
    })
    assert.deepEqual(
      [...skus].map((s) => s.name),
      ['Driven Backpack', 'Quest Lumaflex Band', 'Voyage Yoga Bag'],
    )
    const prices = Object.fromEntries(skus.map((s) => [s.code, s.prices]))
    assert.equal(prices['24-WB01'].length, 1)
    assertUsd(prices['24-WB01'][0], 'amount', 3200)
    assert.equal(prices['24-WB01'][0].currency_code, 'USD')
    assertUsd(prices['240-LV06'][0], 'amount', 2200)
  })

  test('a guest places 2 x 24-WB01 + 1 x 240-LV06 with Standard shipping and a wire transfer', async () => {
    state.before = {
      available: { '24-WB01': await available('24-WB01'), '240-LV06': await available('240-LV06') },
      onHand: { '24-WB01': await onHand('24-WB01'), '240-LV06': await onHand('240-LV06') },
    }
    const { order, shipments } = await placeAsGuest([
      ['24-WB01', 2],
      ['240-LV06', 1],
    ])
    state.order = order
    // split_shipments: 24-WB01 ships from ne_wh (priority 1), 240-LV06 from brooklyn (ne_wh has none)
    const lines = Object.fromEntries(
      shipments.map((s) => [s.stock_location.code, s.stock_line_items.map((l) => [l.sku_code, l.quantity])]),
    )
    assert.deepEqual(lines, { ne_wh: [['24-WB01', 2]], brooklyn: [['240-LV06', 1]] })

    // 6400 + 2200 = 8600 (under Standard's free-over 10000): 2 x 700 shipping;
    // tax 8.25 %: 528 + 181.5->182 on the lines, 2 x 57.75->58 on the freight = 826
    assertUsd(order, 'subtotal_amount', 8600)
    assertUsd(order, 'shipping_amount', 1400)
    assertUsd(order, 'discount_amount', 0)
    assertUsd(order, 'total_amount', 10000)
    assertUsd(order, 'total_tax_amount', 826)
    assertUsd(order, 'total_amount_with_taxes', 10826)
    assert.equal(order.formatted_total_amount_with_taxes, '$108.26')
    assert.equal(order.currency_code, 'USD')
    assert.equal(order.fulfillment_status, 'unfulfilled')
  })

  test('placing reserves stock: salable drops, on hand does not move', async () => {
    assert.equal(await available('24-WB01'), state.before.available['24-WB01'] - 2)
    assert.equal(await available('240-LV06'), state.before.available['240-LV06'] - 1)
    assert.deepEqual(await onHand('24-WB01'), state.before.onHand['24-WB01'])
    assert.deepEqual(await onHand('240-LV06'), state.before.onHand['240-LV06'])
    // one pending reservation per stock line item (read through the line items)
    const lines = await office.orders.line_items(state.order.id, { include: ['stock_reservations'] })
    const reservations = [...lines].flatMap((l) => l.stock_reservations ?? [])
    assert.deepEqual(
      reservations.map((r) => [r.status, r.quantity]).sort(),
      [
        ['pending', 1],
        ['pending', 2],
      ],
    )
  })

  test('the line items carry their money triplets', async () => {
    const lines = await shop.orders.line_items(state.order.id)
    const sku = Object.fromEntries(lines.filter((l) => l.item_type === 'skus').map((l) => [l.sku_code, l]))
    assertUsd(sku['24-WB01'], 'unit_amount', 3200)
    assertUsd(sku['24-WB01'], 'total_amount', 6400)
    assertUsd(sku['24-WB01'], 'tax_amount', 528)
    assertUsd(sku['240-LV06'], 'total_amount', 2200)
    assertUsd(sku['240-LV06'], 'tax_amount', 182)
  })

  test('the back office approves: stock leaves the shelves, salable stays where placing put it', async () => {
    const approved = await office.orders._approve(state.order.id)
    assert.equal(approved.status, 'approved')
    assert.equal(approved.payment_status, 'authorized')
    assert.equal(approved.fulfillment_status, 'unfulfilled')
    assert.ok(approved.approved_at)

    const wb01 = await onHand('24-WB01')
    const lv06 = await onHand('240-LV06')
    assert.equal(wb01.ne_wh, state.before.onHand['24-WB01'].ne_wh - 2)
    assert.equal(wb01.brooklyn, state.before.onHand['24-WB01'].brooklyn)
    assert.equal(lv06.brooklyn, state.before.onHand['240-LV06'].brooklyn - 1)
    assert.equal(await available('24-WB01'), state.before.available['24-WB01'] - 2)
    assert.equal(await available('240-LV06'), state.before.available['240-LV06'] - 1)
  })

  test('capturing pays the order and starts picking', async () => {
    const paid = await office.orders._capture(state.order.id, { include: ['shipments'] })
    assert.equal(paid.payment_status, 'paid')
    assert.equal(paid.fulfillment_status, 'in_progress')
    assert.deepEqual(
      paid.shipments.map((s) => s.status),
      ['picking', 'picking'],
    )
    const captures = await office.orders.captures(state.order.id)
    assert.equal(captures.length, 1)
    assert.equal(captures[0].type, 'captures')
    assert.equal(captures[0].succeeded, true)
    assertUsd(captures[0], 'amount', 10826)
    const authorizations = await office.orders.authorizations(state.order.id)
    assert.equal(authorizations.length, 1)
    assertUsd(authorizations[0], 'amount', 10826)
  })

  test('the shipments go on hold, back to picking, then packing, ready to ship and shipped', async () => {
    const shipments = await office.orders.shipments(state.order.id)
    assert.equal(shipments.length, 2)
    const [first, second] = shipments
    assert.equal((await office.shipments._on_hold(first.id)).status, 'on_hold')
    assert.equal((await office.shipments._picking(first.id)).status, 'picking')
    for (const shipment of [first, second]) {
      assert.equal((await office.shipments._packing(shipment.id)).status, 'packing')
      assert.equal((await office.shipments._ready_to_ship(shipment.id)).status, 'ready_to_ship')
      const shipped = await office.shipments._ship(shipment.id)
      assert.equal(shipped.status, 'shipped')
      assert.ok(shipped.shipped_at)
    }
    const order = await office.orders.retrieve(state.order.id)
    assert.equal(order.status, 'approved')
    assert.equal(order.payment_status, 'paid')
    assert.equal(order.fulfillment_status, 'fulfilled')
  })

  test('a shipped order can no longer be cancelled (422 on status)', async () => {
    const error = await apiError(office, office.orders._cancel(state.order.id))
    assert.equal(error.status, 422)
    assert.equal(error.errors[0].code, 'VALIDATION_ERROR')
    assert.equal(error.errors[0].source.pointer, '/data/attributes/status')
  })
})

describe('the back office cancels a second placed order', () => {
  test('cancelling voids the authorization, cancels the shipment and releases the stock', async () => {
    const availableBefore = await available('240-LV06')
    const onHandBefore = await onHand('240-LV06')
    const { order } = await placeAsGuest([['240-LV06', 3]], { method: 'Express', email: 'grace@example.com' })
    assertUsd(order, 'subtotal_amount', 6600)
    assertUsd(order, 'shipping_amount', 2000)
    // 6600 * 0.0825 = 544.5 -> 545 (half away from zero), 2000 * 0.0825 = 165
    assertUsd(order, 'total_tax_amount', 710)
    assertUsd(order, 'total_amount_with_taxes', 9310)
    assert.equal(await available('240-LV06'), availableBefore - 3)

    const cancelled = await office.orders._cancel(order.id, { include: ['shipments'] })
    assert.equal(cancelled.status, 'cancelled')
    assert.equal(cancelled.payment_status, 'voided')
    assert.ok(cancelled.cancelled_at)
    assert.deepEqual(
      cancelled.shipments.map((s) => s.status),
      ['cancelled'],
    )
    const voids = await office.orders.voids(order.id)
    assert.equal(voids.length, 1)
    assertUsd(voids[0], 'amount', 9310)
    assert.equal(await available('240-LV06'), availableBefore)
    assert.deepEqual(await onHand('240-LV06'), onHandBefore)
  })

  test('cancelling after approval puts the stock back on the shelves', async () => {
    const onHandBefore = await onHand('24-WB01')
    const availableBefore = await available('24-WB01')
    const { order } = await placeAsGuest([['24-WB01', 1]])
    await office.orders._approve(order.id)
    assert.equal((await onHand('24-WB01')).ne_wh, onHandBefore.ne_wh - 1)

    const cancelled = await office.orders._cancel(order.id)
    assert.equal(cancelled.status, 'cancelled')
    assert.equal(cancelled.payment_status, 'voided')
    assert.deepEqual(await onHand('24-WB01'), onHandBefore)
    assert.equal(await available('24-WB01'), availableBefore)
  })

  test('a guest may not cancel its placed order (422), nor approve it (400 PARAM_NOT_ALLOWED)', async () => {
    const { order } = await placeAsGuest([['24-WB03', 1]])
    const cancel = await apiError(shop, shop.orders._cancel(order.id))
    assert.equal(cancel.status, 422)
    const approve = await apiError(shop, shop.orders._approve(order.id))
    assert.equal(approve.status, 400)
    assert.equal(approve.errors[0].code, 'PARAM_NOT_ALLOWED')
    assert.equal(approve.errors[0].source.pointer, '/data/attributes/_approve')
    const still = await office.orders.retrieve(order.id)
    assert.equal(still.status, 'placed')
    await office.orders._cancel(order.id)
  })
})
