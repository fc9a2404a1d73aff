// A return through the official SDK (aftersale.md §3): a guest's order in usa, approved and
// captured by the back office, then a return of one unit created, requested, approved, received,
// restocked at the demo's return location (ne_wh) and refunded, with the SDK's own triggers.
// Imported after the checkout (it places its own order and moves stock back).
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { apiError, assertUsd, backOffice, guest } from '../support.js'
import { placeAsGuest } from './checkout.js'

async function onHandAt(office, code, location) {
  const [item] = await office.stock_items.list({
    filters: { sku_code_eq: code, stock_location_code_eq: location },
  })
  return item ? item.quantity : 0
}

test('a return: created, requested, approved, received, restocked and refunded', async () => {
  const shop = await guest()
  const office = await backOffice()
  const { order } = await placeAsGuest([['24-WB03', 2]], { email: 'returns@example.com' })
  const paid = await office.orders._approve_and_capture(order.id)
  assert.deepEqual([paid.status, paid.payment_status], ['approved', 'paid'])

  const [line] = await office.orders.line_items(order.id, { filters: { item_type_eq: 'skus' } })
  assert.deepEqual([line.quantity, line.tax_amount_cents], [2, 594]) // 8.25 % of $72.00

  const created = await office.returns.create(
    { order: office.orders.relationship(order.id) },
    { include: ['stock_location', 'order'] },
  )
  assert.equal(created.status, 'draft')
  assert.equal(created.number, `${paid.number}/R/001`)
  assert.equal(created.stock_location.code, 'ne_wh') // the demo's return location
  assert.equal(created.order.id, order.id)
  // Returns are the back office's and the customers': a sales channel gets a 401.
  assert.equal((await apiError(shop, shop.returns.retrieve(created.id))).status, 401)

  const item = await office.return_line_items.create({
    quantity: 1,
    return: office.returns.relationship(created.id),
    line_item: office.line_items.relationship(line.id),
  })
  assert.equal(item.sku_code, '24-WB03')
  assertUsd(item, 'total_amount', 3600)
  // Two units are bought: a second return of both is refused on its quantity.
  const other = await office.returns.create({ order: office.orders.relationship(order.id) })
  const tooMany = await apiError(
    office,
    office.return_line_items.create({
      quantity: 2,
      return: office.returns.relationship(other.id),
      line_item: office.line_items.relationship(line.id),
    }),
  )
  assert.equal(tooMany.status, 422)
  assert.equal(tooMany.errors[0].source.pointer, '/data/attributes/quantity')
  await office.returns.delete(other.id)

  const requested = await office.returns._request(created.id)
  assert.equal(requested.status, 'requested')
  assertUsd(requested, 'estimated_refund_amount', 3897) // 3600 + half of the line's 594 tax
  assert.equal(requested.skus_count, 1)
  const approved = await office.returns._approve(created.id)
  assert.equal(approved.status, 'approved')
  assert.ok(approved.approved_at)
  const received = await office.returns._receive(created.id)
  assert.equal(received.status, 'received')
  assert.ok(received.received_at)

  const before = await onHandAt(office, '24-WB03', 'ne_wh')
  const restocked = await office.returns._restock(created.id, { include: ['return_line_items'] })
  assert.equal(restocked.status, 'received')
  assert.ok(restocked.return_line_items[0].restocked_at)
  assert.equal(await onHandAt(office, '24-WB03', 'ne_wh'), before + 1)

  const refunded = await office.returns._refund(created.id)
  assert.equal(refunded.status, 'refunded')
  assert.ok(refunded.refunded_at)
  const refund = await office.returns.reference_refund(created.id)
  assert.equal(refund.type, 'refunds')
  assertUsd(refund, 'amount', 3897)
  const after = await office.orders.retrieve(order.id)
  // A return's refund never cancels the order.
  assert.deepEqual([after.status, after.payment_status], ['approved', 'partially_refunded'])
  const listed = await office.orders.returns(order.id)
  assert.deepEqual(
    [...listed].map((r) => [r.id, r.status]),
    [[created.id, 'refunded']],
  )
})
