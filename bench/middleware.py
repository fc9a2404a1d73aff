"""Counts the SQL statements of each request into an `X-SQL-Statements` response header, so the
load generator can report statements per request and per flow (settings.BENCH only)."""

from django.db import connection


class SqlCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-SQL-Statements"] = str(count)
        return response
