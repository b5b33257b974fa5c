//! What the column kernels need beyond the compiled tree, derived once after compiling: interned
//! text symbols, the input index by name, the bonus and rank leaves.

use crate::expr::vector::{literals, Symbols};
use crate::expr::Expr;
use crate::ruleset::{InputType, NodeKind, Piece, Ruleset, ALERT_LEVELS};
use crate::score::NO_ALERT;
use std::collections::HashMap;

#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// Every category value and text literal of the ruleset.
    pub symbols: Symbols,
    /// Per input slot: the symbol of each allowed value (category inputs; empty otherwise).
    pub category_symbols: Vec<Vec<u32>>,
    /// Input slot by name.
    pub input_slots: HashMap<String, usize>,
    /// Per node: whether it is a top-level bonus node.
    pub top_bonus: Vec<bool>,
    /// Nodes whose scorer measures against the cohort (`rank`, `normalise`), in tree order.
    pub rank_leaves: Vec<usize>,
    /// Per alert: its level, as an index into [`crate::ruleset::ALERT_LEVELS`].
    pub alert_levels: Vec<u8>,
    /// Per veto and per alert: the indicator-like path its errors name (`veto.<id>`).
    pub veto_paths: Vec<String>,
    pub alert_paths: Vec<String>,
}

impl Plan {
    /// Derives the plan of a freshly compiled ruleset.
    pub(crate) fn attach(mut ruleset: Ruleset) -> Ruleset {
        let mut plan = Plan::default();
        for (slot, input) in ruleset.inputs.iter().enumerate() {
            plan.input_slots.entry(input.name.clone()).or_insert(slot);
            let symbols = if input.kind == InputType::Category {
                input
                    .values
                    .iter()
                    .map(|v| plan.symbols.intern(v))
                    .collect()
            } else {
                Vec::new()
            };
            plan.category_symbols.push(symbols);
        }
        let mut texts: Vec<String> = Vec::new();
        let mut add = |e: &Expr| {
            let mut found = Vec::new();
            literals(e.root(), &mut found);
            texts.extend(found.into_iter().map(str::to_string));
        };
        for node in &ruleset.nodes {
            if let Some((when, _)) = &node.zero_when {
                add(when);
            }
            if let NodeKind::Leaf { scorer, .. } = &node.kind {
                scorer.for_each_expr(&mut add);
            }
        }
        ruleset
            .grades
            .iter()
            .filter_map(|g| g.when.as_ref())
            .for_each(&mut add);
        ruleset.bonus_when.iter().for_each(&mut add);
        ruleset.vetoes.iter().for_each(|v| add(&v.when));
        for eq in &ruleset.equivalences {
            add(&eq.when);
            add(&eq.value);
        }
        for alert in &ruleset.alerts {
            add(&alert.when);
            let pieces = alert
                .message
                .iter()
                .chain(alert.message_en.iter().flatten());
            for piece in pieces {
                if let Piece::Expr(e) = piece {
                    add(e);
                }
            }
        }
        for text in &texts {
            plan.symbols.intern(text);
        }
        plan.top_bonus = vec![false; ruleset.nodes.len()];
        for &i in &ruleset.top_bonus {
            if let Some(b) = plan.top_bonus.get_mut(i) {
                *b = true;
            }
        }
        plan.rank_leaves = ruleset
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| {
                matches!(&n.kind, NodeKind::Leaf { scorer, .. } if scorer.cohort_value().is_some())
            })
            .map(|(i, _)| i)
            .collect();
        plan.alert_levels = ruleset
            .alerts
            .iter()
            .map(|a| {
                let level = ALERT_LEVELS.iter().position(|l| *l == a.level);
                level.map_or(NO_ALERT, |l| l as u8)
            })
            .collect();
        plan.veto_paths = ruleset
            .vetoes
            .iter()
            .map(|v| format!("veto.{}", v.id))
            .collect();
        plan.alert_paths = ruleset
            .alerts
            .iter()
            .map(|a| format!("alert.{}", a.id))
            .collect();
        ruleset.plan = plan;
        ruleset
    }
}
