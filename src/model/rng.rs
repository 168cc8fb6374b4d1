//! Random streams. Every draw in the model comes from a ChaCha8 stream keyed by the
//! replication seed (itself derived from the master seed and the replication index)
//! and a purpose, so a replication's results depend only on (master seed, replication)
//! and one mechanism's draws never shift another's.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What a stream is used for; the discriminant is the ChaCha stream number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    InitCcgs = 1,
    InitCsus = 2,
    InitProviders = 3,
    Network = 4,
    Prices = 5,
    Delivery = 6,
    Choice = 7,
    Checkpoints = 8,
    Framework = 9,
    Externalisation = 10,
    Entry = 11,
    Mergers = 12,
    Platform = 13,
    /// Sweep designs (keyed by the master seed, not a replication).
    Design = 14,
}

/// SplitMix64 finaliser: a bijective 64-bit mix.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of replication `k` under master seed `master` (the `seed` column of the outputs).
pub fn replication_seed(master: u64, replication: u64) -> u64 {
    splitmix64(master ^ splitmix64(replication.wrapping_add(0x6373_6D61_726B_6574)))
}

/// A stream for one purpose of one replication.
pub fn stream(replication_seed: u64, purpose: Purpose) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&replication_seed.to_le_bytes());
    key[8..24].copy_from_slice(b"csmarket/model/1");
    let mut r = ChaCha8Rng::from_seed(key);
    r.set_stream(purpose as u64);
    r
}

/// The streams a replication uses every step (the rest are made when needed).
#[derive(Clone)]
pub struct Streams {
    pub seed: u64,
    pub delivery: ChaCha8Rng,
    pub choice: ChaCha8Rng,
}

impl Streams {
    pub fn new(seed: u64) -> Self {
        Streams { seed, delivery: stream(seed, Purpose::Delivery), choice: stream(seed, Purpose::Choice) }
    }
    pub fn make(&self, purpose: Purpose) -> ChaCha8Rng {
        stream(self.seed, purpose)
    }
}

/// A uniform draw in [0, 1) with 53 bits.
#[inline]
pub fn uniform<R: Rng>(r: &mut R) -> f64 {
    r.random::<f64>()
}

/// A standard normal draw by Box-Muller, with `libm` so results do not depend on the
/// platform's maths library. Used outside the step loop.
pub fn normal<R: Rng>(r: &mut R) -> f64 {
    let u1 = 1.0 - uniform(r); // (0, 1]
    let u2 = uniform(r);
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

/// Approximately standard normal noise from one 64-bit draw: the centred sum of four
/// 16-bit uniforms scaled to unit variance (Irwin-Hall, n = 4). Bounded at about 3.46.
#[inline]
pub fn noise(r: &mut impl Rng) -> f64 {
    let x = r.next_u64();
    let s = (x & 0xFFFF) + ((x >> 16) & 0xFFFF) + ((x >> 32) & 0xFFFF) + (x >> 48);
    // each term is uniform on {0..65535}: mean 32767.5, variance (65536^2 - 1)/12
    const MEAN: f64 = 4.0 * 32767.5;
    const SD: f64 = 37_837.227_237_206_48;
    (s as f64 - MEAN) * (1.0 / SD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_has_unit_variance_and_zero_mean() {
        let mut r = stream(1, Purpose::Delivery);
        let n = 200_000;
        let (mut s, mut s2) = (0.0, 0.0);
        for _ in 0..n {
            let x = noise(&mut r);
            s += x;
            s2 += x * x;
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "var {var}");
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut r = stream(2, Purpose::InitCcgs);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| normal(&mut r)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.02 && (var - 1.0).abs() < 0.03, "{mean} {var}");
    }

    #[test]
    fn streams_differ_by_purpose_and_seed() {
        let a = stream(5, Purpose::Delivery).next_u64();
        let b = stream(5, Purpose::Choice).next_u64();
        let c = stream(6, Purpose::Delivery).next_u64();
        assert!(a != b && a != c);
        assert_eq!(a, stream(5, Purpose::Delivery).next_u64());
        assert_ne!(replication_seed(1, 0), replication_seed(1, 1));
    }
}
