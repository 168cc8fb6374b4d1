//! Summary statistics, computed exactly from per-replication values taken in canonical
//! replication order, so they do not depend on thread count or shard split.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Summary of one quantity over replications (undefined values left out).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom. Summaries ask for
/// the same `df` thousands of times in a row (every step and metric of a scenario), and
/// the inverse CDF is an iterative solve, so the last answer is kept per thread.
pub fn t975(df: usize) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    thread_local!(static LAST: std::cell::Cell<(usize, f64)> = const { std::cell::Cell::new((0, f64::NAN)) });
    LAST.with(|last| {
        let (d, q) = last.get();
        if d == df {
            return q;
        }
        let q = StudentsT::new(0.0, 1.0, df as f64).map(|t| t.inverse_cdf(0.975)).unwrap_or(f64::NAN);
        last.set((df, q));
        q
    })
}

/// Percentile `q` (0-1) by linear interpolation between order statistics (R type 7,
/// numpy's default) of sorted values.
pub fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Summarise values (NaN means undefined and is left out). `scratch` is reused.
pub fn summarise(values: impl Iterator<Item = f64>, scratch: &mut Vec<f64>) -> Summary {
    scratch.clear();
    scratch.extend(values.filter(|x| x.is_finite()));
    let n = scratch.len();
    if n == 0 {
        return Summary { n: 0, mean: f64::NAN, sd: f64::NAN, p05: f64::NAN, p50: f64::NAN, p95: f64::NAN, ci_low: f64::NAN, ci_high: f64::NAN };
    }
    // mean and sd in the given (canonical) order, two-pass for accuracy
    let mean = scratch.iter().sum::<f64>() / n as f64;
    let sd = if n > 1 { (scratch.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt() } else { f64::NAN };
    let half = if n > 1 { t975(n - 1) * sd / (n as f64).sqrt() } else { f64::NAN };
    scratch.sort_by(|a, b| a.total_cmp(b));
    Summary {
        n,
        mean,
        sd,
        p05: percentile_sorted(scratch, 0.05),
        p50: percentile_sorted(scratch, 0.50),
        p95: percentile_sorted(scratch, 0.95),
        ci_low: mean - half,
        ci_high: mean + half,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        // numpy.percentile([1,2,3,4,10], [5, 50, 95]) = [1.2, 3.0, 8.8]
        assert!((percentile_sorted(&v, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(percentile_sorted(&v, 0.5), 3.0);
        assert!((percentile_sorted(&v, 0.95) - 8.8).abs() < 1e-12);
    }

    #[test]
    fn t_quantile_is_right() {
        // qt(0.975, 9) = 2.262157; qt(0.975, 1) = 12.7062
        assert!((t975(9) - 2.262157).abs() < 1e-5);
        assert!((t975(1) - 12.7062).abs() < 1e-3);
    }

    #[test]
    fn summary_skips_undefined_and_computes_ci() {
        let mut s = Vec::new();
        let r = summarise([1.0, f64::NAN, 2.0, 3.0].into_iter(), &mut s);
        assert_eq!(r.n, 3);
        assert_eq!(r.mean, 2.0);
        assert!((r.sd - 1.0).abs() < 1e-12);
        let half = t975(2) / 3f64.sqrt();
        assert!((r.ci_low - (2.0 - half)).abs() < 1e-12 && (r.ci_high - (2.0 + half)).abs() < 1e-12);
        let one = summarise([5.0].into_iter(), &mut s);
        assert!(one.sd.is_nan() && one.ci_low.is_nan() && one.mean == 5.0);
    }
}
