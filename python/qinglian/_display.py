"""Rich HTML display of rulesets and evaluations in Jupyter (`_repr_html_`)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:  # pragma: no cover
    from ._qinglian import Evaluation, Ruleset

# Selectors carry the class twice (`.ql.ql`) so that they outrank notebook front-ends' own table
# rules: JupyterLab's `.jp-RenderedHTMLCommon td {text-align:right}` (and its centred, fixed-layout
# tables, striped rows), classic Notebook's `.rendered_html td`, VS Code's renderer. Equal
# specificity would leave the winner to stylesheet order, which differs between them.
_STYLE = """
<style>
.ql.ql{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;font-size:13px;text-align:left}
.ql.ql table{border-collapse:collapse;margin:6px 0 0 0;table-layout:auto;width:auto}
.ql.ql tr,.ql.ql tr:nth-child(odd),.ql.ql tr:hover{background:none}
.ql.ql th,.ql.ql td{padding:2px 8px;text-align:left;vertical-align:top;border:none;border-bottom:1px solid #eee;white-space:normal}
.ql.ql th{background:#f6f6f6}
.ql.ql .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ql.ql .bar{width:120px;height:10px;background:#eee;border-radius:2px;overflow:hidden}
.ql.ql .bar>div{height:10px;background:#2f8f5b}
.ql.ql .lost{color:#c0392b}
.ql.ql .muted{color:#888}
.ql.ql .grade{display:inline-block;padding:1px 8px;border-radius:10px;background:#2f8f5b;color:#fff}
.ql.ql .veto{background:#fdecea;border-left:4px solid #c0392b;padding:4px 8px;margin:4px 0}
.ql.ql .alert{border-left:4px solid #e67e22;padding:4px 8px;margin:4px 0;background:#fff7ec}
.ql.ql .group td{font-weight:600}
</style>
"""

_ALERT_COLOURS = {"red": "#c0392b", "orange": "#e67e22", "yellow": "#d4ac0d", "blue": "#2e86c1"}


def _num(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        if x != x:
            return "—"
        text = f"{round(x, 4):.4f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return escape(str(x))


def ruleset_html(ruleset: "Ruleset") -> str:
    """The indicator tree with points and weights."""
    rows: List[str] = []

    def walk(node: Dict[str, Any], depth: int, parent_aggregate: Any) -> None:
        is_group = node.get("aggregate") is not None
        weighted = parent_aggregate in ("mean", "geomean", "min", "harmonic", "power")
        rule = node.get("aggregate") or node.get("scorer") or ""
        inputs = ", ".join(node.get("inputs") or [])
        bonus = " <span class='muted'>附加分</span>" if node.get("bonus") else ""
        rows.append(
            f"<tr class='{'group' if is_group else ''}'>"
            f"<td style='padding-left:{8 + 16 * (depth - 1)}px'>{escape(node['name'])}{bonus}"
            f"<br><span class='muted'>{escape(node['path'])}</span></td>"
            f"<td class='num'>{_num(node['points'])}</td>"
            f"<td class='num'>{_num(node['weight']) if weighted else ''}</td>"
            f"<td>{escape(str(rule))}</td><td class='muted'>{escape(inputs)}</td></tr>"
        )
        for child in node.get("children") or []:
            walk(child, depth + 1, node.get("aggregate"))

    tree = ruleset.tree()
    for child in tree.get("children") or []:
        walk(child, 1, tree.get("aggregate"))
    grades = " › ".join(escape(g) for g in ruleset.grade_names) or "—"
    bonus = f" + {_num(ruleset.bonus_cap)} 附加分" if ruleset.bonus_cap else ""
    return (
        f"{_STYLE}<div class='ql'><b>{escape(ruleset.name)}</b> "
        f"<span class='muted'>{escape(ruleset.id)} v{escape(ruleset.version)}</span><br>"
        f"满分 {_num(ruleset.scale)}{bonus} · {len(ruleset.indicator_paths)} 项指标 · "
        f"{len(ruleset.inputs)} 项输入 · 等次：{grades}"
        "<table><tr><th>指标</th><th class='num'>分值</th><th class='num'>权重</th>"
        f"<th>规则</th><th>输入</th></tr>{''.join(rows)}</table></div>"
    )


def evaluation_html(evaluation: "Evaluation") -> str:
    """The tree with scores, bars and deductions; vetoes and alerts highlighted; the grade."""
    who = " ".join(escape(x) for x in (evaluation.id, evaluation.name) if x) or "—"
    grade = evaluation.grade
    head = (
        f"<b>{who}</b> <span class='muted'>{escape(evaluation.ruleset)}</span><br>"
        f"<span style='font-size:18px'><b>{_num(evaluation.score)}</b></span>"
        f" / {_num(evaluation.max_score)} "
        f"<span class='muted'>(指标 {_num(evaluation.base_score)} + 附加分 "
        f"{_num(evaluation.bonus_score)})</span> "
        + (f"<span class='grade'>{escape(grade)}</span>" if grade else "")
    )
    cohort = evaluation.cohort
    if cohort:
        tier = f" · {escape(cohort['tier'])}" if cohort.get("tier") else ""
        head += (
            f"<br>排名 {cohort['rank']}/{cohort['of']} · 百分位 {_num(cohort['percentile'])}%"
            f"{tier}"
        )
    boxes = []
    for veto in evaluation.vetoes:
        effect = {"zero": "总分归零", "grade": "定为", "cap_grade": "最高评为"}.get(
            veto["effect"], veto["effect"]
        )
        target = f" {escape(veto['grade'])}" if veto.get("grade") else ""
        boxes.append(
            f"<div class='veto'><b>一票否决</b> {escape(veto['id'])}：{escape(veto['reason']['zh'])}"
            f" <span class='muted'>（{effect}{target}）</span></div>"
        )
    for alert in evaluation.alerts:
        colour = _ALERT_COLOURS.get(alert["level"], "#e67e22")
        boxes.append(
            f"<div class='alert' style='border-color:{colour}'><b>预警 {escape(alert['level'])}"
            f"</b> {escape(alert['message']['zh'])}</div>"
        )
    rows = []
    for node in evaluation.nodes:
        share = node["score"] / node["max"] if node["max"] else 0.0
        share = min(max(share, 0.0), 1.0)
        lost = node["lost"]
        status = node["status"]
        muted = status in ("not_applicable", "missing")
        status_text = {
            "scored": "",
            "zeroed": "归零",
            "missing": "缺数据",
            "not_applicable": "不适用",
        }.get(status, status)
        rows.append(
            f"<tr class='{'group' if node['rule'] in _AGGREGATES else ''}'>"
            f"<td style='padding-left:{8 + 16 * (node['depth'] - 1)}px'>{escape(node['name'])}"
            + (" <span class='muted'>附加分</span>" if node["bonus"] else "")
            + f"</td><td class='num'>{_num(node['score'])}/{_num(node['max'])}</td>"
            f"<td><div class='bar'><div style='width:{share * 100:.1f}%"
            f"{';background:#bbb' if muted else ''}'></div></div></td>"
            f"<td class='num {'lost' if lost > 0 else 'muted'}'>"
            f"{'−' + _num(lost) if lost > 0 else ''}</td>"
            f"<td class='muted'>{escape(status_text)}</td>"
            f"<td>{escape(node['detail']['zh'])}</td></tr>"
        )
    return (
        f"{_STYLE}<div class='ql'>{head}{''.join(boxes)}<table><tr><th>指标</th>"
        "<th class='num'>得分</th><th></th><th class='num'>扣分</th><th>状态</th><th>说明</th></tr>"
        f"{''.join(rows)}</table></div>"
    )


_AGGREGATES = {"sum", "mean", "geomean", "min", "deduction", "harmonic", "power"}
