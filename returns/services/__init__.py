"""The services of returns: one per trigger, each taking its locks (returns.locks), asking the
table (returns.transitions) and applying its steps; `statuses.move_return` is the one writer of
a return's status."""
