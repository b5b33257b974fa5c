//! The weight each leaf of a ruleset carries in the total: the product, down the tree, of each
//! node's normalised weight (or points) within its parent.

use crate::ruleset::{Aggregate, Node, NodeKind, Ruleset};
use serde::Serialize;

/// A leaf's effective weight in the total.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct EffectiveWeight {
    /// Indicator path.
    pub path: String,
    /// Indicator name.
    pub name: String,
    /// Share of the total (before bonus and vetoes) that the leaf's share moves: the non-bonus
    /// leaves' weights sum to 1.
    pub weight: f64,
    /// `true` when every group above the leaf is linear in it (`sum`, `mean`, or a `deduction`
    /// whose children's points add up to its own), so that the weight is exact; `false` when a
    /// `geomean`, `min` or another `deduction` makes it a first-order approximation.
    pub exact: bool,
    /// A bonus (附加分) leaf: it adds to the total outside the weighted tree, weight 0.
    pub bonus: bool,
}

impl Ruleset {
    /// The effective weight of every leaf, in tree order (see `docs/weights.md`).
    ///
    /// Within a group, a child's normalised weight is its points over its siblings' points
    /// (`sum`, `deduction`) or its weight over its siblings' weights (`mean`, `geomean`); under
    /// `min` each child with a positive weight counts equally. Bonus children are left out of
    /// their siblings' totals. All children are taken as present: `reweight` and
    /// not-applicable children shift weight only in the rows where they are missing.
    pub fn effective_weights(&self) -> Vec<EffectiveWeight> {
        let mut out = Vec::new();
        self.walk(0, 1.0, true, false, &mut out);
        out
    }

    fn walk(
        &self,
        index: usize,
        weight: f64,
        exact: bool,
        bonus: bool,
        out: &mut Vec<EffectiveWeight>,
    ) {
        let Some(node) = self.nodes.get(index) else {
            return;
        };
        match &node.kind {
            NodeKind::Leaf { .. } => out.push(EffectiveWeight {
                path: node.path.clone(),
                name: node.name.clone(),
                weight: if bonus { 0.0 } else { weight },
                exact,
                bonus,
            }),
            NodeKind::Group {
                aggregate,
                children,
            } => {
                let members: Vec<&Node> =
                    children.iter().filter_map(|&c| self.nodes.get(c)).collect();
                let counted = || members.iter().filter(|c| !c.bonus);
                let (total, linear) = match aggregate {
                    Aggregate::Sum => (counted().map(|c| c.max).sum::<f64>(), true),
                    Aggregate::Deduction => {
                        let points: f64 = counted().map(|c| c.max).sum();
                        // Points lost in a child are lost by the group until its floor at 0:
                        // exactly linear only when the children's points make up the group's.
                        (points, points == node.max)
                    }
                    Aggregate::Mean => (counted().map(|c| c.weight).sum(), true),
                    // Linear in the logarithms: w_c / Σw is the elasticity of the group in
                    // the child, exact only at the point where all shares are equal.
                    Aggregate::Geomean => (counted().map(|c| c.weight).sum(), false),
                    // Only the lowest child counts; at equal shares, each is equally likely
                    // to be it.
                    Aggregate::Min => (counted().filter(|c| c.weight > 0.0).count() as f64, false),
                    // As the geometric mean: at equal shares every power mean moves by w_c / Σw
                    // per unit of the child's share; only p = 1 (arithmetic) is linear.
                    Aggregate::Harmonic => (counted().map(|c| c.weight).sum(), false),
                    Aggregate::Power => (counted().map(|c| c.weight).sum(), node.exponent == 1.0),
                };
                for (&c, child) in children.iter().zip(&members) {
                    let key = match aggregate {
                        Aggregate::Sum | Aggregate::Deduction => child.max,
                        Aggregate::Mean
                        | Aggregate::Geomean
                        | Aggregate::Harmonic
                        | Aggregate::Power => child.weight,
                        Aggregate::Min => f64::from(u8::from(child.weight > 0.0)),
                    };
                    let share = if child.bonus || total <= 0.0 {
                        0.0
                    } else {
                        key / total
                    };
                    self.walk(
                        c,
                        weight * share,
                        exact && linear,
                        bonus || child.bonus,
                        out,
                    );
                }
            }
        }
    }
}
