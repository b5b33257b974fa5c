//! # qinglian (清廉)
//!
//! An engine that turns integrity evaluation systems — indicator trees with points, deductions,
//! bonuses, vetoes, grade bands and early warnings, written as TOML rulesets — into scores, grades
//! and audit trails.
//!
//! Compile a ruleset once ([`Ruleset::from_toml`], [`Ruleset::load`]); the compiled [`Ruleset`]
//! is immutable and `Send + Sync`. Score one record ([`Ruleset::evaluate`]) or a batch
//! ([`Ruleset::evaluate_batch`], column-wise through a [`Batch`]) into [`Evaluation`]s.
//!
//! ```
//! use qinglian::{Record, Ruleset};
//!
//! let ruleset = Ruleset::from_toml(r#"
//! [ruleset]
//! id = "demo"
//! name = "清廉村社（示例）"
//! version = "1"
//! scale = 10
//!
//! [[input]]
//! name = "open_affairs"
//! type = "boolean"
//! label = "按时公开村务"
//!
//! [[input]]
//! name = "complaints"
//! type = "count"
//! label = "群众有效投诉次数"
//!
//! [[indicator]]
//! id = "openness"
//! name = "村务公开"
//! points = 6
//! scorer = { type = "clause", when = "open_affairs" }
//!
//! [[indicator]]
//! id = "complaints"
//! name = "群众投诉"
//! points = 4
//! scorer = { type = "per_occurrence", count = "complaints", per = 1 }
//!
//! [[grade]]
//! name = "优秀"
//! min = 9
//! [[grade]]
//! name = "合格"
//! min = 0
//! "#).unwrap();
//!
//! let record = Record::new().with("id", "V01").with("open_affairs", true).with("complaints", 2.0);
//! let evaluation = ruleset.evaluate(&record).unwrap();
//! assert_eq!(evaluation.score, 8.0);
//! assert_eq!(evaluation.grade.as_deref(), Some("合格"));
//! ```

pub mod batch;
pub mod cohort;
pub mod columns;
pub mod decompose;
pub mod encoding;
pub mod error;
mod evaluate;
pub mod evaluation;
mod explain;
pub mod export;
pub mod expr;
pub mod improve;
pub mod number;
pub mod outranking;
pub mod provenance;
pub mod read;
pub mod record;
pub mod ruleset;
mod score;
pub mod sensitivity;
pub mod uncertainty;
pub mod unit_ids;
pub mod weights;
mod workbook;

pub use batch::Batch;
pub use cohort::{
    Cohort, CohortError, CohortFitter, Groups, TREATED_IMPUTED, TREATED_LOG,
    TREATED_WINSORISED_HIGH, TREATED_WINSORISED_LOW,
};
pub use decompose::{Line, LineKind, UnitDecomposition};
pub use encoding::encoding_for_label;
pub use error::{excerpt, Diagnostic, ReadError, RecordError, RulesetError, Severity};
pub use evaluation::{
    AlertHit, BonusHit, CohortPlace, Evaluation, NodeResult, Reason, ReasonKind, Status, Text,
    VetoHit,
};
pub use explain::improve::{decomposition_headings, plan_headings};
pub use explain::{num as format_number, Lang};
pub use improve::{ImproveOptions, ImprovementPlan, Search, Step, StepKind};
pub use outranking::{Copeland, Outranking};
pub use provenance::Provenance;
pub use read::{Chunk, ReadOptions, RecordFormat, RecordReader, CHUNK_ROWS};
pub use record::{
    read_csv, read_csv_limited, read_json, read_json_limited, read_json_lines,
    read_json_lines_limited, read_records, read_records_with, Cell, Record, RecordLimits,
    RecordRows,
};
pub use ruleset::{
    Aggregate, Direction, IndicatorInfo, Input, InputType, Limits, Metadata, MissingPolicy,
    Ruleset, VetoEffect, ALERT_LEVELS,
};
pub use score::{Scores, NO_ALERT, NO_GRADE, NO_TIER};
pub use sensitivity::{ParameterAnalysis, ParameterRange, ParameterSensitivity, SensitivityIndex};
pub use uncertainty::{AnalysisError, RankUncertainty, WeightNoise};
pub use unit_ids::{repeated_id, repeated_rows, UnitIds};
pub use weights::{EffectiveWeight, WeightsError};
