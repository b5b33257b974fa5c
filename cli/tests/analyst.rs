//! The analyst's commands end to end: the Excel ranking, the rule table, per-unit reports, ruleset
//! diffs and the JSON Schema, on every bundled ruleset; workbooks are read back with calamine.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use calamine::{open_workbook, Data, Reader, Xlsx};
use qinglian::{read_records, ReasonKind, Ruleset};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn qinglian(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qinglian"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// A fresh directory for one test's files, removed when the test ends (passed or not).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(test: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("qinglian-analyst-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// Each bundled ruleset with its example data: the integrity schemes, the city index, and the
/// three ASEM composite indices (English names only, `normalise` leaves, no grades).
const EXAMPLES: [(&str, &str); 11] = [
    ("private-enterprise", "private-enterprises"),
    ("hospital", "hospitals"),
    ("school", "schools"),
    ("village", "villages"),
    ("soe", "soes"),
    ("government-organ", "government-organs"),
    ("transport", "transport-projects"),
    ("city-index", "city-districts"),
    ("asem/minmax-arithmetic", "asem/asem_iData"),
    ("asem/minmax-geometric", "asem/asem_iData"),
    ("asem/zscore-arithmetic", "asem/asem_iData"),
];

/// A file name for a ruleset's outputs (`asem/zscore-arithmetic` → `asem-zscore-arithmetic`).
fn stem(rules: &str) -> String {
    rules.replace('/', "-")
}

/// Every `.toml` under `rules/`, as `EXAMPLES` names them.
fn bundled() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().and_then(|e| e.to_str()) == Some("toml") {
                let rel = path.strip_prefix(base).unwrap().with_extension("");
                out.push(rel.to_str().unwrap().replace('\\', "/"));
            }
        }
    }
    let base = root().join("rules");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out.sort();
    out
}

#[test]
fn every_bundled_ruleset_is_exercised_here() {
    let mut listed: Vec<String> = EXAMPLES.iter().map(|(r, _)| r.to_string()).collect();
    listed.sort();
    assert_eq!(
        listed,
        bundled(),
        "pair each ruleset in rules/ with its data"
    );
}

/// Every sheet of a workbook: name → rows of cells.
fn read_book(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn number(cell: &Data) -> Option<f64> {
    match cell {
        Data::Float(x) => Some(*x),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

#[test]
fn the_excel_ranking_holds_the_library_scores_for_every_ruleset() {
    let dir = scratch("xlsx");
    for (rules, data) in EXAMPLES {
        let rules_path = format!("rules/{rules}.toml");
        let data_path = format!("examples/data/{data}.csv");
        let book_path = dir.join(format!("{}.xlsx", stem(rules)));
        let out = qinglian(&[
            "score",
            &rules_path,
            &data_path,
            "--format",
            "xlsx",
            "-o",
            book_path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{rules}: {}", stderr(&out));

        let ruleset = Ruleset::load(root().join(&rules_path)).unwrap();
        let results = ruleset.evaluate_records(&read_records(root().join(&data_path)).unwrap());
        let scored: BTreeMap<String, &qinglian::Evaluation> = results
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|e| (e.id.clone().unwrap(), e))
            .collect();

        let sheets = read_book(&book_path);
        let dims = ruleset.dimension_paths().len();
        // Ranking, one per dimension, points lost, (not scored,) ruleset.
        let failed = results.iter().filter(|r| r.is_err()).count();
        assert_eq!(sheets.len(), dims + 3 + usize::from(failed > 0), "{rules}");
        let (name, ranking) = &sheets[0];
        assert_eq!(name, "排名");
        let head: Vec<String> = ranking[0].iter().map(text).collect();
        assert_eq!(
            &head[..5],
            ["名次", "编号", "名称", "总分", "满分"],
            "{rules}"
        );
        assert_eq!(
            ranking.len() - 1,
            scored.len(),
            "{rules}: one row per scored unit"
        );
        let mut last_rank = 0.0;
        for row in &ranking[1..] {
            let e = scored[&text(&row[1])];
            let rank = number(&row[0]).unwrap();
            assert!(rank >= last_rank, "{rules}: sorted by rank");
            last_rank = rank;
            assert_eq!(rank as usize, e.cohort.as_ref().unwrap().rank);
            assert_eq!(
                number(&row[3]).unwrap(),
                e.score,
                "{rules} {}",
                text(&row[1])
            );
            assert_eq!(text(&row[7]), e.grade.clone().unwrap_or_default());
        }

        // The points lost add up to what each unit's reasons say.
        let (name, lost) = &sheets[dims + 1];
        assert_eq!(name, "失分明细");
        let mut per_unit: BTreeMap<String, f64> = BTreeMap::new();
        for row in &lost[1..] {
            *per_unit.entry(text(&row[0])).or_default() += number(&row[3]).unwrap_or(0.0);
        }
        for (id, e) in &scored {
            let expected: f64 = e
                .reasons
                .iter()
                .filter(|r| {
                    matches!(
                        r.kind,
                        ReasonKind::Deduction
                            | ReasonKind::Zeroed
                            | ReasonKind::Missing
                            | ReasonKind::Veto
                    )
                })
                .filter_map(|r| r.points)
                .sum();
            let got = per_unit.get(id).copied().unwrap_or(0.0);
            assert!(
                (got - expected).abs() < 1e-9,
                "{rules} {id}: {got} vs {expected}"
            );
        }

        // Provenance: the last sheet names the exact rules.
        let (name, info) = sheets.last().unwrap();
        assert_eq!(name, "规则信息");
        let cells: Vec<String> = info.iter().flatten().map(text).collect();
        assert!(cells.contains(&ruleset.hash().to_string()), "{rules}");
        assert!(cells.contains(&ruleset.metadata().version), "{rules}");
    }
}

#[test]
fn the_excel_ranking_speaks_english_when_asked_and_needs_a_file() {
    let dir = scratch("xlsx-en");
    let book_path = dir.join("villages.xlsx");
    let out = qinglian(&[
        "score",
        "rules/village.toml",
        "examples/data/villages.csv",
        "--format",
        "xlsx",
        "--lang",
        "en",
        "-o",
        book_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sheets = read_book(&book_path);
    assert_eq!(sheets[0].0, "Ranking");
    assert_eq!(text(&sheets[0].1[0][3]), "Total");
    assert_eq!(sheets.last().unwrap().0, "Ruleset");

    let out = qinglian(&[
        "score",
        "rules/village.toml",
        "examples/data/villages.csv",
        "--format",
        "xlsx",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("-o"), "{}", stderr(&out));
}

#[test]
fn the_rule_table_covers_every_indicator_of_every_ruleset() {
    let dir = scratch("table");
    for (rules, _) in EXAMPLES {
        let rules_path = format!("rules/{rules}.toml");
        let ruleset = Ruleset::load(root().join(&rules_path)).unwrap();
        let out = qinglian(&["table", &rules_path]);
        assert!(out.status.success(), "{rules}: {}", stderr(&out));
        let md = stdout(&out);
        assert!(md.contains("| 一级指标 |"), "{rules}");
        // One table line per indicator, after the header and the rule under it.
        let lines = md.lines().filter(|l| l.starts_with("| ")).count();
        assert_eq!(lines, ruleset.indicator_paths().len() + 1, "{rules}");
        assert!(md.contains(ruleset.hash()), "{rules}");
        // Every indicator by its name, on its own line.
        let table = ruleset.rule_table(qinglian::Lang::Zh);
        for row in &table.rows {
            let name = row.names.last().unwrap();
            assert!(md.contains(&format!("| {name} |")), "{rules}: {name}");
        }
        // Under weighted means a 权重 column gives each child's weight and share.
        let weighted = table.rows.iter().any(|r| r.weight.is_some());
        assert_eq!(md.contains("| 分值 | 权重 |"), weighted, "{rules}");

        let html_path = dir.join(format!("{}.html", stem(rules)));
        let out = qinglian(&[
            "table",
            &rules_path,
            "--lang",
            "en",
            "-o",
            html_path.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{rules}: {}", stderr(&out));
        let html = std::fs::read_to_string(&html_path).unwrap();
        assert!(html.contains("<th>Level 1</th>"), "{rules}");
        assert_eq!(
            html.matches("<tr").count(),
            ruleset.indicator_paths().len() + 1
        );

        let book_path = dir.join(format!("{}.xlsx", stem(rules)));
        let out = qinglian(&["table", &rules_path, "-o", book_path.to_str().unwrap()]);
        assert!(out.status.success(), "{rules}: {}", stderr(&out));
        let sheets = read_book(&book_path);
        assert_eq!(sheets[0].0, "评分细则");
        let rows = &sheets[0].1;
        assert_eq!(rows.len(), ruleset.indicator_paths().len() + 1, "{rules}");
        let depth = rows[0]
            .iter()
            .filter(|c| text(c).ends_with("级指标"))
            .count();
        let tree = ruleset.tree();
        // The 一级指标 rows carry their points as numbers, in tree order.
        let top: Vec<f64> = rows[1..]
            .iter()
            .filter(|r| !text(&r[0]).is_empty())
            .filter_map(|r| number(&r[depth]))
            .collect();
        let expected: Vec<f64> = tree
            .children
            .iter()
            .filter(|c| !c.bonus)
            .map(|c| c.points)
            .collect();
        assert_eq!(top, expected, "{rules}");
        // Shares as numbers; those of one parent's children add up to 1.
        if weighted {
            assert_eq!(text(&rows[0][depth + 1]), "权重", "{rules}");
            let mut by_parent: BTreeMap<Vec<String>, f64> = BTreeMap::new();
            for (row, cells) in table.rows.iter().zip(&rows[1..]) {
                let share = number(&cells[depth + 1]);
                assert_eq!(share, row.weight.map(|w| w.1), "{rules} {:?}", row.names);
                if let Some(share) = share {
                    let parent = row.names[..row.names.len() - 1].to_vec();
                    *by_parent.entry(parent).or_default() += share;
                }
            }
            for (parent, sum) in by_parent {
                assert!((sum - 1.0).abs() < 1e-9, "{rules} {parent:?}: {sum}");
            }
        }
        let cells: Vec<String> = sheets[2].1.iter().flatten().map(text).collect();
        assert!(cells.contains(&ruleset.hash().to_string()));
    }
}

#[test]
fn reports_for_one_unit_and_for_every_unit_of_every_ruleset() {
    let dir = scratch("report");
    for (rules, data) in EXAMPLES {
        let rules_path = format!("rules/{rules}.toml");
        let data_path = format!("examples/data/{data}.csv");
        let ruleset = Ruleset::load(root().join(&rules_path)).unwrap();
        let results = ruleset.evaluate_records(&read_records(root().join(&data_path)).unwrap());
        let scored: Vec<&qinglian::Evaluation> =
            results.iter().filter_map(|r| r.as_ref().ok()).collect();
        let e = scored[scored.len() / 2];
        let id = e.id.clone().unwrap();

        let out = qinglian(&["report", &rules_path, &data_path, "--id", &id]);
        assert!(out.status.success(), "{rules}: {}", stderr(&out));
        // The page names the unit and its total; a grade only where the rules have grades.
        let page = stdout(&out);
        let title = match &e.name {
            Some(name) => format!("<h1>{name}（{id}）"),
            None => format!("<h1>{id}"),
        };
        assert!(page.contains(&title), "{rules}: {title}");
        let total = format!(
            "{} / {}",
            qinglian::format_number(e.score),
            qinglian::format_number(e.max_score)
        );
        assert!(page.contains(&total), "{rules}: {total}");
        assert_eq!(
            page.contains("<span class=\"label\">等级</span>"),
            !ruleset.grades().is_empty(),
            "{rules}"
        );
        // The same page the library writes for the unit, placed in the same cohort.
        assert_eq!(
            stdout(&out),
            ruleset.report_html(e, qinglian::Lang::Zh),
            "{rules} {id}"
        );

        let folder = dir.join(stem(rules));
        let out = qinglian(&[
            "report",
            &rules_path,
            &data_path,
            "--lang",
            "en",
            "-o",
            folder.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{rules}: {}", stderr(&out));
        let files = std::fs::read_dir(&folder).unwrap().count();
        assert_eq!(files, scored.len(), "{rules}: one report per scored unit");
        let page = std::fs::read_to_string(folder.join(format!("{id}.html"))).unwrap();
        assert_eq!(page, ruleset.report_html(e, qinglian::Lang::En));
    }
    let out = qinglian(&[
        "report",
        "rules/village.toml",
        "examples/data/villages.csv",
        "--id",
        "nobody",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("nobody"));
}

#[test]
fn diff_names_each_change_and_counts_its_impact() {
    let dir = scratch("diff");
    for (rules, _) in EXAMPLES {
        let path = format!("rules/{rules}.toml");
        let out = qinglian(&["diff", &path, &path]);
        assert!(out.status.success(), "{rules}: {}", stderr(&out));
        assert!(stdout(&out).contains("两版规则内容相同"), "{rules}");
    }
    let text = std::fs::read_to_string(root().join("rules/village.toml")).unwrap();
    let edited = text
        .replacen("per = 2 }", "per = 4 }", 1)
        .replacen("\nmin = 75", "\nmin = 80", 1);
    assert_ne!(edited, text);
    let new_path = dir.join("village-2.toml");
    std::fs::write(&new_path, &edited).unwrap();
    let out = qinglian(&[
        "diff",
        "rules/village.toml",
        new_path.to_str().unwrap(),
        "examples/data/villages.csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("每发生1次扣2分，扣完为止 → "), "{report}");
    assert!(
        report.contains("等级「达标」：总分≥75 → 总分≥80"),
        "{report}"
    );

    // The counts are the library's.
    let rows = read_records(root().join("examples/data/villages.csv")).unwrap();
    let old = Ruleset::load(root().join("rules/village.toml")).unwrap();
    let new = Ruleset::from_toml(&edited).unwrap();
    let (a, b) = (old.evaluate_records(&rows), new.evaluate_records(&rows));
    let pairs: Vec<_> = a
        .iter()
        .zip(&b)
        .filter_map(|(x, y)| Some((x.as_ref().ok()?, y.as_ref().ok()?)))
        .collect();
    let scores = pairs.iter().filter(|(x, y)| x.score != y.score).count();
    let grades = pairs.iter().filter(|(x, y)| x.grade != y.grade).count();
    assert!(scores > 0 && grades > 0);
    let line = format!(
        "两版均能评分的单位{}个：总分变化{scores}个，等级变化{grades}个。",
        pairs.len()
    );
    assert!(report.contains(&line), "{report}");
    assert!(report.contains(new.hash()));
}

#[test]
fn diff_of_every_ruleset_against_a_changed_copy() {
    let dir = scratch("diff-all");
    for (rules, data) in EXAMPLES {
        let rules_path = format!("rules/{rules}.toml");
        let data_path = format!("examples/data/{data}.csv");
        let old = Ruleset::load(root().join(&rules_path)).unwrap();
        let table = old.rule_table(qinglian::Lang::Zh);
        let paths = old.indicator_paths();
        // A weight where a parent weighs its children, else an indicator's name; and the best
        // grade band's threshold where there are grades.
        let mut changes: Vec<(String, serde_json::Value)> = Vec::new();
        let mut expect: Vec<String> = Vec::new();
        match table.rows.iter().position(|r| r.weight.is_some()) {
            Some(i) => {
                let row = &table.rows[i];
                let (w, _) = row.weight.unwrap();
                changes.push((format!("{}.weight", paths[i]), serde_json::json!(w * 2.0)));
                expect.push(format!(
                    "「{}」 权重：{}（",
                    row.names.join(" › "),
                    qinglian::format_number(w)
                ));
            }
            None => {
                let row = &table.rows[0];
                let renamed = format!("{}（修订）", row.names[0]);
                changes.push((format!("{}.name", paths[0]), serde_json::json!(renamed)));
                expect.push(format!("指标更名：「{}」 → 「{renamed}」", row.names[0]));
            }
        }
        let grades = old.grades();
        if let Some(best) = grades.first() {
            let min = best.min - 1.0;
            changes.push(("grade.0.min".into(), serde_json::json!(min)));
            expect.push(format!(
                "等级「{}」：总分≥{}",
                best.name,
                qinglian::format_number(best.min)
            ));
            expect.push(format!("→ 总分≥{}", qinglian::format_number(min)));
        }
        let new = old
            .with_changes(changes.iter().map(|(p, v)| (p.as_str(), v.clone())))
            .unwrap();
        let new_path = dir.join(format!("{}.toml", stem(rules)));
        std::fs::write(&new_path, new.to_toml()).unwrap();
        let out = qinglian(&["diff", &rules_path, new_path.to_str().unwrap(), &data_path]);
        assert!(out.status.success(), "{rules}: {}", stderr(&out));
        let report = stdout(&out);
        for line in &expect {
            assert!(report.contains(line.as_str()), "{rules}: {line}\n{report}");
        }
        assert!(!report.contains("两版规则内容相同"), "{rules}");

        // The impact is the library's; grades are counted only where there are grades.
        let rows = read_records(root().join(&data_path)).unwrap();
        let (a, b) = (old.evaluate_records(&rows), new.evaluate_records(&rows));
        let pairs: Vec<_> = a
            .iter()
            .zip(&b)
            .filter_map(|(x, y)| Some((x.as_ref().ok()?, y.as_ref().ok()?)))
            .collect();
        let scores = pairs.iter().filter(|(x, y)| x.score != y.score).count();
        let line = if grades.is_empty() {
            assert!(!report.contains("等级"), "{rules}: {report}");
            format!("两版均能评分的单位{}个：总分变化{scores}个。", pairs.len())
        } else {
            let moved = pairs.iter().filter(|(x, y)| x.grade != y.grade).count();
            format!(
                "两版均能评分的单位{}个：总分变化{scores}个，等级变化{moved}个。",
                pairs.len()
            )
        };
        assert!(report.contains(&line), "{rules}: {line}\n{report}");
        assert!(report.contains(old.hash()) && report.contains(new.hash()));

        // A different version only: not "the same", and nothing to list.
        let text = std::fs::read_to_string(root().join(&rules_path)).unwrap();
        let version = format!("version = \"{}\"", old.metadata().version);
        let bumped = text.replacen(&version, "version = \"next\"", 1);
        assert_ne!(bumped, text, "{rules}");
        let bumped_path = dir.join(format!("{}-next.toml", stem(rules)));
        std::fs::write(&bumped_path, bumped).unwrap();
        let out = qinglian(&["diff", &rules_path, bumped_path.to_str().unwrap()]);
        let report = stdout(&out);
        assert!(report.contains("两版规则内容不同"), "{rules}: {report}");
        assert!(!report.contains("\n- "), "{rules}: {report}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn schema_prints_the_documented_json_schema() {
    let out = qinglian(&["schema"]);
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let kept: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/ruleset.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(printed, kept);
    // Every scorer type the reference documents is in the schema's list.
    let types: Vec<&str> = kept["properties"]["indicator"]["items"]["properties"]["scorer"]
        ["properties"]["type"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let reference = std::fs::read_to_string(root().join("docs/ruleset-reference.md")).unwrap();
    for t in &types {
        assert!(reference.contains(&format!("| `{t}` |")), "{t}");
    }
    // And every rules/ file points its editor at it.
    for (rules, _) in EXAMPLES {
        let text = std::fs::read_to_string(root().join(format!("rules/{rules}.toml"))).unwrap();
        // The path is relative to the file: one `../` per folder level below the root.
        let up = "../".repeat(rules.matches('/').count() + 1);
        let directive = format!("#:schema {up}docs/ruleset.schema.json\n");
        assert!(text.starts_with(&directive), "{rules}");
        let target = root()
            .join(format!("rules/{rules}.toml"))
            .parent()
            .unwrap()
            .join(format!("{up}docs/ruleset.schema.json"));
        assert!(target.is_file(), "{rules}: {}", target.display());
    }
}

#[test]
fn the_excel_ranking_ranks_within_groups() {
    let dir = scratch("xlsx-by");
    let book_path = dir.join("districts.xlsx");
    let out = qinglian(&[
        "score",
        "rules/city-index.toml",
        "examples/data/city-districts.csv",
        "--by",
        "year",
        "--format",
        "xlsx",
        "-o",
        book_path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sheets = read_book(&book_path);
    let ranking = &sheets[0].1;
    assert_eq!(text(&ranking[0][3]), "year");
    // Rows by year, then rank within the year: each year starts again at 1.
    let mut last: Option<(String, f64)> = None;
    let mut firsts = 0;
    for row in &ranking[1..] {
        let (year, rank) = (text(&row[3]), number(&row[0]).unwrap());
        match &last {
            Some((y, r)) if *y == year => assert!(rank >= *r),
            Some((y, _)) => assert!(year > *y),
            None => {}
        }
        if rank == 1.0 {
            firsts += 1;
        }
        last = Some((year, rank));
    }
    let years: std::collections::BTreeSet<String> =
        ranking[1..].iter().map(|r| text(&r[3])).collect();
    assert_eq!(firsts, years.len());
    assert!(years.len() > 1);
}

/// The example data of a ruleset as the analyst receives it: a workbook whose sheet `自评表` has
/// a title row, then the inputs headed by their Chinese labels, booleans ticked (√/×) or as
/// Excel's TRUE/FALSE, numbers as numbers, and an empty row.
fn self_assessment(ruleset: &Ruleset, csv: &Path, to: &Path) {
    let mut reader = csv::Reader::from_path(csv).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("说明").unwrap();
    let sheet = book.add_worksheet();
    sheet.set_name("自评表").unwrap();
    sheet.write(0, 0, "企业清廉建设自评表").unwrap();
    for (c, h) in header.iter().enumerate() {
        let input = ruleset.inputs().iter().find(|i| i.name == *h);
        let title = match input {
            // Full-width brackets and spaces around, as typed with a Chinese input method.
            Some(i) if c % 2 == 0 => format!(" {}\u{3000}", i.label),
            Some(i) => i.label.clone(),
            None if h == "id" => "ID".to_string(),
            None => h.clone(),
        };
        sheet.write(1, c as u16, title).unwrap();
    }
    let mut at = 2u32;
    for (r, record) in reader.records().enumerate() {
        if r == 3 {
            at += 1; // an empty row
        }
        for (c, v) in record.unwrap().iter().enumerate() {
            let c = c as u16;
            if v.is_empty() {
                continue;
            }
            match v {
                "true" | "false" if r % 2 == 0 => {
                    sheet.write(at, c, if v == "true" { "√" } else { "×" })
                }
                "true" | "false" => sheet.write(at, c, v == "true"),
                _ => match v.parse::<f64>() {
                    Ok(x) if header[c as usize] != "id" => sheet.write(at, c, x),
                    _ => sheet.write(at, c, v),
                },
            }
            .unwrap();
        }
        at += 1;
    }
    book.save(to).unwrap();
}

#[test]
fn a_workbook_headed_in_chinese_scores_like_the_csv_headed_by_names() {
    let dir = scratch("workbook");
    for (name, data) in EXAMPLES {
        let rules = format!("rules/{name}.toml");
        let csv = format!("examples/data/{data}.csv");
        let ruleset = Ruleset::load(root().join(&rules)).unwrap();
        let book = dir.join(format!("{}.xlsx", stem(name)));
        self_assessment(&ruleset, &root().join(&csv), &book);
        let book = book.display().to_string();
        let from_csv = qinglian(&["score", &rules, &csv, "--format", "csv"]);
        let from_book = qinglian(&[
            "score",
            &rules,
            &book,
            "--sheet",
            "自评表",
            "--format",
            "csv",
        ]);
        assert_eq!(
            from_book.status.code(),
            from_csv.status.code(),
            "{rules}: {}",
            stderr(&from_book)
        );
        assert!(!stdout(&from_csv).is_empty());
        assert_eq!(stdout(&from_book), stdout(&from_csv), "{rules}");
        // Every input found under its label: no note on unknown or absent columns.
        assert_eq!(
            stderr(&from_book).contains("record.absent_input"),
            stderr(&from_csv).contains("record.absent_input"),
            "{rules}: {}",
            stderr(&from_book)
        );
        // explain and report read the sheet too.
        let id = read_records(root().join(&csv)).unwrap()[0]
            .as_ref()
            .unwrap()
            .get(&ruleset.metadata().id_field)
            .map(|c| match c {
                qinglian::Cell::Text(t) => t.clone(),
                other => panic!("{other:?}"),
            })
            .unwrap();
        let explained = qinglian(&["explain", &rules, &book, "--sheet", "自评表", "--id", &id]);
        assert_eq!(
            stdout(&explained),
            stdout(&qinglian(&["explain", &rules, &csv, "--id", &id])),
            "{rules}"
        );
    }
    // A sheet that is not there is named, with the sheets there are.
    let book = dir.join("private-enterprise.xlsx").display().to_string();
    let out = qinglian(&[
        "score",
        "rules/private-enterprise.toml",
        &book,
        "--sheet",
        "汇总",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("`汇总`") && stderr(&out).contains("说明, 自评表"),
        "{}",
        stderr(&out)
    );
    // Without --sheet the first sheet is read: here an empty one.
    let out = qinglian(&[
        "score",
        "rules/private-enterprise.toml",
        &book,
        "--format",
        "csv",
    ]);
    assert!(
        stderr(&out).contains("record.absent_input"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_in_a_sheet_name_the_row_excel_shows() {
    let dir = scratch("sheet-rows");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows: [[&str; 3]; 4] = [
        ["id", "专兼职监督人员数", "是否设立纪检、审计或合规监督机构"],
        ["A", "2", "√"],
        ["B", "3", "也许"],
        ["C", "两人", "有"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            // Header on row 3 of the sheet, below a title and an empty row.
            sheet.write(r as u32 + 2, c as u16, *v).unwrap();
        }
    }
    sheet.write(0, 0, "标题").unwrap();
    let path = dir.join("rows.xlsx");
    book.save(&path).unwrap();
    let path = path.display().to_string();
    let out = qinglian(&[
        "score",
        "rules/private-enterprise.toml",
        &path,
        "--format",
        "csv",
    ]);
    let err = stderr(&out);
    assert!(
        err.contains("[record.not_a_boolean] row 5 (id B)") && err.contains("√/×"),
        "{err}"
    );
    assert!(err.contains("[record.not_a_number] row 6 (id C)"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_workbook_heading_the_id_and_name_in_chinese_scores_under_the_rulesets_aliases() {
    let dir = scratch("id-aliases");
    let text = std::fs::read_to_string(root().join("rules/village.toml")).unwrap();
    let told = text.replacen(
        "[ruleset]\n",
        "[ruleset]\nid_aliases = [\"编号\", \"统一社会信用代码\"]\nname_aliases = [\"单位名称\", \"名称\"]\n",
        1,
    );
    assert_ne!(told, text);
    let rules = dir.join("village.toml");
    std::fs::write(&rules, &told).unwrap();
    let rules = rules.to_str().unwrap();

    // The example data with the id and name headed 统一社会信用代码 and 单位名称.
    let mut reader = csv::Reader::from_path(root().join("examples/data/villages.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        let title = match h.as_str() {
            "id" => "统一社会信用代码",
            "name" => "单位名称",
            other => other,
        };
        sheet.write(0, c as u16, title).unwrap();
    }
    for (r, record) in reader.records().enumerate() {
        for (c, v) in record.unwrap().iter().enumerate() {
            if !v.is_empty() {
                sheet.write(r as u32 + 1, c as u16, v).unwrap();
            }
        }
    }
    let book_path = dir.join("villages.xlsx");
    book.save(&book_path).unwrap();
    let book_path = book_path.to_str().unwrap();

    let from_csv = qinglian(&[
        "score",
        rules,
        "examples/data/villages.csv",
        "--format",
        "csv",
    ]);
    let from_book = qinglian(&["score", rules, book_path, "--format", "csv"]);
    assert!(from_book.status.success(), "{}", stderr(&from_book));
    assert_eq!(stdout(&from_book), stdout(&from_csv));
    assert!(stdout(&from_book).contains(",V001,"), "the ids are read");
    let report = stdout(&qinglian(&["report", rules, book_path, "--id", "V001"]));
    assert!(
        report.contains("（V001）"),
        "{}",
        &report[..400.min(report.len())]
    );

    // Without the aliases the columns are unknown and the units have no id.
    let plain = qinglian(&["score", "rules/village.toml", book_path, "--format", "csv"]);
    assert!(!stdout(&plain).contains(",V001,"));
    assert!(
        stderr(&plain).contains("统一社会信用代码"),
        "{}",
        stderr(&plain)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
