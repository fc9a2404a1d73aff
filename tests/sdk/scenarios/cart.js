// Editing a cart with the SDK's write shapes: attribute and relationship PATCHes, `data: null`
// for an unset relationship, merging quantities, deleting a line, metadata, Idempotency-Key.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { apiError, assertUsd, guest, sent, uniq } from '../support.js'

let shop

before(async () => {
  shop = await guest()
})

describe('cart edits', () => {
  test('quantities: update a line, merge a second add with _update_quantity, delete a line', async () => {
    const order = await shop.orders.create({ metadata: { channel: 'sdk-tests', n: 1 } })
    assert.deepEqual(order.metadata, { channel: 'sdk-tests', n: 1 })
    const line = await shop.line_items.create({
      sku_code: '24-WB01',
      quantity: 1,
      order: shop.orders.relationship(order.id),
    })
    const body = JSON.parse(sent.at(-1).body)
    assert.deepEqual(body.data.relationships, { order: { data: { id: order.id, type: 'orders' } } })

    const updated = await shop.line_items.update({ id: line.id, quantity: 3 })
    assert.equal(updated.quantity, 3)
    assertUsd(updated, 'total_amount', 9600)

    const merged = await shop.line_items.create({
      sku_code: '24-WB01',
      quantity: 2,
      _update_quantity: true,
      order: shop.orders.relationship(order.id),
    })
    assert.equal(merged.id, line.id)
    assert.equal(merged.quantity, 5)

    const other = await shop.line_items.create({
      sku_code: '24-WB03',
      quantity: 1,
      order: shop.orders.relationship(order.id),
    })
    let current = await shop.orders.retrieve(order.id)
    assertUsd(current, 'subtotal_amount', 5 * 3200 + 3600)
    assert.equal(current.skus_count, 6)

    assert.equal(await shop.line_items.delete(other.id), undefined)
    current = await shop.orders.retrieve(order.id, { include: ['line_items'] })
    assertUsd(current, 'subtotal_amount', 5 * 3200)
    assert.deepEqual(
      current.line_items.filter((l) => l.item_type === 'skus').map((l) => l.id),
      [line.id],
    )
  })

  test('a relationship set to {type, id: null} is sent as data: null and unsets it', async () => {
    const order = await shop.orders.create({})
    const address = await shop.addresses.create({
      first_name: 'Ada',
      last_name: 'Lovelace',
      line_1: '1 Main St',
      city: 'Boston',
      zip_code: '02108',
      state_code: 'MA',
      country_code: 'US',
      phone: '555-0100',
    })
    const set = await shop.orders.update(
      { id: order.id, billing_address: shop.addresses.relationship(address.id) },
      { include: ['billing_address'] },
    )
    assert.equal(set.billing_address.id, address.id)

    const unset = await shop.orders.update(
      { id: order.id, billing_address: { type: 'addresses', id: null } },
      { include: ['billing_address'] },
    )
    assert.deepEqual(JSON.parse(sent.at(-1).body).data.relationships, { billing_address: { data: null } })
    assert.equal(unset.billing_address, null)
  })

  test('an Idempotency-Key header replays the first response instead of creating twice', async () => {
    const key = `sdk-${uniq()}`
    const options = { headers: { 'Idempotency-Key': key } }
    const first = await shop.orders.create({ reference: key }, undefined, options)
    const again = await shop.orders.create({ reference: key }, undefined, options)
    assert.equal(again.id, first.id)
    const different = await apiError(shop, shop.orders.create({ reference: `${key}-other` }, undefined, options))
    assert.equal(different.status, 422)
  })
})
