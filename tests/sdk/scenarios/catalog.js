// Catalog pricing through the official SDK (catalog.md): the back office gives a SKU of its own
// volume tiers and a "3 for 2" on a SKU list in usa; a guest's line follows its quantity's tier
// and the promotion frees one unit. The SKU is new, so no other scenario's figures move; the
// promotion is disabled at the end (its line items keep it: it is never deleted).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { assertUsd, backOffice, guest, uniq } from '../support.js'

export async function newSku(office, code, { amount = 1200, quantity = 100 } = {}) {
  // Shipped from where the demo ships 24-WB01 in usa, in the same shipping category.
  const [known] = await office.skus.list({
    filters: { code_eq: '24-WB01' },
    include: ['shipping_category'],
  })
  const [stock] = await office.stock_items.list({
    filters: { sku_code_eq: '24-WB01' },
    include: ['stock_location'],
  })
  const [market] = await office.markets.list({
    filters: { code_eq: 'usa' },
    include: ['price_list'],
  })
  const sku = await office.skus.create({
    code,
    name: 'Tiered bottle',
    shipping_category: office.shipping_categories.relationship(known.shipping_category.id),
  })
  const price = await office.prices.create({
    amount_cents: amount,
    price_list: office.price_lists.relationship(market.price_list.id),
    sku: office.skus.relationship(sku.id),
  })
  await office.stock_items.create({
    quantity,
    stock_location: office.stock_locations.relationship(stock.stock_location.id),
    sku: office.skus.relationship(sku.id),
  })
  return { sku, price, market }
}

test('volume tiers price a line by its quantity, and a "3 for 2" frees one unit', async () => {
  const office = await backOffice()
  const shop = await guest()
  const code = `TIER-${uniq()}`.toUpperCase()
  const { sku, price, market } = await newSku(office, code)
  for (const [name, upTo, cents] of [
    ['one or two', 2, 1200],
    ['up to five', 5, 1000],
    ['six and more', null, 800],
  ]) {
    await office.price_volume_tiers.create({
      name,
      up_to: upTo,
      price_amount_cents: cents,
      price: office.prices.relationship(price.id),
    })
  }
  const tiers = await office.prices.price_volume_tiers(price.id)
  assert.deepEqual(
    [...tiers].map((t) => [t.up_to, t.price_amount_cents]).sort((a, b) => (a[0] ?? 99) - (b[0] ?? 99)),
    [
      [2, 1200],
      [5, 1000],
      [null, 800],
    ],
  )

  const order = await shop.orders.create({})
  const line = await shop.line_items.create({
    sku_code: code,
    quantity: 1,
    order: shop.orders.relationship(order.id),
  })
  assertUsd(line, 'unit_amount', 1200)
  let updated = await shop.line_items.update({ id: line.id, quantity: 3 })
  assertUsd(updated, 'unit_amount', 1000)
  assertUsd(updated, 'total_amount', 3000)
  updated = await shop.line_items.update({ id: line.id, quantity: 6 })
  assertUsd(updated, 'unit_amount', 800)
  updated = await shop.line_items.update({ id: line.id, quantity: 3 })
  assertUsd(updated, 'unit_amount', 1000)

  const list = await office.sku_lists.create({ name: `3 for 2 ${code}` })
  await office.sku_list_items.create({
    sku_list: office.sku_lists.relationship(list.id),
    sku: office.skus.relationship(sku.id),
  })
  const now = Date.now()
  const promotion = await office.buy_x_pay_y_promotions.create({
    name: '3 for 2',
    x: 3,
    y: 2,
    starts_at: new Date(now - 60_000).toISOString(),
    expires_at: new Date(now + 3_600_000).toISOString(),
    market: office.markets.relationship(market.id),
    sku_list: office.sku_lists.relationship(list.id),
  })
  try {
    // Any change refreshes the cart: the promotion now applies (one unit of three free).
    await shop.orders.update({ id: order.id, metadata: { catalog: true } })
    const cart = await shop.orders.retrieve(order.id, { include: ['line_items'] })
    assertUsd(cart, 'subtotal_amount', 3000)
    assertUsd(cart, 'discount_amount', -1000)
    const promo = cart.line_items.find((l) => l.item_type === 'buy_x_pay_y_promotions')
    assert.equal(promo.name, '3 for 2')
    assertUsd(promo, 'total_amount', -1000)
    const sold = cart.line_items.find((l) => l.id === line.id)
    assertUsd(sold, 'discount', -1000)
    assert.deepEqual(Object.keys(sold.discount_breakdown), [promotion.id])
  } finally {
    await office.buy_x_pay_y_promotions._disable(promotion.id)
  }
})
