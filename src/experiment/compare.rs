//! Policy comparison: paired differences of each scenario from the first, replication
//! by replication (common random numbers make the pairs share their random draws), with
//! Student-t confidence intervals, and Holm's adjustment across a table of tests.

use super::stats::t975;
use crate::engine::MetricSeries;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// A paired difference of one quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Two-sided p-value of the paired t-test of a zero mean difference.
    pub p: f64,
}

/// Paired differences `b - a` over pairs where both are defined.
pub fn paired(pairs: impl Iterator<Item = (f64, f64)>) -> Paired {
    let d: Vec<f64> = pairs.filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| b - a).collect();
    let n = d.len();
    if n == 0 {
        return Paired { n, mean: f64::NAN, sd: f64::NAN, ci_low: f64::NAN, ci_high: f64::NAN, p: f64::NAN };
    }
    let mean = d.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Paired { n, mean, sd: f64::NAN, ci_low: f64::NAN, ci_high: f64::NAN, p: f64::NAN };
    }
    let sd = (d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt();
    let se = sd / (n as f64).sqrt();
    let half = t975(n - 1) * se;
    let p = if se > 0.0 {
        let t = (mean / se).abs();
        StudentsT::new(0.0, 1.0, (n - 1) as f64).map(|dist| 2.0 * (1.0 - dist.cdf(t))).unwrap_or(f64::NAN)
    } else if mean == 0.0 {
        1.0
    } else {
        0.0
    };
    Paired { n, mean, sd, ci_low: mean - half, ci_high: mean + half, p }
}

/// Paired difference of scenario `b` minus scenario `a` for one value index of the
/// national series (replications in the same order in both).
pub fn paired_at(a: &[&MetricSeries], b: &[&MetricSeries], index: usize) -> Paired {
    paired(a.iter().zip(b.iter()).map(|(x, y)| (x.national[index], y.national[index])))
}

/// Holm's step-down adjustment: which tests are significant at family-wise level `alpha`.
/// Undefined p-values are never significant and do not count as tests.
pub fn holm(p: &[f64], alpha: f64) -> Vec<bool> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_finite()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let m = idx.len();
    let mut out = vec![false; p.len()];
    for (rank, &i) in idx.iter().enumerate() {
        if p[i] <= alpha / (m - rank) as f64 {
            out[i] = true;
        } else {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_difference_matches_a_hand_computation() {
        // differences 1, 2, 3: mean 2, sd 1, se 1/sqrt(3), t = 3.464, df 2 -> p = 0.0742
        let r = paired([(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)].into_iter());
        assert_eq!(r.n, 3);
        assert!((r.mean - 2.0).abs() < 1e-12 && (r.sd - 1.0).abs() < 1e-12);
        assert!((r.p - 0.0742).abs() < 1e-3, "{}", r.p);
        let same = paired([(1.0, 1.0), (2.0, 2.0)].into_iter());
        assert_eq!((same.mean, same.sd, same.ci_low, same.ci_high, same.p), (0.0, 0.0, 0.0, 0.0, 1.0));
    }

    #[test]
    fn holm_is_step_down() {
        // m = 4: thresholds 0.0125, 0.0167, 0.025, 0.05
        assert_eq!(holm(&[0.01, 0.04, 0.03, 0.005], 0.05), vec![true, false, false, true]);
        assert_eq!(holm(&[0.001, 0.01, 0.02, 0.04], 0.05), vec![true, true, true, true]);
        assert_eq!(holm(&[0.2, f64::NAN], 0.05), vec![false, false]);
    }
}
