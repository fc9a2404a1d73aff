// The official Commerce Layer clients against our server (run by scripts/sdk-tests.sh).
// One process, scenarios in this order: they share one token per API client (fetched in root
// `before` hooks, never while a test runs), and only the checkout places orders, so its stock
// assertions see no other order.
import './scenarios/auth.js'
import './scenarios/lists.js'
import './scenarios/cart.js'
import './scenarios/errors.js'
import './scenarios/checkout.js'
