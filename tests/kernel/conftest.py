import pytest
from django.db.models.sql import compiler


@pytest.fixture
def sql_compiles(monkeypatch):
    """The models of the queries Django compiles into SQL from now on, in order."""
    compiles = []
    original = compiler.SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiles.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(compiler.SQLCompiler, "as_sql", counting)
    return compiles
