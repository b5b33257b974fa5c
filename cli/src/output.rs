//! Writing scored rows as they come: CSV and JSON row after row in input order, the table from
//! the best rows of each cohort (at most `--top` of them held at a time).

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell as TableCell, CellAlignment, Table};
use qinglian::{format_number as num, Batch, Lang, RecordError, Ruleset, Scores};
use std::collections::BinaryHeap;
use std::fmt::Write as _;
use std::io::Write;

/// Standard output, buffered; a closed pipe (`qinglian score … | head`) ends the program
/// quietly.
pub struct Out(std::io::BufWriter<std::io::Stdout>);

impl Out {
    pub fn new() -> Out {
        Out(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stdout(),
        ))
    }

    pub fn write(&mut self, text: &str) {
        if let Err(e) = self.0.write_all(text.as_bytes()) {
            fail(&e);
        }
    }

    pub fn flush(&mut self) {
        if let Err(e) = self.0.flush() {
            fail(&e);
        }
    }
}

fn fail(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("cannot write the output: {e}");
    std::process::exit(1);
}

/// One row of the file, scored (or not): its batch, score table and place in them.
pub struct Row<'a> {
    pub batch: &'a Batch<'a>,
    pub scores: &'a Scores,
    pub pos: usize,
    /// 0-based data row of the file.
    pub file_row: usize,
    /// Values of the `--by` columns.
    pub group: &'a [String],
    /// An error the command gives the row although it scored (a repeated id under `--strict`).
    pub forced: Option<&'a RecordError>,
}

impl Row<'_> {
    /// The row's error, naming its row of the file.
    pub fn error(&self) -> Option<RecordError> {
        self.scores
            .error(self.pos)
            .or(self.forced)
            .map(|e| self.place(e))
    }

    fn place(&self, e: &RecordError) -> RecordError {
        let mut e = e.clone();
        e.row = Some(self.file_row);
        e
    }

    fn rank(&self) -> u32 {
        self.scores.ranks().get(self.pos).copied().unwrap_or(0)
    }
}

/// What the writers need of the ruleset, looked up once.
pub struct Layout {
    lang: Lang,
    /// Ruleset id, version and hash, written beside every row.
    provenance: [String; 3],
    max_total: f64,
    /// Index into the indicator columns of each dimension, and its display name.
    dimensions: Vec<(usize, String, String)>,
    grades: Vec<(String, Option<String>)>,
    quotas: Vec<String>,
    vetoes: Vec<String>,
    alerts: Vec<(String, String)>,
    by: Vec<String>,
}

impl Layout {
    pub fn new(ruleset: &Ruleset, lang: Lang, by: &[String]) -> Layout {
        let paths = ruleset.indicator_paths();
        let dimensions = ruleset
            .tree()
            .children
            .iter()
            .filter_map(|d| {
                let i = paths.iter().position(|p| *p == d.path)?;
                let name = match (lang, &d.name_en) {
                    (Lang::En, Some(en)) => en.clone(),
                    _ => d.name.clone(),
                };
                Some((i, d.path.clone(), name))
            })
            .collect();
        let p = ruleset.provenance();
        Layout {
            lang,
            provenance: [p.ruleset, p.version, p.hash],
            max_total: ruleset.max_total(),
            dimensions,
            grades: ruleset
                .grades()
                .into_iter()
                .map(|g| (g.name, g.name_en))
                .collect(),
            quotas: ruleset
                .quota_names()
                .into_iter()
                .map(String::from)
                .collect(),
            vetoes: ruleset.veto_ids().into_iter().map(String::from).collect(),
            alerts: ruleset
                .alert_ids()
                .into_iter()
                .map(|(id, level)| (id.to_string(), level.to_string()))
                .collect(),
            by: by.to_vec(),
        }
    }

    fn grade(&self, row: &Row<'_>) -> Option<&str> {
        let (zh, en) = self.grades.get(row.scores.grade(row.pos)?)?;
        Some(match (self.lang, en) {
            (Lang::En, Some(en)) => en,
            _ => zh,
        })
    }

    fn tier(&self, row: &Row<'_>) -> Option<&str> {
        let t = *row.scores.tiers().get(row.pos)?;
        self.quotas.get(t as usize).map(String::as_str)
    }

    fn veto_ids(&self, row: &Row<'_>) -> String {
        let ids: Vec<&str> = row
            .scores
            .vetoes(row.pos)
            .filter_map(|k| self.vetoes.get(k).map(String::as_str))
            .collect();
        ids.join(";")
    }

    fn alert_ids(&self, row: &Row<'_>) -> String {
        let ids: Vec<&str> = row
            .scores
            .alerts(row.pos)
            .filter_map(|k| self.alerts.get(k).map(|(id, _)| id.as_str()))
            .collect();
        ids.join(";")
    }

    fn dimension_score(&self, row: &Row<'_>, i: usize) -> f64 {
        let x = row
            .scores
            .indicator_scores(i)
            .and_then(|c| c.get(row.pos))
            .copied()
            .unwrap_or(f64::NAN);
        if x == 0.0 {
            0.0
        } else {
            x
        }
    }
}

fn at(column: &[f64], pos: usize) -> f64 {
    column.get(pos).copied().unwrap_or(f64::NAN)
}

/// Where scored rows go.
pub trait Sink {
    /// Writes (or keeps) one row, in input order; returns its error, if it has one.
    fn row(&mut self, out: &mut Out, row: &Row<'_>) -> Option<RecordError>;
    /// Ends the output.
    fn finish(&mut self, out: &mut Out) -> Result<(), String>;
}

/// Today's CSV columns, plus `vetoed`, and the `--by` columns after `name`.
pub struct Csv {
    layout: Layout,
    line: Line,
    fields: usize,
}

/// A CSV line being written.
#[derive(Default)]
struct Line {
    text: String,
    fields: usize,
}

impl Line {
    fn clear(&mut self) {
        self.text.clear();
        self.fields = 0;
    }

    fn sep(&mut self) {
        if self.fields > 0 {
            self.text.push(',');
        }
        self.fields += 1;
    }

    /// A text field, quoted when it must be.
    fn field(&mut self, text: &str) {
        self.sep();
        if text.contains([',', '"', '\n']) {
            self.text.push('"');
            self.text.push_str(&text.replace('"', "\"\""));
            self.text.push('"');
        } else {
            self.text.push_str(text);
        }
    }

    /// A number as `f64`'s `Display` writes it.
    fn number(&mut self, x: f64) {
        self.sep();
        display_f64(&mut self.text, x);
    }
}

/// Appends `x` exactly as `format!("{x}")` writes it (shortest digits that read back as `x`, no
/// exponent), several times faster: whole numbers directly, others from ryu's shortest digits.
/// The two differ only on exact ties between two shortest candidates (ryu rounds half to even),
/// which need 17 significant digits with one or two decimals: numbers of at least 2^49, written
/// by `Display` here.
fn display_f64(out: &mut String, x: f64) {
    if !x.is_finite() || x.abs() >= 1e14 {
        let _ = write!(out, "{x}");
        return;
    }
    if x.fract() == 0.0 && x.abs() < 1e15 && !(x == 0.0 && x.is_sign_negative()) {
        let _ = write!(out, "{}", x as i64);
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(x);
    let (mantissa, exponent) = match text.split_once('e') {
        None => {
            out.push_str(text.strip_suffix(".0").unwrap_or(text));
            return;
        }
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
    };
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let fraction = if fraction == "0" { "" } else { fraction };
    let digits = if fraction.is_empty() {
        whole
    } else {
        digits.as_str()
    };
    // Position of the decimal point within `digits`.
    let point = i64::try_from(whole.len()).unwrap_or(0) + exponent;
    out.push_str(sign);
    let len = i64::try_from(digits.len()).unwrap_or(0);
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..-point {
            out.push('0');
        }
        out.push_str(digits);
    } else if point >= len {
        out.push_str(digits);
        for _ in 0..point - len {
            out.push('0');
        }
    } else {
        let (a, b) = digits.split_at(usize::try_from(point).unwrap_or(0));
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    }
}

impl Csv {
    pub fn new(layout: Layout, out: &mut Out) -> Csv {
        let mut header: Vec<String> = ["rank", "id", "name"].map(String::from).to_vec();
        header.extend(layout.by.iter().cloned());
        header.extend(
            [
                "score",
                "max_score",
                "base_score",
                "bonus_score",
                "grade",
                "tier",
                "percentile",
            ]
            .map(String::from),
        );
        header.extend(layout.dimensions.iter().map(|(_, p, _)| p.clone()));
        header.extend(["vetoed", "vetoes", "alerts", "error"].map(String::from));
        // Provenance last, so that the columns before keep their places.
        header.extend(["ruleset", "ruleset_version", "ruleset_hash"].map(String::from));
        let mut line = Line::default();
        for h in &header {
            line.field(h);
        }
        line.text.push('\n');
        out.write(&line.text);
        Csv {
            layout,
            line,
            fields: header.len(),
        }
    }
}

impl Sink for Csv {
    fn row(&mut self, out: &mut Out, row: &Row<'_>) -> Option<RecordError> {
        let l = &self.layout;
        let line = &mut self.line;
        line.clear();
        let error = row.error();
        if let Some(e) = &error {
            line.field("");
            line.field(e.id.as_deref().unwrap_or(""));
            while line.fields < self.fields - 4 {
                line.field("");
            }
            line.field(&e.to_string());
        } else {
            let rank = row.rank();
            let placed = rank > 0;
            if placed {
                line.number(f64::from(rank));
            } else {
                line.field("");
            }
            line.field(row.batch.id(row.pos).unwrap_or(""));
            line.field(row.batch.name(row.pos).unwrap_or(""));
            for g in row.group {
                line.field(g);
            }
            let s = row.scores;
            line.number(at(s.totals(), row.pos));
            line.number(l.max_total);
            line.number(at(s.base_scores(), row.pos));
            line.number(at(s.bonus_scores(), row.pos));
            line.field(l.grade(row).unwrap_or(""));
            line.field(if placed {
                l.tier(row).unwrap_or("")
            } else {
                ""
            });
            if placed {
                line.number(at(s.percentiles(), row.pos));
            } else {
                line.field("");
            }
            for (d, _, _) in &l.dimensions {
                line.number(l.dimension_score(row, *d));
            }
            let vetoes = l.veto_ids(row);
            line.field(if vetoes.is_empty() { "false" } else { "true" });
            line.field(&vetoes);
            line.field(&l.alert_ids(row));
            line.field("");
        }
        for p in &l.provenance {
            line.field(p);
        }
        line.text.push('\n');
        out.write(&line.text);
        error
    }

    fn finish(&mut self, _out: &mut Out) -> Result<(), String> {
        Ok(())
    }
}

/// `{"results": [{"ok": evaluation} | {"error": error}, …], "ruleset": id, "ruleset_hash": …,
/// "ruleset_version": …}`, written as
/// `serde_json::to_string_pretty` writes the whole document, one result at a time.
pub struct Json<'r> {
    ruleset: &'r Ruleset,
    by: Vec<String>,
    first: bool,
}

impl<'r> Json<'r> {
    pub fn new(ruleset: &'r Ruleset, by: &[String], out: &mut Out) -> Json<'r> {
        out.write("{\n  \"results\": [");
        Json {
            ruleset,
            by: by.to_vec(),
            first: true,
        }
    }
}

impl Sink for Json<'_> {
    fn row(&mut self, out: &mut Out, row: &Row<'_>) -> Option<RecordError> {
        let explained = match row.forced {
            Some(e) => Err(e.clone()),
            None => self.ruleset.explain(row.batch, row.scores, row.pos),
        };
        let (mut item, error) = match explained {
            Ok(e) => (serde_json::json!({ "ok": e }), None),
            Err(e) => {
                let e = row.place(&e);
                (serde_json::json!({ "error": e }), Some(e))
            }
        };
        if !self.by.is_empty() {
            if let Some(map) = item.as_object_mut() {
                let group: serde_json::Map<String, serde_json::Value> = self
                    .by
                    .iter()
                    .zip(row.group)
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect();
                map.insert("group".into(), serde_json::Value::Object(group));
            }
        }
        let text = serde_json::to_string_pretty(&item).unwrap_or_default();
        let mut chunk = String::with_capacity(text.len() + text.len() / 8 + 8);
        chunk.push_str(if self.first { "\n" } else { ",\n" });
        self.first = false;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                chunk.push('\n');
            }
            chunk.push_str("    ");
            chunk.push_str(line);
        }
        out.write(&chunk);
        error
    }

    fn finish(&mut self, out: &mut Out) -> Result<(), String> {
        let p = self.ruleset.provenance();
        let [id, version, hash] =
            [&p.ruleset, &p.version, &p.hash].map(|s| serde_json::to_string(s).unwrap_or_default());
        // Keys in sorted order, as `serde_json` writes a whole document.
        let tail = format!(
            "\"ruleset\": {id},\n  \"ruleset_hash\": {hash},\n  \"ruleset_version\": {version}\n}}\n"
        );
        if self.first {
            out.write(&format!("],\n  {tail}"));
        } else {
            out.write(&format!("\n  ],\n  {tail}"));
        }
        Ok(())
    }
}

/// A row of the table, kept until the end.
struct Shown {
    rank: u32,
    file_row: usize,
    cells: Vec<String>,
    vetoes: String,
    alerts: String,
}

impl PartialEq for Shown {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Shown {}
impl PartialOrd for Shown {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Shown {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}
impl Shown {
    /// Unplaced rows last; ties in input order.
    fn key(&self) -> (u32, usize) {
        (
            if self.rank == 0 { u32::MAX } else { self.rank },
            self.file_row,
        )
    }
}

/// The ranked table: per cohort group, the best `top` rows (a bounded heap each).
pub struct Tabular {
    layout: Layout,
    title: String,
    top: usize,
    /// Per group: the best rows so far (a max-heap, so the worst is dropped first).
    groups: Vec<(Vec<String>, BinaryHeap<Shown>)>,
    scored: usize,
    errors: usize,
}

impl Tabular {
    pub fn new(layout: Layout, title: String, top: Option<usize>) -> Tabular {
        Tabular {
            layout,
            title,
            top: top.unwrap_or(usize::MAX),
            groups: Vec::new(),
            scored: 0,
            errors: 0,
        }
    }
}

impl Sink for Tabular {
    fn row(&mut self, _out: &mut Out, row: &Row<'_>) -> Option<RecordError> {
        if let Some(e) = row.error() {
            self.errors += 1;
            return Some(e);
        }
        self.scored += 1;
        if self.top == 0 {
            return None;
        }
        let g = match self.groups.iter().position(|(k, _)| k == row.group) {
            Some(g) => g,
            None => {
                self.groups.push((row.group.to_vec(), BinaryHeap::new()));
                self.groups.len() - 1
            }
        };
        let (_, heap) = self.groups.get_mut(g)?;
        let rank = row.rank();
        if heap.len() >= self.top
            && heap
                .peek()
                .is_some_and(|worst| worst.key() <= (rank, row.file_row))
        {
            return None;
        }
        let l = &self.layout;
        let s = row.scores;
        let mut cells = vec![
            if rank > 0 {
                rank.to_string()
            } else {
                String::new()
            },
            row.batch.id(row.pos).unwrap_or_default().to_string(),
            row.batch.name(row.pos).unwrap_or_default().to_string(),
        ];
        cells.extend(row.group.iter().cloned());
        cells.push(format!(
            "{}/{}",
            num(at(s.totals(), row.pos)),
            num(l.max_total)
        ));
        cells.push(l.grade(row).unwrap_or("—").to_string());
        cells.push(if rank > 0 {
            l.tier(row).unwrap_or("").to_string()
        } else {
            String::new()
        });
        for (d, _, _) in &l.dimensions {
            let x = l.dimension_score(row, *d);
            cells.push(if x.is_nan() {
                "—".to_string()
            } else {
                num(x)
            });
        }
        let levels: Vec<&str> = s
            .alerts(row.pos)
            .filter_map(|k| l.alerts.get(k).map(|(_, level)| level.as_str()))
            .collect();
        heap.push(Shown {
            rank,
            file_row: row.file_row,
            cells,
            vetoes: l.veto_ids(row),
            alerts: alert_levels(&levels, l.lang),
        });
        if heap.len() > self.top {
            heap.pop();
        }
        None
    }

    fn finish(&mut self, out: &mut Out) -> Result<(), String> {
        let l = &self.layout;
        let en = l.lang == Lang::En;
        let mut text = String::new();
        let _ = writeln!(text, "{}", self.title);
        let mut head: Vec<String> = if en {
            ["Rank", "ID", "Name"].map(String::from).to_vec()
        } else {
            ["排名", "编号", "名称"].map(String::from).to_vec()
        };
        head.extend(l.by.iter().cloned());
        head.extend(if en {
            ["Total", "Grade", "Tier"].map(String::from)
        } else {
            ["总分", "等次", "档次"].map(String::from)
        });
        head.extend(l.dimensions.iter().map(|(_, _, n)| n.clone()));
        let shown: Vec<Shown> = std::mem::take(&mut self.groups)
            .into_iter()
            .flat_map(|(_, heap)| heap.into_sorted_vec())
            .collect();
        // Vetoes and early warnings get columns only when some unit shown has them.
        let show_vetoes = shown.iter().any(|s| !s.vetoes.is_empty());
        let show_alerts = shown.iter().any(|s| !s.alerts.is_empty());
        if show_vetoes {
            head.push(if en { "Vetoes" } else { "否决" }.into());
        }
        if show_alerts {
            head.push(if en { "Alerts" } else { "预警" }.into());
        }
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(head);
        let by = l.by.len();
        for s in shown {
            let mut row: Vec<TableCell> = Vec::with_capacity(s.cells.len() + 2);
            for (i, c) in s.cells.into_iter().enumerate() {
                // Rank, total and the dimensions are numbers.
                let right = i == 0 || i == 3 + by || i >= 6 + by;
                let cell = TableCell::new(c);
                row.push(if right {
                    cell.set_alignment(CellAlignment::Right)
                } else {
                    cell
                });
            }
            if show_vetoes {
                row.push(TableCell::new(s.vetoes));
            }
            if show_alerts {
                row.push(TableCell::new(s.alerts));
            }
            table.add_row(row);
        }
        let _ = writeln!(text, "{table}");
        let _ = writeln!(
            text,
            "{}",
            if en {
                format!("{} scored, {} with errors", self.scored, self.errors)
            } else {
                format!("共评价{}个单位，{}条记录有误", self.scored, self.errors)
            }
        );
        out.write(&text);
        Ok(())
    }
}

/// Alerts counted by level, most severe first: `红2 橙1` / `red 2, orange 1`.
pub fn alert_levels(levels: &[&str], lang: Lang) -> String {
    let names = [
        ("red", "红"),
        ("orange", "橙"),
        ("yellow", "黄"),
        ("blue", "蓝"),
    ];
    let parts: Vec<String> = names
        .iter()
        .filter_map(|(en, zh)| {
            let n = levels.iter().filter(|l| *l == en).count();
            (n > 0).then(|| {
                if lang == Lang::En {
                    format!("{en} {n}")
                } else {
                    format!("{zh}{n}")
                }
            })
        })
        .collect();
    parts.join(if lang == Lang::En { ", " } else { " " })
}

#[cfg(test)]
mod tests {
    use super::display_f64;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let check = |x: f64| {
            let mut got = String::new();
            display_f64(&mut got, x);
            assert_eq!(got, format!("{x}"), "{:e}", x);
        };
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            75.54653627985319,
            1e-7,
            1.5e-7,
            1e15,
            1.5e16,
            1e21,
            123456789.125,
            0.1 + 0.2,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            1e300,
            -2.5e-300,
            f64::NAN,
            f64::INFINITY,
            99.99999999999999,
            1e16 + 2.0,
        ] {
            check(x);
        }
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for i in 0..300_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = match i % 3 {
                0 => f64::from_bits(seed),
                // Scores: a few decimals, and sums of them.
                1 => (seed % 100_000_000) as f64 / 10f64.powi((seed >> 60) as i32 % 9),
                _ => (seed % 1_000_000) as f64 / 997.0 * 0.1,
            };
            check(x);
        }
    }
}
