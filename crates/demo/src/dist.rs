//! Seeding and the few distributions the generator needs (normal, exponential, gamma,
//! beta, weighted choice), written out here to avoid a statistics dependency.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub type DemoRng = ChaCha8Rng;

/// A generator for one (stream, subject, item): each is seeded on its own, so the output
/// does not depend on the order in which subjects are generated.
pub fn rng_for(seed: u64, stream: u64, subject: u64, item: u64) -> DemoRng {
    let mut h = seed ^ 0x9E37_79B9_7F4A_7C15;
    for part in [stream, subject, item] {
        h = splitmix(h ^ part.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    }
    DemoRng::seed_from_u64(h)
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn chance(rng: &mut DemoRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

pub fn uniform(rng: &mut DemoRng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

pub fn normal(rng: &mut DemoRng, mean: f64, sd: f64) -> f64 {
    // Box–Muller; 1 - u keeps the logarithm finite.
    let u1 = 1.0 - rng.random::<f64>();
    let u2 = rng.random::<f64>();
    mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

pub fn exponential(rng: &mut DemoRng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

/// Gamma(shape, scale) by Marsaglia and Tsang; shapes below 1 use the boost trick.
pub fn gamma(rng: &mut DemoRng, shape: f64, scale: f64) -> f64 {
    if shape < 1.0 {
        let u: f64 = 1.0 - rng.random::<f64>();
        return gamma(rng, shape + 1.0, scale) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng, 0.0, 1.0);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.random::<f64>();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v * scale;
        }
    }
}

pub fn beta(rng: &mut DemoRng, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a, 1.0);
    let y = gamma(rng, b, 1.0);
    x / (x + y)
}

/// An index drawn with the given (not necessarily normalised) weights.
pub fn weighted(rng: &mut DemoRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut target = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if target < *w {
            return i;
        }
        target -= w;
    }
    weights.len() - 1
}

/// One element of a non-empty slice.
pub fn pick<T: Copy>(rng: &mut DemoRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// A 0..=max score: a normal draw around `mean`, rounded and clamped.
pub fn score(rng: &mut DemoRng, mean: f64, sd: f64, min: u8, max: u8) -> u8 {
    normal(rng, mean, sd)
        .round()
        .clamp(f64::from(min), f64::from(max)) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_and_beta_have_the_right_means() {
        let mut rng = rng_for(1, 2, 3, 4);
        let n = 20_000;
        let g: f64 = (0..n).map(|_| gamma(&mut rng, 0.7, 2.0)).sum::<f64>() / n as f64;
        let b: f64 = (0..n).map(|_| beta(&mut rng, 1.0, 3.0)).sum::<f64>() / n as f64;
        assert!((g - 1.4).abs() < 0.06, "gamma mean {g}");
        assert!((b - 0.25).abs() < 0.01, "beta mean {b}");
    }
}
