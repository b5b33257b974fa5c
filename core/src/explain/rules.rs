//! The rules themselves in words, for the 评分细则 table a reviewer reads: what each scorer,
//! condition, veto and grade band says, worded as the audit trail words what they did (每次扣…分,
//! 最多扣…分, 本项不得分, 得分率…%). Conditions are written with the inputs' labels in place of
//! their names, and with the usual signs (≥, ≠, 且, 或), so no identifier reaches a reader.

use super::num;
use crate::evaluation::Text;
use crate::expr::Expr;
use crate::ruleset::*;

/// An expression in words: input names become their labels in 「」, operators become signs.
pub(crate) fn expr_words(expr: &Expr, inputs: &[Input]) -> Text {
    Text::new(
        words(expr.source(), inputs, false),
        words(expr.source(), inputs, true),
    )
}

fn words(source: &str, inputs: &[Input], en: bool) -> String {
    let mut out = String::with_capacity(source.len() * 2);
    let chars: Vec<char> = source.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '"' || c == '\'' {
            // A string literal: shown in quotation marks, as written.
            let mut j = i + 1;
            while chars.get(j).is_some_and(|&d| d != c) {
                j += 1;
            }
            let text: String = chars.get(i + 1..j).unwrap_or_default().iter().collect();
            out.push_str(&format!("“{text}”"));
            i = j + 1;
        } else if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while chars
                .get(j)
                .is_some_and(|&d| d.is_alphanumeric() || d == '_')
            {
                j += 1;
            }
            let word: String = chars.get(i..j).unwrap_or_default().iter().collect();
            out.push_str(&word_of(&word, inputs, en));
            i = j;
        } else {
            let next = chars.get(i + 1).copied();
            let (sign, len) = match (c, next) {
                ('=', Some('=')) => ("=", 2),
                ('!', Some('=')) => ("≠", 2),
                ('>', Some('=')) => ("≥", 2),
                ('<', Some('=')) => ("≤", 2),
                ('*', _) => ("×", 1),
                ('/', _) => ("÷", 1),
                _ => ("", 1),
            };
            if sign.is_empty() {
                out.push(c);
            } else {
                out.push_str(sign);
            }
            i += len;
        }
    }
    out
}

fn word_of(word: &str, inputs: &[Input], en: bool) -> String {
    if let Some(input) = inputs.iter().find(|i| i.name == word) {
        let label = match (en, &input.label_en) {
            (true, Some(l)) => l.as_str(),
            _ => input.label.as_str(),
        };
        return if en {
            format!("[{label}]")
        } else {
            format!("「{label}」")
        };
    }
    let (zh, e) = match word {
        "and" => ("且", "and"),
        "or" => ("或", "or"),
        "not" => ("非", "not"),
        "if" => ("若", "if"),
        "then" => ("则", "then"),
        "else" => ("否则", "else"),
        "true" => ("是", "true"),
        "false" => ("否", "false"),
        "is_missing" => ("缺失", "missing"),
        "default" => ("缺省取值", "default"),
        "min" => ("最小值", "min"),
        "max" => ("最大值", "max"),
        "abs" => ("绝对值", "abs"),
        "clamp" => ("限定范围", "clamp"),
        "round" => ("四舍五入", "round"),
        _ => (word, word),
    };
    (if en { e } else { zh }).to_string()
}

fn pct(share: f64) -> String {
    format!("{}%", num(share * 100.0))
}

fn input_label(inputs: &[Input], slot: usize, en: bool) -> String {
    match inputs.get(slot) {
        Some(i) => match (en, &i.label_en) {
            (true, Some(l)) => l.clone(),
            _ => i.label.clone(),
        },
        None => String::new(),
    }
}

/// Bands "≥15 高风险 0%；≥8 中风险 60%；…" (`lower`: ≤ for lower-is-better thresholds).
fn bands_words(bands: &[Band], lower: bool) -> Text {
    let sign = if lower { "≤" } else { "≥" };
    let zh: Vec<String> = bands
        .iter()
        .map(|b| {
            let label = b
                .label
                .as_deref()
                .map(|l| format!("{l}，"))
                .unwrap_or_default();
            format!("{sign}{}：{label}得分率{}", num(b.at), pct(b.share))
        })
        .collect();
    let en: Vec<String> = bands
        .iter()
        .map(|b| {
            let label = b
                .label
                .as_deref()
                .map(|l| format!("{l}, "))
                .unwrap_or_default();
            format!("{sign}{}: {label}{} of the points", num(b.at), pct(b.share))
        })
        .collect();
    Text::new(zh.join("；"), en.join("; "))
}

/// What a scorer awards, in words.
pub(crate) fn scorer_words(scorer: &Scorer, max: f64, inputs: &[Input]) -> Text {
    let w = |e: &Expr| expr_words(e, inputs);
    let m = num(max);
    match scorer {
        Scorer::Clause { when } => {
            let c = w(when);
            Text::new(
                format!("满足{}的，得{m}分；否则不得分", c.zh),
                format!("{m} points when {}; otherwise 0", c.en),
            )
        }
        Scorer::PerOccurrence {
            count,
            per,
            cap,
            floor,
        } => {
            let c = w(count);
            let until_zero = *floor <= 0.0 && *cap >= max;
            let (zh, en) = if until_zero {
                ("扣完为止".to_string(), "down to 0".to_string())
            } else {
                (
                    format!("最多扣{}分，最低{}分", num(*cap), num(*floor)),
                    format!("at most {} deducted, floor {}", num(*cap), num(*floor)),
                )
            };
            Text::new(
                format!("按{}，每发生1次扣{}分，{zh}", c.zh, num(*per)),
                format!("{} deducted per occurrence of {}, {en}", num(*per), c.en),
            )
        }
        Scorer::Severity { tiers, cap } => {
            let (mut zh, mut en) = (Vec::new(), Vec::new());
            for tier in tiers {
                match tier {
                    Tier::PerCase {
                        name,
                        name_en,
                        count,
                        per,
                    } => {
                        let c = w(count);
                        let name_en = name_en.as_deref().unwrap_or(name);
                        zh.push(format!("情节{name}的每例扣{}分（{}）", num(*per), c.zh));
                        en.push(format!("{name_en}: {} per case ({})", num(*per), c.en));
                    }
                    Tier::Zero {
                        name,
                        name_en,
                        when,
                    } => {
                        let c = w(when);
                        let name_en = name_en.as_deref().unwrap_or(name);
                        zh.push(format!("情节{name}的本项不得分（{}）", c.zh));
                        en.push(format!("{name_en}: item zeroed ({})", c.en));
                    }
                }
            }
            Text::new(
                format!("{}；最多扣{}分", zh.join("；"), num(*cap)),
                format!("{}; at most {} deducted", en.join("; "), num(*cap)),
            )
        }
        Scorer::Discretionary {
            input,
            min,
            max: hi,
        } => Text::new(
            format!(
                "由评价人员酌情扣{}–{}分（{}）",
                num(*min),
                num(*hi),
                input_label(inputs, *input, false)
            ),
            format!(
                "discretionary deduction of {}–{} by the assessor ({})",
                num(*min),
                num(*hi),
                input_label(inputs, *input, true)
            ),
        ),
        Scorer::PerItem { count, per } => {
            let c = w(count);
            Text::new(
                format!("按{}，每项得{}分，最高{m}分", c.zh, num(*per)),
                format!("{} per item of {}, at most {m}", num(*per), c.en),
            )
        }
        Scorer::Threshold {
            value,
            direction,
            bands,
        } => {
            let c = w(value);
            let b = bands_words(bands, *direction == Direction::Lower);
            Text::new(
                format!("按{}分档：{}", c.zh, b.zh),
                format!("bands of {}: {}", c.en, b.en),
            )
        }
        Scorer::Piecewise { value, points } => {
            let c = w(value);
            let zh: Vec<String> = points
                .iter()
                .map(|(x, s)| format!("{}→{}", num(*x), pct(*s)))
                .collect();
            Text::new(
                format!("按{}分段线性计分（{}）", c.zh, zh.join("，")),
                format!("piecewise-linear in {} ({})", c.en, zh.join(", ")),
            )
        }
        Scorer::Goalposts {
            value,
            lo,
            hi,
            direction,
        } => {
            let c = w(value);
            let (zh, en) = match direction {
                Direction::Higher => ("越高越好", "higher is better"),
                Direction::Lower => ("越低越好", "lower is better"),
            };
            Text::new(
                format!(
                    "按{}在{}–{}之间按比例计分（{zh}）",
                    c.zh,
                    num(*lo),
                    num(*hi)
                ),
                format!(
                    "{} scaled between {} and {} ({en})",
                    c.en,
                    num(*lo),
                    num(*hi)
                ),
            )
        }
        Scorer::Target {
            value,
            target,
            direction,
            tolerance,
        } => {
            let c = w(value);
            let (zh, en) = match direction {
                Direction::Higher => ("达到或超过目标值得满分", "full points at or above it"),
                Direction::Lower => ("不超过目标值得满分", "full points at or below it"),
            };
            let tol = tolerance.map_or((String::new(), String::new()), |t| {
                (
                    format!("，容差{}", num(t)),
                    format!(", tolerance {}", num(t)),
                )
            });
            Text::new(
                format!("{}目标值{}，{zh}{}", c.zh, num(*target), tol.0),
                format!(
                    "{} against the target {}: {en}{}",
                    c.en,
                    num(*target),
                    tol.1
                ),
            )
        }
        Scorer::Efficacy { value, worst, best } => {
            let c = w(value);
            Text::new(
                format!(
                    "功效系数法：{}，不允许值{}，满意值{}，功效系数=60+40×(实际值−不允许值)÷(满意值−不允许值)",
                    c.zh,
                    num(*worst),
                    num(*best)
                ),
                format!(
                    "efficacy coefficient of {}: worst {}, best {}, d = 60 + 40·(x − worst)/(best − worst)",
                    c.en,
                    num(*worst),
                    num(*best)
                ),
            )
        }
        Scorer::Levels {
            input,
            shares,
            not_applicable,
        } => {
            let en = |level: &str| -> String {
                inputs
                    .get(*input)
                    .map_or(level, |i| i.value_en(level))
                    .to_string()
            };
            let list: Vec<String> = shares
                .iter()
                .map(|(level, s)| format!("“{level}” {}", pct(*s)))
                .collect();
            let list_en: Vec<String> = shares
                .iter()
                .map(|(level, s)| format!("“{}” {}", en(level), pct(*s)))
                .collect();
            let na = if not_applicable.is_empty() {
                (String::new(), String::new())
            } else {
                let na_en: Vec<String> = not_applicable.iter().map(|v| en(v)).collect();
                (
                    format!("；“{}”不适用，不计入分母", not_applicable.join("”“")),
                    format!("; `{}` not applicable", na_en.join("`, `")),
                )
            };
            Text::new(
                format!(
                    "按{}等级计分：{}{}",
                    input_label(inputs, *input, false),
                    list.join("，"),
                    na.0
                ),
                format!(
                    "by the level of {}: {}{}",
                    input_label(inputs, *input, true),
                    list_en.join(", "),
                    na.1
                ),
            )
        }
        Scorer::Survey {
            input,
            codes,
            excluded,
            scale,
            ..
        } => {
            let declared = inputs.get(*input);
            let answers = declared.map(|i| i.values.as_slice()).unwrap_or(&[]);
            let answer = |i: usize| answers.get(i).cloned().unwrap_or_default();
            let answer_en = |i: usize| {
                answers
                    .get(i)
                    .map(|a| declared.map_or(a.as_str(), |d| d.value_en(a)).to_string())
                    .unwrap_or_default()
            };
            let list: Vec<String> = codes
                .iter()
                .map(|(i, v)| format!("{}{}分", answer(*i), num(*v)))
                .collect();
            let list_en: Vec<String> = codes
                .iter()
                .map(|(i, v)| format!("{}: {}", answer_en(*i), num(*v)))
                .collect();
            let left: Vec<String> = excluded.iter().map(|&i| answer(i)).collect();
            let left_en: Vec<String> = excluded.iter().map(|&i| answer_en(i)).collect();
            let left_zh = if left.is_empty() {
                String::new()
            } else {
                format!("，“{}”不计入有效票", left.join("”“"))
            };
            let left_en = if left_en.is_empty() {
                String::new()
            } else {
                format!(", `{}` not counted as valid votes", left_en.join("`, `"))
            };
            Text::new(
                format!(
                    "{}：{}{left_zh}；按平均分占{}分的比例计分",
                    input_label(inputs, *input, false),
                    list.join("、"),
                    num(*scale)
                ),
                format!(
                    "{}: {}{left_en}; the mean over {} gives the share",
                    input_label(inputs, *input, true),
                    list_en.join(", "),
                    num(*scale)
                ),
            )
        }
        Scorer::Frequency { periods, min } => Text::new(
            format!(
                "{}个周期每期不少于{}次，按达标周期比例计分",
                periods.len(),
                num(*min)
            ),
            format!(
                "at least {} in each of {} periods; the share of compliant periods",
                num(*min),
                periods.len()
            ),
        ),
        Scorer::Criteria { criteria, bands } => {
            let zh: Vec<String> = criteria.iter().map(|c| w(c).zh).collect();
            let en: Vec<String> = criteria.iter().map(|c| w(c).en).collect();
            let b = bands_words(bands, false);
            Text::new(
                format!(
                    "符合下列标准的项数（{}）：{}",
                    zh.join("；"),
                    b.zh.replace("：", "项：")
                ),
                format!("number of criteria met ({}): {}", en.join("; "), b.en),
            )
        }
        Scorer::RiskMatrix {
            likelihood,
            severity,
            bands,
        } => {
            let (l, s) = (w(likelihood), w(severity));
            let b = bands_words(bands, false);
            Text::new(
                format!("风险值=可能性{}×严重程度{}：{}", l.zh, s.zh, b.zh),
                format!("risk = likelihood {} × severity {}: {}", l.en, s.en, b.en),
            )
        }
        Scorer::Rank {
            value,
            direction,
            step,
        } => {
            let c = w(value);
            let (zh, en) = match direction {
                Direction::Higher => ("越高越好", "higher is better"),
                Direction::Lower => ("越低越好", "lower is better"),
            };
            Text::new(
                format!(
                    "按{}在群体中排名（{zh}），第一名得满分，每降一名扣{}分",
                    c.zh,
                    num(*step)
                ),
                format!(
                    "ranked on {} ({en}): first place full points, {} less per place",
                    c.en,
                    num(*step)
                ),
            )
        }
        Scorer::Normalise {
            value,
            method,
            direction,
            prepare,
            ..
        } => {
            let c = w(value);
            let before = prepare_words(prepare);
            let (dzh, den) = match direction {
                Direction::Higher => ("", ""),
                Direction::Lower => ("（越低越好）", " (lower is better)"),
            };
            let rule = match method {
                Normalisation::Minmax { lo, hi } => Text::new(
                    format!(
                        "按{}{dzh}在本组最小值与最大值之间折算为{}–{}分（最小–最大法）",
                        c.zh,
                        num(*lo),
                        num(*hi)
                    ),
                    format!(
                        "{}{den} scaled from the cohort's minimum and maximum onto {}–{} points (min-max)",
                        c.en,
                        num(*lo),
                        num(*hi)
                    ),
                ),
                Normalisation::Zscore { mean, sd } => Text::new(
                    format!(
                        "按{}{dzh}相对本组均值和标准差标准化：均值计{}分，每个标准差{}分",
                        c.zh,
                        num(*mean),
                        num(*sd)
                    ),
                    format!(
                        "{}{den} standardised against the cohort's mean and standard deviation: the mean scores {}, each standard deviation {}",
                        c.en,
                        num(*mean),
                        num(*sd)
                    ),
                ),
                Normalisation::Percentile => Text::new(
                    format!("按{}{dzh}在本组中的百分位计分，最高{m}分", c.zh),
                    format!("{}{den} by its percentile in the cohort, at most {m}", c.en),
                ),
                Normalisation::FractionOfMax => Text::new(
                    format!("按{}{dzh}占本组最优值的比例计分，最高{m}分", c.zh),
                    format!(
                        "{}{den} as a fraction of the cohort's best value, at most {m}",
                        c.en
                    ),
                ),
                Normalisation::Target { target } => Text::new(
                    format!(
                        "按{}{dzh}从本组最差值到目标值{}的完成程度计分，达到目标得{m}分",
                        c.zh,
                        num(*target)
                    ),
                    format!(
                        "{}{den} by how far it has come from the cohort's worst value to the target {}; {m} at the target",
                        c.en,
                        num(*target)
                    ),
                ),
                Normalisation::Reference { unit, hi } => {
                    let (beyond_zh, beyond_en) = if *hi < max {
                        (
                            format!("，超过参照单位的最高{m}分"),
                            format!(", more beyond it, at most {m}"),
                        )
                    } else {
                        (String::new(), String::new())
                    };
                    Text::new(
                        format!(
                            "按{}{dzh}相对参照单位“{unit}”的距离计分：本组最差值得0分，参照单位的数值得{}分{beyond_zh}",
                            c.zh,
                            num(*hi)
                        ),
                        format!(
                            "{}{den} by its distance to the reference unit “{unit}”: 0 points at the cohort's worst value, {} at the reference unit's value{beyond_en}",
                            c.en,
                            num(*hi)
                        ),
                    )
                }
                Normalisation::Rank => Text::new(
                    format!("按{}{dzh}在本组中的名次计分：最差1分，每胜过一个数值加1分", c.zh),
                    format!(
                        "{}{den} by its rank in the cohort: 1 point for the last, 1 more for each value it beats",
                        c.en
                    ),
                ),
                Normalisation::Borda => Text::new(
                    format!("按{}{dzh}在本组中胜过的数值个数计分（波达计分）", c.zh),
                    format!(
                        "{}{den} by how many of the cohort's values it beats (Borda count)",
                        c.en
                    ),
                ),
                Normalisation::PercentileBands { bands } => {
                    let list = |sep: &str, f: &dyn Fn(&crate::ruleset::Band) -> String| {
                        bands.iter().map(f).collect::<Vec<_>>().join(sep)
                    };
                    Text::new(
                        format!(
                            "按{}{dzh}在本组中的百分位分档计分：{}",
                            c.zh,
                            list("；", &|b| format!(
                                "百分位{}及以上得{}分",
                                num(b.at),
                                num(b.share * max)
                            ))
                        ),
                        format!(
                            "{}{den} by its percentile rank in the cohort, in bands: {}",
                            c.en,
                            list("; ", &|b| format!(
                                "{} points from the {}th percentile",
                                num(b.share * max),
                                num(b.at)
                            ))
                        ),
                    )
                }
                Normalisation::AboveMean { tolerance } => Text::new(
                    format!(
                        "按{}{dzh}与本组均值比较：高于均值{}%以上得{m}分，低于均值{}%以上得0分，其间得{}分",
                        c.zh,
                        num(tolerance * 100.0),
                        num(tolerance * 100.0),
                        num(max / 2.0)
                    ),
                    format!(
                        "{}{den} against the cohort's mean: {m} points more than {}% above it, 0 more than {}% below it, {} in between",
                        c.en,
                        num(tolerance * 100.0),
                        num(tolerance * 100.0),
                        num(max / 2.0)
                    ),
                ),
            };
            match before {
                Some(b) => Text::new(
                    format!("{}；{}", b.zh, rule.zh),
                    format!("{}; {}", b.en, rule.en),
                ),
                None => rule,
            }
        }
        Scorer::Formula { expr } => {
            let c = w(expr);
            Text::new(
                format!("按公式计分：{}（限于0–{m}分）", c.zh),
                format!("points by formula: {} (within 0–{m})", c.en),
            )
        }
    }
}

/// What a `normalise` leaf does to the cohort's values first, in words.
fn prepare_words(prepare: &Preparation) -> Option<Text> {
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    match prepare.impute {
        Some(Imputation::Mean) => {
            zh.push("缺失值以本组均值补齐".to_string());
            en.push("a missing value takes the cohort's mean".to_string());
        }
        Some(Imputation::Median) => {
            zh.push("缺失值以本组中位数补齐".to_string());
            en.push("a missing value takes the cohort's median".to_string());
        }
        None => {}
    }
    match prepare.treat {
        Some(Treatment::Winsorise {
            max_points,
            skew,
            kurtosis,
            then_log,
        }) => {
            let (lzh, len) = if then_log {
                (
                    "，仍不满足则改取对数",
                    ", else the values are log-transformed",
                )
            } else {
                ("", "")
            };
            zh.push(format!(
                "偏度绝对值不低于{}且峰度不低于{}时，逐个缩尾最极端的数值（最多{max_points}个）{lzh}",
                num(skew),
                num(kurtosis)
            ));
            en.push(format!(
                "while the absolute skewness is at least {} and the kurtosis at least {}, the most extreme values are winsorised one by one (at most {max_points}){len}",
                num(skew),
                num(kurtosis)
            ));
        }
        Some(Treatment::Log) => {
            zh.push("数值先取对数变换".to_string());
            en.push("the values are log-transformed first".to_string());
        }
        None => {}
    }
    (!zh.is_empty()).then(|| Text::new(zh.join("；"), en.join("; ")))
}

/// "…的，本项不得分" for a `zero_when` condition.
pub(crate) fn zero_words(
    when: &Expr,
    reason: Option<&str>,
    reason_en: Option<&str>,
    inputs: &[Input],
) -> Text {
    let c = expr_words(when, inputs);
    match reason {
        Some(r) => Text::new(
            format!("{}的，本项不得分（{r}）", c.zh),
            format!("item zeroed when {} ({})", c.en, reason_en.unwrap_or(r)),
        ),
        None => Text::new(
            format!("{}的，本项不得分", c.zh),
            format!("item zeroed when {}", c.en),
        ),
    }
}

/// How a group combines its children, in words (`exponent`: that of a `power` group).
pub(crate) fn aggregate_words(aggregate: Aggregate, exponent: f64) -> Text {
    match aggregate {
        Aggregate::Harmonic | Aggregate::Power => power_words(aggregate, exponent),
        Aggregate::Sum => Text::new("子项得分合计", "sum of the children's points"),
        Aggregate::Mean => Text::new(
            "子项得分率加权算术平均",
            "weighted arithmetic mean of children's shares",
        ),
        Aggregate::Geomean => Text::new(
            "子项得分率加权几何平均",
            "weighted geometric mean of children's shares",
        ),
        Aggregate::Min => Text::new(
            "取子项最低得分率（不可补偿）",
            "lowest share among children (non-compensatory)",
        ),
        Aggregate::Deduction => Text::new(
            "从满分起扣除各子项失分，扣完为止",
            "starts at full points, subtracts what each child lost, floor 0",
        ),
    }
}

/// The harmonic and power means in words; shared with the audit trail.
pub(crate) fn power_words(aggregate: Aggregate, exponent: f64) -> Text {
    if aggregate == Aggregate::Harmonic {
        return Text::new(
            "子项得分率加权调和平均（任一子项为0分则本项为0分）",
            "weighted harmonic mean of children's shares (a child at 0 makes the group 0)",
        );
    }
    let p = num(exponent);
    if exponent == 0.0 {
        Text::new(
            "子项得分率加权几何平均（幂平均，指数为0）",
            "weighted geometric mean of children's shares (power mean, exponent 0)",
        )
    } else if exponent < 0.0 {
        Text::new(
            format!("子项得分率加权幂平均（指数{p}，偏重低分项；任一子项为0分则本项为0分）"),
            format!(
                "weighted power mean of children's shares (exponent {p}, leaning to the weakest; a child at 0 makes the group 0)"
            ),
        )
    } else if exponent > 1.0 {
        Text::new(
            format!("子项得分率加权幂平均（指数{p}，偏重高分项）"),
            format!(
                "weighted power mean of children's shares (exponent {p}, leaning to the strongest)"
            ),
        )
    } else {
        Text::new(
            format!("子项得分率加权幂平均（指数{p}）"),
            format!("weighted power mean of children's shares (exponent {p})"),
        )
    }
}

/// What a veto does, in words.
pub(crate) fn veto_words(veto: &Veto, grades: &[Grade], inputs: &[Input]) -> Text {
    let c = expr_words(&veto.when, inputs);
    let grade = veto
        .grade
        .and_then(|g| grades.get(g))
        .map(|g| {
            (
                g.name.clone(),
                g.name_en.clone().unwrap_or_else(|| g.name.clone()),
            )
        })
        .unwrap_or_default();
    let (zh, en) = match veto.effect {
        VetoEffect::Zero => (
            "总分计为0分（一票否决）".to_string(),
            "the total becomes 0".to_string(),
        ),
        VetoEffect::Grade => (
            format!("等级定为“{}”", grade.0),
            format!("the grade is set to {}", grade.1),
        ),
        VetoEffect::CapGrade => (
            format!("等级最高为“{}”", grade.0),
            format!("the grade is at best {}", grade.1),
        ),
    };
    Text::new(format!("{}的，{zh}", c.zh), format!("when {}: {en}", c.en))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    #[test]
    fn conditions_read_with_labels_and_signs_not_names() {
        let ruleset = crate::Ruleset::load(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../rules/village.toml"
        ))
        .unwrap();
        let grade = ruleset.grades.iter().find(|g| g.when.is_some()).unwrap();
        let t = expr_words(grade.when.as_ref().unwrap(), &ruleset.inputs);
        let input = ruleset
            .inputs
            .iter()
            .find(|i| i.name == "negative_events_2y")
            .unwrap();
        assert_eq!(t.zh, format!("「{}」 = 0", input.label));
        assert!(!t.zh.contains("negative_events_2y"));
        assert!(!t.en.contains("=="));
    }

    #[test]
    fn deductions_are_worded_as_schemes_word_them() {
        let ruleset = crate::Ruleset::from_toml(
            "[ruleset]\nid='t'\nname='t'\nversion='1'\nscale=10\n[[input]]\nname='n'\ntype='count'\nlabel='违规次数'\n[[indicator]]\nid='a'\nname='a'\npoints=10\nscorer={type='per_occurrence', count='n', per=2}\n",
        )
        .unwrap();
        let crate::ruleset::NodeKind::Leaf { scorer, .. } = &ruleset.nodes[1].kind else {
            panic!("a leaf")
        };
        let t = scorer_words(scorer, 10.0, &ruleset.inputs);
        assert_eq!(t.zh, "按「违规次数」，每发生1次扣2分，扣完为止");
        assert_eq!(t.en, "2 deducted per occurrence of [违规次数], down to 0");
    }
}
