//! Tests of the two-group tests, BH adjustment, changes and segment scans, against values
//! computed by hand from the normal and t distributions (arithmetic in the comments).

use super::*;

fn counts(promoters: u64, passives: u64, detractors: u64) -> NpsCounts {
    NpsCounts {
        promoters,
        passives,
        detractors,
    }
}

fn check(test: Option<Test>, statistic: f64, p_value: f64) {
    let Some(t) = test else {
        panic!("no test, want z = {statistic}")
    };
    assert!(
        (t.statistic - statistic).abs() < 1e-4,
        "{t:?} want {statistic}"
    );
    assert!(
        (t.p_value - p_value).abs() < 1e-6 * p_value.max(1e-3),
        "{t:?} want p {p_value}"
    );
}

#[test]
fn two_group_tests_by_hand() {
    // NPS 50/30/20 (30, se² = 61) vs 30/30/40 (−10, var 0.7 − 0.01 = 0.69, se² = 69):
    // z = 40/√130 = 3.508232, p = erfc(z/√2) = 0.000451095.
    check(
        nps_difference(&counts(50, 30, 20), &counts(30, 30, 40)),
        3.508_232,
        0.000_451_095,
    );
    // 45/100 vs 30/100: p̄ = 0.375, se = √(0.375·0.625·0.02) = 0.0684653, z = 2.190890,
    // p = 0.028459737 (= R prop.test(c(45, 30), c(100, 100), correct = FALSE): χ² = 4.8).
    check(
        proportion_difference(45, 100, 30, 100),
        2.190_890,
        0.028_459_737,
    );
    // Welch: 1..5 (mean 3, s² 2.5) vs 3,5,7,9,11 (mean 7, s² 10): t = −4/√(0.5 + 2) =
    // −2.529822, df = 2.5²/(0.5²/4 + 2²/4) = 5.882353, p = 0.0454646 (numerical
    // integration of the t density; R t.test gives the same).
    let (mut a, mut b) = (MeanAcc::default(), MeanAcc::default());
    [1.0, 2.0, 3.0, 4.0, 5.0].into_iter().for_each(|x| a.add(x));
    [3.0, 5.0, 7.0, 9.0, 11.0]
        .into_iter()
        .for_each(|x| b.add(x));
    check(mean_difference(&a, &b), -2.529_822, 0.045_464_6);
    // z = 0 gives p = 1.
    check(proportion_difference(3, 10, 6, 20), 0.0, 1.0);
}

#[test]
fn undefined_tests_are_none() {
    assert_eq!(nps_difference(&counts(0, 0, 0), &counts(1, 2, 3)), None);
    assert_eq!(nps_difference(&counts(10, 0, 0), &counts(7, 0, 0)), None);
    assert_eq!(proportion_difference(1, 0, 1, 5), None);
    assert_eq!(proportion_difference(0, 10, 0, 20), None);
    assert_eq!(proportion_difference(10, 10, 20, 20), None);
    let mut one = MeanAcc::default();
    one.add(1.0);
    let mut flat = MeanAcc::default();
    [2.0, 2.0, 2.0].into_iter().for_each(|x| flat.add(x));
    assert_eq!(mean_difference(&one, &flat), None);
    assert_eq!(mean_difference(&flat, &flat), None);
}

#[test]
fn bh_matches_r() {
    // m = 5; ascending .005 .01 .03 .04 .5 → m·p/i = .025 .025 .05 .05 .5, already
    // monotone; R p.adjust(c(.01, .04, .03, .005, .5), "BH") = .025 .05 .05 .025 .5.
    let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005, 0.5]);
    let want = [0.025, 0.05, 0.05, 0.025, 0.5];
    assert!(
        q.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12),
        "{q:?}"
    );
    // Step-up: .04·2/2 = .04 beats .03·2/1 = .06, so both get .04; NaN counts as 1.
    assert_eq!(
        benjamini_hochberg(&[0.03, 0.04, f64::NAN]),
        vec![0.06, 0.06, 1.0]
    );
    assert_eq!(benjamini_hochberg(&[0.03, 0.04]), vec![0.04, 0.04]);
    assert!(benjamini_hochberg(&[]).is_empty());
}

#[test]
fn bh_properties() {
    // Property over pseudo-random p-value vectors (a fixed LCG): p ≤ q ≤ 1 and q is
    // monotone in p.
    let mut state = 12_345_u64;
    for m in 1..60 {
        let p: Vec<f64> = (0..m)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((state >> 11) as f64 / (1u64 << 53) as f64).powi(3)
            })
            .collect();
        let q = benjamini_hochberg(&p);
        for i in 0..m {
            assert!(p[i] <= q[i] && q[i] <= 1.0, "{p:?} {q:?}");
            for j in 0..m {
                assert!(p[i] > p[j] || q[i] <= q[j], "not monotone: {p:?} {q:?}");
            }
        }
    }
}

#[test]
fn changes() {
    let c = nps_change(&counts(50, 30, 20), &counts(30, 30, 40));
    assert_eq!((c.delta, c.significant), (40.0, true));
    // The same split at n = 10 vs 10: a big delta but small samples are never significant.
    let small = nps_change(&counts(5, 3, 2), &counts(3, 3, 4));
    assert_eq!((small.delta, small.significant), (40.0, false));
    let empty = nps_change(&counts(5, 3, 2), &NpsCounts::default());
    assert_eq!(
        (empty.delta, empty.test, empty.significant),
        (0.0, None, false)
    );
    // 45/100 vs 30/100: p = 0.0285 < 0.05.
    let share = proportion_change((45, 100), (30, 100));
    assert!(share.significant && (share.delta - 0.15).abs() < 1e-12);
}

#[test]
fn segment_scans() {
    // A = 80/10/10 (NPS 70, var 0.9 − 0.49 = 0.41, se² = 41) vs rest B + C + D = 83/60/60
    // (NPS 100·23/203 = 11.330049, var 0.704434 − 0.012837 = 0.691597, se² = 34.068793):
    // z = 58.669951/√75.068793 = 6.771518, p = 1.274385e-11.
    // D (3 promoters, se 0) vs rest 160/70/70 (NPS 30, se² = 22.555556): z = 70/√22.555556
    // = 14.739, p = 3.6e-49, the smallest, so A ranks 2nd of 4: q_A = 4·p_A/2.
    // B (and C) vs 123/40/40: z = −3.083749, p = 0.0020441, ranks 3–4: q = 4·p/4 = p.
    // D is far off but a small sample, so never significant.
    let segments = vec![
        ("A".to_string(), counts(80, 10, 10)),
        ("B".to_string(), counts(40, 30, 30)),
        ("C".to_string(), counts(40, 30, 30)),
        ("D".to_string(), counts(3, 0, 0)),
    ];
    let rows = nps_segments_vs_rest(&segments);
    assert_eq!(rows.len(), 4);
    assert!(
        (rows[0].p_value - 1.274_385e-11).abs() < 1e-16,
        "{:?}",
        rows[0]
    );
    assert!((rows[0].q_value - 2.0 * rows[0].p_value).abs() < 1e-20);
    assert!(
        (rows[1].q_value - 0.002_044_1).abs() < 1e-8,
        "{:?}",
        rows[1]
    );
    assert!(rows[3].p_value < 1e-40);
    assert_eq!(rows[0].rest.n, 203);
    let flags: Vec<bool> = rows.iter().map(|r| r.significant).collect();
    assert_eq!(flags, [true, true, true, false]);

    // Shares: 45/100 vs 30/100 (+ an empty segment, whose test is undefined → p = 1).
    let shares = vec![
        ("x".to_string(), 45, 100),
        ("y".to_string(), 30, 100),
        ("z".to_string(), 0, 0),
    ];
    let rows = proportion_segments_vs_rest(&shares);
    assert!((rows[0].p_value - 0.028_459_7).abs() < 1e-6);
    assert_eq!(
        (rows[2].p_value, rows[2].delta, rows[2].significant),
        (1.0, 0.0, false)
    );
    // x and y share p = 0.02846 → q = 3·0.02846/2 = 0.0427 for both; z has q = 1.
    assert!((rows[1].q_value - 1.5 * 0.028_459_7).abs() < 1e-6 && rows[1].significant);

    // Means: the segment vs the other two pooled equals a direct Welch test.
    let acc = |xs: &[f64]| {
        let mut a = MeanAcc::default();
        xs.iter().for_each(|&x| a.add(x));
        a
    };
    let means = vec![
        ("m1".to_string(), acc(&[1.0, 2.0, 3.0, 4.0, 5.0])),
        ("m2".to_string(), acc(&[3.0, 5.0])),
        ("m3".to_string(), acc(&[7.0, 9.0, 11.0])),
    ];
    let rows = mean_segments_vs_rest(&means);
    let direct = mean_difference(&means[0].1, &acc(&[3.0, 5.0, 7.0, 9.0, 11.0]));
    assert_eq!(direct.map(|t| t.p_value), Some(rows[0].p_value));
    assert_eq!(
        rows[1].rest,
        acc(&[1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 9.0, 11.0]).estimate()
    );
}
