"""Hot queries whose SQL the ORM writes once per process, then run with new values.

Building and compiling a queryset costs the ORM ~500-1,000 Python calls, more than running
it on PostgreSQL; an uncached article page ran ten of them. A `Prepared` query is a
function making the queryset from its arguments: the first call (per database) builds it
with stand-in values, compiles it, and finds where each stand-in went in the parameters;
every call after that runs the same SQL with the real values in those places and turns
the rows into what the queryset would have returned (model instances with their
`select_related` rows and annotations, or `values()` dicts), through the same compiler.

Only the SQL and the compiler's description of its columns are kept: no row, no result.

On PostgreSQL the rows' `timestamptz` values are read by psycopg's compiled loader
(`_fast_datetimes`): Django's own loader is a Python subclass of psycopg's Python one, ~5 µs
a value (1.1 ms of the 250-comment page's 1.5 ms reading its 300 rows), for the same
datetime in UTC.
A query whose SQL would change with its values (an `__in` list of varying length, a
`startswith` pattern) cannot be prepared: the first call refuses it (`ValueError`).
"""

import itertools
import threading
from datetime import UTC, datetime, timedelta

from django.db import connections
from django.db.models.query import get_related_populators

_MARK = "\x1fprepared-"
_LOADER = []  # [(timestamptz oid, psycopg's compiled text loader, or None)]


def _timestamptz_loader():
    if not _LOADER:
        try:
            import psycopg
            from psycopg.pq import Format
        except ImportError:  # psycopg2, or no PostgreSQL driver
            _LOADER.append((None, None))
        else:
            oid = psycopg.postgres.types["timestamptz"].oid
            loader = psycopg.adapters.get_loader(oid, Format.TEXT)
            compiled = psycopg.pq.__impl__ in ("c", "binary")
            _LOADER.append((oid, loader if compiled else None))
    return _LOADER[0]


def _fast_datetimes(connection, cursor):
    """`cursor` reads `timestamptz` with psycopg's compiled loader instead of Django's.

    Django's (`register_tzloader`) parses in Python and sets the connection's zone on the
    result; with that zone UTC, the zone Django gives the session, psycopg's compiled one
    returns the same datetime, UTC included (tests/articles/test_prepared.py). Any other
    connection zone, another database or a pure-Python psycopg: Django's, as before."""
    if connection.vendor != "postgresql" or connection.timezone is not UTC:
        return
    oid, loader = _timestamptz_loader()
    if loader is not None:
        cursor.cursor.adapters.register_loader(oid, loader)


class Prepared:
    def __init__(self, build, **samples):
        """`build(**values)` returns the queryset; `samples` gives each argument's type
        (a str, int or aware datetime)."""
        self.build = build
        self.samples = samples
        self._compiled = {}  # database alias -> (sql, slots, compiler, kind)
        self._lock = threading.Lock()

    def _stand_ins(self):
        counter = itertools.count(1)
        values = {}
        for name, sample in self.samples.items():
            n = next(counter)
            if isinstance(sample, datetime):
                values[name] = datetime(1901, 2, 3, tzinfo=UTC) + timedelta(microseconds=n)
            elif isinstance(sample, bool):
                raise ValueError(f"{name}: a boolean cannot be told apart in the parameters")
            elif isinstance(sample, int):
                values[name] = -7_340_000 - n
            elif isinstance(sample, str):
                values[name] = f"{_MARK}{n}"
            else:
                raise ValueError(f"{name}: only str, int and datetime values can be prepared")
        return values

    def _compile(self, alias):
        stand_ins = self._stand_ins()
        queryset = self.build(**stand_ins).using(alias)
        connection = connections[alias]
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        adapt = connection.ops.adapt_datetimefield_value
        found = {}  # a stand-in as it appears in the parameters -> (name, adapt)
        for name, value in stand_ins.items():
            if isinstance(value, datetime):
                found[adapt(value)] = (name, adapt)
            found[value] = (name, None)
        slots = []
        used = set()
        for param in params:
            key = param if isinstance(param, str | int | datetime) else None
            if key in found:
                name, adapt_value = found[key]
                slots.append((name, adapt_value, None))
                used.add(name)
            else:
                if isinstance(param, str) and _MARK in param:
                    raise ValueError(f"a value changed on its way into the SQL: {param!r}")
                slots.append((None, None, param))  # a constant of the query
        if missing := set(stand_ins) - used:
            raise ValueError(f"not in the query's parameters: {sorted(missing)}")
        names = None
        if queryset._fields is not None:
            query = queryset.query
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        # The columns' converters, as `compiler.results_iter` finds them on every call
        # (~180 Python calls for an article's row with its category): once here.
        columns = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(columns)
        composite = columns if compiler.has_composite_fields(columns) else None
        return sql, slots, compiler, names, (converters, composite)

    def _get(self, alias):
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias)
                if compiled is None:
                    compiled = self._compiled[alias] = self._compile(alias)
        return compiled

    def _rows(self, alias, values):
        sql, slots, compiler, names, (converters, composite) = self._get(alias)
        params = [
            constant if name is None else adapt(values[name]) if adapt else values[name]
            for name, adapt, constant in slots
        ]
        connection = connections[alias]
        with connection.cursor() as cursor:
            _fast_datetimes(connection, cursor)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        # What `compiler.results_iter` does with the rows, its converters found once.
        if converters:
            rows = compiler.apply_converters(rows, converters)
        if composite is not None:
            rows = compiler.composite_fields_to_tuples(rows, composite)
        return compiler, names, rows

    def values(self, alias="default", **values):
        """The rows as dicts, like the `values()` queryset."""
        compiler, names, rows = self._rows(alias, values)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def tuples(self, alias="default", **values):
        """The rows as tuples, like the `values_list()` queryset."""
        _compiler, _names, rows = self._rows(alias, values)
        return [tuple(row) for row in rows]

    def objects(self, alias="default", **values):
        """The rows as model instances, like iterating the queryset (no prefetching)."""
        compiler, _names, rows = self._rows(alias, values)
        select, klass_info = compiler.select, compiler.klass_info
        annotations = compiler.annotation_col_map
        model_cls = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        result = []
        for row in rows:
            obj = model_cls.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr, position in annotations.items():
                setattr(obj, attr, row[position])
            result.append(obj)
        return result
