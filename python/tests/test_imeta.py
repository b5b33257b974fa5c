"""The ASEM index (COINr's example data) from its iMeta table: the shipped rulesets are what the
importer writes, and qinglian's scores for every unit and every node equal an independent
pandas implementation of the same method (normalise against the cohort, weighted means up the
levels, missing children re-weighted)."""

from __future__ import annotations

import io
import warnings
from typing import Dict, List

import numpy as np
import pandas as pd
import pytest

import qinglian
from conftest import REPO, RULES
from qinglian.imeta import IMetaError, ruleset_from_imeta

ASEM = REPO / "examples" / "data" / "asem"

VARIANTS = {
    "minmax-arithmetic": dict(method="minmax", lo=0.0, aggregate="mean"),
    "minmax-geometric": dict(method="minmax", lo=1.0, aggregate="geomean"),
    "zscore-arithmetic": dict(method="zscore", aggregate="mean"),
}


def generated(variant: str) -> str:
    return ruleset_from_imeta(
        ASEM / "asem_iMeta.csv",
        id=f"asem-{variant}",
        name=f"ASEM Sustainable Connectivity ({variant})",
        schema="../../docs/ruleset.schema.json",
        **VARIANTS[variant],  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_shipped_rulesets_are_what_the_importer_writes(variant: str) -> None:
    assert (RULES / "asem" / f"{variant}.toml").read_text(encoding="utf-8") == generated(variant)


# Importer variants not shipped in rules/: the harmonic and power means (COINr's `a_genmean`).
MORE_VARIANTS = {
    "minmax-harmonic": dict(method="minmax", lo=1.0, aggregate="harmonic"),
    "minmax-power-half": dict(method="minmax", lo=1.0, aggregate="power", exponent=0.5),
    "minmax-power-minus-two": dict(method="minmax", lo=1.0, aggregate="power", exponent=-2.0),
}


def reference(variant: str) -> Dict[str, pd.Series]:
    """Every node's score per unit, computed directly with pandas."""
    meta = pd.read_csv(ASEM / "asem_iMeta.csv")
    meta = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    data = pd.read_csv(ASEM / "asem_iData.csv").set_index("uCode")
    spec = {**VARIANTS, **MORE_VARIANTS}[variant]
    scores: Dict[str, pd.Series] = {}
    for row in meta[meta["Type"] == "Indicator"].itertuples():
        x = data[row.iCode].astype(float) * row.Direction  # mirror lower-is-better
        if spec["method"] == "minmax":
            lo, hi = float(spec["lo"]), 100.0
            scores[row.iCode] = lo + (x - x.min()) / (x.max() - x.min()) * (hi - lo)
        else:
            z = (x - x.mean()) / x.std(ddof=1)
            scores[row.iCode] = (50 + 10 * z).clip(0, 100)
    weight = dict(zip(meta["iCode"], meta["Weight"].astype(float)))
    for level in sorted(meta["Level"].dropna().unique())[1:]:
        for row in meta[meta["Level"] == level].itertuples():
            kids = list(meta.loc[meta["Parent"] == row.iCode, "iCode"])
            table = pd.DataFrame({k: scores[k] for k in kids})
            w = pd.Series({k: weight[k] for k in kids})
            present = table.notna()
            total_w = present.mul(w, axis=1).sum(axis=1)
            if spec["aggregate"] == "mean":
                value = table.fillna(0).mul(w, axis=1).sum(axis=1) / total_w
            elif spec["aggregate"] in ("harmonic", "power"):
                p = -1.0 if spec["aggregate"] == "harmonic" else float(spec["exponent"])  # type: ignore[arg-type]
                powered = (table / 100.0) ** p
                value = 100.0 * (powered.fillna(0).mul(w, axis=1).sum(axis=1) / total_w) ** (1.0 / p)
            else:
                logs = np.log(table.clip(lower=1e-300)).fillna(0)
                value = np.exp(logs.mul(w, axis=1).sum(axis=1) / total_w)
            scores[row.iCode] = value.where(present.any(axis=1))  # missing only if all are
    return scores


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_asem_scores_equal_an_independent_computation(variant: str) -> None:
    ruleset = qinglian.load(RULES / "asem" / f"{variant}.toml")
    data = pd.read_csv(ASEM / "asem_iData.csv")
    out = ruleset.evaluate_frame(data)
    assert out["error"].isna().all(), out["error"].dropna().head()
    assert list(out["uCode"]) == list(data["uCode"])
    ref = reference(variant)
    compared: List[str] = []
    for path in ruleset.indicator_paths:
        code = path.split(".")[-1]
        ours = out[path].to_numpy(dtype=float)
        theirs = ref[code].reindex(data["uCode"]).to_numpy(dtype=float)
        assert np.array_equal(np.isnan(ours), np.isnan(theirs)), path
        ok = ~np.isnan(ours)
        np.testing.assert_allclose(ours[ok], theirs[ok], rtol=1e-9, atol=1e-9, err_msg=path)
        compared.append(path)
    assert len(compared) == 59
    # The index itself is the root: the total.
    np.testing.assert_allclose(out["score"], ref["Index"].reindex(data["uCode"]), rtol=1e-9)
    # Some indicators are missing for some countries: re-weighting was exercised.
    assert data[[p.split(".")[-1] for p in ruleset.indicator_paths if p.count(".") == 2]].isna().any().any()


def test_a_country_scored_alone_against_the_fitted_cohort_equals_its_row() -> None:
    ruleset = qinglian.load(RULES / "asem" / "minmax-arithmetic.toml")
    data = pd.read_csv(ASEM / "asem_iData.csv")
    cohort = ruleset.fit(data)
    out = ruleset.evaluate_frame(data)
    record = {k: v for k, v in data.iloc[7].to_dict().items() if not (isinstance(v, float) and np.isnan(v))}
    e = ruleset.evaluate(record, cohort=cohort)
    assert e.score == out["score"].iloc[7]
    assert e.to_dict()["cohort"]["rank"] == out["rank"].iloc[7]


def test_the_data_as_coinr_ships_it_reads_without_a_note() -> None:
    # iData carries group, denominator and time columns besides the indicators: the importer
    # lists them as the ruleset's other fields, so no "did you mean `GDPGrow`" for `GDP_group`.
    meta = pd.read_csv(ASEM / "asem_iMeta.csv")
    unscored = list(meta.loc[meta["Type"].isin(["Group", "Denominator"]), "iCode"]) + ["Time"]
    ruleset = qinglian.load(RULES / "asem" / "minmax-arithmetic.toml")
    assert ruleset.metadata["other_fields"] == unscored
    data = pd.read_csv(ASEM / "asem_iData.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", qinglian.DataWarning)
        assert ruleset.evaluate_frame(data)["error"].isna().all()
    # Without the list, the same frame is noted.
    plain = qinglian.from_toml(generated("minmax-arithmetic").replace("other_fields = [", "# other_fields = ["))
    with pytest.warns(qinglian.DataWarning, match="GDP_group"):
        plain.evaluate_frame(data)
    # A group column that is also the id column or an indicator is not listed twice over.
    head = "Level,iCode,iName,Direction,Weight,Parent,Type\n"
    table = head + "1,a,A,1,1,b,Indicator\n2,b,B,1,1,,Aggregate\n,uCode,Code,,,,Group\n,a,A,,,,Group\n,Region,R,,,,Group\n"
    text = ruleset_from_imeta(io.StringIO(table), id="x", name="x")
    assert 'other_fields = ["Region", "Time"]' in text
    assert qinglian.from_toml(text).metadata["other_fields"] == ["Region", "Time"]


def test_bad_tables_are_refused_with_the_row() -> None:
    head = "Level,iCode,iName,Direction,Weight,Parent,Type\n"
    with pytest.raises(IMetaError, match="exactly one row"):
        ruleset_from_imeta(io.StringIO(head + "1,a,A,1,1,,Indicator\n2,b,B,1,1,,Aggregate\n"), id="x", name="x")
    with pytest.raises(IMetaError, match="row 2: parent 'nope'"):
        ruleset_from_imeta(io.StringIO(head + "1,a,A,1,1,nope,Indicator\n2,b,B,1,1,,Aggregate\n"), id="x", name="x")
    with pytest.raises(IMetaError, match="Direction must be 1 or -1"):
        ruleset_from_imeta(io.StringIO(head + "1,a,A,2,1,b,Indicator\n2,b,B,1,1,,Aggregate\n"), id="x", name="x")
    with pytest.raises(IMetaError, match="no column Parent"):
        ruleset_from_imeta(io.StringIO("Level,iCode,iName,Direction,Weight,Type\n"), id="x", name="x")


def test_uncertainty_ranks_the_asem_countries_under_noisy_weights() -> None:
    ruleset = qinglian.load(RULES / "asem" / "minmax-arithmetic.toml")
    data = pd.read_csv(ASEM / "asem_iData.csv")
    u = ruleset.uncertainty(data, samples=200, weight_noise=0.25, seed=3)
    assert list(u.columns) == ["uCode", "uName", "rank", "rank_median", "rank_p05", "rank_p95"]
    assert list(u["rank"]) == list(ruleset.evaluate_frame(data)["rank"])
    assert (u["rank_p05"] <= u["rank_median"]).all() and (u["rank_median"] <= u["rank_p95"]).all()
    assert (u["rank_p05"] < u["rank_p95"]).sum() > 10
    again = ruleset.uncertainty(data, samples=200, weight_noise=0.25, seed=3)
    pd.testing.assert_frame_equal(u, again)
    still = ruleset.uncertainty(data, samples=20, weight_noise=0.0)
    assert (still["rank_median"] == still["rank"].astype(float)).all()
    with pytest.raises(ValueError, match="noise factor"):
        ruleset.uncertainty(data, samples=10, weight_noise=1.5)


@pytest.mark.parametrize("variant", sorted(MORE_VARIANTS))
def test_harmonic_and_power_variants_equal_an_independent_computation(variant: str) -> None:
    text = ruleset_from_imeta(
        ASEM / "asem_iMeta.csv", id=f"asem-{variant}", name=variant, **MORE_VARIANTS[variant]  # type: ignore[arg-type]
    )
    spec = MORE_VARIANTS[variant]
    assert f'aggregate = "{spec["aggregate"]}"' in text
    assert ("exponent = " in text) == (spec["aggregate"] == "power")
    ruleset = qinglian.Ruleset.from_toml(text)
    data = pd.read_csv(ASEM / "asem_iData.csv")
    out = ruleset.evaluate_frame(data)
    assert out["error"].isna().all(), out["error"].dropna().head()
    ref = reference(variant)
    for path in ruleset.indicator_paths:
        ours = out[path].to_numpy(dtype=float)
        theirs = ref[path.split(".")[-1]].reindex(data["uCode"]).to_numpy(dtype=float)
        assert np.array_equal(np.isnan(ours), np.isnan(theirs)), path
        ok = ~np.isnan(ours)
        np.testing.assert_allclose(ours[ok], theirs[ok], rtol=1e-9, atol=1e-9, err_msg=path)
    np.testing.assert_allclose(out["score"], ref["Index"].reindex(data["uCode"]), rtol=1e-9)


def test_the_command_line_writes_a_power_mean_ruleset(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from qinglian.imeta import main

    target = tmp_path / "asem-power.toml"
    argv = [str(ASEM / "asem_iMeta.csv"), "--id", "asem-power", "--name", "ASEM", "--lo", "1"]
    assert main([*argv, "--aggregate", "power", "--exponent", "0.5", "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert "power (exponent 0.5) mean of its children" in text
    # The root and every aggregate below it: each `aggregate = "power"` has its exponent.
    groups = text.count('aggregate = "power"\n')
    assert groups > 5 and text.count('aggregate = "power"\nexponent = 0.5\n') == groups
    ruleset = qinglian.Ruleset.from_toml(text)
    assert ruleset.tree()["aggregate"] == "power" and ruleset.tree()["exponent"] == 0.5
    # Without an exponent, or with one the engine refuses, or with another mean: a clear error.
    assert main([*argv, "--aggregate", "power"]) == 1
    assert "needs an exponent" in capsys.readouterr().err
    assert main([*argv, "--aggregate", "power", "--exponent", "12"]) == 1
    assert "within [-10, 10]" in capsys.readouterr().err
    assert main([*argv, "--aggregate", "mean", "--exponent", "2"]) == 1
    assert "only with aggregate 'power'" in capsys.readouterr().err


def test_the_command_line_points_the_file_at_the_schema_from_where_it_is_written(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`--schema` names the JSON Schema relative to the written file's folder, as editors read it."""
    from qinglian.imeta import main

    schema = tmp_path / "docs" / "ruleset.schema.json"
    target = tmp_path / "rules" / "asem" / "index.toml"
    target.parent.mkdir(parents=True)
    argv = [str(ASEM / "asem_iMeta.csv"), "--id", "asem", "--name", "ASEM", "-o", str(target)]
    assert main([*argv, "--schema", str(schema)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("#:schema ../../docs/ruleset.schema.json\n# ASEM\n")
    assert (target.parent / text.split("\n", 1)[0].split(" ", 1)[1]).resolve() == schema.resolve()
    assert main(argv) == 0
    assert target.read_text(encoding="utf-8").startswith("# ASEM\n")
    with pytest.raises(IMetaError, match="single line"):
        ruleset_from_imeta(ASEM / "asem_iMeta.csv", id="x", name="x", schema="a\nb")


def test_uncertainty_gives_the_numbers_of_the_shared_fixture() -> None:
    """tests/uncertainty/: the numbers Rust's core computed, which JavaScript and the command
    line reproduce too."""
    import json

    folder = REPO / "tests" / "uncertainty"
    case = json.loads((folder / "power-mean.json").read_text(encoding="utf-8"))
    ruleset = qinglian.load(folder / case["ruleset"])
    data = pd.DataFrame(case["records"])
    u = ruleset.uncertainty(data, samples=case["samples"], weight_noise=case["weight_noise"], seed=case["seed"])
    expected = case["expected"]
    assert list(u["rank"]) == expected["rank"]
    for column in ("rank_median", "rank_p05", "rank_p95"):
        assert list(u[column]) == expected[column], column
