//! Axis ticks by Heckbert's "nice numbers" algorithm (Graphics Gems, 1990): steps of 1, 2 or
//! 5 times a power of ten, and an axis that starts and ends on a tick.

/// About `target` round tick values covering `min..=max`, ascending; the first and last
/// tick enclose the data, so they double as the axis domain.
///
/// Equal bounds are widened (a flat series still gets an axis), swapped bounds are put in
/// order, and non-finite bounds give no ticks.
pub fn nice_ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
    if !min.is_finite() || !max.is_finite() {
        return Vec::new();
    }
    let (mut lo, mut hi) = if min <= max { (min, max) } else { (max, min) };
    if lo == hi {
        // Widen by a tenth of the value so a flat line sits mid-axis, or by 1 around zero.
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
    }
    let target = target.max(2);
    let span = hi - lo;
    if !span.is_finite() {
        return vec![lo, hi];
    }
    let (range_mantissa, range_exp) = nice(span, false);
    let range = range_mantissa as f64 * 10f64.powi(range_exp);
    let (mantissa, exp) = nice(range / (target - 1) as f64, true);
    let step = mantissa as f64 * 10f64.powi(exp);
    // The tolerance absorbs float error such as 0.6 / 0.2 = 2.9999999999999996, which would
    // otherwise add a needless extra tick.
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    (first..=last).map(|k| scaled(k * mantissa, exp)).collect()
}

/// The number of decimals that tells these ticks apart (0 for 20, 40; 1 for 0.2, 0.4).
pub(crate) fn decimals(ticks: &[f64]) -> usize {
    match ticks {
        [a, b, ..] => {
            let step = (b - a).abs();
            if step > 0.0 && step < 1.0 {
                // The nudge keeps log10(0.001) = -3.000…01 from asking for a fourth decimal.
                (-(step.log10() + 1e-9).floor()).clamp(0.0, 10.0) as usize
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// `count × 10^exp`, computed by dividing an exact integer by an exact power of ten so that
/// 3 × 0.2 comes out as 0.6, not 0.6000000000000001.
fn scaled(count: i64, exp: i32) -> f64 {
    if exp >= 0 {
        count as f64 * 10f64.powi(exp)
    } else {
        count as f64 / 10f64.powi(-exp)
    }
}

/// A nice number near `x` as (mantissa in {1, 2, 5}, power of ten): rounded when `round`,
/// otherwise the smallest nice number ≥ `x`.
fn nice(x: f64, round: bool) -> (i64, i32) {
    let mut exp = x.log10().floor() as i32;
    let mut fraction = x / 10f64.powi(exp);
    // log10 can be off by one ulp near powers of ten; renormalise into [1, 10).
    if fraction < 1.0 {
        exp -= 1;
        fraction *= 10.0;
    } else if fraction >= 10.0 {
        exp += 1;
        fraction /= 10.0;
    }
    let mantissa = if round {
        match fraction {
            f if f < 1.5 => 1,
            f if f < 3.0 => 2,
            f if f < 7.0 => 5,
            _ => 10,
        }
    } else {
        match fraction {
            f if f <= 1.0 => 1,
            f if f <= 2.0 => 2,
            f if f <= 5.0 => 5,
            _ => 10,
        }
    };
    if mantissa == 10 {
        (1, exp + 1)
    } else {
        (mantissa, exp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(min: f64, max: f64, target: usize, expected: &[f64]) {
        assert_eq!(
            nice_ticks(min, max, target),
            expected,
            "nice_ticks({min}, {max}, {target})"
        );
    }

    #[test]
    fn hand_worked_cases() {
        // span 100 → range 100, step nice(25) = 20.
        check(0.0, 100.0, 5, &[0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        // span 95 → range 100, step 20; floor(-37/20) = -2, ceil(58/20) = 3.
        check(-37.0, 58.0, 5, &[-40.0, -20.0, 0.0, 20.0, 40.0, 60.0]);
        // span 0.62 → range 1, step nice(0.25) = 0.2; floor(1.5) = 1, ceil(4.6) = 5.
        check(0.3, 0.92, 5, &[0.2, 0.4, 0.6, 0.8, 1.0]);
        // NPS: span 200 → range 200, step nice(50) = 50.
        check(-100.0, 100.0, 5, &[-100.0, -50.0, 0.0, 50.0, 100.0]);
        // span 7 → range 10, step nice(2.5) = 2.
        check(0.0, 7.0, 5, &[0.0, 2.0, 4.0, 6.0, 8.0]);
        // span 4 → range 5, step nice(1.25) = 1.
        check(3.0, 7.0, 5, &[3.0, 4.0, 5.0, 6.0, 7.0]);
        // span 0.6 → range 1, step 0.2; exact decimals, no 0.6000000000000001.
        check(0.6, 1.2, 5, &[0.6, 0.8, 1.0, 1.2]);
        // span 12000 → range 20000, step nice(5000) = 5000.
        check(1000.0, 13000.0, 5, &[0.0, 5000.0, 10000.0, 15000.0]);
        // span 0.004 → range 0.005, step nice(0.00125) = 0.001.
        check(0.001, 0.005, 5, &[0.001, 0.002, 0.003, 0.004, 0.005]);
    }

    #[test]
    fn degenerate_inputs() {
        // Swapped bounds are ordered.
        check(100.0, 0.0, 5, &[0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        // Equal values widen by 10%: 45..55, range 10, step nice(2.5) = 2.
        check(50.0, 50.0, 5, &[44.0, 46.0, 48.0, 50.0, 52.0, 54.0, 56.0]);
        // Zero widens by 1: -1..1, range 2, step nice(0.5) = 0.5.
        check(0.0, 0.0, 5, &[-1.0, -0.5, 0.0, 0.5, 1.0]);
        // A target below 2 behaves as 2: range 100, step nice(100) = 100.
        check(0.0, 100.0, 0, &[0.0, 100.0]);
        check(f64::NAN, 1.0, 5, &[]);
        check(0.0, f64::INFINITY, 5, &[]);
    }

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(decimals(&[0.0, 20.0]), 0);
        assert_eq!(decimals(&[0.2, 0.4]), 1);
        assert_eq!(decimals(&[-1.0, -0.5]), 1);
        assert_eq!(decimals(&[0.001, 0.002]), 3);
        assert_eq!(decimals(&[5.0]), 0);
    }
}
