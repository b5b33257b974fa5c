#!/usr/bin/env python3
"""Generate the synthetic example data for the rulesets under ``rules/``.

Writes one CSV file per ruleset to ``examples/data/``:

=============================  ==========================  =========================
file                           ruleset                     units
=============================  ==========================  =========================
private-enterprises.csv        rules/private-enterprise    400 private enterprises
hospitals.csv                  rules/hospital              160 public hospitals
schools.csv                    rules/school                260 schools
villages.csv                   rules/village               320 villages and communities
soes.csv                       rules/soe                   120 state-owned enterprises
government-organs.csv          rules/government-organ      160 government organs
transport-projects.csv         rules/transport             139 transport project sections
city-districts.csv             rules/city-index            10 districts × 4 years
=============================  ==========================  =========================

Every file has the columns ``id``, ``name`` (a plausible Chinese unit name), ``district`` where
natural, then one column per input the ruleset declares, in declaration order. Cells follow the
CSV conventions of the ruleset reference: booleans ``true``/``false``, survey cells
``满意:120;基本满意:30;不满意:5;不了解:12``, and an empty cell for a missing value (used only
where the ruleset's missing-data policy allows it).

The data are invented but shaped like real evaluations: most units do well, some lose points,
a few trigger vetoes (一票否决) or early warnings (预警), and a few leave values empty where the
ruleset says what happens then. Every sector uses its own fixed seed derived from 20261127, so
running the script twice writes byte-identical files.

Run it from anywhere with Python 3.11 or later (standard library only)::

    python3 examples/generate_data.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20261127
OUT = Path(__file__).resolve().parent / "data"

# The ten districts and counties (区县市) of Ningbo with a few of their towns and streets.
DISTRICTS: dict[str, list[str]] = {
    "海曙区": ["鼓楼街道", "南门街道", "白云街道", "段塘街道", "石碶街道", "集士港镇", "古林镇", "高桥镇", "横街镇", "鄞江镇", "章水镇", "龙观乡"],
    "江北区": ["中马街道", "白沙街道", "孔浦街道", "文教街道", "甬江街道", "庄桥街道", "洪塘街道", "慈城镇"],
    "镇海区": ["招宝山街道", "蛟川街道", "骆驼街道", "庄市街道", "贵驷街道", "澥浦镇", "九龙湖镇"],
    "北仑区": ["新碶街道", "小港街道", "大碶街道", "霞浦街道", "柴桥街道", "戚家山街道", "春晓街道", "梅山街道", "白峰街道"],
    "鄞州区": ["钟公庙街道", "首南街道", "下应街道", "姜山镇", "咸祥镇", "瞻岐镇", "塘溪镇", "东吴镇", "五乡镇", "邱隘镇", "云龙镇", "横溪镇"],
    "奉化区": ["锦屏街道", "岳林街道", "江口街道", "西坞街道", "萧王庙街道", "尚田街道", "溪口镇", "莼湖镇", "裘村镇", "大堰镇", "松岙镇"],
    "余姚市": ["凤山街道", "阳明街道", "梁弄镇", "陆埠镇", "泗门镇", "马渚镇", "丈亭镇", "河姆渡镇", "大岚镇", "四明山镇", "临山镇", "三七市镇", "大隐镇", "鹿亭乡"],
    "慈溪市": ["浒山街道", "古塘街道", "白沙路街道", "观海卫镇", "周巷镇", "龙山镇", "掌起镇", "附海镇", "桥头镇", "逍林镇", "新浦镇", "胜山镇", "匡堰镇", "横河镇", "崇寿镇", "长河镇"],
    "宁海县": ["跃龙街道", "桃源街道", "梅林街道", "桥头胡街道", "长街镇", "力洋镇", "一市镇", "岔路镇", "前童镇", "西店镇", "强蛟镇", "深甽镇", "大佳何镇", "黄坛镇", "桑洲镇", "越溪乡", "茶院乡", "胡陈乡"],
    "象山县": ["丹东街道", "丹西街道", "爵溪街道", "石浦镇", "西周镇", "鹤浦镇", "贤庠镇", "墙头镇", "泗洲头镇", "定塘镇", "涂茨镇", "大徐镇", "新桥镇", "东陈乡", "晓塘乡", "黄避岙乡", "茅洋乡", "高塘岛乡"],
}
DISTRICT_CODES = {
    "海曙区": "330203", "江北区": "330205", "北仑区": "330206", "镇海区": "330211", "鄞州区": "330212",
    "奉化区": "330213", "象山县": "330225", "宁海县": "330226", "余姚市": "330281", "慈溪市": "330282",
}
DISTRICT_NAMES = list(DISTRICTS)
# Rough relative sizes (number of units) of the districts.
DISTRICT_WEIGHTS = [12, 8, 7, 10, 16, 7, 11, 14, 8, 7]


def sector_rng(offset: int) -> random.Random:
    """A generator of its own for each sector, so that sectors do not shift one another."""
    return random.Random(SEED + offset)


def pick_district(rng: random.Random) -> str:
    return rng.choices(DISTRICT_NAMES, weights=DISTRICT_WEIGHTS)[0]


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def rare_count(rng: random.Random, p: float, mean_extra: float = 0.6) -> int:
    """0 most of the time; with probability p, 1 plus a small Poisson-like tail."""
    if not chance(rng, p):
        return 0
    n = 1
    while chance(rng, mean_extra / (1 + mean_extra)):
        n += 1
    return n


def fmt(value: object) -> str:
    """Format a cell: booleans as true/false, floats without trailing noise, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return str(value)


def survey_cell(counts: dict[str, int]) -> str:
    return ";".join(f"{answer}:{n}" for answer, n in counts.items())


def write(filename: str, columns: list[str], rows: list[dict[str, object]]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / filename
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([fmt(row.get(c)) for c in columns])
    print(f"wrote {path.relative_to(OUT.parent.parent)} ({len(rows)} rows)")


def unique_name(rng: random.Random, used: set[str], make) -> str:
    for _ in range(1000):
        name = make(rng)
        if name not in used:
            used.add(name)
            return name
    raise RuntimeError("name pool exhausted")


# --------------------------------------------------------------------------- private enterprises

FIRM_WORDS = [
    "甬辉", "恒达", "金诚", "博越", "华茂", "东方", "瑞丰", "永兴", "立信", "海天", "天合", "众诚", "通宇",
    "鑫源", "联创", "宏泰", "德力", "富邦", "卓远", "新和", "三星", "明州", "四明", "甬江", "港城", "长荣",
    "嘉禾", "正大", "兴业", "中意", "友邦", "力拓", "鸿图", "海曙", "奥克", "凯晟", "锐捷", "舜宇", "方正",
    "杉杉", "雅戈", "宝恒", "赛尔", "欧琳", "金田", "均胜", "慈星", "日月", "德昌", "环驰", "韵升", "帅特",
]
TRADES = [
    "电子科技", "模具", "服装", "汽车零部件", "电器", "新材料", "进出口", "机械制造", "文具", "塑业", "食品",
    "物流", "化工", "光电", "智能装备", "五金", "轴承", "纺织", "家居用品", "电子商务", "建设工程", "医疗器械",
]


def private_enterprises() -> None:
    rng = sector_rng(1)
    used: set[str] = set()
    rows = []
    for i in range(1, 401):
        district = pick_district(rng)
        name = unique_name(rng, used, lambda r: f"宁波{r.choice(FIRM_WORDS)}{r.choice(TRADES)}有限公司")
        q = rng.betavariate(3, 2)  # how seriously the enterprise takes integrity building
        good = lambda base: chance(rng, clamp(base - 0.2 + 0.6 * q, 0, 0.995))  # noqa: E731
        meetings = [rng.choice([0, 1, 1, 2, 2, 3]) if chance(rng, 0.55 + 0.45 * q) else 0 for _ in range(4)]
        archive = good(0.45)
        row: dict[str, object] = {
            "id": f"PE{i:04d}",
            "name": name,
            "district": district,
            "has_integrity_plan": good(0.45),
            "has_leading_group": good(0.4),
            "meetings_q1": meetings[0],
            "meetings_q2": meetings[1],
            "meetings_q3": meetings[2],
            "meetings_q4": meetings[3],
            "has_supervision_body": good(0.35),
            "supervision_staff": max(0, int(rng.gauss(1 + 4 * q, 1.5))),
            "has_governance_structure": good(0.5),
            "has_collective_decision": good(0.45),
            "has_authority_list": good(0.35),
            "has_procurement_rules": good(0.5),
            "has_finance_rules": good(0.55),
            "has_contract_rules": good(0.5),
            "has_hr_rules": good(0.35),
            "has_sales_rules": good(0.3),
            "risk_archive_established": archive,
            "archive_deduction": rng.choice([10, 15, 20, 30]) if archive and chance(rng, 0.35 - 0.25 * q) else 0,
            "internal_audits": rng.choice([1, 1, 2, 2, 3, 4]) if good(0.35) else 0,
            "unrectified_issues": rare_count(rng, 0.35 - 0.3 * q, 0.8),
            "has_whistleblowing_channel": good(0.4),
            # Enterprises without outside suppliers or dealers leave the rate empty (not applicable).
            "integrity_agreement_rate": None if chance(rng, 0.06) else round(clamp(rng.gauss(45 + 55 * q, 15), 0, 100), 1),
            "complaints_minor": rare_count(rng, 0.18 - 0.12 * q),
            "complaints_serious": rare_count(rng, 0.04, 0.2),
            "complaint_media_exposure": chance(rng, 0.01),
            "training_coverage": round(clamp(rng.gauss(50 + 50 * q, 12), 0, 100), 1),
            "signed_pledge": good(0.5),
            "culture_activities": max(0, int(rng.gauss(4 * q + 0.5, 1.3))),
            "admin_penalties": rare_count(rng, 0.15, 0.5),
            "credit_blacklisted": chance(rng, 0.03),
            "gift_deduction": rng.choice([20, 25, 30, 40]) if chance(rng, 0.05) else 0,
            "tax_compliant": chance(rng, 0.97),
            "integrity_honours": rare_count(rng, 0.05 + 0.25 * q * q, 0.7),
            "bribery_cases": 1 if chance(rng, 0.008) else 0,
            "serious_violations": 1 if chance(rng, 0.015) else 0,
        }
        rows.append(row)
    columns = ["id", "name", "district"] + [c for c in rows[0] if c not in ("id", "name", "district")]
    write("private-enterprises.csv", columns, rows)


# --------------------------------------------------------------------------- hospitals

GRADE_VALUES = ["A", "B", "C", "D"]


def clause_grade(rng: random.Random, q: float, na: float = 0.0) -> str:
    if chance(rng, na):
        return "不适用"
    x = q + rng.gauss(0, 0.18)
    if x > 0.8:
        return "A"
    if x > 0.5:
        return "B"
    if x > 0.2:
        return "C"
    return "D"


def hospitals() -> None:
    rng = sector_rng(2)
    used: set[str] = set()
    rows = []
    def city(d: str) -> str:
        return f"宁波市{d}" if d.endswith("区") else d

    kinds = [
        (lambda d, t: f"{city(d)}人民医院", 1), (lambda d, t: f"{city(d)}中医医院", 1),
        (lambda d, t: f"{city(d)}妇幼保健院", 1), (lambda d, t: f"{city(d)}第二人民医院", 1),
        (lambda d, t: f"{d}{t}卫生院", 6), (lambda d, t: f"{d}{t}社区卫生服务中心", 3),
    ]
    i = 0
    while i < 160:
        district = pick_district(rng)
        town = rng.choice(DISTRICTS[district])
        make = rng.choices([k[0] for k in kinds], weights=[k[1] for k in kinds])[0]
        name = make(district, town)
        if "卫生院" in name and town.endswith("街道"):
            name = f"{district}{town}社区卫生服务中心"
        if name in used:
            continue
        used.add(name)
        i += 1
        small = "卫生院" in name or "社区" in name
        q = rng.betavariate(5, 2)
        valid = rng.randint(18, 60) if small and chance(rng, 0.2) else rng.randint(80, 400)
        sat = clamp(rng.gauss(0.72 + 0.2 * q, 0.06), 0.3, 0.98)
        basic = (1 - sat) * rng.uniform(0.6, 0.9)
        s = round(valid * sat)
        b = round(valid * basic)
        listed = round(rng.uniform(20, 3000), 2)
        deviation = rng.gauss(0, 0.05) if not chance(rng, 0.06) else rng.choice([-1, 1]) * rng.uniform(0.11, 0.3)
        rows.append({
            "id": f"H{i:03d}",
            "name": name,
            "district": district,
            "g_power_list": clause_grade(rng, q),
            "g_linkage": clause_grade(rng, q),
            "g_decision": clause_grade(rng, q),
            "g_disclosure": clause_grade(rng, q),
            "g_bidding": clause_grade(rng, q),
            "g_secondary": clause_grade(rng, q, 0.5 if small else 0.0),
            "g_monitoring": clause_grade(rng, q),
            "g_contract": clause_grade(rng, q),
            "g_warning_education": clause_grade(rng, q),
            "g_induction": clause_grade(rng, q, 0.15 if small else 0.0),
            "g_culture": clause_grade(rng, q),
            "g_ethics": clause_grade(rng, q),
            "red_envelope_cases": rare_count(rng, 0.12, 0.9),
            "rep_violations": rare_count(rng, 0.15, 0.6),
            "patient_survey": survey_cell({"满意": s, "基本满意": b, "不满意": max(0, valid - s - b), "不了解": rng.randint(0, 25)}),
            "conduct_assessment": round(clamp(rng.gauss(78 + 18 * q, 5), 40, 100), 1),
            "serious_cases": 1 if chance(rng, 0.012) else 0,
            "consumable_growth": round(rng.gauss(8, 9) if not chance(rng, 0.07) else rng.uniform(31, 80), 1),
            "drug_top10_months": rng.choice([0, 0, 0, 0, 1, 1, 2]) if not chance(rng, 0.05) else rng.randint(3, 6),
            "purchase_price": round(listed * (1 + deviation), 2),
            "listed_price": listed,
        })
    write("hospitals.csv", ["id", "name", "district"] + list(rows[0])[3:], rows)


# --------------------------------------------------------------------------- schools

def schools() -> None:
    rng = sector_rng(3)
    used: set[str] = set()
    rows = []
    kinds = [("中心小学", 5), ("实验小学", 1), ("初级中学", 3), ("中学", 2), ("中心幼儿园", 2), ("职业高级中学", 1)]
    i = 0
    while i < 260:
        district = pick_district(rng)
        town = rng.choice(DISTRICTS[district])
        kind = rng.choices([k[0] for k in kinds], weights=[k[1] for k in kinds])[0]
        place = town.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        name = f"{district}{place}{kind}"
        if name in used:
            name = f"{district}{place}第二{kind.removeprefix('中心')}"
        if name in used:
            continue
        used.add(name)
        i += 1
        q = rng.betavariate(6, 2)
        good = lambda base: chance(rng, clamp(base + 0.5 * q, 0, 0.995))  # noqa: E731
        established = good(0.5)
        rows.append({
            "id": f"S{i:03d}",
            "name": name,
            "district": district,
            "signed_responsibility": good(0.55),
            "has_building_plan": good(0.5),
            "has_first_topic": good(0.5),
            "archive_established": established,
            # “未适时更新的，视同为缺项”: some archives exist but were not updated this year.
            "archive_updated": established and good(0.4),
            "archive_deduction": rng.choice([2, 3, 4, 5]) if established and chance(rng, 0.3 - 0.2 * q) else 0,
            "finance_rules": good(0.55),
            "procurement_rules": good(0.5),
            "construction_rules": good(0.4),
            "enrolment_rules": good(0.45),
            "affairs_public": good(0.55),
            "has_culture_brand": good(0.3),
            "integrity_lessons": max(0, int(rng.gauss(2 + 3 * q, 1.2))),
            "oath_held": good(0.45),
            "paid_tutoring_cases": rare_count(rng, 0.1, 0.6),
            "gift_cases": rare_count(rng, 0.06, 0.4),
            "misconduct_deduction": rng.choice([2, 3, 4, 6]) if chance(rng, 0.07) else 0,
            "unrectified_findings": rare_count(rng, 0.3 - 0.25 * q, 0.7),
            "petitions_on_time": good(0.5),
            "canteen_minor_issues": rare_count(rng, 0.25, 0.5),
            "canteen_serious_issue": chance(rng, 0.02),
            "ethics_incident_publicised": chance(rng, 0.025),
            "serious_cases": 1 if chance(rng, 0.008) else 0,
        })
    write("schools.csv", ["id", "name", "district"] + list(rows[0])[3:], rows)


# --------------------------------------------------------------------------- villages

VILLAGE_FIRST = list("东西南北上下前后大小新老中")
VILLAGE_CORE = list("王周陈林溪岙塘山桥湖浦岭洋墩河港田庄岗家园峰湾坑")


def villages() -> None:
    rng = sector_rng(4)
    used: set[str] = set()
    rows = []
    for i in range(1, 321):
        district = pick_district(rng)
        town = rng.choice(DISTRICTS[district])
        community = town.endswith("街道") and chance(rng, 0.6)
        suffix = "社区" if community else "村"
        name = unique_name(rng, used, lambda r: f"{district}{town}{r.choice(VILLAGE_FIRST)}{r.choice(VILLAGE_CORE)}{suffix}")
        q = rng.betavariate(5, 2)
        good = lambda base: chance(rng, clamp(base + 0.5 * q, 0, 0.995))  # noqa: E731
        disclosures = [rng.choice([1, 1, 2, 3]) if chance(rng, 0.7 + 0.3 * q) else 0 for _ in range(4)]
        likelihood = int(clamp(round(rng.gauss(3.2 - 2 * q, 0.9)), 1, 5))
        severity = int(clamp(round(rng.gauss(3 - 1.2 * q, 1)), 1, 5))
        rows.append({
            "id": f"V{i:03d}",
            "name": name,
            "district": district,
            "power_list_online": good(0.55),  # 82.4 % online city-wide
            "five_step_decision": good(0.5),
            "risk_likelihood": likelihood,
            "risk_severity": severity,
            "disclosures_q1": disclosures[0],
            "disclosures_q2": disclosures[1],
            "disclosures_q3": disclosures[2],
            "disclosures_q4": disclosures[3],
            "finance_disclosure_months": 12 if good(0.45) else rng.randint(5, 11),
            "livestream": good(0.1),
            "digital_assets": good(0.5),
            "irregular_contracts": rare_count(rng, 0.3 - 0.2 * q, 0.6),
            "projects_on_platform": good(0.5),
            "liaison_station": chance(rng, 0.99),  # every village has a liaison station
            "committee_active": good(0.5),
            "substantiated_petitions": rare_count(rng, 0.15, 0.4),
            "rectification_deduction": rng.choice([2, 3, 4, 6]) if chance(rng, 0.15) else 0,
            "innovation_level": rng.choices([0, 1, 2, 3], weights=[60, 25, 11, 4])[0],
            "publicity_reports": rare_count(rng, 0.3 + 0.3 * q, 1.2),
            "negative_events_2y": rare_count(rng, 0.08, 0.3),
            "cadre_punished": chance(rng, 0.015),
        })
    write("villages.csv", ["id", "name", "district"] + list(rows[0])[3:], rows)


# --------------------------------------------------------------------------- state-owned enterprises

MUNICIPAL_GROUPS = [
    "宁波开发投资集团有限公司", "宁波交通投资集团有限公司", "宁波城建投资控股有限公司", "宁波通商控股集团有限公司",
    "宁波市轨道交通集团有限公司", "宁波市能源集团有限公司", "宁波原水集团有限公司", "宁波文旅会展集团有限公司",
    "宁波市现代农业发展集团有限公司", "宁波工业投资集团有限公司", "宁波市公共交通集团有限公司", "宁波市水务环境集团有限公司",
]
SUBSIDIARY_TRADES = [
    "置业", "物业服务", "建设管理", "资产经营", "供水", "燃气", "热力", "公路养护", "客运", "物流", "港航", "会展",
    "酒店管理", "融资担保", "产业投资", "环境科技", "检测", "设计研究院", "商贸", "信息科技",
]
DISTRICT_SOE_KINDS = ["国有资产投资控股", "城市建设投资发展", "交通投资", "水务", "文旅发展", "产业园区开发", "农业发展"]


def soes() -> None:
    rng = sector_rng(5)
    used: set[str] = set()
    units: list[tuple[str, str]] = [(g, "") for g in MUNICIPAL_GROUPS]
    used.update(MUNICIPAL_GROUPS)
    while len(units) < 70:
        group = rng.choice(MUNICIPAL_GROUPS)
        short = group.removesuffix("有限公司").removesuffix("集团").removesuffix("控股")
        name = unique_name(rng, used, lambda r: f"{short}{r.choice(SUBSIDIARY_TRADES)}有限公司")
        units.append((name, ""))
    combos = [(d, k) for d in DISTRICT_NAMES for k in DISTRICT_SOE_KINDS]
    for district, kind in sorted(rng.sample(combos, 50), key=combos.index):
        prefix = f"宁波市{district}" if district.endswith("区") else district
        units.append((f"{prefix}{kind}集团有限公司", district))
    rows = []
    for i, (name, district) in enumerate(units, start=1):
        q = rng.betavariate(7, 2)
        rows.append({
            "id": f"SOE{i:03d}",
            "name": name,
            "district": district,
            "study_sessions": int(clamp(round(rng.gauss(9 + 4 * q, 1.5)), 4, 16)),
            "duty_assessment": round(clamp(rng.gauss(80 + 16 * q, 4), 55, 100), 1),
            "held_integrity_conference": chance(rng, 0.9 + 0.09 * q),
            "measure_completion_rate": round(clamp(rng.gauss(80 + 20 * q, 6), 40, 100), 1),
            # no rectification tasks / no key projects this year → empty (the group re-weights)
            "rectification_rate": None if chance(rng, 0.1) else round(clamp(rng.gauss(85 + 15 * q, 7), 50, 100), 1),
            "noncompliant_procurement_rate": round(clamp(rng.gauss(6 - 5 * q, 2), 0, 20), 1),
            "key_project_coverage": None if chance(rng, 0.15) else round(clamp(rng.gauss(82 + 18 * q, 8), 40, 100), 1),
            "inspection_findings": max(0, int(rng.gauss(5 - 4 * q, 2))),
            "supervision_letters": rare_count(rng, 0.1, 0.3),
            "recovered_amount": 0.0 if not chance(rng, 0.15) else round(rng.uniform(0.5, 25), 2),
            "audit_issue_ratio": round(clamp(rng.gauss(2.5 - 2 * q, 0.8), 0, 8), 2),
            "integrity_assessment": round(clamp(rng.gauss(80 + 15 * q, 3), 50, 100), 2),
            "budget_execution_rate": round(clamp(rng.gauss(96, 8), 50, 140), 1),
            "major_corruption_cases": 1 if chance(rng, 0.015) else 0,
        })
    write("soes.csv", ["id", "name", "district"] + list(rows[0])[3:], rows)


# --------------------------------------------------------------------------- government organs

MUNICIPAL_ORGANS = [
    "宁波市发展和改革委员会", "宁波市教育局", "宁波市科学技术局", "宁波市经济和信息化局", "宁波市公安局", "宁波市民政局",
    "宁波市司法局", "宁波市财政局", "宁波市人力资源和社会保障局", "宁波市自然资源和规划局", "宁波市生态环境局",
    "宁波市住房和城乡建设局", "宁波市交通运输局", "宁波市水利局", "宁波市农业农村局", "宁波市商务局",
    "宁波市文化广电旅游局", "宁波市卫生健康委员会", "宁波市退役军人事务局", "宁波市应急管理局", "宁波市审计局",
    "宁波市人民政府国有资产监督管理委员会", "宁波市市场监督管理局", "宁波市体育局", "宁波市统计局", "宁波市医疗保障局",
    "宁波市综合行政执法局", "宁波市大数据发展管理局", "宁波市机关事务管理局", "宁波市信访局", "宁波市人民防空办公室",
    "宁波市行政审批服务管理办公室", "宁波市公共资源交易中心", "宁波市81890求助服务中心", "宁波市住房公积金管理中心",
]
DISTRICT_ORGANS = [
    "发展和改革局", "教育局", "民政局", "财政局", "人力资源和社会保障局", "住房和城乡建设局", "交通运输局",
    "农业农村局", "卫生健康局", "市场监督管理局", "审计局", "行政审批服务管理办公室", "综合行政执法局", "税务局",
    "医疗保障分局", "应急管理局", "商务局", "文化和广电旅游体育局",
]
# Units without public-facing services leave the hotline closure rate empty (not applicable).
NO_PUBLIC_SERVICE = ("统计局", "审计局", "机关事务管理局", "人民防空办公室")


def government_organs() -> None:
    rng = sector_rng(6)
    units: list[tuple[str, str]] = [(n, "") for n in MUNICIPAL_ORGANS]
    combos = [(d, o) for d in DISTRICT_NAMES for o in DISTRICT_ORGANS]
    for district, organ in sorted(rng.sample(combos, 160 - len(units)), key=combos.index):
        units.append((f"{district}{organ}", district))
    rows = []
    for i, (name, district) in enumerate(units, start=1):
        q = rng.betavariate(7, 2)
        good = lambda base: chance(rng, clamp(base + 0.45 * q, 0, 0.995))  # noqa: E731
        self_practice = round(clamp(rng.gauss(8 + 2 * q, 0.6), 5, 10), 1)
        approved_practice = None if chance(rng, 0.2) else round(clamp(self_practice - abs(rng.gauss(0.4, 0.5)), 4, 10), 1)
        self_score = round(clamp(rng.gauss(88 + 10 * q, 3), 60, 100), 1)
        approved_score = None if chance(rng, 0.25) else round(clamp(self_score - abs(rng.gauss(3, 3)), 50, 100), 1)
        neg_p = 0.05 * (1.2 - q)
        rows.append({
            "id": f"G{i:03d}",
            "name": name,
            "district": district,
            "has_discipline_commission": good(0.55),
            "discipline_training": good(0.5),
            "self_practice": self_practice,
            "approved_practice": approved_practice,
            "hotline_closure_rate": None if name.endswith(NO_PUBLIC_SERVICE) else round(clamp(rng.gauss(93 + 6 * q, 3), 70, 100), 1),
            "three_services": good(0.5),
            "community_evaluation": rng.choices(["好", "较好", "一般", "差"], weights=[55 + 30 * q, 30, 10, 2])[0],
            "overdue_approvals": rare_count(rng, 0.35 - 0.25 * q, 1.0),
            "neg_eight_rules": chance(rng, neg_p * 0.5),
            "neg_formalism": chance(rng, neg_p * 0.6),
            "neg_power_misuse": chance(rng, neg_p * 0.3),
            "neg_business_relations": chance(rng, neg_p * 0.4),
            "neg_slack_duty": chance(rng, neg_p),
            "neg_petty_corruption": chance(rng, neg_p * 0.5),
            "neg_secret_leak": chance(rng, neg_p * 0.3),
            "neg_false_reporting": chance(rng, neg_p * 0.4),
            "external_findings": rare_count(rng, 0.4 - 0.3 * q, 0.8),
            "self_score": self_score,
            "approved_score": approved_score,
            "warning_education": good(0.55),
            "family_ethos": good(0.4),
            "culture_brand": good(0.3),
            "serious_cases": 1 if chance(rng, 0.01) else 0,
        })
    write("government-organs.csv", ["id", "name", "district"] + list(rows[0])[3:], rows)


# --------------------------------------------------------------------------- transport projects

PROJECTS = [
    ("G92N杭甬复线宁波段一期工程", "余姚市"), ("G92N杭甬复线宁波段二期工程", "慈溪市"), ("甬台温高速公路复线宁海段", "宁海县"),
    ("象山湾疏港高速公路", "象山县"), ("国道G228宁海段改建工程", "宁海县"), ("国道G329北仑段改建工程", "北仑区"),
    ("国道G527奉化段改建工程", "奉化区"), ("省道S203余姚段改建工程", "余姚市"), ("省道S212慈溪段改建工程", "慈溪市"),
    ("宁波机场快速路南延工程", "鄞州区"), ("宁波舟山港主通道公路工程", "镇海区"), ("通途路东延工程", "北仑区"),
    ("世纪大道快速路工程", "鄞州区"), ("环城南路西延工程", "海曙区"), ("杭州湾大桥南接线改扩建工程", "慈溪市"),
    ("六横公路大桥宁波段", "北仑区"),
]


def transport_projects() -> None:
    rng = sector_rng(7)
    rows = []
    i = 0
    for project, district in PROJECTS:
        sections = [f"TJ{n:02d}标" for n in range(1, rng.randint(6, 12))] + ["JL01标"]
        for section in sections:
            i += 1
            q = rng.betavariate(6, 2)
            good = lambda base: chance(rng, clamp(base + 0.5 * q, 0, 0.995))  # noqa: E731
            market = round(rng.uniform(3600, 4600))
            dev = rng.gauss(0, 0.04) if not chance(rng, 0.1) else rng.choice([-1, 1]) * rng.uniform(0.11, 0.28)
            budget = round(rng.uniform(8000, 120000))
            overrun = rng.gauss(0.95, 0.07) if not chance(rng, 0.06) else rng.uniform(1.11, 1.35)
            rows.append({
                "id": f"T{i:03d}",
                "name": f"{project}{section}",
                "district": district,
                "integrity_contract": good(0.6),
                "parties_interviewed": good(0.5),
                "on_sunshine_platform": good(0.6),
                "experts_random": good(0.55),
                "credit_score": round(clamp(rng.gauss(84 + 12 * q, 5), 60, 100), 1),
                # some sections did not report their disposal rate: “未报送的，本项不得分”
                "warning_disposal_rate": None if chance(rng, 0.05) else round(clamp(rng.gauss(85 + 15 * q, 8), 40, 100), 1),
                "overdue_warnings": rare_count(rng, 0.25 - 0.15 * q, 0.5),
                "rectification_rate": round(clamp(rng.gauss(88 + 12 * q, 6), 50, 100), 1),
                "illegal_subcontract": chance(rng, 0.03),
                "rules_revised": good(0.5),
                "pm_changes_6m": rng.choices([0, 1, 2, 3, 4], weights=[70, 18, 7, 4, 1])[0],
                "rebar_price": round(market * (1 + dev)),
                "rebar_market_price": market,
                "budget_to_date": budget,
                "actual_cost_to_date": round(budget * overrun),
                "change_orders_90d": rng.choices([0, 1, 2, 3, 4, 5, 6, 8], weights=[30, 25, 18, 10, 7, 5, 3, 2])[0],
                "payment_top10_months": rng.choices([0, 1, 2, 3, 4, 6], weights=[80, 8, 5, 4, 2, 1])[0],
                "bribery_cases": 1 if chance(rng, 0.01) else 0,
            })
    write("transport-projects.csv", ["id", "name", "district"] + list(rows[0])[3:], rows)


# --------------------------------------------------------------------------- city districts

def city_districts() -> None:
    rng = sector_rng(8)
    rows = []
    # districts without a key transport project under construction in a given year
    no_transport = {("海曙区", 2021), ("江北区", 2021), ("江北区", 2022), ("镇海区", 2024)}
    for district in DISTRICT_NAMES:
        level = rng.uniform(-4, 4)  # a district's persistent strength
        for year in (2021, 2022, 2023, 2024):
            trend = (year - 2021) * 1.5
            base = 85 + level + trend

            def sector(spread: float = 4.0) -> float:
                return round(clamp(rng.gauss(base, spread), 40, 100), 1)

            valid = rng.randint(600, 1500) if not (district == "象山县" and year == 2021) else 150
            shares = [clamp(rng.gauss(0.55 + 0.01 * (level + trend), 0.05), 0.3, 0.8)]
            shares.append((1 - shares[0]) * 0.6)
            shares.append((1 - shares[0]) * 0.3)
            counts = [round(valid * s) for s in shares]
            counts.append(max(0, valid - sum(counts)))
            rows.append({
                "id": f"{DISTRICT_CODES[district]}-{year}",
                "name": f"{district}{year}年度",
                "district": district,
                "year": year,
                "pe_score": sector(),
                "hospital_score": sector(),
                "school_score": sector(),
                "village_score": sector(5),
                "soe_score": sector(),
                "organ_score": sector(3),
                "transport_score": None if (district, year) in no_transport else sector(6),
                "rectification_rate": round(clamp(rng.gauss(90 + trend + level / 2, 3), 70, 100), 1),
                "warning_disposal_rate": round(clamp(rng.gauss(88 + trend + level / 2, 4), 70, 100), 1),
                "power_list_online_rate": round(clamp(62 + 7 * (year - 2021) + level * 2 + rng.gauss(0, 4), 40, 100), 1),
                "public_survey": survey_cell({
                    "满意": counts[0], "比较满意": counts[1], "一般": counts[2], "不满意": counts[3],
                    "不了解": rng.randint(20, 120),
                }),
                "petitions_per_10k": round(clamp(rng.gauss(6 - level / 2 - trend / 2, 1.2), 1, 14), 2),
            })
    write("city-districts.csv", ["id", "name", "district", "year"] + list(rows[0])[4:], rows)


def main() -> None:
    private_enterprises()
    hospitals()
    schools()
    villages()
    soes()
    government_organs()
    transport_projects()
    city_districts()


if __name__ == "__main__":
    main()
