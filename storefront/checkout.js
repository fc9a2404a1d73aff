// The guest checkout of checkout.html: js-auth's sales-channel token, then the SDK's calls in
// the order a storefront makes them (cart, email, addresses, shipping method, wire transfer,
// _place), each one listed on the page; the placed order's number and money are shown, and its
// id is left in #summary's data-order-id (the browser test reads the order back by it).
import { authenticate, jwtDecode } from './node_modules/@commercelayer/js-auth/dist/index.mjs'
import { CommerceLayer } from './node_modules/@commercelayer/sdk/lib/bundle.js'

const params = new URLSearchParams(location.search)
const domain = params.get('domain') || 'commerce.localhost'
const clientId = params.get('client_id') || 'demo-sc-usa'
const market = params.get('market') || 'usa'
const email = params.get('email') || 'ada@example.com'

const LINES = [
  ['24-WB01', 2],
  ['24-WB03', 1],
]
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

const summary = document.getElementById('summary')

// One line per call on the page, so a shopper (or a failing test's screenshot) sees how far it got.
async function step(text, call) {
  const item = document.createElement('li')
  item.textContent = `${text}…`
  document.getElementById('steps').append(item)
  try {
    const result = await call()
    item.textContent = `${text}: done`
    return result
  } catch (error) {
    item.textContent = `${text}: failed`
    item.className = 'failed'
    throw error
  }
}

function cell(text, className) {
  const td = document.createElement('td')
  td.textContent = text
  if (className) td.className = className
  return td
}

function row(label, amount, className) {
  const tr = document.createElement('tr')
  if (className) tr.className = className
  tr.append(cell(label), cell(amount, 'amount'))
  return tr
}

function showPlaced(order) {
  summary.replaceChildren()
  const heading = document.createElement('h2')
  heading.id = 'status'
  heading.textContent = `Order #${order.number} placed`
  const table = document.createElement('table')
  for (const line of order.line_items.filter((l) => l.item_type === 'skus')) {
    const label = `${line.quantity} x ${line.name} (${line.sku_code})`
    table.append(row(label, line.formatted_total_amount))
  }
  table.append(
    row('Subtotal', order.formatted_subtotal_amount),
    row('Shipping', order.formatted_shipping_amount),
    row('Tax', order.formatted_total_tax_amount),
    row('Total', order.formatted_total_amount_with_taxes, 'total'),
  )
  const note = document.createElement('p')
  note.textContent = `A confirmation goes to ${order.customer_email}; pay by wire transfer.`
  summary.append(heading, table, note)
  summary.dataset.orderId = order.id
  summary.dataset.orderNumber = order.number
  summary.dataset.state = 'placed'
}

function showFailure(error) {
  // The SDK's ApiError carries the server's `errors`; a blocked cross-origin request is a
  // TypeError from fetch ("Failed to fetch").
  const detail = error.errors?.map((e) => e.detail || e.title).join('; ') || error.message
  const status = document.getElementById('status')
  status.textContent = `The checkout failed: ${detail}`
  summary.dataset.state = 'failed'
  console.error(error)
}

async function checkout() {
  const auth = await step('Sales-channel token (js-auth)', async () => {
    const answer = await authenticate('client_credentials', {
      clientId,
      scope: `market:code:${market}`,
      domain,
    })
    // js-auth does not throw on a refused token: the errors come back in the answer.
    if (!answer.accessToken) {
      throw new Error(answer.errors?.map((e) => e.detail || e.title).join('; ') || 'no token')
    }
    return answer
  })
  const { organization } = jwtDecode(auth.accessToken).payload
  // The API host is https://<organization slug>.<domain>/api, as on Commerce Layer's own.
  const cl = CommerceLayer({
    accessToken: auth.accessToken,
    organization: organization.slug,
    domain,
  })
  document.getElementById('api-host').textContent = `https://${organization.slug}.${domain}/api`

  const order = await step(`New order for ${email}`, () =>
    cl.orders.create({ customer_email: email, language_code: 'en' }),
  )
  for (const [code, quantity] of LINES) {
    await step(`${quantity} x ${code}`, () =>
      cl.line_items.create({ sku_code: code, quantity, order: cl.orders.relationship(order.id) }),
    )
  }
  await step('Billing and shipping address', async () => {
    const address = await cl.addresses.create(SHOPPER)
    await cl.orders.update({ id: order.id, billing_address: cl.addresses.relationship(address.id) })
    await cl.orders._shipping_address_same_as_billing(order.id)
  })
  await step('Standard shipping', async () => {
    const shipments = await cl.orders.shipments(order.id, {
      include: ['available_shipping_methods'],
    })
    for (const shipment of shipments) {
      const standard = shipment.available_shipping_methods.find((m) => m.name === 'Standard')
      if (!standard) throw new Error(`no Standard shipping for shipment ${shipment.number}`)
      await cl.shipments.update({
        id: shipment.id,
        shipping_method: cl.shipping_methods.relationship(standard.id),
      })
    }
  })
  await step('Wire transfer', async () => {
    const { available_payment_methods: methods } = await cl.orders.retrieve(order.id, {
      include: ['available_payment_methods'],
    })
    const wire = methods.find((m) => m.payment_source_type === 'wire_transfers')
    if (!wire) throw new Error('no wire transfer payment method is offered')
    await cl.orders.update({
      id: order.id,
      payment_method: cl.payment_methods.relationship(wire.id),
    })
    await cl.wire_transfers.create({ order: cl.orders.relationship(order.id) })
  })
  const placed = await step('Place the order', () =>
    cl.orders._place(order.id, { include: ['line_items'] }),
  )
  showPlaced(placed)
}

checkout().catch(showFailure)
