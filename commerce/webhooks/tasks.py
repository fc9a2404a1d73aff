"""The one background task: "deliver delivery X". The Delivery row says what and whether;
the task carries only its id, so a lost or duplicated task costs nothing (services.sweep)."""

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    from commerce.webhooks import services  # services enqueue this task

    return services.deliver(delivery_id)
