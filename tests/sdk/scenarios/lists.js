// Lists as the SDK reads them: pagination (`meta` surfaced as recordCount/pageCount), filters
// (filter[q][...] with list and JSON values), sorting, sparse fieldsets and includes.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'

import { apiError, backOffice, guest, sent, uniq } from '../support.js'

let shop
let office

before(async () => {
  shop = await guest()
  office = await backOffice()
})
const prefix = `SDK-${uniq()}`
let merchandiseId

describe('lists', () => {
  before(async () => {
    // Twelve SKUs of our own (more than one default page of 10), four with a price in the USD list.
    const [merchandise] = await office.shipping_categories.list({ filters: { name_eq: 'Merchandise' } })
    merchandiseId = merchandise.id
    const [usdList] = await office.price_lists.list({ filters: { currency_code_eq: 'USD' } })
    for (let n = 1; n <= 12; n++) {
      const code = `${prefix}-${String(n).padStart(2, '0')}`
      await office.skus.create({
        code,
        name: `Test item ${String(n).padStart(2, '0')}`,
        shipping_category: office.shipping_categories.relationship(merchandise.id),
        metadata: { parity: n % 2 ? 'odd' : 'even', n },
      })
      if (n === 5 || n >= 10) {
        await office.prices.create({
          amount_cents: 1000 + n,
          sku_code: code,
          price_list: office.price_lists.relationship(usdList.id),
        })
      }
    }
  })

  describe('pagination', () => {
    test('the default page holds 10 records; meta gives the record and page counts', async () => {
      const page = await office.skus.list({ filters: { code_start: prefix }, sort: ['code'] })
      assert.equal(page.length, 10)
      assert.equal(page.recordCount, 12)
      assert.equal(page.pageCount, 2)
      assert.equal(page[0].code, `${prefix}-01`)
      assert.ok(sent.at(-1).url.includes('page%5Bnumber%5D=1'), 'the SDK asks for page 1 itself')
    })

    test('pageSize and pageNumber walk the pages; hasNextPage follows page_count', async () => {
      const codes = []
      for (let pageNumber = 1; pageNumber <= 3; pageNumber++) {
        const page = await office.skus.list({
          filters: { code_start: prefix },
          sort: { code: 'desc' },
          pageSize: 5,
          pageNumber,
        })
        assert.equal(page.recordCount, 12)
        assert.equal(page.pageCount, 3)
        assert.equal(page.meta.currentPage, pageNumber)
        assert.equal(page.meta.recordsPerPage, 5)
        assert.equal(page.hasNextPage(), pageNumber < 3)
        assert.equal(page.hasPrevPage(), pageNumber > 1)
        codes.push(...page.map((s) => s.code))
      }
      assert.equal(codes.length, 12)
      assert.equal(codes[0], `${prefix}-12`)
      assert.equal(codes.at(-1), `${prefix}-01`)
      assert.equal(new Set(codes).size, 12)
    })

    test('a page past the end is empty with the true counts; no match gives zero counts', async () => {
      const past = await office.skus.list({ filters: { code_start: prefix }, pageSize: 25, pageNumber: 2 })
      assert.equal(past.length, 0)
      assert.equal(past.recordCount, 12)
      assert.equal(past.pageCount, 1)
      const none = await shop.skus.list({ filters: { code_eq: `${prefix}-none` } })
      assert.equal(none.length, 0)
      assert.equal(none.recordCount, 0)
      assert.equal(none.pageCount, 0)
      assert.equal(none.hasNextPage(), false)
    })

    test('page[size] over 25 is a 400 the SDK surfaces as an ApiError', async () => {
      const error = await apiError(office, office.skus.list({ pageSize: 26 }))
      assert.equal(error.status, 400)
      assert.equal(error.code, '400')
      assert.equal(error.errors[0].code, 'INVALID_PAGE_VALUE')
      assert.equal(error.errors[0].source.parameter, 'page[size]')
    })
  })

  describe('filters and sorting', () => {
    test('list values (_in) are sent comma-joined and match each code', async () => {
      const skus = await shop.skus.list({ filters: { code_in: [`${prefix}-03`, `${prefix}-07`] }, sort: ['code'] })
      assert.deepEqual(
        [...skus].map((s) => s.code),
        [`${prefix}-03`, `${prefix}-07`],
      )
      assert.ok(sent.at(-1).url.includes(`filter%5Bq%5D%5Bcode_in%5D=${prefix}-03%2C${prefix}-07`))
    })

    test('several filters are ANDed; _or_ attribute paths and relationship paths work', async () => {
      const some = await office.skus.list({
        filters: { name_or_code_cont: 'test item 1', code_start: prefix },
        sort: { code: 'asc' },
      })
      assert.deepEqual(
        [...some].map((s) => s.code),
        [`${prefix}-10`, `${prefix}-11`, `${prefix}-12`],
      )
      const merch = await office.skus.list({
        filters: { shipping_category_name_eq: 'Merchandise', code_start: prefix },
      })
      assert.equal(merch.recordCount, 12)
    })

    test('an object value is sent as JSON (_jcont on metadata)', async () => {
      const odd = await office.skus.list({ filters: { metadata_jcont: { parity: 'odd' }, code_start: prefix } })
      assert.equal(odd.recordCount, 6)
      assert.ok(odd.every((s) => s.metadata.parity === 'odd'))
    })

    test('numeric comparisons on prices, with their SKU included', async () => {
      const prices = await office.prices.list({
        filters: { amount_cents_gt: 1005, sku_code_start: prefix },
        include: ['sku'],
        sort: { amount_cents: 'asc' },
      })
      assert.deepEqual(
        [...prices].map((p) => [p.amount_cents, p.formatted_amount, p.sku.code]),
        [
          [1010, '$10.10', `${prefix}-10`],
          [1011, '$10.11', `${prefix}-11`],
          [1012, '$10.12', `${prefix}-12`],
        ],
      )
    })

    test('an unknown filter is a 400 naming the parameter', async () => {
      const error = await apiError(shop, shop.skus.list({ filters: { colour_eq: 'red' } }))
      assert.equal(error.status, 400)
      assert.equal(error.errors[0].code, 'FILTER_NOT_ALLOWED')
      assert.match(error.errors[0].detail, /colour_eq/)
    })
  })

  describe('sparse fieldsets and includes', () => {
    test('fields as an object and as an array restrict the attributes', async () => {
      const [sku] = await shop.skus.list({ filters: { code_eq: `${prefix}-01` }, fields: { skus: ['code'] } })
      assert.equal(sku.code, `${prefix}-01`)
      assert.equal(sku.name, undefined)
      assert.equal(sku.metadata, undefined)
      const same = await shop.skus.retrieve(sku.id, { fields: ['name'] })
      assert.equal(same.name, 'Test item 01')
      assert.equal(same.code, undefined)
      assert.ok(sent.at(-1).url.endsWith(`/api/skus/${sku.id}?fields%5Bskus%5D=name`))
    })

    test('included prices are flattened into the SKU, with their own sparse fields', async () => {
      const [sku] = await shop.skus.list({
        filters: { code_eq: `${prefix}-05` },
        include: ['prices'],
        fields: { skus: ['code', 'prices'], prices: ['amount_cents', 'formatted_amount'] },
      })
      assert.equal(sku.prices.length, 1)
      assert.equal(sku.prices[0].type, 'prices')
      assert.equal(sku.prices[0].amount_cents, 1005)
      assert.equal(sku.prices[0].formatted_amount, '$10.05')
      assert.equal(sku.prices[0].currency_code, undefined)
    })

    test('nested includes fill relationships of included records', async () => {
      const items = await office.stock_items.list({
        filters: { sku_code_in: ['24-WB01', '24-WB03', '240-LV06'] },
        include: ['stock_location', 'sku.prices'],
        pageSize: 25,
      })
      assert.equal(items.recordCount, 9)
      const neWh = items.find((i) => i.sku_code === '24-WB03' && i.stock_location.code === 'ne_wh')
      assert.ok(neWh, 'ne_wh holds 24-WB03')
      assert.equal(neWh.stock_location.name, 'New England warehouse')
      assert.equal(neWh.sku.code, '24-WB03')
      assert.ok(neWh.sku.prices.some((p) => p.formatted_amount === '$36.00'))
    })

    test('a relationship that is not included is left out of the resource', async () => {
      const [sku] = await shop.skus.list({ filters: { code_eq: `${prefix}-02` } })
      assert.equal(sku.prices, undefined)
      assert.equal(sku.shipping_category, undefined)
    })

    test('an unknown include is a 400 naming the parameter', async () => {
      const error = await apiError(shop, shop.skus.list({ include: ['colours'] }))
      assert.equal(error.status, 400)
      assert.equal(error.errors[0].source.parameter, 'include')
    })
  })

  describe('delete', () => {
    test('a delete answers 204, which the SDK resolves to undefined; the record is gone', async () => {
      const sku = await office.skus.create({
        code: `${prefix}-gone`,
        name: 'Short-lived',
        shipping_category: office.shipping_categories.relationship(merchandiseId),
      })
      assert.equal(await office.skus.delete(sku.id), undefined)
      const error = await apiError(office, office.skus.retrieve(sku.id))
      assert.equal(error.status, 404)
    })
  })
})
