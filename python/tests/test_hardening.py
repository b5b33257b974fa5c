"""Hostile and careless input: every row accounted for, one rule for numbers, no crash from any
value, every error a QinglianError (the same rules as the CLI and JavaScript)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import qinglian

from test_api import GOOD


def score(ruleset: qinglian.Ruleset, **fields: object) -> float:
    return ruleset.evaluate({**GOOD, **fields}).score


def error_code(ruleset: qinglian.Ruleset, **fields: object) -> str:
    with pytest.raises(qinglian.RecordError) as info:
        ruleset.evaluate({**GOOD, **fields})
    assert isinstance(info.value, qinglian.QinglianError)
    return str(info.value.code)


def test_placeholders_are_missing(mini: qinglian.Ruleset) -> None:
    missing = score(mini, rate=None)
    for text in ["", "   ", "\u3000", "N/A", "n/a", "NA", "null", "-", "—", "——", "－"]:
        assert score(mini, rate=text) == missing, repr(text)
    # A web form's empty box for a count, a boolean-less field: missing, not an error.
    assert score(mini, reports="") == score(mini, reports=None)


def test_number_text_rule(mini: qinglian.Ruleset) -> None:
    assert score(mini, assessment="１２") == score(mini, assessment=12)
    assert score(mini, assessment="－3．5") == score(mini, assessment=-3.5)
    assert score(mini, assessment="1,234") == score(mini, assessment=1234)
    assert score(mini, assessment="1e3") == score(mini, assessment=1000)
    assert error_code(mini, assessment="1,23") == "record.not_a_number"
    for text in ["NaN", "inf", "-Infinity"]:
        assert error_code(mini, assessment=text) == "record.not_finite"
    for text in ["1e308", "1e309", "9007199254740992"]:
        assert error_code(mini, assessment=text) == "record.too_large"


def test_floats_and_big_integers(mini: qinglian.Ruleset) -> None:
    assert score(mini, assessment=float("nan")) == score(mini, assessment=None)
    assert error_code(mini, assessment=math.inf) == "record.not_finite"
    assert error_code(mini, assessment=-math.inf) == "record.not_finite"
    assert error_code(mini, assessment=np.float64("inf")) == "record.not_finite"
    assert error_code(mini, assessment=2**53 + 1) == "record.too_large"
    assert error_code(mini, assessment=10**400) in {"record.too_large", "record.wrong_type"}
    assert score(mini, assessment=2**53 - 1) == score(mini, assessment=float(2**53 - 1))
    zero = mini.evaluate({**GOOD, "assessment": -0.0}).to_dict()
    assert zero == mini.evaluate({**GOOD, "assessment": 0}).to_dict()
    assert "-0" not in json.dumps(zero)


def test_the_same_rule_for_a_column_of_floats(mini: qinglian.Ruleset) -> None:
    import pandas as pd

    values = [90.0, math.inf, 2.0**60, float("nan"), -0.0]
    records = [dict(GOOD, id=str(i), assessment=a) for i, a in enumerate(values)]
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "survey"} for r in records])
    out = mini.evaluate_frame(frame)
    expected = [None, "record.not_finite", "record.too_large", None, None]
    codes = [None if pd.isna(c) else c for c in out["error_code"]]
    assert codes == expected
    results = mini.evaluate_many(records)
    assert [getattr(r, "code", None) for r in results] == expected
    assert isinstance(results[0], qinglian.Evaluation)


def test_deep_nesting_is_refused_not_walked(mini: qinglian.Ruleset) -> None:
    deep: dict[str, object] = {}
    inner = deep
    for _ in range(100_000):
        nxt: dict[str, object] = {}
        inner["a"] = nxt
        inner = nxt
    deep_list: list[object] = []
    cur = deep_list
    for _ in range(100_000):
        nxt_list: list[object] = []
        cur.append(nxt_list)
        cur = nxt_list
    for value in [deep, deep_list, {"满意": deep}]:
        for field in ["survey", "rate", "unit", "note"]:
            try:
                mini.evaluate({**GOOD, field: value})
            except qinglian.QinglianError:
                pass
    # Still working afterwards.
    assert mini.evaluate(GOOD).score == score(mini)


def test_every_error_is_a_qinglian_error(mini: qinglian.Ruleset, tmp_path: Path) -> None:
    for text in ["", "[ruleset", "[ruleset]\nid = nan", "x" * 5_000_000]:
        with pytest.raises(qinglian.QinglianError):
            qinglian.Ruleset(text)
    with pytest.raises(qinglian.QinglianError):
        qinglian.load(tmp_path / "absent.toml")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,rate\nA,1\n")
    bad.write_bytes(b"id,rate,rate\nA,1,2\n")
    with pytest.raises(qinglian.ReadError) as info:
        qinglian.read_records(bad)
    assert "appears twice" in str(info.value) and info.value.line == 1


def test_files_in_every_encoding_read_alike(tmp_path: Path) -> None:
    text = "id,name,cases\nA,甲村,1\nB,乙村,2\n"
    plain = tmp_path / "plain.csv"
    plain.write_text(text, encoding="utf-8")
    expected = qinglian.read_records(plain)
    for name, data in [
        ("bom.csv", text.encode("utf-8-sig")),
        ("gbk.csv", text.encode("gbk")),
        ("gb18030.csv", text.encode("gb18030")),
        ("utf16.csv", text.encode("utf-16")),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        assert qinglian.read_records(path) == expected, name
    assert qinglian.read_records(tmp_path / "gbk.csv", encoding="gbk") == expected
    with pytest.raises(qinglian.ReadError):
        qinglian.read_records(plain, encoding="klingon")
    records = [{"id": "A", "cases": 1}, {"id": "B", "cases": 2}]
    js = tmp_path / "bom.json"
    js.write_bytes(json.dumps(records, ensure_ascii=False).encode("utf-8-sig"))
    lines = tmp_path / "bom.jsonl"
    lines.write_bytes("\n".join(json.dumps(r) for r in records).encode("utf-8-sig"))
    assert len(qinglian.read_records(js)) == 2
    assert [r["id"] for r in qinglian.read_records(lines)] == ["A", "B"]  # type: ignore[index]


def test_a_stray_quote_loses_no_row(tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    path.write_text('id,name,cases\nA,甲,1\nB,"乙,2\nC,丙,3\nD,丁,4\n', encoding="utf-8")
    rows = qinglian.read_records(path)
    assert len(rows) == 4
    assert isinstance(rows[0], dict)
    assert all(isinstance(r, qinglian.RecordError) and r.code == "record.csv_quote" for r in rows[1:])
    assert [r.id for r in rows[2:]] == ["C", "D"]  # type: ignore[union-attr]


def test_id_column_in_capitals(mini: qinglian.Ruleset) -> None:
    record = {("ID" if k == "id" else k): v for k, v in GOOD.items()}
    assert mini.evaluate(record).id == "A"


def test_threads_share_a_ruleset_while_the_gil_is_released() -> None:
    """evaluate_many and evaluate_frame release the GIL while the core scores: many threads on
    one compiled ruleset give the same results as one thread."""
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd

    from conftest import RULES

    ruleset = qinglian.load(RULES / "village.toml")
    frame = pd.read_csv(RULES.parent / "examples" / "data" / "villages.csv")
    records = frame.to_dict("records")
    expected_frame = ruleset.evaluate_frame(frame)
    expected_many = [r.to_dict() for r in ruleset.evaluate_many(records)]

    def work(i: int) -> bool:
        if i % 2:
            return bool(ruleset.evaluate_frame(frame).equals(expected_frame))
        return [r.to_dict() for r in ruleset.evaluate_many(records)] == expected_many

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(work, range(32)))


def test_repeated_unit_ids_are_reported_and_rejected_when_strict(mini: qinglian.Ruleset) -> None:
    """A unit id on a later row again: a DataWarning naming the row, both rows ranked; with
    strict=True the later row is an error of its own, neither scored nor ranked — the same in
    evaluate_many, evaluate_frame (pandas and Arrow) and the CLI."""
    import pandas as pd
    import pyarrow as pa

    records = [
        {**GOOD, "id": "A"},
        {**GOOD, "id": "B", "reports": 1},
        {**GOOD, "id": "A", "reports": 3},
    ]
    with pytest.warns(qinglian.DataWarning, match=r"row 3 \(id `A`\)"):
        results = mini.evaluate_many(records)
    assert all(isinstance(r, qinglian.Evaluation) for r in results)
    with pytest.warns(qinglian.DataWarning, match="strict=True"):
        frame = mini.evaluate_frame(pd.DataFrame(records))
    assert frame["error"].isna().all()

    strict = mini.evaluate_many(records, strict=True)
    assert isinstance(strict[2], qinglian.RecordError)
    assert strict[2].code == "record.duplicate_id" and strict[2].id == "A"
    assert "already on row 1" in str(strict[2])
    assert [r.rank for r in strict[:2]] == [
        e.rank for e in mini.evaluate_many(records[:2])
    ]
    for data in (pd.DataFrame(records), pa.Table.from_pylist(records)):
        out = mini.evaluate_frame(data, strict=True)
        assert list(out["error_code"]) == [None, None, "record.duplicate_id"]
        assert math.isnan(out["score"].iloc[2]) and pd.isna(out["rank"].iloc[2])
        assert list(out["rank"].iloc[:2]) == [e.rank for e in strict[:2]]

    # Numeric ids written by the core's rule (7.0 is `7`); missing ids are never repeats.
    numeric = pd.DataFrame([{**GOOD, "id": 7.0}, {**GOOD, "id": None}, {**GOOD, "id": None}])
    numeric.loc[2, "id"] = 7.0
    with pytest.warns(qinglian.DataWarning, match=r"row 3 \(id `7`\)"):
        mini.evaluate_frame(numeric)


def test_repeated_ids_are_found_alike_in_every_kind_of_id_column(mini: qinglian.Ruleset) -> None:
    """Text ids held as Arrow strings are checked by the core, other columns by pandas: the
    same rows are reported either way."""
    import pandas as pd
    import pyarrow as pa

    ids = ["A", "B", None, "A", "C", "B", "A"]
    records = [{**GOOD, "id": i} for i in ids]
    expected = ["record.duplicate_id" if row in (3, 5, 6) else None for row in range(len(ids))]
    frame = pd.DataFrame(records)
    table = pa.Table.from_pylist(records)
    kinds = {
        "pandas str": frame,
        "pandas object": frame.astype({"id": object}),
        "pandas categorical": frame.astype({"id": "category"}),
        "arrow string": table,
        "arrow large_string": table.set_column(
            table.schema.get_field_index("id"), "id", table["id"].cast(pa.large_string())
        ),
        "arrow dictionary": table.set_column(
            table.schema.get_field_index("id"), "id", table["id"].dictionary_encode()
        ),
    }
    for kind, data in kinds.items():
        out = mini.evaluate_frame(data, strict=True)
        assert list(out["error_code"]) == expected, kind


def test_ids_in_order_are_checked_without_hashing_and_repeats_still_found(
    mini: qinglian.Ruleset,
) -> None:
    """Ids in strictly increasing order cannot repeat (one pass of comparisons); ids in order
    with a repeat, a missing id or equal neighbours still go through the full check."""
    import warnings

    import pandas as pd
    from qinglian._frame import _strictly_increasing

    for dtype in ("object", "string[pyarrow]", "str"):
        try:
            ids = pd.Series(["A01", "A02", "B01"], dtype=dtype)
        except TypeError:
            continue  # a dtype this pandas does not have
        assert _strictly_increasing(ids) == (dtype != "object")
        assert not _strictly_increasing(pd.Series(["A01", "A02", "A02"], dtype=dtype))
        assert not _strictly_increasing(pd.Series(["A01", None, "B01"], dtype=dtype))
        assert not _strictly_increasing(pd.Series(["B01", "A01"], dtype=dtype))
    assert _strictly_increasing(pd.Series([1, 5, 9]))
    assert not _strictly_increasing(pd.Series([1.0, float("nan"), 9.0]))
    assert not _strictly_increasing(pd.Series([1, 1, 9]))

    ordered = [{**GOOD, "id": f"U{i:03d}"} for i in range(5)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mini.evaluate_frame(pd.DataFrame(ordered).astype({"id": "string[pyarrow]"}))
    repeated = ordered[:3] + [{**GOOD, "id": "U002"}] + ordered[3:]
    for dtype in ("object", "string[pyarrow]"):
        with pytest.warns(qinglian.DataWarning, match=r"row 4 \(id `U002`\)"):
            mini.evaluate_frame(pd.DataFrame(repeated).astype({"id": dtype}))


def test_unique_ids_give_no_warning(mini: qinglian.Ruleset) -> None:
    import warnings

    import pandas as pd

    records = [{**GOOD, "id": "A"}, {**GOOD, "id": "B"}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mini.evaluate_many(records)
        mini.evaluate_frame(pd.DataFrame(records))


# Notes on the columns of frames and lists of records: one DataWarning per call with the near
# misses of an input and the inputs no column holds; columns kept, grouped by, the id and name,
# and columns far from every input (a district) are not noted.


def _notes(call: object) -> list[str]:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()  # type: ignore[operator]
    return [str(w.message) for w in caught if issubclass(w.category, qinglian.DataWarning)]


def test_frames_note_misspelt_columns_and_absent_inputs_once(mini: qinglian.Ruleset) -> None:
    import pandas as pd
    import pyarrow as pa

    rows = []
    for i in range(4):
        r = {k: v for k, v in GOOD.items() if k not in ("cases", "survey")}
        rows.append({**r, "id": f"U{i}", "case": i, "district": "东区" if i % 2 else "西区"})
    frame = pd.DataFrame(rows)
    calls = {
        "evaluate_frame": lambda: mini.evaluate_frame(frame),
        "evaluate_frame by": lambda: mini.evaluate_frame(frame, by="district"),
        "score_arrow": lambda: qinglian._frame.score_arrow(mini, pa.RecordBatch.from_pandas(frame)),
        "fit": lambda: mini.fit(frame),
        # mini weights nothing, so this raises, after the notes are said.
        "uncertainty": lambda: pytest.raises(ValueError, mini.uncertainty, frame, samples=5),
        "sensitivity": lambda: mini.sensitivity(
            frame, {"party.cases.scorer.per": (5, 15)}, samples=4
        ),
        "records": lambda: mini.evaluate_frame(rows),
    }
    for what, call in calls.items():
        notes = _notes(call)
        assert len(notes) == 1, (what, notes)
        note = notes[0]
        assert "the column `case` is not an input" in note and "did you mean `cases`" in note
        assert "2 input(s)" in note and "`survey`" in note, (what, note)
        assert "district" not in note and "`id`" not in note and "`name`" not in note
    # Grouped by or kept on purpose: not a misspelling; the absent inputs are still said.
    notes = _notes(lambda: mini.evaluate_frame(frame, by="case"))
    assert len(notes) == 1 and "did you mean" not in notes[0] and "`survey`" in notes[0]
    notes = _notes(lambda: mini.evaluate_frame(frame, keep=["id", "case"]))
    assert len(notes) == 1 and "`case`" not in notes[0].split("\n", 1)[1].split(":")[0]
    assert "did you mean" not in notes[0] and "`survey`" in notes[0]
    # Nothing to say about a frame holding every input.
    full = pd.DataFrame([{**GOOD, "id": "A", "district": "东区"}, {**GOOD, "id": "B"}])
    assert _notes(lambda: mini.evaluate_frame(full)) == []


def test_evaluate_many_notes_the_union_of_the_records_fields(mini: qinglian.Ruleset) -> None:
    # `reports` is in one record only: held by a column, not absent.
    records = [
        {k: v for k, v in GOOD.items() if k != "reports"} | {"id": "A", "rates": 3},
        {**GOOD, "id": "B"},
    ]
    notes = _notes(lambda: mini.evaluate_many(records))
    assert len(notes) == 1, notes
    assert "did you mean `rate`" in notes[0] and "absent" not in notes[0]
    assert "input(s)" not in notes[0]
    assert _notes(lambda: mini.evaluate_many([{**GOOD, "id": "A", "note": "x"}])) == []


# Record limits: 10,000 fields a record, 65,536 characters a cell.


def test_a_huge_cell_or_record_is_an_error_of_its_row(mini: qinglian.Ruleset, tmp_path: Path) -> None:
    import pandas as pd
    import pyarrow as pa

    long = "备" * 100_000
    with pytest.raises(qinglian.RecordError) as info:
        mini.evaluate({**GOOD, "remark": long})
    assert info.value.code == "record.text_too_long" and info.value.column == "remark"
    assert "100000 characters" in str(info.value) and len(str(info.value)) < 400
    assert error_code(mini, unit=long) == "record.text_too_long"
    # Characters, not bytes: 65,536 Chinese characters are allowed (in a field not scored).
    assert mini.evaluate({**GOOD, "remark": "备" * 65_536}).score == score(mini)
    wide = {**GOOD, **{f"f{i}": i for i in range(10_000)}}
    results = mini.evaluate_many([GOOD, wide, GOOD])
    assert isinstance(results[1], qinglian.RecordError)
    assert results[1].code == "record.too_many_fields"
    assert isinstance(results[0], qinglian.Evaluation) and isinstance(results[2], qinglian.Evaluation)

    # Frames: the text cells the engine reads (the `unit` category).
    records = [dict(GOOD, id=str(i)) for i in range(3)]
    records[1]["unit"] = long
    for data in (pd.DataFrame(records), pa.Table.from_pylist(records)):
        out = mini.evaluate_frame(data)
        codes = [None if pd.isna(c) else c for c in out["error_code"]]
        assert codes == [None, "record.text_too_long", None], type(data)
        assert out["error"].iloc[1].count("备") < 100

    # Files: the row with the huge cell errors, the others are read.
    path = tmp_path / "huge.csv"
    path.write_text(f"id,cases,remark\nA,1,x\nB,2,{long}\nC,3,\n", encoding="utf-8")
    rows = qinglian.read_records(path)
    assert isinstance(rows[1], qinglian.RecordError) and rows[1].code == "record.text_too_long"
    assert isinstance(rows[0], dict) and isinstance(rows[2], dict)
