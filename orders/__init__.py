"""Orders: carts, checkout, payments and shipments. One way down, lowest first (a module
imports only its own layer or lower ones; tests/test_import_graph.py holds it):

1. pure rules: `transitions` (the order, shipment, payment and gift card tables, their
   predicates and the derived payment and fulfillment statuses), `pricing` (the figures, in
   integer cents);
2. `models`;
3. `selectors` (transaction balances), `locks` (the one global lock order), `serializers`,
   `gift_card_serializers`;
4. `services.statuses`: the one writer of each status;
5. steps a trigger takes: `services.payments`, `.stock`, `.usage`, `.promotions`, `.customers`,
   `.gift_card_balance` (a gift card's status and balance: what placing, cancelling and
   editing an order do with it);
6. cart computation: `services.planning` (shipments), then `services.totals` (`refresh_order`);
7. trigger services, each locking, asking its table, applying its steps: `services.carts`,
   `.addresses`, `.lifecycle` (the order's triggers), `.shipments`, `.transactions`, `.purge`,
   `.gift_cards` (cards, their triggers, a cart buying or redeeming one);
8. what parses and calls: `views` (a package: `reach` and `related` under the resources of
   `orders`, `shipments`, `payments`, `customers`, `gift_cards`), `admin` (and
   `gift_card_admin`), `auth`, management commands.

The demo shop (`demo`) and the bench data set (`bench`) are apps of their own above this one.
"""
