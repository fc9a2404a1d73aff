// The official Commerce Layer CLI (@commercelayer/cli and its plugins, pinned in
// package-lock.json) against our server (issue 22, bulk.md). Run by scripts/cli-tests.sh, which
// serves the app on a loopback port with a task worker and sets:
//   SDK_BASE_URL   the server, e.g. http://127.0.0.1:PORT
//   SDK_SEED_FILE  the JSON printed by `manage.py seed_demo --json` (the demo API clients)
// Each `cl` runs as its own process, as a user would run it, with its configuration in a temp
// home and preload.cjs (NODE_OPTIONS) sending its requests for Commerce Layer's hosts to us.
// One test per step, in order: a step whose server side is missing fails on its own.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

function required(name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run these tests through scripts/cli-tests.sh`)
  return value
}

const BASE_URL = required('SDK_BASE_URL').replace(/\/+$/, '')
const seed = JSON.parse(readFileSync(required('SDK_SEED_FILE'), 'utf8'))
const integration = seed.clients.find((c) => c.kind === 'integration')
if (!integration) throw new Error('seed_demo printed no integration client')

const PLUGINS = ['imports', 'exports', 'cleanups', 'resources', 'tags']
const PREFIX = `CLI${Date.now().toString(36).toUpperCase()}-` // this run's SKU codes
const home = mkdtempSync(join(tmpdir(), 'commerce-cli-home.'))
const requestLog = join(home, 'requests.jsonl')

// The CLI's config, data and cache directories (oclif follows XDG), all in the temp home.
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, 'config'),
  XDG_DATA_HOME: join(home, 'data'),
  XDG_CACHE_HOME: join(home, 'cache'),
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(here, 'preload.cjs')}`.trim(),
  CLI_BASE_URL: BASE_URL,
  CLI_REQUEST_LOG: requestLog,
  NO_UPDATE_NOTIFIER: '1',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
}
// exports:create writes the download into the CLI's cache directory without making it (a used
// installation has one): made here, as it would be on a user's machine.
mkdirSync(join(env.XDG_CACHE_HOME, '@commercelayer', 'cli'), { recursive: true })
const CL = join(here, 'node_modules', '@commercelayer', 'cli', 'bin', 'run.js')

// `cl ARGS...` -> { code, stdout, stderr, requests } (the requests it made, as preload.cjs logged).
function cl(...args) {
  const start = existsSync(requestLog) ? readFileSync(requestLog, 'utf8').length : 0
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CL, ...args],
      { env, cwd: home, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const log = existsSync(requestLog) ? readFileSync(requestLog, 'utf8').slice(start) : ''
        const requests = log.split('\n').filter(Boolean).map((line) => JSON.parse(line))
        resolve({ code: error ? (error.code ?? error.signal) : 0, stdout, stderr, requests })
      },
    )
  })
}

// What a failed step shows: the command's output and the requests it sent.
function explain(run) {
  const sent = run.requests.map((r) => `${r.method} ${r.url}${r.body ? ` ${r.body.slice(0, 300)}` : ''}`)
  return `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n--- sent\n${sent.join('\n')}`
}

function assertOk(run) {
  assert.equal(run.code, 0, explain(run))
  return run
}

// Our own look at the data, through the API with an integration token (not through the CLI).
let apiToken
async function api(path, init = {}) {
  const response = await fetch(`${BASE_URL}${path}`, {
    ...init,
    headers: {
      Accept: 'application/vnd.api+json',
      'Content-Type': 'application/vnd.api+json',
      Authorization: `Bearer ${apiToken}`,
    },
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null }
}

async function skusStartingWith(prefix) {
  const { status, body } = await api(
    `/api/skus?filter[q][code_start]=${encodeURIComponent(prefix)}&include=prices,tags&sort=code&page[size]=25`,
  )
  assert.equal(status, 200, JSON.stringify(body))
  return body
}

let organizationSlug
let usdPriceList
let shippingCategory

before(async () => {
  const response = await fetch(`${BASE_URL}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: integration.client_id,
      client_secret: integration.client_secret,
    }),
  })
  const auth = await response.json()
  assert.equal(response.status, 200, JSON.stringify(auth))
  apiToken = auth.access_token
  // The organization slug, as a user reads it in the dashboard: here, from the token.
  const claims = JSON.parse(Buffer.from(apiToken.split('.')[1], 'base64url').toString())
  organizationSlug = claims.organization.slug
  // The SDK builds its API host from the token's issuer, https://auth.<domain> (sdk-wire.md).
  env.CLI_API_DOMAIN = claims.iss.replace(/^https:\/\/auth\./, '')
  const lists = await api('/api/price_lists?filter[q][currency_code_eq]=USD')
  usdPriceList = lists.body.data[0].id
  const categories = await api('/api/shipping_categories?filter[q][name_eq]=Merchandise')
  shippingCategory = categories.body.data[0].id
})

after(() => rmSync(home, { recursive: true, force: true }))

test('plugins:link registers the imports, exports, cleanups, resources and tags plugins', async () => {
  for (const plugin of PLUGINS) {
    const path = join(here, 'node_modules', '@commercelayer', `cli-plugin-${plugin}`)
    assertOk(await cl('plugins:link', '--no-install', path))
  }
  const listed = assertOk(await cl('plugins'))
  for (const plugin of PLUGINS) assert.match(listed.stdout, new RegExp(`cli-plugin-${plugin} .*\\(link\\)`))
})

test('applications:login with the demo integration client', async () => {
  const run = assertOk(
    await cl(
      'applications:login',
      '-o', organizationSlug,
      '-i', integration.client_id,
      '-s', integration.client_secret,
      '-a', 'demo-admin',
    ),
  )
  assert.match(run.stdout, /Login successful!/)
  // It read the token's application and organization: both singletons answered.
  const paths = run.requests.map((r) => new URL(r.url).pathname)
  for (const path of ['/oauth/token', '/api/organization', '/api/application']) {
    assert.ok(paths.includes(path), `${path} not in ${paths.join(' ')}`)
  }
  const current = assertOk(await cl('applications:current', '--info', '--json'))
  const app = JSON.parse(current.stdout.slice(current.stdout.indexOf('{'), current.stdout.lastIndexOf('}') + 1))
  assert.equal(app.kind, 'integration')
  assert.equal(app.name, integration.name) // the `name` of GET /api/application
  assert.equal(app.slug, organizationSlug)
  assert.equal(app.alias, 'demo-admin')
})

test('resources:list skus with a filter', async () => {
  const run = assertOk(
    await cl('resources:list', 'skus', '-w', 'code_start=24-', '-f', 'code,name', '-s', 'code', '-j', '-u'),
  )
  const skus = JSON.parse(run.stdout.split('\n').find((line) => line.startsWith('[')))
  // 240-LV06 starts with "240", not "24-".
  assert.deepEqual(
    skus.map((s) => [s.code, s.name]),
    [
      ['24-WB01', 'Voyage Yoga Bag'],
      ['24-WB03', 'Driven Backpack'],
    ],
  )
  const listCall = run.requests.find((r) => new URL(r.url).pathname === '/api/skus')
  assert.equal(new URL(listCall.url).searchParams.get('filter[q][code_start]'), '24-')
})

test('imports:create of a CSV of SKUs, then of their prices', async () => {
  const skusCsv = join(home, 'skus.csv')
  writeFileSync(
    skusCsv,
    [
      'code,name,shipping_category_id',
      `${PREFIX}1,CLI shirt,${shippingCategory}`,
      `${PREFIX}2,"CLI mug, large",${shippingCategory}`,
    ].join('\n') + '\n',
  )
  const skus = await cl('imports:create', '-t', 'skus', '-C', '-i', skusCsv)
  assertOk(skus)
  assert.match(skus.stdout, /Import of 2 skus completed\./, explain(skus))

  const pricesCsv = join(home, 'prices.csv')
  writeFileSync(
    pricesCsv,
    ['sku_code,amount_cents,compare_at_amount_cents', `${PREFIX}1,1999,2500`, `${PREFIX}2,1250,1250`].join('\n') + '\n',
  )
  const prices = await cl('imports:create', '-t', 'prices', '-C', '-p', usdPriceList, '-i', pricesCsv)
  assertOk(prices)
  assert.match(prices.stdout, /Import of 2 prices completed\./, explain(prices))

  const { data, included = [] } = await skusStartingWith(PREFIX)
  assert.deepEqual(
    data.map((s) => [s.attributes.code, s.attributes.name]),
    [
      [`${PREFIX}1`, 'CLI shirt'],
      [`${PREFIX}2`, 'CLI mug, large'],
    ],
  )
  const amounts = included
    .filter((r) => r.type === 'prices')
    .map((p) => [p.attributes.sku_code, p.attributes.amount_cents])
  assert.deepEqual(amounts.sort(), [
    [`${PREFIX}1`, 1999],
    [`${PREFIX}2`, 1250],
  ])
})

test('exports:create of filtered SKUs, the downloaded file checked', async () => {
  const file = join(home, 'skus-export.json')
  const run = await cl('exports:create', '-t', 'skus', '-w', 'code_start=24-', '-b', '-x', file)
  assertOk(run)
  assert.ok(existsSync(file), explain(run))
  const records = JSON.parse(readFileSync(file, 'utf8'))
  assert.deepEqual(records.map((r) => r.code).sort(), ['24-WB01', '24-WB03'])
})

test('tags:add tags SKUs, creating the tag', async () => {
  const { data } = await skusStartingWith('24-WB0')
  const ids = data.map((s) => s.id)
  assert.equal(ids.length, 2)
  const run = await cl('tags:add', '-t', 'skus', '-n', 'cli-tagged', '--create=yes', '-i', ids.join(','))
  assertOk(run)
  assert.match(run.stdout, /Successfully tagged/, explain(run))
  const tagged = await skusStartingWith('24-WB0')
  for (const sku of tagged.data) {
    const tagIds = (sku.relationships.tags?.data ?? []).map((t) => t.id)
    const names = (tagged.included ?? [])
      .filter((r) => r.type === 'tags' && tagIds.includes(r.id))
      .map((t) => t.attributes.name)
    assert.deepEqual(names, ['cli-tagged'], sku.attributes.code)
  }
})

test('cleanups:create deletes the filtered SKUs', async () => {
  // The SKUs to clean up: this run's (made here if the import step did not make them).
  const prefix = `${PREFIX}CLEAN-`
  for (const n of [1, 2]) {
    const made = await api('/api/skus', {
      method: 'POST',
      body: JSON.stringify({
        data: {
          type: 'skus',
          attributes: { code: `${prefix}${n}`, name: `CLI cleanup ${n}` },
          relationships: { shipping_category: { data: { type: 'shipping_categories', id: shippingCategory } } },
        },
      }),
    })
    assert.equal(made.status, 201, JSON.stringify(made.body))
  }
  const run = await cl('cleanups:create', '-t', 'skus', '-w', `code_start=${prefix}`)
  assertOk(run)
  assert.match(run.stdout, /Cleanup of 2 skus completed\./, explain(run))
  assert.equal((await skusStartingWith(prefix)).data.length, 0)
  // Nothing else went: the demo SKUs are still there.
  assert.equal((await skusStartingWith('24-WB0')).data.length, 2)
})
