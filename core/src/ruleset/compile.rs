//! Validation and compilation: TOML text → [`Ruleset`]. Collects every error it can find (with
//! file, line:column and indicator path) instead of stopping at the first.

use super::schema::{self, RulesetDoc, Text};
use super::*;
use crate::error::{Diagnostic, LineIndex, RulesetError, Severity};
use crate::expr::{Scope, Type, Var};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use toml::Spanned;

mod scorer;

pub(super) fn compile(
    text: &str,
    file: Option<&str>,
    limits: &Limits,
) -> Result<Ruleset, RulesetError> {
    let mut cx = Cx {
        text,
        lines: LineIndex::new(text),
        file,
        errors: Vec::new(),
        warnings: Vec::new(),
        inputs: Vec::new(),
        slots: HashMap::new(),
    };
    if text.len() > limits.max_bytes {
        cx.error(
            "ruleset.too_large",
            None,
            None,
            format!(
                "the ruleset is {} bytes long; the limit is {}",
                text.len(),
                limits.max_bytes
            ),
        );
        return Err(cx.finish_err());
    }
    // Not-a-number and infinite constants would make NaN scores and silent zero totals: every
    // number in a ruleset must be finite, wherever it is.
    for span in non_finite_numbers(text) {
        let path = enclosing_indicator(text, span.start);
        let written = text.get(span.clone()).unwrap_or("").trim().to_string();
        cx.error(
            "ruleset.bad_number",
            Some(span),
            path.as_deref(),
            format!("`{written}` is not a finite number; every number in a ruleset must be finite"),
        );
    }
    if !cx.errors.is_empty() {
        return Err(cx.finish_err());
    }
    let doc: RulesetDoc = match toml::from_str(text) {
        Ok(doc) => doc,
        Err(e) => {
            // A document-level error (e.g. no `[ruleset]` table) has no span: point at the start.
            let span = e.span().unwrap_or(0..0);
            let path = enclosing_indicator(text, span.start);
            cx.error(
                "ruleset.toml",
                Some(span),
                path.as_deref(),
                e.message().trim().to_string(),
            );
            return Err(cx.finish_err());
        }
    };
    for (what, count, max, over) in [
        (
            "inputs",
            doc.input.len(),
            limits.max_inputs,
            doc.input.get(limits.max_inputs).map(|d| d.span()),
        ),
        (
            "indicators",
            doc.indicator.len(),
            limits.max_indicators,
            doc.indicator.get(limits.max_indicators).map(|d| d.span()),
        ),
    ] {
        if count > max {
            cx.error(
                "ruleset.too_large",
                over,
                None,
                format!("the ruleset declares {count} {what}; the limit is {max}"),
            );
        }
    }
    if let Some(deep) = doc
        .indicator
        .iter()
        .find(|d| d.get_ref().id.get_ref().split('.').count() > limits.max_depth)
    {
        let id = deep.get_ref().id.get_ref();
        cx.error(
            "ruleset.too_deep",
            Some(deep.get_ref().id.span()),
            Some(&crate::excerpt(id, 80)),
            format!(
                "the indicator tree is {} levels deep here; the limit is {}",
                id.split('.').count(),
                limits.max_depth
            ),
        );
    }
    if !cx.errors.is_empty() {
        return Err(cx.finish_err());
    }
    let ruleset = cx.ruleset(doc);
    if cx.errors.is_empty() {
        if let Some(mut ruleset) = ruleset {
            ruleset.warnings = cx.warnings;
            // The document as data, kept for its hash and for `with_changes` (the text parsed
            // once more: the typed parse above keeps spans, this one keeps every key).
            if let Ok(source) = text.parse::<toml::Table>() {
                ruleset.hash = crate::provenance::hash(&source);
                ruleset.source = std::sync::Arc::new(source);
            }
            return Ok(ruleset);
        }
    }
    Err(cx.finish_err())
}

struct Cx<'a> {
    text: &'a str,
    /// Line starts of `text`, for placing diagnostics.
    lines: LineIndex,
    file: Option<&'a str>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    inputs: Vec<Input>,
    /// Slot of each input name in `inputs` (the first, when a name is declared twice).
    slots: HashMap<String, usize>,
}

/// Expressions see the declared inputs (survey inputs are for the survey scorer only).
impl Scope for Cx<'_> {
    fn resolve(&self, name: &str) -> Option<Var<'_>> {
        let slot = self.input_index(name)?;
        let input = self.inputs.get(slot)?;
        let ty = match input.kind {
            InputType::Number | InputType::Count => Type::Number,
            InputType::Boolean => Type::Bool,
            InputType::Category => Type::Text,
            InputType::Survey => return None,
        };
        let allowed = (input.kind == InputType::Category).then_some(input.values.as_slice());
        Some(Var { slot, ty, allowed })
    }

    fn names(&self) -> Vec<String> {
        self.inputs.iter().map(|i| i.name.clone()).collect()
    }
}

/// The places of the floats `nan` and `inf` (any sign) in a TOML text; none when it does not
/// parse (the parser's own error is reported then). Walks the document with a stack, not by
/// recursion, so that nesting cannot exhaust the thread's stack.
fn non_finite_numbers(text: &str) -> Vec<Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let Ok(table) = DeTable::parse(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut stack: Vec<&Spanned<DeValue<'_>>> = table.get_ref().values().collect();
    while let Some(value) = stack.pop() {
        match value.get_ref() {
            DeValue::Float(f) if f.as_str().contains("nan") || f.as_str().contains("inf") => {
                found.push(value.span());
            }
            DeValue::Array(items) => stack.extend(items.iter()),
            DeValue::Table(t) => stack.extend(t.values()),
            _ => {}
        }
    }
    found.sort_by_key(|s| s.start);
    found
}

/// The id of the `[[indicator]]` table around a byte offset, read from the raw text (used when the
/// TOML itself does not parse, so that the error still names the indicator).
fn enclosing_indicator(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset.min(text.len()))?;
    let header = before.rfind("[[indicator]]")?;
    // The table ends at the next header; its `id` may come before or after the error.
    let table = text.get(header + "[[indicator]]".len()..)?;
    let end = table.find("\n[").map_or(table.len(), |i| i + 1);
    if before.get(header..)?.matches("\n[").count() > 0 {
        return None; // another table started between the indicator and the error
    }
    table.get(..end)?.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim() == "id").then(|| value.trim().trim_matches(['"', '\'']).to_string())
    })
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

impl<'a> Cx<'a> {
    /// The slot of the first input declared with `name`.
    fn input_index(&self, name: &str) -> Option<usize> {
        self.slots.get(name).copied()
    }

    fn finish_err(&mut self) -> RulesetError {
        let by_place = |d: &Diagnostic| (d.line.unwrap_or(0), d.column.unwrap_or(0));
        self.errors.sort_by_key(by_place);
        self.warnings.sort_by_key(by_place);
        RulesetError {
            errors: std::mem::take(&mut self.errors),
            warnings: std::mem::take(&mut self.warnings),
        }
    }

    fn diag(
        &self,
        severity: Severity,
        code: &'static str,
        span: Option<Range<usize>>,
        path: Option<&str>,
        message: String,
    ) -> Diagnostic {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = self.lines.line_col(self.text, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        Diagnostic {
            code,
            message,
            severity,
            file: self.file.map(str::to_string),
            line,
            column,
            path: path.map(str::to_string),
        }
    }

    fn error(
        &mut self,
        code: &'static str,
        span: Option<Range<usize>>,
        path: Option<&str>,
        message: String,
    ) {
        let d = self.diag(Severity::Error, code, span, path, message);
        self.errors.push(d);
    }

    fn warn(
        &mut self,
        code: &'static str,
        span: Option<Range<usize>>,
        path: Option<&str>,
        message: String,
    ) {
        let d = self.diag(Severity::Warning, code, span, path, message);
        self.warnings.push(d);
    }

    /// Compiles an expression written in a TOML string, mapping its errors into the file.
    fn expr(&mut self, src: &Text, expected: Type, path: &str) -> Option<Expr> {
        match Expr::compile(src.get_ref(), self, Some(expected)) {
            Ok(e) => Some(e),
            Err(errors) => {
                let start = src.span().start;
                let quote = if self
                    .text
                    .get(start..start + 3)
                    .is_some_and(|q| q == "\"\"\"" || q == "'''")
                {
                    3
                } else {
                    1
                };
                for e in errors {
                    let at = start + quote + e.offset;
                    self.error(
                        e.code,
                        Some(at..at + e.len),
                        Some(path),
                        format!("{} in `{}`", e.message, crate::excerpt(src.get_ref(), 80)),
                    );
                }
                None
            }
        }
    }

    fn choice<T: Copy>(
        &mut self,
        src: &Text,
        options: &[(&str, T)],
        what: &str,
        path: Option<&str>,
    ) -> Option<T> {
        let found = options
            .iter()
            .find(|(name, _)| *name == src.get_ref().as_str())
            .map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            self.error(
                "ruleset.unknown_choice",
                Some(src.span()),
                path,
                format!(
                    "`{}` is not a {what}; expected one of: {}",
                    src.get_ref(),
                    names.join(", ")
                ),
            );
        }
        found
    }

    /// The exponent of a group: required by `power` (within [−10, 10], where the powers of
    /// shares stay finite), −1 for `harmonic`, and a warning where it has no effect.
    fn exponent(
        &mut self,
        aggregate: Aggregate,
        exponent: Option<&Spanned<f64>>,
        span: Option<Range<usize>>,
        path: Option<&str>,
    ) -> f64 {
        match (aggregate, exponent) {
            (Aggregate::Power, Some(p)) => {
                let v = *p.get_ref();
                if !(v.is_finite() && (-MAX_EXPONENT..=MAX_EXPONENT).contains(&v)) {
                    self.error(
                        "ruleset.bad_number",
                        Some(p.span()),
                        path,
                        format!("`exponent` must lie within [-{MAX_EXPONENT}, {MAX_EXPONENT}]"),
                    );
                    return 1.0;
                }
                v
            }
            (Aggregate::Power, None) => {
                self.error(
                    "ruleset.missing_field",
                    span,
                    path,
                    "`aggregate = \"power\"` needs an `exponent` (1 arithmetic, 0 geometric, -1 harmonic)"
                        .into(),
                );
                1.0
            }
            (_, Some(p)) => {
                self.warn(
                    "ruleset.unused_field",
                    Some(p.span()),
                    path,
                    "`exponent` is used only with `aggregate = \"power\"`".into(),
                );
                if aggregate == Aggregate::Harmonic {
                    -1.0
                } else {
                    1.0
                }
            }
            (Aggregate::Harmonic, None) => -1.0,
            (_, None) => 1.0,
        }
    }

    fn ruleset(&mut self, doc: RulesetDoc) -> Option<Ruleset> {
        let meta_span = doc.ruleset.span();
        let meta = doc.ruleset.get_ref();
        let scale = *meta.scale.get_ref();
        if !(scale.is_finite() && scale > 0.0) {
            self.error(
                "ruleset.bad_number",
                Some(meta.scale.span()),
                None,
                "`scale` must be a positive number".into(),
            );
        }
        if meta.id.get_ref().trim().is_empty() {
            self.error(
                "ruleset.empty_id",
                Some(meta.id.span()),
                None,
                "`id` must not be empty".into(),
            );
        }
        let root_aggregate = match &meta.aggregate {
            Some(a) => self
                .choice(a, AGGREGATES, "aggregation method", None)
                .unwrap_or(Aggregate::Sum),
            None => Aggregate::Sum,
        };
        let root_exponent = self.exponent(
            root_aggregate,
            meta.exponent.as_ref(),
            Some(meta_span.clone()),
            None,
        );
        let default_missing = match &meta.missing {
            Some(m) => self
                .choice(m, POLICIES, "missing-data policy", None)
                .unwrap_or(MissingPolicy::Error),
            None => MissingPolicy::Error,
        };
        let points_check = meta.points_check.unwrap_or(true);

        for def in &doc.input {
            self.input(def);
        }
        self.aliases(&doc.input);
        self.label_aliases(meta, meta_span.clone());
        self.other_fields(meta, meta_span.clone());

        let nodes = self.tree(
            &doc,
            meta,
            (root_aggregate, root_exponent),
            default_missing,
            points_check,
            meta_span,
        );

        // Bonus nodes whose points count towards the ruleset-wide bonus (not nested in another).
        let bonus_paths: HashSet<&str> = nodes
            .iter()
            .filter(|n| n.bonus)
            .map(|n| n.path.as_str())
            .collect();
        let top_bonus: Vec<usize> = (1..nodes.len())
            .filter(|&i| {
                nodes
                    .get(i)
                    .is_some_and(|n| n.bonus && !has_bonus_ancestor(&bonus_paths, n))
            })
            .collect();
        let bonus_nodes: f64 = top_bonus
            .iter()
            .filter_map(|&i| nodes.get(i))
            .map(|n| n.max)
            .sum();
        let (bonus_cap, bonus_when) = match &doc.bonus {
            Some(b) => {
                let span = b.span();
                let b = b.get_ref();
                if !(b.cap.is_finite() && b.cap >= 0.0) {
                    self.error(
                        "ruleset.bad_number",
                        Some(span.clone()),
                        Some("bonus"),
                        "`cap` must be ≥ 0".into(),
                    );
                }
                if bonus_nodes == 0.0 {
                    self.warn(
                        "ruleset.unused_bonus",
                        Some(span),
                        Some("bonus"),
                        "`[bonus]` is declared but no indicator has `bonus = true`".into(),
                    );
                }
                let when = b
                    .when
                    .as_ref()
                    .and_then(|w| self.expr(w, Type::Bool, "bonus"));
                (b.cap, when)
            }
            None => {
                if bonus_nodes > 0.0 {
                    self.warn("ruleset.bonus_cap", None, Some("bonus"), format!("bonus indicators without a `[bonus]` cap: capped at the sum of their points ({bonus_nodes})"));
                }
                (bonus_nodes, None)
            }
        };

        let max_total = scale + bonus_cap;
        let grades = self.grades(&doc.grade, max_total);
        let vetoes = self.vetoes(&doc.veto, &grades);
        let quotas = self.quotas(&doc.quota);
        let equivalences = self.equivalences(&doc.equivalence);
        let alerts = self.alerts(&doc.alert);

        Some(crate::score::Plan::attach(Ruleset {
            meta: Metadata {
                id: meta.id.get_ref().clone(),
                name: meta.name.clone(),
                name_en: meta.name_en.clone(),
                version: meta.version.clone(),
                issuer: meta.issuer.clone(),
                issuer_en: meta.issuer_en.clone(),
                description: meta.description.clone(),
                description_en: meta.description_en.clone(),
                scale,
                bonus_cap,
                id_field: meta.id_field.clone().unwrap_or_else(|| "id".into()),
                name_field: meta.name_field.clone().unwrap_or_else(|| "name".into()),
                id_aliases: meta.id_aliases.clone(),
                name_aliases: meta.name_aliases.clone(),
                other_fields: meta.other_fields.clone(),
            },
            inputs: std::mem::take(&mut self.inputs),
            nodes,
            grades,
            bonus_when,
            vetoes,
            quotas,
            equivalences,
            alerts,
            warnings: Vec::new(),
            top_bonus,
            plan: Default::default(),
            source: Default::default(),
            hash: String::new(),
        }))
    }

    /// An alias is another header of its input: empty, or another input's name, label or alias,
    /// it could never pick its column.
    fn aliases(&mut self, defs: &[Spanned<schema::InputDef>]) {
        use crate::columns::fold_header;
        for input in self.inputs.clone() {
            let span = defs
                .iter()
                .find(|d| *d.get_ref().name.get_ref() == input.name)
                .map(Spanned::span);
            for alias in &input.aliases {
                let folded = fold_header(alias);
                let other = self.inputs.iter().find(|o| {
                    o.name != input.name
                        && std::iter::once(&o.name)
                            .chain(std::iter::once(&o.label))
                            .chain(&o.aliases)
                            .any(|k| fold_header(k) == folded)
                });
                let message = if folded.is_empty() {
                    "an alias is empty".to_string()
                } else if let Some(o) = other {
                    format!(
                        "the alias `{}` is also a header of the input `{}`: a column so headed \
                         could hold either",
                        crate::excerpt(alias, 40),
                        o.name
                    )
                } else {
                    continue;
                };
                self.error(
                    "ruleset.duplicate_alias",
                    span.clone(),
                    Some(&input.name),
                    message,
                );
            }
        }
    }

    /// The id and name columns' aliases must pick their column alone: not empty, not a header of
    /// the other one (its field or aliases, in any capitals) nor of an input.
    fn label_aliases(&mut self, meta: &schema::MetaDef, span: Range<usize>) {
        use crate::columns::fold_header;
        let id_field = meta.id_field.as_deref().unwrap_or("id");
        let name_field = meta.name_field.as_deref().unwrap_or("name");
        let sides = [
            (
                "id_aliases",
                &meta.id_aliases,
                name_field,
                &meta.name_aliases,
            ),
            (
                "name_aliases",
                &meta.name_aliases,
                id_field,
                &meta.id_aliases,
            ),
        ];
        for (key, aliases, other_field, other_aliases) in sides {
            for alias in aliases {
                let folded = fold_header(alias);
                let same = |k: &str| fold_header(k).eq_ignore_ascii_case(&folded);
                let input = self.input_headed(&folded);
                let message = if folded.is_empty() {
                    format!("an alias in `{key}` is empty")
                } else if same(other_field) || other_aliases.iter().any(|k| same(k)) {
                    format!(
                        "the alias `{}` in `{key}` also heads the unit {} column: a column so \
                         headed could be either",
                        crate::excerpt(alias, 40),
                        if key == "id_aliases" { "name" } else { "id" }
                    )
                } else if let Some(o) = input {
                    format!(
                        "the alias `{}` in `{key}` is also a header of the input `{}`: a column \
                         so headed could hold either",
                        crate::excerpt(alias, 40),
                        o.name
                    )
                } else {
                    continue;
                };
                self.error("ruleset.duplicate_alias", Some(span.clone()), None, message);
            }
        }
    }

    /// The input a folded header heads (its name, label or an alias, in any capitals).
    fn input_headed(&self, folded: &str) -> Option<&Input> {
        use crate::columns::fold_header;
        self.inputs.iter().find(|o| {
            std::iter::once(&o.name)
                .chain(std::iter::once(&o.label))
                .chain(&o.aliases)
                .any(|k| fold_header(k).eq_ignore_ascii_case(folded))
        })
    }

    /// A column declared as another field is one the ruleset does not score: it cannot be empty
    /// or also head an input or the unit id or name column, whose notes it would silence.
    fn other_fields(&mut self, meta: &schema::MetaDef, span: Range<usize>) {
        use crate::columns::fold_header;
        let id_field = meta.id_field.as_deref().unwrap_or("id");
        let name_field = meta.name_field.as_deref().unwrap_or("name");
        for field in &meta.other_fields {
            let folded = fold_header(field);
            let same = |k: &str| fold_header(k).eq_ignore_ascii_case(&folded);
            let input = self.input_headed(&folded);
            let message = if folded.is_empty() {
                "a column in `other_fields` is empty".to_string()
            } else if let Some(o) = input {
                format!(
                    "`{}` in `other_fields` is also a header of the input `{}`: a column so \
                     headed is scored, not passed over",
                    crate::excerpt(field, 40),
                    o.name
                )
            } else if same(id_field)
                || same(name_field)
                || meta
                    .id_aliases
                    .iter()
                    .chain(&meta.name_aliases)
                    .any(|k| same(k))
            {
                format!(
                    "`{}` in `other_fields` also heads the unit id or name column",
                    crate::excerpt(field, 40)
                )
            } else {
                continue;
            };
            self.error("ruleset.duplicate_alias", Some(span.clone()), None, message);
        }
    }

    fn input(&mut self, def: &Spanned<schema::InputDef>) {
        let span = def.span();
        let d = def.get_ref();
        let name = d.name.get_ref().clone();
        if !valid_name(&name) {
            self.error("ruleset.bad_name", Some(d.name.span()), None, format!("input name `{name}` must be letters, digits and `_`, not starting with a digit"));
        }
        if self.slots.contains_key(&name) {
            self.error(
                "ruleset.duplicate_input",
                Some(d.name.span()),
                None,
                format!("input `{name}` is declared twice"),
            );
        } else {
            self.slots.insert(name.clone(), self.inputs.len());
        }
        let kind = self
            .choice(&d.kind, INPUT_TYPES, "input type", Some(&name))
            .unwrap_or(InputType::Number);
        if let (Some(lo), Some(hi)) = (d.min, d.max) {
            if lo > hi {
                self.error(
                    "ruleset.bad_range",
                    Some(span.clone()),
                    Some(&name),
                    format!("`min` ({lo}) is above `max` ({hi})"),
                );
            }
        }
        let values = d.values.clone().unwrap_or_default();
        match kind {
            InputType::Category | InputType::Survey if values.is_empty() => {
                self.error(
                    "ruleset.missing_field",
                    Some(span.clone()),
                    Some(&name),
                    format!("a {} input needs `values`", d.kind.get_ref()),
                );
            }
            InputType::Number | InputType::Count | InputType::Boolean if !values.is_empty() => {
                self.warn(
                    "ruleset.unused_field",
                    Some(span.clone()),
                    Some(&name),
                    "`values` is used only by category and survey inputs".into(),
                );
            }
            _ => {}
        }
        let distinct: BTreeSet<&String> = values.iter().collect();
        if distinct.len() != values.len() {
            self.error(
                "ruleset.duplicate_value",
                Some(span.clone()),
                Some(&name),
                "`values` lists a value twice".into(),
            );
        }
        // English names of the values, one for each, in the same order.
        let values_en = d.values_en.clone();
        if let Some(en) = &values_en {
            if en.len() != values.len() {
                self.error(
                    "ruleset.values_en_mismatch",
                    Some(span.clone()),
                    Some(&name),
                    format!(
                        "`values_en` has {} names for {} values: give one English name for each value, in the same order",
                        en.len(),
                        values.len()
                    ),
                );
            }
        }
        self.inputs.push(Input {
            label: d.label.clone().unwrap_or_else(|| name.clone()),
            name,
            kind,
            label_en: d.label_en.clone(),
            aliases: d.aliases.clone(),
            unit: d.unit.clone(),
            unit_en: d.unit_en.clone(),
            min: d.min,
            max: d.max,
            values,
            values_en,
            required: d.required,
            description: d.description.clone(),
            description_en: d.description_en.clone(),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn tree(
        &mut self,
        doc: &RulesetDoc,
        meta: &schema::MetaDef,
        (root_aggregate, root_exponent): (Aggregate, f64),
        default_missing: MissingPolicy,
        points_check: bool,
        meta_span: Range<usize>,
    ) -> Vec<Node> {
        let scale = *meta.scale.get_ref();
        let mut nodes = vec![Node {
            path: String::new(),
            name: meta.name.clone(),
            name_en: meta.name_en.clone(),
            description: meta.description.clone(),
            description_en: meta.description_en.clone(),
            max: scale,
            weight: 1.0,
            bonus: false,
            missing: default_missing,
            min_coverage: None,
            exponent: root_exponent,
            zero_when: None,
            zero_reason_en: None,
            depth: 0,
            kind: NodeKind::Group {
                aggregate: root_aggregate,
                children: Vec::new(),
            },
        }];
        let mut index: HashMap<String, usize> = HashMap::new();
        // Which definition each node came from (for spans); the root has none.
        let mut defs: Vec<Option<&Spanned<schema::IndicatorDef>>> = vec![None];
        let mut leaf: Vec<bool> = vec![false];
        // Each node's parent, as found in pass 1 (the root's entry is unused).
        let mut parents: Vec<usize> = vec![0];

        // Pass 1: place nodes and link parents.
        for def in &doc.indicator {
            let d = def.get_ref();
            let path = d.id.get_ref().clone();
            let segments: Vec<&str> = path.split('.').collect();
            if path.is_empty()
                || segments.iter().any(|s| {
                    s.is_empty()
                        || !s
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                })
            {
                self.error("ruleset.bad_id", Some(d.id.span()), Some(&path), format!("indicator id `{path}` must be dot-separated segments of letters, digits, `_` or `-`"));
                continue;
            }
            if index.contains_key(&path) {
                self.error(
                    "ruleset.duplicate_id",
                    Some(d.id.span()),
                    Some(&path),
                    format!("indicator `{path}` is declared twice"),
                );
                continue;
            }
            let parent = match path.rfind('.') {
                None => Some(0),
                Some(dot) => path.get(..dot).and_then(|p| index.get(p)).copied(),
            };
            let Some(parent) = parent else {
                self.error(
                    "ruleset.unknown_parent",
                    Some(d.id.span()),
                    Some(&path),
                    format!("the parent of `{path}` is not declared before it"),
                );
                continue;
            };
            let me = nodes.len();
            let depth = segments.len();
            let parent_missing = nodes.get(parent).map_or(default_missing, |p| p.missing);
            let missing = match &d.missing {
                Some(m) => self
                    .choice(m, POLICIES, "missing-data policy", Some(&path))
                    .unwrap_or(parent_missing),
                None => parent_missing,
            };
            if !leaf.get(parent).copied().unwrap_or(false) {
                if let Some(NodeKind::Group { children, .. }) =
                    nodes.get_mut(parent).map(|p| &mut p.kind)
                {
                    children.push(me);
                }
            } else if let Some(p) = nodes.get(parent) {
                let parent_path = p.path.clone();
                self.error(
                    "ruleset.scorer_on_group",
                    defs.get(parent).copied().flatten().map(|d| d.span()),
                    Some(&parent_path),
                    format!("`{parent_path}` has a scorer but also children (`{path}`)"),
                );
            }
            let aggregate = match &d.aggregate {
                Some(a) => self
                    .choice(a, AGGREGATES, "aggregation method", Some(&path))
                    .unwrap_or(Aggregate::Sum),
                None => Aggregate::Sum,
            };
            // (On a leaf, as under any other aggregation, an `exponent` is only warned about.)
            let grouping = if d.scorer.is_some() {
                Aggregate::Sum
            } else {
                aggregate
            };
            let exponent =
                self.exponent(grouping, d.exponent.as_ref(), Some(def.span()), Some(&path));
            // A node with a scorer is a leaf; its scorer is compiled in pass 2 (it needs the
            // node's maximum), until then it sits as an empty group.
            let kind = NodeKind::Group {
                aggregate,
                children: Vec::new(),
            };
            leaf.push(d.scorer.is_some());
            parents.push(parent);
            if d.scorer.is_some() && d.aggregate.is_some() {
                self.warn(
                    "ruleset.unused_field",
                    Some(def.span()),
                    Some(&path),
                    "`aggregate` is ignored on a leaf".into(),
                );
            }
            let min_coverage = d.min_coverage.as_ref().map(|c| {
                let v = *c.get_ref();
                if !(v > 0.0 && v <= 1.0) {
                    self.error(
                        "ruleset.bad_number",
                        Some(c.span()),
                        Some(&path),
                        "`min_coverage` must lie in (0, 1]".into(),
                    );
                }
                v
            });
            if let Some(w) = &d.weight {
                if !(w.get_ref().is_finite() && *w.get_ref() >= 0.0) {
                    self.error(
                        "ruleset.bad_number",
                        Some(w.span()),
                        Some(&path),
                        "`weight` must be ≥ 0".into(),
                    );
                }
            }
            if let Some(p) = &d.points {
                if !(p.get_ref().is_finite() && *p.get_ref() >= 0.0) {
                    self.error(
                        "ruleset.bad_number",
                        Some(p.span()),
                        Some(&path),
                        "`points` must be ≥ 0".into(),
                    );
                }
            }
            index.insert(path.clone(), me);
            nodes.push(Node {
                path,
                name: d.name.clone(),
                name_en: d.name_en.clone(),
                description: d.description.clone(),
                description_en: d.description_en.clone(),
                max: d.points.as_ref().map_or(f64::NAN, |p| *p.get_ref()),
                weight: d.weight.as_ref().map_or(1.0, |w| *w.get_ref()),
                bonus: d.bonus,
                missing,
                min_coverage,
                exponent,
                zero_when: None,
                zero_reason_en: None,
                depth,
                kind,
            });
            defs.push(Some(def));
        }
        if nodes.len() == 1 {
            self.error(
                "ruleset.empty_tree",
                Some(meta_span),
                None,
                "the ruleset declares no `[[indicator]]`".into(),
            );
        }

        // Pass 2 (parents first): maxima, then checks and scorers that need them.
        for i in 1..nodes.len() {
            let def = defs.get(i).copied().flatten();
            let span = def.map(|d| d.span());
            let Some((parent_max, parent_agg)) = parents
                .get(i)
                .copied()
                .and_then(|p| nodes.get(p))
                .map(|p| (p.max, group_aggregate(p)))
            else {
                continue;
            };
            let Some(node) = nodes.get_mut(i) else {
                continue;
            };
            if node.max.is_nan() {
                match parent_agg {
                    Some(a) if a.weighted() && !node.bonus => node.max = parent_max,
                    _ => {
                        let path = node.path.clone();
                        node.max = 0.0;
                        self.error(
                            "ruleset.missing_points",
                            span.clone(),
                            Some(&path),
                            "`points` is required here (the parent adds points up)".into(),
                        );
                    }
                }
            }
            let (path, max) = (node.path.clone(), node.max);
            let Some(def) = def else { continue };
            let d = def.get_ref();
            let zero_when = d
                .zero_when
                .as_ref()
                .and_then(|z| self.expr(z, Type::Bool, &path))
                .map(|e| (e, d.zero_reason.clone()));
            let zero_reason_en = d.zero_reason_en.clone();
            let kind = match (&d.scorer, nodes.get(i).map(|n| &n.kind)) {
                (Some(s), _) => self
                    .scorer(s, &path, max)
                    .map(|(scorer, inputs)| NodeKind::Leaf {
                        scorer: Box::new(scorer),
                        inputs,
                    }),
                (None, Some(NodeKind::Group { children, .. })) if children.is_empty() => {
                    self.error(
                        "ruleset.empty_group",
                        span,
                        Some(&path),
                        "an indicator needs a `scorer` or children".into(),
                    );
                    None
                }
                _ => None,
            };
            if let Some(node) = nodes.get_mut(i) {
                node.zero_when = zero_when;
                node.zero_reason_en = zero_reason_en;
                if let Some(kind) = kind {
                    node.kind = kind;
                }
            }
        }

        // Pass 3: groups' points must add up; weights must not all be zero.
        for i in 0..nodes.len() {
            let Some(node) = nodes.get(i) else { continue };
            let NodeKind::Group {
                aggregate,
                children,
            } = &node.kind
            else {
                continue;
            };
            if leaf.get(i).copied().unwrap_or(false) {
                continue;
            }
            // The root's problems point at `scale` in `[ruleset]`.
            let span = match defs.get(i).copied().flatten() {
                Some(d) => Some(d.span()),
                None => Some(meta.scale.span()),
            };
            let counted: Vec<&Node> = children
                .iter()
                .filter_map(|&c| nodes.get(c))
                .filter(|c| !c.bonus)
                .collect();
            if counted.is_empty() && !children.is_empty() && i != 0 && !node.bonus {
                self.warn(
                    "ruleset.only_bonus",
                    span.clone(),
                    Some(&node.path),
                    "every child is a bonus indicator".into(),
                );
            }
            let path = if i == 0 {
                "(root)".to_string()
            } else {
                node.path.clone()
            };
            match aggregate {
                Aggregate::Sum => {
                    let total: f64 = counted.iter().map(|c| c.max).sum();
                    if (total - node.max).abs() > 1e-9 * node.max.abs().max(1.0)
                        && !counted.is_empty()
                    {
                        let message = format!(
                            "children's points add up to {total}, but `{path}` has {} points",
                            node.max
                        );
                        if points_check {
                            self.error("ruleset.points_mismatch", span, Some(&path), message);
                        } else {
                            self.warn("ruleset.points_mismatch", span, Some(&path), message);
                        }
                    }
                }
                Aggregate::Mean
                | Aggregate::Geomean
                | Aggregate::Min
                | Aggregate::Harmonic
                | Aggregate::Power => {
                    if !counted.is_empty() && counted.iter().all(|c| c.weight == 0.0) {
                        self.error(
                            "ruleset.zero_weights",
                            span,
                            Some(&path),
                            "all children have weight 0".into(),
                        );
                    }
                }
                Aggregate::Deduction => {}
            }
        }
        nodes
    }

    fn grades(&mut self, defs: &[Spanned<schema::GradeDef>], max_total: f64) -> Vec<Grade> {
        let mut grades: Vec<Grade> = Vec::new();
        let mut names: HashSet<&str> = HashSet::new();
        for (i, def) in defs.iter().enumerate() {
            let g = def.get_ref();
            let path = format!("grade[{}]", i + 1);
            if let Some(prev) = grades.last() {
                if g.min >= prev.min {
                    self.error("ruleset.grades_out_of_order", Some(def.span()), Some(&path), format!("grade `{}` (min {}) must have a lower `min` than `{}` (min {}): list bands best first", g.name, g.min, prev.name, prev.min));
                }
            }
            if g.min > max_total {
                self.error(
                    "ruleset.unreachable_grade",
                    Some(def.span()),
                    Some(&path),
                    format!(
                        "grade `{}` needs {} but the highest reachable total is {max_total}",
                        g.name, g.min
                    ),
                );
            }
            if !names.insert(g.name.as_str()) {
                self.error(
                    "ruleset.duplicate_grade",
                    Some(def.span()),
                    Some(&path),
                    format!("grade `{}` is declared twice", g.name),
                );
            }
            let when = g
                .when
                .as_ref()
                .and_then(|w| self.expr(w, Type::Bool, &path));
            grades.push(Grade {
                name: g.name.clone(),
                name_en: g.name_en.clone(),
                min: g.min,
                when,
            });
        }
        if let Some(last) = grades.last() {
            if last.min > 0.0 || last.when.is_some() {
                self.warn("ruleset.grade_gap", defs.last().map(|d| d.span()), None, format!("totals below {} (or failing the last band's condition) get no grade; add a band with `min = 0`", last.min));
            }
        }
        grades
    }

    fn vetoes(&mut self, defs: &[Spanned<schema::VetoDef>], grades: &[Grade]) -> Vec<Veto> {
        let mut vetoes: Vec<Veto> = Vec::new();
        // Ids of the vetoes kept so far, and the first grade of each name.
        let mut ids: HashSet<&str> = HashSet::new();
        let mut grade_index: HashMap<&str, usize> = HashMap::new();
        for (i, g) in grades.iter().enumerate() {
            grade_index.entry(g.name.as_str()).or_insert(i);
        }
        for def in defs {
            let v = def.get_ref();
            let id = v.id.get_ref().clone();
            let path = format!("veto.{id}");
            if ids.contains(id.as_str()) {
                self.error(
                    "ruleset.duplicate_id",
                    Some(v.id.span()),
                    Some(&path),
                    format!("veto `{id}` is declared twice"),
                );
            }
            let effect = self.choice(&v.effect, VETO_EFFECTS, "veto effect", Some(&path));
            let when = self.expr(&v.when, Type::Bool, &path);
            let grade = match (&v.grade, effect) {
                (Some(g), _) => {
                    let found = grade_index.get(g.get_ref().as_str()).copied();
                    if found.is_none() {
                        self.error(
                            "ruleset.unknown_grade",
                            Some(g.span()),
                            Some(&path),
                            format!("`{}` is not a declared grade", g.get_ref()),
                        );
                    }
                    found
                }
                (None, Some(VetoEffect::Grade | VetoEffect::CapGrade)) => {
                    self.error(
                        "ruleset.missing_field",
                        Some(def.span()),
                        Some(&path),
                        "this veto effect needs `grade`".into(),
                    );
                    None
                }
                (None, _) => None,
            };
            if let (Some(when), Some(effect)) = (when, effect) {
                ids.insert(v.id.get_ref().as_str());
                vetoes.push(Veto {
                    id,
                    name: v.name.clone(),
                    name_en: v.name_en.clone(),
                    when,
                    effect,
                    grade,
                    reason: v.reason.clone(),
                    reason_en: v.reason_en.clone(),
                });
            }
        }
        vetoes
    }

    fn quotas(&mut self, defs: &[Spanned<schema::QuotaDef>]) -> Vec<Quota> {
        let mut quotas: Vec<Quota> = Vec::new();
        for (i, def) in defs.iter().enumerate() {
            let q = def.get_ref();
            let top = *q.top.get_ref();
            let path = format!("quota[{}]", i + 1);
            if !(top > 0.0 && top <= 1.0) {
                self.error(
                    "ruleset.bad_number",
                    Some(q.top.span()),
                    Some(&path),
                    "`top` must lie in (0, 1]".into(),
                );
            }
            if quotas.last().is_some_and(|p| top <= p.top) {
                self.error(
                    "ruleset.thresholds_out_of_order",
                    Some(q.top.span()),
                    Some(&path),
                    "quota tiers must have increasing `top` shares".into(),
                );
            }
            quotas.push(Quota {
                name: q.name.clone(),
                name_en: q.name_en.clone(),
                top,
            });
        }
        if quotas.last().is_some_and(|q| q.top < 1.0) {
            self.warn(
                "ruleset.quota_gap",
                defs.last().map(|d| d.span()),
                None,
                "the last quota tier does not reach `top = 1.0`; units below it get no tier".into(),
            );
        }
        quotas
    }

    fn equivalences(&mut self, defs: &[Spanned<schema::EquivalenceDef>]) -> Vec<Equivalence> {
        let mut out = Vec::new();
        for (i, def) in defs.iter().enumerate() {
            let e = def.get_ref();
            let path = format!("equivalence[{}]", i + 1);
            let Some(var) = self.resolve(e.input.get_ref()).map(|v| (v.slot, v.ty)) else {
                self.error(
                    "ruleset.unknown_input",
                    Some(e.input.span()),
                    Some(&path),
                    format!(
                        "`{}` is not a declared input (or is a survey)",
                        e.input.get_ref()
                    ),
                );
                continue;
            };
            let when = self.expr(&e.when, Type::Bool, &path);
            let value = self.expr(&e.value, var.1, &path);
            if let (Some(when), Some(value)) = (when, value) {
                out.push(Equivalence {
                    input: var.0,
                    when,
                    value,
                    reason: e.reason.clone(),
                    reason_en: e.reason_en.clone(),
                });
            }
        }
        out
    }

    fn alerts(&mut self, defs: &[Spanned<schema::AlertDef>]) -> Vec<Alert> {
        let mut alerts: Vec<Alert> = Vec::new();
        // Ids of the alerts kept so far.
        let mut ids: HashSet<&str> = HashSet::new();
        for def in defs {
            let a = def.get_ref();
            let id = a.id.get_ref().clone();
            let path = format!("alert.{id}");
            if ids.contains(id.as_str()) {
                self.error(
                    "ruleset.duplicate_id",
                    Some(a.id.span()),
                    Some(&path),
                    format!("alert `{id}` is declared twice"),
                );
            }
            if !super::ALERT_LEVELS.contains(&a.level.get_ref().as_str()) {
                self.error(
                    "ruleset.unknown_choice",
                    Some(a.level.span()),
                    Some(&path),
                    format!(
                        "`{}` is not an alert level; expected one of: {}",
                        a.level.get_ref(),
                        super::ALERT_LEVELS.join(", ")
                    ),
                );
            }
            let when = self.expr(&a.when, Type::Bool, &path);
            let message = self.template(&a.message, &path);
            let message_en = a.message_en.as_ref().and_then(|m| self.template(m, &path));
            if let (Some(when), Some(message)) = (when, message) {
                ids.insert(a.id.get_ref().as_str());
                alerts.push(Alert {
                    id,
                    level: a.level.get_ref().clone(),
                    when,
                    message,
                    message_en,
                });
            }
        }
        alerts
    }

    /// Splits a message into text and `{expression}` pieces.
    fn template(&mut self, src: &Text, path: &str) -> Option<Vec<Piece>> {
        let text = src.get_ref();
        let mut pieces = Vec::new();
        let mut rest = text.as_str();
        let mut offset = 0;
        let mut ok = true;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest.get(open..).and_then(|r| r.find('}')).map(|c| c + open) else {
                let at = src.span().start + 1 + offset + open;
                self.error(
                    "ruleset.bad_template",
                    Some(at..at + 1),
                    Some(path),
                    format!("unclosed `{{` in message `{text}`"),
                );
                return None;
            };
            if let Some(lit) = rest.get(..open).filter(|l| !l.is_empty()) {
                pieces.push(Piece::Text(lit.to_string()));
            }
            let inner = rest.get(open + 1..close).unwrap_or("");
            let at = src.span().start + 1 + offset + open + 1;
            match Expr::compile(inner, self, None) {
                Ok(e) => pieces.push(Piece::Expr(e)),
                Err(errors) => {
                    ok = false;
                    for e in errors {
                        let start = at + e.offset;
                        self.error(
                            e.code,
                            Some(start..start + e.len),
                            Some(path),
                            format!("{} in message placeholder `{{{inner}}}`", e.message),
                        );
                    }
                }
            }
            offset += close + 1;
            rest = rest.get(close + 1..).unwrap_or("");
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        ok.then_some(pieces)
    }
}

/// Whether a proper prefix of the node's path (`a` or `a.b` for `a.b.c`) is a bonus node's path.
fn has_bonus_ancestor(bonus_paths: &HashSet<&str>, node: &Node) -> bool {
    let mut path = node.path.as_str();
    while let Some(dot) = path.rfind('.') {
        path = path.get(..dot).unwrap_or("");
        if bonus_paths.contains(path) {
            return true;
        }
    }
    false
}

fn group_aggregate(node: &Node) -> Option<Aggregate> {
    match &node.kind {
        NodeKind::Group { aggregate, .. } => Some(*aggregate),
        NodeKind::Leaf { .. } => None,
    }
}

const AGGREGATES: &[(&str, Aggregate)] = &[
    ("sum", Aggregate::Sum),
    ("mean", Aggregate::Mean),
    ("geomean", Aggregate::Geomean),
    ("min", Aggregate::Min),
    ("deduction", Aggregate::Deduction),
    ("harmonic", Aggregate::Harmonic),
    ("power", Aggregate::Power),
];

/// The largest exponent of a power mean, either sign: beyond it the powers of small shares
/// (10⁻³¹ and below at −10) would overflow.
const MAX_EXPONENT: f64 = 10.0;

const POLICIES: &[(&str, MissingPolicy)] = &[
    ("error", MissingPolicy::Error),
    ("zero", MissingPolicy::Zero),
    ("reweight", MissingPolicy::Reweight),
    ("not_applicable", MissingPolicy::NotApplicable),
];

const INPUT_TYPES: &[(&str, InputType)] = &[
    ("number", InputType::Number),
    ("count", InputType::Count),
    ("boolean", InputType::Boolean),
    ("category", InputType::Category),
    ("survey", InputType::Survey),
];

const VETO_EFFECTS: &[(&str, VetoEffect)] = &[
    ("zero", VetoEffect::Zero),
    ("grade", VetoEffect::Grade),
    ("cap_grade", VetoEffect::CapGrade),
];
