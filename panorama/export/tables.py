"""CSV and Parquet bytes for one published table, typed by its Table Schema.

Each column is first turned into plain Python values (str, float, int, date, bool or None) by its
schema type; the CSV text and the Parquet arrays are both made from those values, so the two
formats can never disagree. Bytes are built in memory (the tables are small) so the caller can
hash them and write them atomically.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from panorama.errors import ExportError
from panorama.export.rounding import decimals_for, round_number
from panorama.export.schemas import CSV_FALSE, CSV_TRUE

Value = str | float | int | dt.date | bool | None

PARQUET_METADATA_KEY = b"table_schema"
PARQUET_COMPRESSION = "zstd"

_ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "number": pa.float64(),
    "integer": pa.int64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}


_PANDAS_DTYPES: dict[str, str] = {"integer": "Int64", "boolean": "boolean", "number": "float64"}


class CellError(ValueError):
    """A cell that does not fit its field type (becomes an `ExportError` with its position)."""


def format_number(value: float) -> str:
    """Shortest text that reads back to the same float, never in exponent form: 4.5, 7.0, 0.00001."""
    return np.format_float_positional(value, unique=True, trim="0")


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _to_string(value: Any) -> str:
    # Text fields should hold text; other scalars get the same spelling the CSV uses for their type.
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return CSV_TRUE if value else CSV_FALSE
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return format_number(float(value))
    if isinstance(value, (dt.date, np.datetime64)):
        return _to_date(value).isoformat()
    raise CellError(f"texte attendu, trouvé {type(value).__name__}")


def _to_number(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise CellError(f"nombre attendu (exemple : 4.5), trouvé {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise CellError(f"nombre fini attendu (exemple : 4.5), trouvé {value!r}")
    return number


def _to_integer(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise CellError(f"nombre entier attendu (exemple : 61), trouvé {value!r}")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    raise CellError(f"nombre entier attendu (exemple : 61), trouvé {value!r}")


def _to_date(value: Any) -> dt.date:
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):  # pd.Timestamp included
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CellError(f"date attendue (exemple : 2017-11-29), trouvé {value!r}")


def _to_boolean(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise CellError(f"booléen attendu (vrai ou faux), trouvé {value!r}")


_CONVERTERS: dict[str, Callable[[Any], Value]] = {
    "string": _to_string,
    "number": _to_number,
    "integer": _to_integer,
    "date": _to_date,
    "boolean": _to_boolean,
}


def check_columns(table: str, frame: pd.DataFrame, schema: dict[str, Any]) -> None:
    """The frame holds exactly the schema's fields (any order); otherwise a French `ExportError`."""
    names = [f["name"] for f in schema["fields"]]
    missing = [n for n in names if n not in frame.columns]
    extra = [str(c) for c in frame.columns if c not in names]
    if missing or extra:
        parts = []
        if missing:
            parts.append("colonnes manquantes : " + ", ".join(missing))
        if extra:
            parts.append("colonnes inattendues : " + ", ".join(extra))
        raise ExportError(
            f"Table {table} : {' ; '.join(parts)}. Colonnes attendues, dans l'ordre : {', '.join(names)}."
        )


def typed_columns(table: str, frame: pd.DataFrame, schema: dict[str, Any]) -> dict[str, list[Value]]:
    """Every schema field of `frame` as a list of plain values; a misfit is an `ExportError`."""
    check_columns(table, frame, schema)
    columns: dict[str, list[Value]] = {}
    for field in schema["fields"]:
        convert = _CONVERTERS[field["type"]]
        decimals = decimals_for(field["name"]) if field["type"] == "number" else None
        values: list[Value] = []
        for position, value in enumerate(frame[field["name"]].tolist(), start=1):
            if _missing(value):
                values.append(None)
                continue
            try:
                converted = convert(value)
            except CellError as exc:
                raise ExportError(
                    f"Table {table}, ligne {position} des données, colonne {field['name']} : {exc}."
                ) from None
            values.append(round_number(converted, decimals) if decimals is not None else converted)  # type: ignore[arg-type]
        columns[field["name"]] = values
    return columns


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return CSV_TRUE if value else CSV_FALSE
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(columns: dict[str, list[Value]]) -> bytes:
    """UTF-8 CSV without BOM, comma, `\\n` line ends, quoted only where needed (line breaks kept)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=",", quotechar='"', lineterminator="\n",
                        quoting=csv.QUOTE_MINIMAL, doublequote=True)
    names = list(columns)
    writer.writerow(names)
    rows = zip(*(columns[n] for n in names)) if names else iter(())
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def parquet_bytes(columns: dict[str, list[Value]], schema: dict[str, Any]) -> bytes:
    """Parquet (zstd) with real column types and the Table Schema in the key-value metadata."""
    fields = [pa.field(f["name"], _ARROW_TYPES[f["type"]], nullable=True) for f in schema["fields"]]
    metadata = {PARQUET_METADATA_KEY: json.dumps(schema, ensure_ascii=False, sort_keys=True).encode("utf-8")}
    arrow_schema = pa.schema(fields, metadata=metadata)
    # Through pandas so the file carries pandas metadata: integers read back as nullable Int64
    # and booleans as "boolean" (a blank entering-projects count stays an integer column).
    frame = pd.DataFrame({
        f["name"]: pd.array(columns[f["name"]], dtype=_PANDAS_DTYPES.get(f["type"], object))
        for f in schema["fields"]
    }, index=pd.RangeIndex(len(next(iter(columns.values()), []))))
    table = pa.Table.from_pandas(frame, schema=arrow_schema, preserve_index=False)
    import pyarrow.parquet as pq  # here: the dashboard uses this module's formatting without Parquet

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=PARQUET_COMPRESSION, store_schema=True)
    return sink.getvalue().to_pybytes()
