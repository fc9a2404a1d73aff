"""Domain actions of the orders app, one transaction each (see the modules by noun)."""
