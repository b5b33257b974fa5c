//! One chunk of rows: its input columns (with the equivalences' substitutes), which rows are
//! still alive, and the table rows it writes.

use super::tree::LeafPass;
use super::{Bits, Placement, Scores, CHUNK};
use crate::batch::{Batch, Column};
use crate::cohort::RankRefs;
use crate::error::RecordError;
use crate::evaluation::Status;
use crate::expr::vector::{Col, Columns, Vals, VectorEval};
use crate::expr::Expr;
use crate::ruleset::Ruleset;
use std::borrow::Cow;

/// A substituted input column.
pub(crate) enum Owned {
    Num(Vec<f64>),
    Bool(Vec<u8>),
    Text(Vec<u32>),
}

/// The input columns of rows `start..start + n` of a batch.
pub(crate) struct Env<'b> {
    pub batch: &'b Batch<'b>,
    pub start: usize,
    pub n: usize,
    pub overrides: Vec<(usize, Owned)>,
}

impl Columns for Env<'_> {
    fn column(&self, slot: usize) -> Option<Col<'_>> {
        if let Some((_, o)) = self.overrides.iter().find(|(s, _)| *s == slot) {
            return Some(match o {
                Owned::Num(v) => Col::Num(v, true),
                Owned::Bool(v) => Col::Bool(v),
                Owned::Text(v) => Col::Text(v),
            });
        }
        let range = self.start..self.start + self.n;
        match self.batch.columns.get(slot)? {
            Column::Number { values, clean } => Some(Col::Num(values.get(range)?, *clean)),
            Column::Bool(v) => Some(Col::Bool(v.get(range)?)),
            Column::Category(v) => Some(Col::Text(v.get(range)?)),
            Column::Survey { .. } => None,
        }
    }
}

impl<'b> Env<'b> {
    pub(crate) fn new(batch: &'b Batch<'b>, start: usize, n: usize) -> Env<'b> {
        Env {
            batch,
            start,
            n,
            overrides: Vec::new(),
        }
    }

    /// A number input as stored (infinities kept, `NaN` = missing), after substitutes.
    pub(crate) fn raw_numbers(&self, slot: usize) -> Cow<'_, [f64]> {
        match self.column(slot) {
            Some(Col::Num(v, _)) => Cow::Borrowed(v),
            _ => Cow::Owned(vec![f64::NAN; self.n]),
        }
    }

    /// Whether an input is missing at chunk row `i` (as the audit trail counts it).
    pub(crate) fn is_missing(&self, slot: usize, i: usize) -> bool {
        match self.column(slot) {
            Some(Col::Num(v, _)) => v.get(i).is_none_or(|x| x.is_nan()),
            Some(Col::Bool(v)) => v.get(i).is_none_or(|&b| b > 1),
            Some(Col::Text(v)) => v
                .get(i)
                .is_none_or(|&t| t == crate::expr::vector::MISSING_TEXT),
            None => self.batch.survey(slot, self.start + i).is_none(),
        }
    }

    /// Applies the `[[equivalence]]` rules in order, failing rows whose conditions fault.
    pub(crate) fn substitute(&mut self, ruleset: &Ruleset, rows: &mut Rows) {
        for eq in &ruleset.equivalences {
            let when = self.eval(ruleset, &eq.when, rows, "equivalence");
            let fired: Vec<bool> = when
                .bools(self.n)
                .iter()
                .zip(&rows.alive)
                .map(|(&w, &a)| a && w == 1)
                .collect();
            drop(when);
            if !fired.iter().any(|&f| f) {
                continue;
            }
            let value = {
                let mut ev = VectorEval::new(&*self, self.n, &eq.value, &ruleset.plan.symbols);
                let v = ev.run(Some(&fired));
                let faults = std::mem::take(&mut ev.faults);
                let owned = match &v {
                    Vals::Num(_) | Vals::NumK(_) => Owned::Num(v.numbers(self.n).into_owned()),
                    Vals::Bool(_) | Vals::BoolK(_) => Owned::Bool(v.bools(self.n).into_owned()),
                    Vals::Text(_) | Vals::TextK(_) => Owned::Text(v.texts(self.n).into_owned()),
                };
                rows.fail_faults(self.start, faults, "equivalence");
                owned
            };
            let merged = match (self.column(eq.input), value) {
                (Some(Col::Num(old, _)), Owned::Num(new)) => Owned::Num(
                    old.iter()
                        .zip(new)
                        .zip(&fired)
                        .map(|((&o, n), &f)| if f { n } else { o })
                        .collect(),
                ),
                (Some(Col::Bool(old)), Owned::Bool(new)) => Owned::Bool(
                    old.iter()
                        .zip(new)
                        .zip(&fired)
                        .map(|((&o, n), &f)| if f { n } else { o })
                        .collect(),
                ),
                (Some(Col::Text(old)), Owned::Text(new)) => Owned::Text(
                    old.iter()
                        .zip(new)
                        .zip(&fired)
                        .map(|((&o, n), &f)| if f { n } else { o })
                        .collect(),
                ),
                _ => continue,
            };
            match self.overrides.iter_mut().find(|(s, _)| *s == eq.input) {
                Some((_, slot)) => *slot = merged,
                None => self.overrides.push((eq.input, merged)),
            }
        }
    }

    /// Evaluates an expression for the alive rows; faulting rows fail with `path`.
    pub(crate) fn eval<'e>(
        &'e self,
        ruleset: &'e Ruleset,
        expr: &'e Expr,
        rows: &mut Rows,
        path: &str,
    ) -> Vals<'e> {
        self.eval_in(ruleset, expr, rows, Some(&rows.alive.clone()), path)
    }

    /// Evaluates an expression for the rows in `active`; faulting rows fail with `path`.
    pub(crate) fn eval_in<'e>(
        &'e self,
        ruleset: &'e Ruleset,
        expr: &'e Expr,
        rows: &mut Rows,
        active: Option<&[bool]>,
        path: &str,
    ) -> Vals<'e> {
        // The expression borrows from the ruleset only for the call; the values borrow only
        // from the chunk's columns.
        let mut ev = VectorEval::new(self, self.n, expr, &ruleset.plan.symbols);
        let v = ev.run(active);
        let faults = std::mem::take(&mut ev.faults);
        rows.fail_faults(self.start, faults, path);
        v
    }
}

/// Which rows of a chunk are still being scored, and the errors of those that stopped.
pub(crate) struct Rows<'b> {
    pub alive: Vec<bool>,
    pub errors: Vec<(usize, RecordError)>,
    ids: &'b [Option<String>],
}

impl<'b> Rows<'b> {
    pub(crate) fn new(batch: &'b Batch<'b>, start: usize, n: usize) -> Rows<'b> {
        Rows {
            alive: batch
                .failed
                .get(start..start + n)
                .map_or_else(|| vec![false; n], |f| f.iter().map(|&f| !f).collect()),
            errors: Vec::new(),
            ids: &batch.ids,
        }
    }

    /// Stops chunk row `i` (batch row `start + i`) with an error, unless it stopped already.
    pub(crate) fn fail(&mut self, start: usize, i: usize, e: RecordError) {
        if let Some(a) = self.alive.get_mut(i) {
            if *a {
                *a = false;
                let row = start + i;
                let id = self.ids.get(row).and_then(|x| x.as_deref());
                self.errors.push((row, e.at_row(row, id)));
            }
        }
    }

    pub(crate) fn fail_faults(
        &mut self,
        start: usize,
        faults: Vec<(usize, crate::expr::EvalFault)>,
        path: &str,
    ) {
        for (i, f) in faults {
            self.fail(start, i, RecordError::eval(path, &f));
        }
    }

    /// Stops chunk row `i` (batch row `row`) with an error already placed at its row, unless it
    /// stopped already.
    pub(crate) fn stop(&mut self, i: usize, row: usize, e: &RecordError) {
        if let Some(a) = self.alive.get_mut(i) {
            if *a {
                *a = false;
                self.errors.push((row, e.clone()));
            }
        }
    }

    pub(crate) fn is_alive(&self, i: usize) -> bool {
        self.alive.get(i).copied().unwrap_or(false)
    }
}

/// The table rows one thread writes: `len` rows from `start`.
pub(crate) struct Part<'s> {
    pub start: usize,
    pub len: usize,
    pub score: Vec<&'s mut [f64]>,
    pub status: Vec<&'s mut [Status]>,
    pub total: &'s mut [f64],
    pub base: &'s mut [f64],
    pub bonus: &'s mut [f64],
    pub earned: &'s mut [f64],
    pub bonus_denied: &'s mut [bool],
    pub grade: &'s mut [u32],
    pub vetoes: &'s mut [u64],
    pub vetoes_unchecked: &'s mut [u64],
    pub alerts: &'s mut [u64],
    pub alert_level: &'s mut [u8],
    pub veto_words: usize,
    pub alert_words: usize,
}

/// Splits `v` into consecutive pieces of the given lengths.
fn pieces<'s, T>(v: &'s mut [T], lens: &[usize]) -> Vec<&'s mut [T]> {
    let mut out = Vec::with_capacity(lens.len());
    deal(v, lens, |_, piece| out.push(piece));
    out
}

/// Hands the consecutive pieces of `v` of the given lengths, with their part's number, to `to`.
fn deal<'s, T>(mut v: &'s mut [T], lens: &[usize], mut to: impl FnMut(usize, &'s mut [T])) {
    for (p, &len) in lens.iter().enumerate() {
        let (head, tail) = v
            .split_at_mut_checked(len.min(v.len()))
            .unwrap_or((&mut [], &mut []));
        to(p, head);
        v = tail;
    }
}

/// Each part's pieces of every column, in column order: one list per part, no list per column
/// (a Monte Carlo sample splits its table thousands of times).
fn columns_by_part<'s, T>(columns: &'s mut [Vec<T>], lens: &[usize]) -> Vec<Vec<&'s mut [T]>> {
    let mut out: Vec<Vec<&mut [T]>> = lens
        .iter()
        .map(|_| Vec::with_capacity(columns.len()))
        .collect();
    for column in columns.iter_mut() {
        deal(column, lens, |p, piece| {
            if let Some(list) = out.get_mut(p) {
                list.push(piece);
            }
        });
    }
    out
}

fn bit_pieces<'s>(bits: &'s mut Bits, lens: &[usize]) -> Vec<&'s mut [u64]> {
    let w = bits.words;
    let lens: Vec<usize> = lens.iter().map(|l| l * w).collect();
    pieces(&mut bits.data, &lens)
}

/// Splits a table into parts covering `bounds`.
pub(crate) fn split<'s>(s: &'s mut Scores, bounds: &[(usize, usize)]) -> Vec<Part<'s>> {
    let lens: Vec<usize> = bounds.iter().map(|(a, b)| b - a).collect();
    let score = columns_by_part(&mut s.node_score, &lens);
    let status = columns_by_part(&mut s.node_status, &lens);
    let (veto_words, alert_words) = (s.vetoes.words, s.alerts.words);
    let mut total = pieces(&mut s.total, &lens).into_iter();
    let mut base = pieces(&mut s.base, &lens).into_iter();
    let mut bonus = pieces(&mut s.bonus, &lens).into_iter();
    let mut earned = pieces(&mut s.earned, &lens).into_iter();
    let mut denied = pieces(&mut s.bonus_denied, &lens).into_iter();
    let mut grade = pieces(&mut s.grade, &lens).into_iter();
    let mut vetoes = bit_pieces(&mut s.vetoes, &lens).into_iter();
    let mut unchecked = bit_pieces(&mut s.vetoes_unchecked, &lens).into_iter();
    let mut alerts = bit_pieces(&mut s.alerts, &lens).into_iter();
    let mut alert_level = pieces(&mut s.alert_level, &lens).into_iter();
    bounds
        .iter()
        .zip(score.into_iter().zip(status))
        .map(|(&(start, end), (score, status))| Part {
            start,
            len: end - start,
            score,
            status,
            total: total.next().unwrap_or_default(),
            base: base.next().unwrap_or_default(),
            bonus: bonus.next().unwrap_or_default(),
            earned: earned.next().unwrap_or_default(),
            bonus_denied: denied.next().unwrap_or_default(),
            grade: grade.next().unwrap_or_default(),
            vetoes: vetoes.next().unwrap_or_default(),
            vetoes_unchecked: unchecked.next().unwrap_or_default(),
            alerts: alerts.next().unwrap_or_default(),
            alert_level: alert_level.next().unwrap_or_default(),
            veto_words,
            alert_words,
        })
        .collect()
}

/// Where a chunk writes: offset `off` within its part.
pub(crate) struct Out<'p, 's> {
    pub part: &'p mut Part<'s>,
    pub off: usize,
    pub n: usize,
}

impl Out<'_, '_> {
    pub(crate) fn score(&self, node: usize) -> &[f64] {
        self.part
            .score
            .get(node)
            .and_then(|c| c.get(self.off..self.off + self.n))
            .unwrap_or(&[])
    }

    pub(crate) fn status(&self, node: usize) -> &[Status] {
        self.part
            .status
            .get(node)
            .and_then(|c| c.get(self.off..self.off + self.n))
            .unwrap_or(&[])
    }

    /// A node's columns for the chunk, to write, beside the columns of the nodes after it (its
    /// descendants), to read.
    #[allow(clippy::type_complexity)]
    pub(crate) fn split(&mut self, node: usize) -> Option<(&mut [f64], &mut [Status], After<'_>)> {
        let range = self.off..self.off + self.n;
        let (score_head, score_tail) = self.part.score.split_at_mut_checked(node + 1)?;
        let (status_head, status_tail) = self.part.status.split_at_mut_checked(node + 1)?;
        let score = score_head.last_mut()?.get_mut(range.clone())?;
        let status = status_head.last_mut()?.get_mut(range.clone())?;
        Some((
            score,
            status,
            After {
                first: node + 1,
                range,
                score: score_tail,
                status: status_tail,
            },
        ))
    }
}

/// The chunk's columns of the nodes from `first` on, to read.
pub(crate) struct After<'a> {
    first: usize,
    range: std::ops::Range<usize>,
    score: &'a [&'a mut [f64]],
    status: &'a [&'a mut [Status]],
}

impl After<'_> {
    pub(crate) fn score(&self, node: usize) -> &[f64] {
        node.checked_sub(self.first)
            .and_then(|k| self.score.get(k))
            .and_then(|c| c.get(self.range.clone()))
            .unwrap_or(&[])
    }

    pub(crate) fn status(&self, node: usize) -> &[Status] {
        node.checked_sub(self.first)
            .and_then(|k| self.status.get(k))
            .and_then(|c| c.get(self.range.clone()))
            .unwrap_or(&[])
    }
}

/// Scores the rows of one part, chunk by chunk; returns the rows that failed while scoring.
pub(crate) fn score_part(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    part: &mut Part<'_>,
    rank_refs: &RankRefs,
    placement: &Placement,
    leaves: &LeafPass<'_>,
) -> Vec<(usize, RecordError)> {
    each_chunk(ruleset, batch, part, |env, rows, out| {
        super::tree::score_chunk(ruleset, env, rows, out, rank_refs, placement, leaves);
    })
}

/// Runs `f` on each chunk of a part, its inputs substituted by the equivalences; returns the
/// rows stopped with an error that `f` left in the chunks' rows.
pub(crate) fn each_chunk(
    ruleset: &Ruleset,
    batch: &Batch<'_>,
    part: &mut Part<'_>,
    mut f: impl FnMut(&Env<'_>, &mut Rows, &mut Out<'_, '_>),
) -> Vec<(usize, RecordError)> {
    let mut errors = Vec::new();
    let mut off = 0;
    while off < part.len {
        let n = CHUNK.min(part.len - off);
        let start = part.start + off;
        let mut env = Env::new(batch, start, n);
        let mut rows = Rows::new(batch, start, n);
        env.substitute(ruleset, &mut rows);
        let mut out = Out { part, off, n };
        f(&env, &mut rows, &mut out);
        errors.append(&mut rows.errors);
        off += n;
    }
    errors
}
