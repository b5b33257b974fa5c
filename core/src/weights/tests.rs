#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use super::*;
use crate::ruleset::Direction;
use proptest::prelude::*;

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
}

/// The example in many AHP primers (criteria A, B, C with a_12 = 5, a_13 = 3, a_32 = 3):
/// w ≈ (0.637, 0.105, 0.258), λmax ≈ 3.039, CI ≈ 0.019, CR ≈ 0.033. The reference digits below
/// come from numpy.linalg.eig.
#[test]
fn ahp_three_criteria_textbook() {
    let m = vec![
        vec![1.0, 5.0, 3.0],
        vec![1.0 / 5.0, 1.0, 1.0 / 3.0],
        vec![1.0 / 3.0, 3.0, 1.0],
    ];
    let r = ahp(&m, &AhpOptions::default()).unwrap();
    assert!(close(
        &r.weights,
        &[0.6369855717447571, 0.10472943388074793, 0.25828499437449504],
        1e-10
    ));
    assert!((r.lambda_max - 3.0385110905581745).abs() < 1e-10);
    assert!((r.ci - 0.01925554527908724).abs() < 1e-10);
    assert!((r.cr - 0.01925554527908724 / 0.58).abs() < 1e-10);
    assert_eq!(r.ri, 0.58);
    assert!(r.warning.is_none());
}

/// A 4 × 4 matrix on Saaty's 1–9 scale (odd judgements 3, 5, 7): CR = 0.0390/0.90 ≈ 0.043.
#[test]
fn ahp_four_criteria() {
    let m = vec![
        vec![1.0, 3.0, 5.0, 7.0],
        vec![1.0 / 3.0, 1.0, 3.0, 5.0],
        vec![1.0 / 5.0, 1.0 / 3.0, 1.0, 3.0],
        vec![1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0, 1.0],
    ];
    let r = ahp(&m, &AhpOptions::default()).unwrap();
    let want = [
        0.5650090537990473,
        0.26220120556087323,
        0.11750425004139858,
        0.05528549059868092,
    ];
    assert!(close(&r.weights, &want, 1e-10));
    assert!((r.lambda_max - 4.116982443447268).abs() < 1e-10);
    assert!((r.cr - 0.03899414781575613 / 0.90).abs() < 1e-10);
    // Another table, another CR, same weights.
    let xu = ahp(&m, &AhpOptions::new().random_index(RandomIndex::Xu1988)).unwrap();
    assert_eq!(xu.weights, r.weights);
    assert!((xu.cr - 0.03899414781575613 / 0.89).abs() < 1e-10);
}

#[test]
fn ahp_inconsistent_warns_or_fails() {
    // A prefers B, B prefers C, but C is preferred to A: a cycle.
    let m = vec![
        vec![1.0, 3.0, 1.0 / 3.0],
        vec![1.0 / 3.0, 1.0, 3.0],
        vec![3.0, 1.0 / 3.0, 1.0],
    ];
    let r = ahp(&m, &AhpOptions::default()).unwrap();
    assert!(r.cr > 0.1);
    let warning = r.warning.unwrap();
    assert!(warning.contains("above 0.1"), "{warning}");
    let e = ahp(&m, &AhpOptions::new().strict(true)).unwrap_err();
    assert_eq!(e.code, "weights.inconsistent");
}

#[test]
fn ahp_small_orders() {
    let one = ahp(&[vec![1.0]], &AhpOptions::default()).unwrap();
    assert_eq!((one.weights, one.ci, one.cr), (vec![1.0], 0.0, 0.0));
    let two = ahp(&[vec![1.0, 4.0], vec![0.25, 1.0]], &AhpOptions::default()).unwrap();
    assert!(close(&two.weights, &[0.8, 0.2], 1e-12));
    assert_eq!(two.cr, 0.0);
}

#[test]
fn ahp_validation_names_the_cell() {
    let e = ahp(&[vec![1.0, 2.0], vec![0.5]], &AhpOptions::default()).unwrap_err();
    assert_eq!((e.code, e.row), ("weights.not_square", Some(1)));
    let e = ahp(&[vec![1.0, -2.0], vec![0.5, 1.0]], &AhpOptions::default()).unwrap_err();
    assert_eq!(
        (e.code, e.row, e.column),
        ("weights.not_positive", Some(0), Some(1))
    );
    let e = ahp(&[vec![1.0, 2.0], vec![2.0, 1.0]], &AhpOptions::default()).unwrap_err();
    assert_eq!(
        (e.code, e.row, e.column),
        ("weights.not_reciprocal", Some(0), Some(1))
    );
    assert!(e.message.contains("row 1, column 0 is 2"), "{}", e.message);
    let e = ahp(&[vec![2.0, 2.0], vec![0.5, 1.0]], &AhpOptions::default()).unwrap_err();
    assert!(e.message.contains("diagonal"), "{}", e.message);
    // 0.33 for 1/3 passes the default tolerance, not a tight one.
    let typed = vec![vec![1.0, 3.0], vec![0.33, 1.0]];
    assert!(ahp(&typed, &AhpOptions::default()).is_ok());
    let e = ahp(&typed, &AhpOptions::new().tolerance(1e-6)).unwrap_err();
    assert_eq!(e.code, "weights.not_reciprocal");
    let big = vec![vec![1.0; 11]; 11];
    let e = ahp(&big, &AhpOptions::default()).unwrap_err();
    assert_eq!(e.code, "weights.too_large");
    assert!(ahp(&big, &AhpOptions::new().random_index(RandomIndex::Xu1988)).is_ok());
}

#[test]
fn random_index_tables() {
    assert_eq!(random_index(RandomIndex::Saaty1980, 3), Some(0.58));
    assert_eq!(random_index(RandomIndex::Saaty1980, 10), Some(1.49));
    assert_eq!(random_index(RandomIndex::Saaty1980, 11), None);
    assert_eq!(random_index(RandomIndex::Saaty1980, 0), None);
    assert_eq!(random_index(RandomIndex::AlonsoLamata2006, 4), Some(0.8815));
    for t in [
        RandomIndex::Saaty1980,
        RandomIndex::Xu1988,
        RandomIndex::AlonsoLamata2006,
    ] {
        assert_eq!(RandomIndex::from_name(t.name()), Some(t));
    }
}

/// Worked by hand: column 1 = (1, 2, 3) gives p = (1/6, 1/3, 1/2), e ≈ 0.920620, d ≈ 0.079380;
/// column 2 = (10, 10, 12) gives p = (0.3125, 0.3125, 0.375), e ≈ 0.996513, d ≈ 0.003487;
/// w ≈ (0.95792, 0.04208).
#[test]
fn entropy_worked_example() {
    let rows = vec![vec![1.0, 10.0], vec![2.0, 10.0], vec![3.0, 12.0]];
    let w = entropy(&rows, &DataOptions::default()).unwrap();
    assert!(close(&w.weights, &[0.95792, 0.04208], 5e-5), "{w:?}");
    // The same from the formula in std's logarithm.
    let d = |p: &[f64]| 1.0 + p.iter().map(|p| p * p.ln()).sum::<f64>() / 3f64.ln();
    let (d1, d2) = (
        d(&[1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]),
        d(&[10.0 / 32.0, 10.0 / 32.0, 12.0 / 32.0]),
    );
    assert!(close(&w.weights, &[d1 / (d1 + d2), d2 / (d1 + d2)], 1e-12));
    assert_eq!(w.rows_used, 3);
}

/// Five units, three indicators (the second lower-is-better); references from numpy.
fn five_units() -> Vec<Vec<f64>> {
    vec![
        vec![1.0, 10.0, 3.5],
        vec![2.0, 10.0, 1.2],
        vec![3.0, 12.0, 2.8],
        vec![5.0, 11.0, 0.4],
        vec![4.0, 15.0, 2.0],
    ]
}

fn directions() -> Vec<Direction> {
    vec![Direction::Higher, Direction::Lower, Direction::Higher]
}

#[test]
fn entropy_raw_and_normalised() {
    let raw = entropy(&five_units(), &DataOptions::default()).unwrap();
    let want = [0.3885467090393947, 0.03973336250078104, 0.5717199284598242];
    assert!(close(&raw.weights, &want, 1e-12), "{raw:?}");
    let options = DataOptions::new().normalise(true).directions(directions());
    let norm = entropy(&five_units(), &options).unwrap();
    let want = [0.3671431041273309, 0.2707061572655444, 0.36215073860712466];
    assert!(close(&norm.weights, &want, 1e-12), "{norm:?}");
}

#[test]
fn entropy_errors() {
    let e = entropy(&[vec![1.0, -1.0], vec![2.0, 1.0]], &DataOptions::default()).unwrap_err();
    assert_eq!(
        (e.code, e.row, e.column),
        ("weights.negative", Some(0), Some(1))
    );
    let e = entropy(&[vec![1.0, 0.0], vec![2.0, 0.0]], &DataOptions::default()).unwrap_err();
    assert_eq!((e.code, e.column), ("weights.zero_column", Some(1)));
    let e = entropy(&[vec![1.0, 2.0]], &DataOptions::default()).unwrap_err();
    assert_eq!(e.code, "weights.too_few_rows");
    let e = entropy(&[vec![1.0, 2.0], vec![1.0, 2.0]], &DataOptions::default()).unwrap_err();
    assert_eq!(e.code, "weights.no_variation");
    let options = DataOptions::new().directions(directions());
    let e = entropy(&five_units(), &options).unwrap_err();
    assert_eq!(e.code, "weights.directions");
    // Negative values are fine once normalised.
    let shifted = vec![vec![-1.0, 2.0], vec![0.0, 3.0], vec![4.0, 2.5]];
    assert!(entropy(&shifted, &DataOptions::new().normalise(true)).is_ok());
}

#[test]
fn constant_columns_get_zero_weight() {
    let rows = vec![
        vec![1.0, 7.0, 2.0],
        vec![2.0, 7.0, 5.0],
        vec![4.0, 7.0, 3.0],
    ];
    for w in [
        entropy(&rows, &DataOptions::default()).unwrap(),
        entropy(&rows, &DataOptions::new().normalise(true)).unwrap(),
        critic(&rows, &DataOptions::default()).unwrap(),
        sd(&rows, &DataOptions::default()).unwrap(),
        pca(&rows, &DataOptions::default()).unwrap(),
    ] {
        assert_eq!(w.weights[1], 0.0);
        assert!((w.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    // CRITIC leaves the constant column out entirely: same weights as without it.
    let without: Vec<Vec<f64>> = rows.iter().map(|r| vec![r[0], r[2]]).collect();
    let a = critic(&rows, &DataOptions::default()).unwrap();
    let b = critic(&without, &DataOptions::default()).unwrap();
    assert_eq!([a.weights[0], a.weights[2]], [b.weights[0], b.weights[1]]);
}

#[test]
fn critic_sd_pca_against_numpy() {
    let options = DataOptions::new().directions(directions());
    let c = critic(&five_units(), &options).unwrap();
    let want = [0.3739353986584336, 0.31005922508038525, 0.316005376261181];
    assert!(close(&c.weights, &want, 1e-12), "{c:?}");
    let s = sd(&five_units(), &DataOptions::default()).unwrap();
    let directed = sd(&five_units(), &DataOptions::new().directions(directions())).unwrap();
    assert_eq!(
        s.weights, directed.weights,
        "directions change no bit of sd weights"
    );
    let want = [0.3272280675507478, 0.34332446982242737, 0.32944746262682484];
    assert!(close(&s.weights, &want, 1e-12), "{s:?}");
    // numpy.linalg.eigh of numpy.corrcoef: λ1 ≈ 1.8665, v² scaled to sum 1.
    let p = pca(&five_units(), &DataOptions::default()).unwrap();
    let want = [0.5043148184543136, 0.18263300156310572, 0.3130521799825807];
    assert!(close(&p.weights, &want, 1e-12), "{p:?}");
}

/// Two columns with correlation r: the correlation matrix [[1, r], [r, 1]] has eigenvectors
/// (1, 1)/√2 (λ = 1 + r) and (1, −1)/√2 (λ = 1 − r): equal weights either way.
#[test]
fn pca_two_columns_by_hand() {
    let rows = vec![
        vec![1.0, 5.0],
        vec![2.0, 3.0],
        vec![3.0, 4.0],
        vec![4.0, 1.0],
    ];
    let p = pca(&rows, &DataOptions::default()).unwrap();
    assert!(close(&p.weights, &[0.5, 0.5], 1e-12), "{p:?}");
    // Uncorrelated columns: no first component.
    let rows = vec![
        vec![1.0, 1.0],
        vec![-1.0, 1.0],
        vec![1.0, -1.0],
        vec![-1.0, -1.0],
    ];
    let e = pca(&rows, &DataOptions::default()).unwrap_err();
    assert_eq!(e.code, "weights.not_unique");
}

#[test]
fn missing_values() {
    let mut rows = five_units();
    rows[2][1] = f64::NAN;
    let e = critic(&rows, &DataOptions::default()).unwrap_err();
    assert_eq!(
        (e.code, e.row, e.column),
        ("weights.missing", Some(2), Some(1))
    );
    assert!(e.message.contains("row 2, column 1"), "{}", e.message);
    let w = critic(&rows, &DataOptions::new().drop_missing(true)).unwrap();
    assert_eq!((w.rows_used, w.dropped_rows), (4, vec![2]));
    let mut without = five_units();
    without.remove(2);
    assert_eq!(
        w.weights,
        critic(&without, &DataOptions::default()).unwrap().weights
    );
    rows[0][0] = f64::INFINITY;
    let e = sd(&rows, &DataOptions::new().drop_missing(true)).unwrap_err();
    assert_eq!(e.code, "weights.not_finite");
    let e = sd(
        &[vec![1.0], vec![f64::NAN]],
        &DataOptions::new().drop_missing(true),
    )
    .unwrap_err();
    assert_eq!(e.code, "weights.too_few_rows");
    assert!(e.message.contains("leaving out 1"), "{}", e.message);
}

#[test]
fn shape_errors() {
    let e = sd(&[], &DataOptions::default()).unwrap_err();
    assert_eq!(e.code, "weights.empty");
    let e = sd(&[vec![1.0, 2.0], vec![3.0]], &DataOptions::default()).unwrap_err();
    assert_eq!((e.code, e.row), ("weights.ragged", Some(1)));
    let e = sd(
        &five_units(),
        &DataOptions::new().directions(vec![Direction::Lower]),
    )
    .unwrap_err();
    assert_eq!(e.code, "weights.directions");
    assert_eq!(equal(4).unwrap(), vec![0.25; 4]);
    assert_eq!(equal(0).unwrap_err().code, "weights.empty");
}

#[test]
fn directions_from_numbers_and_words() {
    assert_eq!(direction_from_number(1.0), Some(Direction::Higher));
    assert_eq!(direction_from_number(-1.0), Some(Direction::Lower));
    assert_eq!(direction_from_number(0.0), None);
    assert_eq!(direction_from_word("higher"), Some(Direction::Higher));
    assert_eq!(direction_from_word("lower"), Some(Direction::Lower));
    assert_eq!(direction_from_word("up"), None);
}

#[test]
fn mirroring_a_column_is_the_same_as_lower_direction() {
    let rows = five_units();
    let mirrored: Vec<Vec<f64>> = rows.iter().map(|r| vec![r[0], -r[1], r[2]]).collect();
    let lower = critic(&rows, &DataOptions::new().directions(directions())).unwrap();
    let flipped = critic(&mirrored, &DataOptions::default()).unwrap();
    assert!(close(&lower.weights, &flipped.weights, 1e-15));
}

// ---------------------------------------------------------------------------- properties

fn data_matrix() -> impl Strategy<Value = Vec<Vec<f64>>> {
    (3usize..12, 2usize..6).prop_flat_map(|(m, n)| {
        proptest::collection::vec(proptest::collection::vec(0.0f64..100.0, n), m)
    })
}

fn is_distribution(w: &[f64]) -> bool {
    w.iter().all(|&x| x >= 0.0 && x.is_finite()) && (w.iter().sum::<f64>() - 1.0).abs() < 1e-9
}

type Method = fn(&[Vec<f64>], &DataOptions) -> Result<Weights, WeightsError>;

const METHODS: [(&str, Method); 4] = [
    ("entropy", entropy),
    ("critic", critic),
    ("sd", sd),
    ("pca", pca),
];

proptest! {
    #[test]
    fn data_weights_are_a_distribution(rows in data_matrix()) {
        for (name, method) in METHODS {
            if let Ok(w) = method(&rows, &DataOptions::default()) {
                prop_assert!(is_distribution(&w.weights), "{name}: {:?}", w.weights);
            }
        }
        let w = entropy(&rows, &DataOptions::new().normalise(true)).unwrap();
        prop_assert!(is_distribution(&w.weights));
    }

    #[test]
    fn permuting_columns_permutes_weights(rows in data_matrix(), seed in 0usize..1000) {
        let n = rows[0].len();
        // A rotation of the columns by `shift`.
        let shift = 1 + seed % (n - 1);
        let turned: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| (0..n).map(|j| r[(j + shift) % n]).collect())
            .collect();
        for (name, method) in METHODS {
            let (Ok(a), Ok(b)) = (method(&rows, &DataOptions::default()), method(&turned, &DataOptions::default())) else {
                continue;
            };
            for j in 0..n {
                prop_assert!((b.weights[j] - a.weights[(j + shift) % n]).abs() < 1e-9, "{name}");
            }
        }
    }

    #[test]
    fn ahp_recovers_the_weights_of_a_consistent_matrix(
        raw in proptest::collection::vec(0.05f64..1.0, 1..10)
    ) {
        let total: f64 = raw.iter().sum();
        let w: Vec<f64> = raw.iter().map(|x| x / total).collect();
        let m: Vec<Vec<f64>> = w.iter().map(|a| w.iter().map(|b| a / b).collect()).collect();
        let r = ahp(&m, &AhpOptions::default()).unwrap();
        prop_assert!(close(&r.weights, &w, 1e-9), "{:?} vs {:?}", r.weights, w);
        prop_assert!(r.cr.abs() < 1e-9);
        prop_assert!((r.lambda_max - w.len() as f64).abs() < 1e-9);
        prop_assert!(is_distribution(&r.weights));
    }

    #[test]
    fn ahp_weights_are_a_distribution(
        judgements in proptest::collection::vec(0usize..17, 0..36),
        n in 2usize..9
    ) {
        // Saaty's scale 1/9 … 9.
        let scale = |k: usize| if k < 8 { 1.0 / (9 - k) as f64 } else { (k - 7) as f64 };
        let mut m = vec![vec![1.0; n]; n];
        let mut it = judgements.iter().cycle();
        for i in 0..n {
            for j in i + 1..n {
                let a = scale(*it.next().unwrap_or(&8));
                m[i][j] = a;
                m[j][i] = 1.0 / a;
            }
        }
        let r = ahp(&m, &AhpOptions::default()).unwrap();
        prop_assert!(is_distribution(&r.weights));
        prop_assert!(r.lambda_max >= n as f64 - 1e-9);
        prop_assert!(r.ci >= 0.0);
    }
}

// ----------------------------------------------------------------------- effective weights

fn effective(toml: &str) -> Vec<(String, f64, bool, bool)> {
    crate::Ruleset::from_toml(toml)
        .unwrap()
        .effective_weights()
        .into_iter()
        .map(|e| (e.path, e.weight, e.exact, e.bonus))
        .collect()
}

#[test]
fn effective_weights_of_points_and_deductions() {
    let got = effective(
        r#"
[ruleset]
id = "t"
name = "t"
version = "1"
scale = 100

[bonus]
cap = 5

[[input]]
name = "a"
type = "boolean"
label = "a"

[[input]]
name = "n"
type = "count"
label = "n"

[[indicator]]
id = "p"
name = "P"
points = 60

[[indicator]]
id = "p.x"
name = "x"
points = 40
scorer = { type = "clause", when = "a" }

[[indicator]]
id = "p.y"
name = "y"
points = 20
scorer = { type = "clause", when = "a" }

[[indicator]]
id = "d"
name = "D"
points = 40
aggregate = "deduction"

[[indicator]]
id = "d.u"
name = "u"
points = 30
scorer = { type = "per_occurrence", count = "n", per = 10 }

[[indicator]]
id = "d.v"
name = "v"
points = 30
scorer = { type = "per_occurrence", count = "n", per = 10 }

[[indicator]]
id = "extra"
name = "extra"
points = 5
bonus = true
scorer = { type = "clause", when = "a" }
"#,
    );
    let want = vec![
        ("p.x".to_string(), 0.4, true, false),
        ("p.y".to_string(), 0.2, true, false),
        ("d.u".to_string(), 0.2, false, false),
        ("d.v".to_string(), 0.2, false, false),
        ("extra".to_string(), 0.0, true, true),
    ];
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((&g.0, g.2, g.3), (&w.0, w.2, w.3));
        assert!((g.1 - w.1).abs() < 1e-15, "{g:?} vs {w:?}");
    }
}

/// The city index: a geomean of three pillars (0.5, 0.3, 0.2); the construction pillar a mean
/// of seven sectors, governance a `min` of three, perception a mean (0.6, 0.4).
#[test]
fn effective_weights_of_the_city_index() {
    let got = effective(include_str!("../../../rules/city-index.toml"));
    let want = [
        ("index.construction.enterprises", 0.5 * 0.2),
        ("index.construction.hospitals", 0.5 * 0.15),
        ("index.construction.schools", 0.5 * 0.15),
        ("index.construction.villages", 0.5 * 0.2),
        ("index.construction.soes", 0.5 * 0.1),
        ("index.construction.organs", 0.5 * 0.1),
        ("index.construction.transport", 0.5 * 0.1),
        ("index.governance.rectification", 0.3 / 3.0),
        ("index.governance.warnings", 0.3 / 3.0),
        ("index.governance.power_list", 0.3 / 3.0),
        ("index.perception.survey", 0.2 * 0.6),
        ("index.perception.petitions", 0.2 * 0.4),
    ];
    assert_eq!(got.len(), want.len());
    for (g, (path, w)) in got.iter().zip(want) {
        assert_eq!(g.0, path);
        assert!((g.1 - w).abs() < 1e-12, "{g:?} vs {w}");
        assert!(!g.2, "{path}: under a geomean, not exact");
    }
    let total: f64 = got.iter().map(|g| g.1).sum();
    assert!((total - 1.0).abs() < 1e-12);
}

#[test]
fn effective_weights_of_every_shipped_ruleset_sum_to_one() {
    for text in [
        include_str!("../../../rules/city-index.toml"),
        include_str!("../../../rules/government-organ.toml"),
        include_str!("../../../rules/hospital.toml"),
        include_str!("../../../rules/private-enterprise.toml"),
        include_str!("../../../rules/school.toml"),
        include_str!("../../../rules/soe.toml"),
        include_str!("../../../rules/transport.toml"),
        include_str!("../../../rules/village.toml"),
    ] {
        let got = effective(text);
        assert!(!got.is_empty());
        let total: f64 = got.iter().map(|g| g.1).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        assert!(got.iter().all(|g| g.1 >= 0.0 && (!g.3 || g.1 == 0.0)));
    }
}
