"""The demo shop of demo.md (`manage.py seed_demo`, `make run`): data built through the apps'
own services, above them all; nothing in the apps imports it."""
