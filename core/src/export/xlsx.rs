//! Excel workbooks (with `rust_xlsxwriter`): the ranking a director reads, and the rule table.
//!
//! [`RankingWorkbook`] collects evaluations one at a time (the CLI streams its file through it)
//! and writes:
//! - 排名 / Ranking: rank, id, name, total, grade, tier, percentile, each dimension, vetoes,
//!   alerts — header frozen, filters on, numbers as numbers with a display format;
//! - one sheet per dimension (一级指标) with the points of each indicator under it;
//! - 失分明细 / Points lost: every deduction, zeroing, missing item and veto, with its reason;
//! - 未能评分 / Not scored: rows that could not be scored (only when there are some);
//! - 规则信息 / Ruleset: the ruleset's name, id, version and content hash (provenance).

use super::{level_word, named, points_title, ruleset_name, say};
use crate::evaluation::{Evaluation, ReasonKind, Status};
use crate::{Lang, Ruleset};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// Excel's limit on rows in a sheet.
const MAX_ROWS: usize = 1_048_575;

/// A workbook being filled: one [`RankingWorkbook::add`] per scored unit, then
/// [`RankingWorkbook::to_bytes`] or [`RankingWorkbook::save`].
pub struct RankingWorkbook<'r> {
    ruleset: &'r Ruleset,
    lang: Lang,
    /// Names of the grouping columns (cohorts per group), shown after the name.
    by: Vec<String>,
    dims: Vec<Dimension>,
    units: Vec<Unit>,
    lost: Vec<Lost>,
    failed: Vec<(Option<String>, String)>,
}

/// A dimension (一级指标) and the indicators under it, as indexes into the evaluation's nodes.
struct Dimension {
    name: String,
    node: usize,
    below: Vec<usize>,
    titles: Vec<String>,
}

struct Unit {
    order: usize,
    rank: Option<usize>,
    id: String,
    name: String,
    group: Vec<String>,
    score: f64,
    max: f64,
    base: f64,
    bonus: f64,
    grade: String,
    tier: String,
    percentile: Option<f64>,
    /// Per node (ruleset order): points, or `None` when not applicable or left out.
    points: Vec<Option<f64>>,
    vetoes: String,
    alerts: String,
}

struct Lost {
    id: String,
    name: String,
    indicator: String,
    points: Option<f64>,
    reason: String,
}

impl<'r> RankingWorkbook<'r> {
    /// An empty workbook for results of `ruleset`; `by` names the grouping columns, if any.
    pub fn new(ruleset: &'r Ruleset, lang: Lang, by: &[String]) -> RankingWorkbook<'r> {
        let tree = ruleset.tree();
        let paths = ruleset.indicator_paths();
        let index = |path: &str| paths.iter().position(|p| *p == path);
        let mut dims = Vec::new();
        for d in &tree.children {
            let Some(node) = index(&d.path) else { continue };
            let mut below = Vec::new();
            let mut titles = Vec::new();
            let mut stack: Vec<&crate::IndicatorInfo> = d.children.iter().rev().collect();
            while let Some(n) = stack.pop() {
                if let Some(i) = index(&n.path) {
                    below.push(i);
                    titles.push(points_title(
                        lang,
                        named(lang, &n.name, n.name_en.as_deref()),
                        n.points,
                    ));
                }
                stack.extend(n.children.iter().rev());
            }
            dims.push(Dimension {
                name: named(lang, &d.name, d.name_en.as_deref()).to_string(),
                node,
                below,
                titles,
            });
        }
        RankingWorkbook {
            ruleset,
            lang,
            by: by.to_vec(),
            dims,
            units: Vec::new(),
            lost: Vec::new(),
            failed: Vec::new(),
        }
    }

    /// Adds one unit's evaluation; `group` holds its values of the grouping columns.
    pub fn add(&mut self, e: &Evaluation, group: &[String]) {
        let lang = self.lang;
        let id = e.id.clone().unwrap_or_default();
        let name = e.name.clone().unwrap_or_default();
        let names: Vec<&str> = e
            .nodes
            .iter()
            .map(|n| named(lang, &n.name, n.name_en.as_deref()))
            .collect();
        for r in &e.reasons {
            let kind = match r.kind {
                ReasonKind::Deduction
                | ReasonKind::Zeroed
                | ReasonKind::Missing
                | ReasonKind::Veto => r.kind,
                _ => continue,
            };
            let indicator = match &r.path {
                Some(path) => indicator_trail(e, &names, path),
                None if kind == ReasonKind::Veto => say(lang, "一票否决", "Veto").to_string(),
                None => String::new(),
            };
            self.lost.push(Lost {
                id: id.clone(),
                name: name.clone(),
                indicator,
                points: r.points,
                reason: lang.pick(&r.text).to_string(),
            });
        }
        let points = e
            .nodes
            .iter()
            .map(|n| {
                let left_out = n.status == Status::NotApplicable
                    || (n.status == Status::Missing && !n.counted);
                (!left_out).then_some(n.score)
            })
            .collect();
        let sep = say(lang, "；", "; ");
        let vetoes = e
            .vetoes
            .iter()
            .map(|v| lang.pick(&v.reason).to_string())
            .collect::<Vec<_>>()
            .join(sep);
        let alerts = e
            .alerts
            .iter()
            .map(|a| format!("{}：{}", level_word(lang, &a.level), lang.pick(&a.message)))
            .collect::<Vec<_>>()
            .join(sep);
        let grade = match (lang, &e.grade_en) {
            (Lang::En, Some(en)) => en.clone(),
            _ => e.grade.clone().unwrap_or_default(),
        };
        self.units.push(Unit {
            order: self.units.len(),
            rank: e.cohort.as_ref().map(|c| c.rank),
            id,
            name,
            group: group.to_vec(),
            score: e.score,
            max: e.max_score,
            base: e.base_score,
            bonus: e.bonus_score,
            grade,
            tier: e
                .cohort
                .as_ref()
                .and_then(|c| c.tier.clone())
                .unwrap_or_default(),
            percentile: e.cohort.as_ref().map(|c| c.percentile),
            points,
            vetoes,
            alerts,
        });
    }

    /// Adds a row that could not be scored: its id (if known) and the reason in words.
    pub fn add_failed(&mut self, id: Option<&str>, message: &str) {
        self.failed
            .push((id.map(str::to_string), message.to_string()));
    }

    /// Number of units added so far (scored and not).
    pub fn len(&self) -> usize {
        self.units.len() + self.failed.len()
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the workbook to a file.
    pub fn save(&mut self, path: &std::path::Path) -> Result<(), String> {
        let bytes = self.to_bytes()?;
        std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The workbook as the bytes of an `.xlsx` file.
    pub fn to_bytes(&mut self) -> Result<Vec<u8>, String> {
        if self.units.len() > MAX_ROWS || self.lost.len() > MAX_ROWS {
            return Err(match self.lang {
                Lang::Zh => format!("结果超过 Excel 单表 {MAX_ROWS} 行的上限，请改用 CSV 输出"),
                Lang::En => format!(
                    "the results exceed Excel's limit of {MAX_ROWS} rows a sheet: write CSV instead"
                ),
            });
        }
        // Ranked units first, by group and rank; units without a place keep their input order.
        self.units.sort_by(|a, b| {
            (a.rank.is_none(), &a.group, a.rank, a.order).cmp(&(
                b.rank.is_none(),
                &b.group,
                b.rank,
                b.order,
            ))
        });
        self.build().map_err(|e| e.to_string())
    }

    fn build(&self) -> Result<Vec<u8>, XlsxError> {
        let lang = self.lang;
        let styles = Styles::new();
        let mut book = Workbook::new();
        book.set_properties(
            &rust_xlsxwriter::DocProperties::new()
                .set_title(ruleset_name(self.ruleset, lang))
                .set_comment(provenance_line(self.ruleset)),
        );
        let mut names = SheetNames::default();

        // The ranking.
        let sheet = book.add_worksheet();
        sheet.set_name(names.take(say(lang, "排名", "Ranking")))?;
        let mut head: Vec<String> = [
            say(lang, "名次", "Rank"),
            say(lang, "编号", "ID"),
            say(lang, "名称", "Name"),
        ]
        .map(String::from)
        .to_vec();
        head.extend(self.by.iter().cloned());
        head.extend(
            [
                say(lang, "总分", "Total"),
                say(lang, "满分", "Maximum"),
                say(lang, "基础分", "Base score"),
                say(lang, "附加分", "Bonus"),
                say(lang, "等级", "Grade"),
                say(lang, "分档", "Tier"),
                say(lang, "百分位", "Percentile"),
            ]
            .map(String::from),
        );
        head.extend(self.dims.iter().map(|d| d.name.clone()));
        head.extend(
            [say(lang, "一票否决", "Vetoes"), say(lang, "预警", "Alerts")].map(String::from),
        );
        header(sheet, &head, &styles)?;
        for (i, u) in self.units.iter().enumerate() {
            let row = (i + 1) as u32;
            let mut c = Cells::new(sheet, row);
            c.number_or_blank(u.rank.map(|r| r as f64), &styles.whole)?;
            c.text(&u.id)?;
            c.text(&u.name)?;
            for g in &u.group {
                c.text(g)?;
            }
            c.number(u.score, &styles.points)?;
            c.number(u.max, &styles.points)?;
            c.number(u.base, &styles.points)?;
            c.number(u.bonus, &styles.points)?;
            c.text(&u.grade)?;
            c.text(&u.tier)?;
            c.number_or_blank(u.percentile, &styles.percent)?;
            for d in &self.dims {
                c.number_or_blank(u.points.get(d.node).copied().flatten(), &styles.points)?;
            }
            c.text(&u.vetoes)?;
            c.text(&u.alerts)?;
        }
        finish(sheet, head.len(), self.units.len(), 3)?;

        // One sheet per dimension.
        for d in &self.dims {
            let sheet = book.add_worksheet();
            sheet.set_name(names.take(&d.name))?;
            let mut head: Vec<String> = [
                say(lang, "名次", "Rank"),
                say(lang, "编号", "ID"),
                say(lang, "名称", "Name"),
            ]
            .map(String::from)
            .to_vec();
            head.extend(self.by.iter().cloned());
            head.push(say(lang, "本项得分", "Dimension score").to_string());
            head.extend(d.titles.iter().cloned());
            header(sheet, &head, &styles)?;
            for (i, u) in self.units.iter().enumerate() {
                let mut c = Cells::new(sheet, (i + 1) as u32);
                c.number_or_blank(u.rank.map(|r| r as f64), &styles.whole)?;
                c.text(&u.id)?;
                c.text(&u.name)?;
                for g in &u.group {
                    c.text(g)?;
                }
                c.number_or_blank(u.points.get(d.node).copied().flatten(), &styles.points)?;
                for &n in &d.below {
                    c.number_or_blank(u.points.get(n).copied().flatten(), &styles.points)?;
                }
            }
            finish(sheet, head.len(), self.units.len(), 3)?;
        }

        // Points lost, with reasons.
        let sheet = book.add_worksheet();
        sheet.set_name(names.take(say(lang, "失分明细", "Points lost")))?;
        let head: Vec<String> = [
            say(lang, "编号", "ID"),
            say(lang, "名称", "Name"),
            say(lang, "指标", "Indicator"),
            say(lang, "失分", "Points lost"),
            say(lang, "原因", "Reason"),
        ]
        .map(String::from)
        .to_vec();
        header(sheet, &head, &styles)?;
        for (i, l) in self.lost.iter().enumerate() {
            let mut c = Cells::new(sheet, (i + 1) as u32);
            c.text(&l.id)?;
            c.text(&l.name)?;
            c.text(&l.indicator)?;
            c.number_or_blank(l.points, &styles.points)?;
            c.wrapped(&l.reason, &styles.wrap)?;
        }
        finish(sheet, head.len(), self.lost.len(), 2)?;
        sheet.set_column_width(4, 60)?;

        if !self.failed.is_empty() {
            let sheet = book.add_worksheet();
            sheet.set_name(names.take(say(lang, "未能评分", "Not scored")))?;
            let head: Vec<String> = [say(lang, "编号", "ID"), say(lang, "原因", "Reason")]
                .map(String::from)
                .to_vec();
            header(sheet, &head, &styles)?;
            for (i, (id, message)) in self.failed.iter().enumerate() {
                let mut c = Cells::new(sheet, (i + 1) as u32);
                c.text(id.as_deref().unwrap_or(""))?;
                c.wrapped(message, &styles.wrap)?;
            }
            finish(sheet, head.len(), self.failed.len(), 1)?;
            sheet.set_column_width(1, 80)?;
        }

        let sheet = book.add_worksheet();
        sheet.set_name(names.take(say(lang, "规则信息", "Ruleset")))?;
        ruleset_sheet(sheet, self.ruleset, lang, &styles)?;

        book.save_to_buffer()
    }
}

/// "组织领导 › 领导小组": an indicator's name under its ancestors' names.
fn indicator_trail(e: &Evaluation, names: &[&str], path: &str) -> String {
    let mut parts = Vec::new();
    let mut end = 0;
    for (i, _) in path.match_indices('.').chain([(path.len(), "")]) {
        let prefix = path.get(..i).unwrap_or(path);
        if let Some(pos) = e.nodes.iter().position(|n| n.path == prefix) {
            if let Some(name) = names.get(pos) {
                parts.push(*name);
            }
        }
        end = i;
    }
    if parts.is_empty() {
        return path.get(..end).unwrap_or(path).to_string();
    }
    parts.join(" › ")
}

/// "id v版本 sha256:…": the provenance in one line.
pub(crate) fn provenance_line(ruleset: &Ruleset) -> String {
    let p = ruleset.provenance();
    format!("{} v{} sha256:{}", p.ruleset, p.version, p.hash)
}

struct Styles {
    head: Format,
    points: Format,
    whole: Format,
    percent: Format,
    share: Format,
    wrap: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            head: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(0xDDEBF7)
                .set_border(FormatBorder::Thin),
            points: Format::new().set_num_format("0.00"),
            whole: Format::new().set_num_format("0"),
            percent: Format::new().set_num_format("0.0"),
            share: Format::new().set_num_format("0.0%"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// Writes the cells of one row from left to right.
struct Cells<'s> {
    sheet: &'s mut Worksheet,
    row: u32,
    col: u16,
}

impl<'s> Cells<'s> {
    fn new(sheet: &'s mut Worksheet, row: u32) -> Cells<'s> {
        Cells { sheet, row, col: 0 }
    }

    fn text(&mut self, text: &str) -> Result<(), XlsxError> {
        if !text.is_empty() {
            self.sheet.write_string(self.row, self.col, text)?;
        }
        self.col += 1;
        Ok(())
    }

    fn wrapped(&mut self, text: &str, format: &Format) -> Result<(), XlsxError> {
        self.sheet
            .write_string_with_format(self.row, self.col, text, format)?;
        self.col += 1;
        Ok(())
    }

    fn number(&mut self, x: f64, format: &Format) -> Result<(), XlsxError> {
        self.number_or_blank(Some(x), format)
    }

    fn number_or_blank(&mut self, x: Option<f64>, format: &Format) -> Result<(), XlsxError> {
        if let Some(x) = x.filter(|x| x.is_finite()) {
            self.sheet
                .write_number_with_format(self.row, self.col, x, format)?;
        }
        self.col += 1;
        Ok(())
    }
}

fn header(sheet: &mut Worksheet, titles: &[String], styles: &Styles) -> Result<(), XlsxError> {
    for (col, title) in titles.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, title, &styles.head)?;
    }
    sheet.set_row_height(0, 30)?;
    Ok(())
}

/// Frozen header (and the first `frozen_cols` columns), filters, column widths.
fn finish(
    sheet: &mut Worksheet,
    cols: usize,
    rows: usize,
    frozen_cols: u16,
) -> Result<(), XlsxError> {
    sheet.set_freeze_panes(1, frozen_cols)?;
    if cols > 0 {
        sheet.autofilter(0, 0, rows as u32, (cols - 1) as u16)?;
    }
    sheet.autofit();
    Ok(())
}

fn ruleset_sheet(
    sheet: &mut Worksheet,
    ruleset: &Ruleset,
    lang: Lang,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let m = ruleset.metadata();
    let p = ruleset.provenance();
    let mut rows: Vec<(&str, String)> = vec![
        (
            say(lang, "评价体系", "Evaluation system"),
            ruleset_name(ruleset, lang).to_string(),
        ),
        (say(lang, "规则编号", "Ruleset id"), p.ruleset),
        (say(lang, "版本", "Version"), p.version),
        (
            say(lang, "内容哈希（SHA-256）", "Content hash (SHA-256)"),
            p.hash,
        ),
        (say(lang, "满分", "Scale"), crate::format_number(m.scale)),
    ];
    if let Some(issuer) = &m.issuer {
        rows.push((say(lang, "发布单位", "Issued by"), issuer.clone()));
    }
    for (i, (label, value)) in rows.iter().enumerate() {
        sheet.write_string_with_format(i as u32, 0, *label, &styles.head)?;
        sheet.write_string(i as u32, 1, value)?;
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 70)?;
    Ok(())
}

/// Sheet names: Excel allows 31 characters, none of `[]:*?/\`, and no two alike.
#[derive(Default)]
struct SheetNames(Vec<String>);

impl SheetNames {
    fn take(&mut self, wanted: &str) -> String {
        let clean: String = wanted
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
            .collect();
        let clean = clean.trim_matches('\'').to_string();
        let base: String = clean.chars().take(28).collect();
        let base = if base.is_empty() {
            "Sheet".to_string()
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while self
            .0
            .iter()
            .any(|s| s.to_lowercase() == name.to_lowercase())
        {
            name = format!("{base}{n}");
            n += 1;
        }
        self.0.push(name.clone());
        name
    }
}

/// The 评分细则 table as a workbook: the indicator rows on the first sheet (names by level,
/// points as numbers, the criterion and the method wrapped), the ruleset-wide rules (bonus,
/// vetoes, grades, tiers, warnings) on the second, provenance on the third.
pub fn rule_table_workbook(table: &super::table::RuleTable) -> Result<Vec<u8>, String> {
    build_rule_table(table).map_err(|e| e.to_string())
}

fn build_rule_table(table: &super::table::RuleTable) -> Result<Vec<u8>, XlsxError> {
    let lang = table.lang;
    let styles = Styles::new();
    let mut book = Workbook::new();
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(&table.title)
            .set_comment(table.provenance_line()),
    );
    let depth = table.depth();
    let sheet = book.add_worksheet();
    sheet.set_name(say(lang, "评分细则", "Scoring rules"))?;
    let weighted = table.weighted();
    let titles = super::table::titles(lang, depth, weighted);
    header(sheet, &titles, &styles)?;
    let bold = Format::new().set_bold().set_text_wrap();
    for (i, (cells, row)) in table.cells().iter().zip(&table.rows).enumerate() {
        let r = (i + 1) as u32;
        for (c, text) in cells.iter().enumerate() {
            let col = c as u16;
            if c == depth && !row.bonus {
                sheet.write_number_with_format(r, col, row.points, &styles.points)?;
            } else if c == depth + 1 && weighted {
                // The share among the siblings, as a percentage a spreadsheet can sum.
                if let Some((_, share)) = row.weight {
                    sheet.write_number_with_format(r, col, share, &styles.share)?;
                }
            } else if c < depth && !text.is_empty() {
                sheet.write_string_with_format(r, col, text, &bold)?;
            } else if !text.is_empty() {
                sheet.write_string_with_format(r, col, text, &styles.wrap)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    for c in 0..depth {
        sheet.set_column_width(c as u16, 16)?;
    }
    sheet.set_column_width(depth as u16, 10)?;
    let after = depth + 1 + usize::from(weighted);
    if weighted {
        sheet.set_column_width((depth + 1) as u16, 10)?;
    }
    sheet.set_column_width(after as u16, 50)?;
    sheet.set_column_width((after + 1) as u16, 60)?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_repeat_rows(0, 0)?;

    let sheet = book.add_worksheet();
    sheet.set_name(say(lang, "其他规则", "Other rules"))?;
    let head: Vec<String> = [
        say(lang, "类别", "Kind"),
        say(lang, "名称", "Name"),
        say(lang, "规则", "Rule"),
    ]
    .map(String::from)
    .to_vec();
    header(sheet, &head, &styles)?;
    let mut r = 1u32;
    for (title, lines) in table.sections() {
        for (name, rule) in lines {
            sheet.write_string(r, 0, &title)?;
            sheet.write_string(r, 1, &name)?;
            sheet.write_string_with_format(r, 2, &rule, &styles.wrap)?;
            r += 1;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_column_width(0, 12)?;
    sheet.set_column_width(1, 30)?;
    sheet.set_column_width(2, 80)?;

    let sheet = book.add_worksheet();
    sheet.set_name(say(lang, "规则信息", "Ruleset"))?;
    let p = &table.provenance;
    let rows = [
        (
            say(lang, "评价体系", "Evaluation system"),
            table.title.clone(),
        ),
        (say(lang, "规则编号", "Ruleset id"), p.ruleset.clone()),
        (say(lang, "版本", "Version"), p.version.clone()),
        (
            say(lang, "内容哈希（SHA-256）", "Content hash (SHA-256)"),
            p.hash.clone(),
        ),
    ];
    for (i, (label, value)) in rows.iter().enumerate() {
        sheet.write_string_with_format(i as u32, 0, *label, &styles.head)?;
        sheet.write_string(i as u32, 1, value)?;
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 70)?;
    book.save_to_buffer()
}
