// Editing a placed order through the SDK (aftersale.md §1): the back office reopens it with
// `_start_editing`, changes its lines, is refused a total above the amount placed, and closes it
// with `_stop_editing`; the later `_capture` takes the new total and voids the rest. Registered
// after the checkout (it places its own order once that file's stock assertions are done).
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { apiError, backOffice, usd } from '../support.js'
import { placeAsGuest } from './checkout.js'

describe('an operator edits a placed order', () => {
  let office

  before(async () => {
    office = await backOffice()
  })

  test('a lower quantity, a refused bigger total, then placed again for less', async () => {
    const { order: placed } = await placeAsGuest([['24-WB01', 3]], { email: 'edit@example.com' })
    const editing = await office.orders._start_editing(placed.id)
    assert.equal(editing.status, 'editing')
    assert.equal(editing.editable, true)

    const withLines = await office.orders.retrieve(placed.id, { include: ['line_items'] })
    const line = withLines.line_items.find((li) => li.item_type === 'skus')
    const lowered = await office.line_items.update({ id: line.id, quantity: 1 })
    assert.equal(lowered.unit_amount_cents, line.unit_amount_cents, 'a kept line keeps its price')

    // 10 more of another SKU would pass the amount placed: `_stop_editing` says so.
    const extra = await office.line_items.create({
      sku_code: '24-WB03',
      quantity: 10,
      order: office.orders.relationship(placed.id),
    })
    const error = await apiError(office, office.orders._stop_editing(placed.id))
    assert.equal(error.status, 422)
    const [detail] = error.errors
    assert.equal(detail.source.pointer, '/data/attributes/total_amount_with_taxes_cents')
    assert.ok(detail.detail.includes(`(${usd(placed.total_amount_with_taxes_cents)})`), detail.detail)
    assert.equal((await office.orders.retrieve(placed.id)).status, 'editing')

    await office.line_items.delete(extra.id)
    const closed = await office.orders._stop_editing(placed.id)
    assert.equal(closed.status, 'placed')
    assert.equal(closed.payment_status, 'authorized')
    assert.ok(closed.total_amount_with_taxes_cents < placed.total_amount_with_taxes_cents)
    assert.equal(closed.place_total_amount_cents, closed.total_amount_with_taxes_cents)

    const captured = await office.orders._capture(placed.id, { include: ['captures', 'voids'] })
    assert.equal(captured.payment_status, 'paid')
    assert.deepEqual(
      captured.captures.map((c) => c.amount_cents),
      [closed.total_amount_with_taxes_cents],
    )
    assert.deepEqual(
      captured.voids.map((v) => v.amount_cents),
      [placed.total_amount_with_taxes_cents - closed.total_amount_with_taxes_cents],
    )
  })
})
