// A bundle bought and partly paid with a gift card through the official SDK (catalog.md
// "Bundles", "Gift cards"): the back office makes a kit of two new SKUs priced from its
// components and issues a USD card; a guest buys the kit, redeems the card for part of the total
// and places; each component's stock is reserved and the card's balance is spent. The SKUs are
// new and stocked here, so no other scenario's figures move. Registered after the checkout.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { backOffice, uniq } from '../support.js'
import { newSku } from './catalog.js'
import { placeAsGuest } from './checkout.js'

test('a bundle is bought and part of it paid with a gift card', async () => {
  const office = await backOffice()
  const tag = uniq().toUpperCase()
  const { sku: bottle, market } = await newSku(office, `KIT-A-${tag}`, { amount: 1500, quantity: 10 })
  const { sku: cap } = await newSku(office, `KIT-B-${tag}`, { amount: 800, quantity: 7 })

  const list = await office.sku_lists.create({ name: `Kit ${tag}` })
  for (const [sku, quantity] of [
    [bottle, 1],
    [cap, 2],
  ]) {
    await office.sku_list_items.create({
      quantity,
      sku_list: office.sku_lists.relationship(list.id),
      sku: office.skus.relationship(sku.id),
    })
  }
  const bundle = await office.bundles.create({
    code: `KIT-${tag}`,
    name: 'Bottle and two caps',
    market: office.markets.relationship(market.id),
    sku_list: office.sku_lists.relationship(list.id),
    _compute_price_amount: true,
    _compute_compare_at_amount: true,
  })
  assert.equal(bundle.price_amount_cents, 1500 + 2 * 800)
  assert.equal(bundle.compare_at_amount_cents, 3100)
  assert.equal(bundle.skus_count, 2)
  const priced = await office.bundles.update({ id: bundle.id, price_amount_cents: 2500 })
  assert.equal(priced.formatted_price_amount, '$25.00')

  const card = await office.gift_cards.create({ currency_code: 'USD', balance_cents: 2000 })
  assert.equal(card.status, 'draft')
  assert.equal(card.initial_balance_cents, 2000)
  const active = await office.gift_cards._activate(card.id)
  assert.equal(active.status, 'active')

  const { order } = await placeAsGuest([[bundle.code, 2, 'bundle_code']], {
    email: 'kit@example.com',
    prepare: async (shop, cart) => {
      const redeemed = await shop.orders.update({ id: cart.id, gift_card_code: card.code })
      assert.equal(redeemed.gift_card_amount_cents, -2000)
    },
  })
  const placed = await office.orders.retrieve(order.id, { include: ['line_items', 'stock_line_items'] })
  const kit = placed.line_items.find((l) => l.item_type === 'bundles')
  assert.equal(kit.bundle_code, bundle.code)
  assert.equal(kit.unit_amount_cents, 2500)
  assert.equal(kit.total_amount_cents, 5000)
  const paid = placed.line_items.find((l) => l.item_type === 'gift_cards')
  assert.equal(paid.total_amount_cents, -2000)
  assert.equal(placed.gift_card_amount_cents, -2000)
  assert.equal(placed.subtotal_amount_cents, 5000)
  assert.equal(
    placed.total_amount_with_taxes_cents,
    placed.total_amount_cents + (placed.tax_included ? 0 : placed.total_tax_amount_cents) - 2000,
  )
  // One stock line per component: 2 bundles hold 2 bottles and 4 caps.
  assert.deepEqual(
    [...placed.stock_line_items].map((s) => [s.sku_code, s.quantity]).sort(),
    [
      [bottle.code, 2],
      [cap.code, 4],
    ].sort(),
  )
  const spent = await office.gift_cards.retrieve(card.id)
  assert.equal(spent.balance_cents, 0)
  assert.equal(spent.status, 'redeemed')
})
