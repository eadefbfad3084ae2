//! Checks against published numbers: Motor Trend cars (R's `mtcars`) in the `rwa` package README.
//!
//! `rwa::rwa(mtcars, outcome = "mpg", predictors = c("cyl", "disp", "hp", "gear"))` (Martin Chan,
//! an implementation of Johnson 2000 / Tonidandel & LeBreton 2015) prints R² = 0.7791896 and raw
//! relative weights cyl 0.2284797, disp 0.2221469, hp 0.2321744, gear 0.0963886. The data are
//! Henderson & Velleman (1981), 32 cars; n = 32 ≥ max(30, 5·4), so the analysis is allowed.

use throughline_drivers::{analyse, DriverData, Method};

/// (mpg, cyl, disp, hp, gear) for the 32 cars, in R's order (Mazda RX4 … Volvo 142E).
const MTCARS: [[f64; 5]; 32] = [
    [21.0, 6.0, 160.0, 110.0, 4.0],
    [21.0, 6.0, 160.0, 110.0, 4.0],
    [22.8, 4.0, 108.0, 93.0, 4.0],
    [21.4, 6.0, 258.0, 110.0, 3.0],
    [18.7, 8.0, 360.0, 175.0, 3.0],
    [18.1, 6.0, 225.0, 105.0, 3.0],
    [14.3, 8.0, 360.0, 245.0, 3.0],
    [24.4, 4.0, 146.7, 62.0, 4.0],
    [22.8, 4.0, 140.8, 95.0, 4.0],
    [19.2, 6.0, 167.6, 123.0, 4.0],
    [17.8, 6.0, 167.6, 123.0, 4.0],
    [16.4, 8.0, 275.8, 180.0, 3.0],
    [17.3, 8.0, 275.8, 180.0, 3.0],
    [15.2, 8.0, 275.8, 180.0, 3.0],
    [10.4, 8.0, 472.0, 205.0, 3.0],
    [10.4, 8.0, 460.0, 215.0, 3.0],
    [14.7, 8.0, 440.0, 230.0, 3.0],
    [32.4, 4.0, 78.7, 66.0, 4.0],
    [30.4, 4.0, 75.7, 52.0, 4.0],
    [33.9, 4.0, 71.1, 65.0, 4.0],
    [21.5, 4.0, 120.1, 97.0, 3.0],
    [15.5, 8.0, 318.0, 150.0, 3.0],
    [15.2, 8.0, 304.0, 150.0, 3.0],
    [13.3, 8.0, 350.0, 245.0, 3.0],
    [19.2, 8.0, 400.0, 175.0, 3.0],
    [27.3, 4.0, 79.0, 66.0, 4.0],
    [26.0, 4.0, 120.3, 91.0, 5.0],
    [30.4, 4.0, 95.1, 113.0, 5.0],
    [15.8, 8.0, 351.0, 264.0, 5.0],
    [19.7, 6.0, 145.0, 175.0, 5.0],
    [15.0, 8.0, 301.0, 335.0, 5.0],
    [21.4, 4.0, 121.0, 109.0, 4.0],
];

const NAMES: [&str; 4] = ["cyl", "disp", "hp", "gear"];

fn mtcars() -> DriverData {
    DriverData {
        names: NAMES.iter().map(|s| s.to_string()).collect(),
        rows: MTCARS.iter().map(|car| car[1..].to_vec()).collect(),
        outcome: MTCARS.iter().map(|car| car[0]).collect(),
    }
}

fn raw_by_name(report: &throughline_drivers::DriverReport, name: &str) -> f64 {
    report
        .drivers
        .iter()
        .find(|d| d.name == name)
        .map(|d| d.raw_importance)
        .unwrap_or(f64::NAN)
}

#[test]
fn relative_weights_match_the_rwa_package_on_mtcars() {
    let report = analyse(&mtcars(), Method::RelativeWeights).expect("valid data");
    assert!(
        (report.r_squared - 0.7791896).abs() < 5e-8,
        "{}",
        report.r_squared
    );
    for (name, published) in NAMES
        .iter()
        .zip([0.2284797, 0.2221469, 0.2321744, 0.0963886])
    {
        let got = raw_by_name(&report, name);
        assert!(
            (got - published).abs() < 5e-8,
            "{name}: {got} ≠ {published}"
        );
    }
    // rwa's rescaled weights (percent of R²): hp 29.79691, cyl 29.32274, disp 28.50999, gear
    // 12.37037, which is also our order.
    let order: Vec<&str> = report.drivers.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(order, ["hp", "cyl", "disp", "gear"]);
    assert!((report.drivers[0].importance - 0.2979691).abs() < 5e-8);
}

/// R² of an OLS fit with intercept on the given predictor columns (see [`raw_fit`]).
fn raw_r_squared(columns: &[usize]) -> f64 {
    raw_fit(columns).1
}

/// (coefficients without the intercept, R²) of an OLS fit with intercept, straight from the raw
/// data by Gauss–Jordan elimination on the normal equations: independent of the crate's
/// correlation-scale Cholesky route.
fn raw_fit(columns: &[usize]) -> (Vec<f64>, f64) {
    let n = MTCARS.len();
    let p = columns.len() + 1;
    let design = |i: usize, c: usize| {
        if c == 0 {
            1.0
        } else {
            MTCARS[i][columns[c - 1]]
        }
    };
    // The augmented normal equations [XᵀX | Xᵀy].
    let mut a: Vec<Vec<f64>> = (0..p)
        .map(|r| {
            (0..=p)
                .map(|c| {
                    let target = |i: usize| if c == p { MTCARS[i][0] } else { design(i, c) };
                    (0..n).map(|i| design(i, r) * target(i)).sum()
                })
                .collect()
        })
        .collect();
    for col in 0..p {
        let pivot = (col..p)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (value, above) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *value -= f * above;
                }
            }
        }
    }
    let beta: Vec<f64> = (0..p).map(|r| a[r][p] / a[r][r]).collect();
    let mean = MTCARS.iter().map(|car| car[0]).sum::<f64>() / n as f64;
    let (mut ss_res, mut ss_tot) = (0.0, 0.0);
    for (i, car) in MTCARS.iter().enumerate() {
        let fitted: f64 = (0..p).map(|c| beta[c] * design(i, c)).sum();
        ss_res += (car[0] - fitted).powi(2);
        ss_tot += (car[0] - mean).powi(2);
    }
    (beta[1..].to_vec(), 1.0 - ss_res / ss_tot)
}

#[test]
fn shapley_matches_averaging_over_all_24_entry_orders_on_mtcars() {
    // Lindeman, Merenda & Gold's definition: average each predictor's R² gain over every order
    // in which the predictors can enter, each R² from a fresh fit on the raw data.
    let mut expected = [0.0; 4];
    let mut orders = 0.0;
    for code in 0..256usize {
        // Read `code` as four base-4 digits; keep the 24 that are permutations of 0..4.
        let order = [code % 4, code / 4 % 4, code / 16 % 4, code / 64];
        if (0..4).any(|j| !order.contains(&j)) {
            continue;
        }
        let mut before = 0.0;
        for step in 0..4 {
            let columns: Vec<usize> = order[..=step].iter().map(|j| j + 1).collect();
            let after = raw_r_squared(&columns);
            expected[order[step]] += after - before;
            before = after;
        }
        orders += 1.0;
    }
    assert_eq!(orders, 24.0);
    let report = analyse(&mtcars(), Method::ShapleyR2).expect("valid data");
    assert!((report.r_squared - raw_r_squared(&[1, 2, 3, 4])).abs() < 1e-12);
    for (name, total) in NAMES.iter().zip(expected) {
        let got = raw_by_name(&report, name);
        assert!((got - total / orders).abs() < 1e-12, "{name}: {got}");
    }
    // Relative weights track the Shapley split to about 0.02 of R² here, although cyl, disp
    // and hp correlate at 0.79–0.90; with shares that close the two methods order the top
    // three differently (Shapley: cyl 0.2471, disp 0.2435, hp 0.2109, gear 0.0777).
    let weights = analyse(&mtcars(), Method::RelativeWeights).expect("valid data");
    for name in NAMES {
        let gap = raw_by_name(&weights, name) - raw_by_name(&report, name);
        assert!(gap.abs() < 0.025, "{name}: {gap}");
    }
    let order: Vec<&str> = report.drivers.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(order, ["cyl", "disp", "hp", "gear"]);
}

#[test]
fn ols_coefficients_match_a_raw_data_fit_on_mtcars() {
    let (coefficients, _) = raw_fit(&[1, 2, 3, 4]);
    let report = analyse(&mtcars(), Method::ShapleyR2).expect("valid data");
    for (name, want) in NAMES.iter().zip(coefficients) {
        let got = report
            .drivers
            .iter()
            .find(|d| d.name == *name)
            .map(|d| d.coefficient)
            .unwrap_or(f64::NAN);
        assert!(
            (got - want).abs() < 1e-9 * want.abs().max(1.0),
            "{name}: {got} ≠ {want}"
        );
    }
}
