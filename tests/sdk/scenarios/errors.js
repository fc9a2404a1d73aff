// Errors as the SDK surfaces them: every non-2xx is an ApiError with status, code (the status as a
// string), statusText and the body's `errors` array in Commerce Layer's shape.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { apiError, backOffice, guest, sdk, seed, tokenFor } from '../support.js'

let shop
let office

before(async () => {
  shop = await guest()
  office = await backOffice()
})

async function cart() {
  const order = await shop.orders.create({})
  await shop.line_items.create({ sku_code: '24-WB03', quantity: 1, order: shop.orders.relationship(order.id) })
  return order
}

describe('errors', () => {
  test('a missing record is a 404 RECORD_NOT_FOUND', async () => {
    const error = await apiError(shop, shop.orders.retrieve('NoSuchOrder'))
    assert.equal(error.status, 404)
    assert.equal(error.code, '404')
    assert.equal(error.statusText, 'Not Found')
    assert.equal(error.errors.length, 1)
    assert.equal(error.errors[0].code, 'RECORD_NOT_FOUND')
    assert.equal(error.errors[0].status, '404')
    assert.equal(error.first().title, 'Record not found')
  })

  test("another market's order is a 404, exactly like a missing one", async () => {
    const euClient = seed.clients.find((c) => c.scope === 'market:code:eu')
    const eu = sdk(await tokenFor(euClient))
    const euOrder = await eu.orders.create({})
    const error = await apiError(shop, shop.orders.retrieve(euOrder.id))
    assert.equal(error.status, 404)
    assert.equal(error.errors[0].code, 'RECORD_NOT_FOUND')
  })

  test('_place on a pending order without addresses nor payment is a 422 naming each problem', async () => {
    const order = await cart()
    await shop.orders.update({ id: order.id, customer_email: 'someone@example.com' })
    const error = await apiError(shop, shop.orders._place(order.id))
    assert.equal(error.status, 422)
    assert.equal(error.statusText, 'Unprocessable Entity')
    assert.ok(error.errors.every((e) => e.code === 'VALIDATION_ERROR' && e.status === '422'))
    const pointers = error.errors.map((e) => e.source.pointer)
    for (const missing of ['billing_address', 'shipping_address', 'payment_method']) {
      assert.ok(pointers.includes(`/data/relationships/${missing}`), `${missing} in ${pointers.join(' ')}`)
    }
    // nothing of that PATCH was saved
    assert.equal((await shop.orders.retrieve(order.id)).status, 'pending')
  })

  test('_place on a cart without an email is a 422 on status that also names the email', async () => {
    const order = await cart()
    const error = await apiError(shop, shop.orders._place(order.id))
    assert.equal(error.status, 422)
    assert.equal(error.errors[0].source.pointer, '/data/attributes/status')
    assert.equal(error.errors[0].detail, 'status - cannot transition from draft to placed')
    // why it is still a draft, one error per missing thing (its line is there)
    assert.deepEqual(error.errors.slice(1).map((e) => e.source.pointer), ['/data/attributes/customer_email'])
  })

  test('_place on an empty draft names the line items and the email', async () => {
    const order = await shop.orders.create({})
    const error = await apiError(shop, shop.orders._place(order.id))
    assert.deepEqual(error.errors.map((e) => e.source.pointer), [
      '/data/attributes/status',
      '/data/relationships/line_items',
      '/data/attributes/customer_email',
    ])
  })

  test('a trigger from the wrong state is a 422 on status (approving a cart)', async () => {
    const order = await cart()
    const error = await apiError(office, office.orders._approve(order.id))
    assert.equal(error.status, 422)
    assert.equal(error.errors[0].code, 'VALIDATION_ERROR')
    assert.equal(error.errors[0].source.pointer, '/data/attributes/status')
    assert.match(error.errors[0].detail, /draft|pending/)
  })

  test('a shipment trigger from the wrong state is a 422 on status', async () => {
    const order = await cart()
    const [shipment] = await office.orders.shipments(order.id)
    const error = await apiError(office, office.shipments._ship(shipment.id))
    assert.equal(error.status, 422)
    assert.equal(error.errors[0].source.pointer, '/data/attributes/status')
  })

  test('more than is salable is a 422 naming the line items when placing', async () => {
    const order = await shop.orders.create({})
    await shop.line_items.create({ sku_code: '24-WB01', quantity: 100000, order: shop.orders.relationship(order.id) })
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
    const rel = shop.addresses.relationship(address.id)
    await shop.orders.update({ id: order.id, customer_email: 'bulk@example.com', billing_address: rel, shipping_address: rel })
    const { available_payment_methods: methods } = await shop.orders.retrieve(order.id, {
      include: ['available_payment_methods'],
    })
    await shop.orders.update({ id: order.id, payment_method: shop.payment_methods.relationship(methods[0].id) })
    await shop.wire_transfers.create({ order: shop.orders.relationship(order.id) })
    const error = await apiError(shop, shop.orders._place(order.id))
    assert.equal(error.status, 422)
    const stock = error.errors.find((e) => e.source.pointer === '/data/relationships/line_items')
    assert.ok(stock, JSON.stringify(error.errors))
    assert.match(stock.detail, /24-WB01: 100000 requested/)
  })

  test('a bad attribute value is a 422 pointing at it', async () => {
    const order = await shop.orders.create({})
    const unknown = await apiError(
      shop,
      shop.line_items.create({ sku_code: 'NO-SUCH-SKU', quantity: 1, order: shop.orders.relationship(order.id) }),
    )
    assert.equal(unknown.status, 422)
    assert.equal(unknown.errors[0].source.pointer, '/data/attributes/sku_code')
    const zero = await apiError(
      shop,
      shop.line_items.create({ sku_code: '24-WB01', quantity: 0, order: shop.orders.relationship(order.id) }),
    )
    assert.equal(zero.status, 422)
    assert.equal(zero.errors[0].source.pointer, '/data/attributes/quantity')
  })

  test('what a sales channel may not write is a 400 PARAM_NOT_ALLOWED; read-only attributes a 400', async () => {
    const order = await cart()
    const number = await apiError(shop, shop.orders.update({ id: order.id, number: '12345' }))
    assert.equal(number.status, 400)
    assert.equal(number.errors[0].code, 'PARAM_NOT_ALLOWED')
    assert.equal(number.errors[0].source.pointer, '/data/attributes/number')
    const status = await apiError(shop, shop.orders.update({ id: order.id, status: 'placed' }))
    assert.equal(status.status, 400)
    assert.equal(status.errors[0].source.pointer, '/data/attributes/status')
    assert.equal((await shop.orders.retrieve(order.id)).status, 'draft')
  })

  test('an operation the token kind may not perform is a 401 UNAUTHORIZED (not INVALID_TOKEN)', async () => {
    const create = await apiError(shop, shop.skus.create({ code: 'NOPE', name: 'Nope' }))
    assert.equal(create.status, 401)
    assert.equal(create.errors[0].code, 'UNAUTHORIZED')
    const stock = await apiError(shop, shop.stock_items.list())
    assert.equal(stock.status, 401)
    assert.equal(stock.errors[0].code, 'UNAUTHORIZED')
    const orders = await apiError(shop, shop.orders.list())
    assert.equal(orders.status, 401)
  })
})
