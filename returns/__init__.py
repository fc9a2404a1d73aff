"""Returns (aftersale.md §3): a customer's or an operator's request to send back units of an
approved order, their stock put back at a return location and their money refunded. One way
down, lowest first (tests/test_import_graph.py holds the app's place above orders and that no
import makes a cycle):

1. pure rules: `transitions` (the return table and its predicates), `money` (the estimate's
   formulas, in integer cents);
2. `models`;
3. `locks` (the return row, after its order's), `serializers`;
4. `services.statuses`: the one writer of a return's status;
5. `services.figures` (the estimates of an order's live returns);
6. trigger services: `services.returns`, `services.line_items`, `services.stock` (restocking),
   `services.refunds`, then `services.operator` (the back office's way to them);
7. what parses and calls: `views`, `admin`, `apps`.

It sits above `orders` (it locks the order first, then the return, then stock items by pk) and
nothing below imports it: the orders, inventory and customer resources name its resource types
(`returns`, `return_line_items`, `inventory_return_locations`) by name only.
"""
