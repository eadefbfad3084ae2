//! The CLI's entry point: read a purchases or summaries CSV, fit BG/NBD and Gamma-Gamma, and
//! report estimates with standard errors as JSON (serde) or text (Display).

use std::fmt;
use std::io::Read;

use serde::Serialize;

use crate::bgnbd::fit_bgnbd;
use crate::csvio::{read_input, Input};
use crate::date::Date;
use crate::error::{Result, ValueError};
use crate::gamma_gamma::fit_gamma_gamma;
use crate::summary::{last_purchase_date, summarize, CustomerSummary, Period};

/// Options of `throughline value fit`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FitOptions {
    /// Last day (inclusive) of the calibration window for purchase files; defaults to the
    /// latest purchase date. Not allowed with summary files, which are already summarised.
    pub calibration_end: Option<Date>,
    /// Unit for recency, T and rates when summarising purchases (default: week).
    pub period: Period,
}

/// Standard errors (inverse observed information, delta method from log space).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StandardErrors {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub p: Option<f64>,
    pub q: Option<f64>,
    pub v: Option<f64>,
}

/// What `fit_from_csv` found. JSON keys: `r`, `alpha`, `a`, `b`, `log_likelihood`, `p`, `q`,
/// `v`, `spend_log_likelihood`, `se`, `n_customers`, … (`p`/`q`/`v` are null when the spend
/// model could not be fitted; `spend_model_error` then says why).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitReport {
    /// "purchases" or "summaries".
    pub input: &'static str,
    pub period: Period,
    pub calibration_end: Option<Date>,
    pub n_customers: usize,
    pub n_repeaters: usize,
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub log_likelihood: f64,
    pub p: Option<f64>,
    pub q: Option<f64>,
    pub v: Option<f64>,
    pub spend_log_likelihood: Option<f64>,
    pub n_spend_customers: usize,
    pub spend_model_error: Option<String>,
    /// Mean spend per repeat purchase implied by (p, q, v): p v / (q − 1).
    pub population_mean_spend: Option<f64>,
    pub se: StandardErrors,
}

/// Reads a purchases CSV (`customer_id,date,amount`) or a summaries CSV
/// (`frequency,recency,T[,monetary_value]`), fits BG/NBD and, when spend is available,
/// Gamma-Gamma. BG/NBD failures are errors; a Gamma-Gamma failure is reported in the result.
pub fn fit_from_csv(reader: impl Read, options: &FitOptions) -> Result<FitReport> {
    match read_input(reader)? {
        Input::Purchases(purchases) => {
            let cal = match options
                .calibration_end
                .or_else(|| last_purchase_date(&purchases))
            {
                Some(d) => d,
                None => {
                    return Err(ValueError::TooFewCustomers {
                        model: "BG/NBD",
                        found: 0,
                        needed: crate::bgnbd::MIN_CUSTOMERS,
                    })
                }
            };
            let records = summarize(&purchases, cal, options.period);
            let summaries: Vec<CustomerSummary> = records.iter().map(|r| r.summary).collect();
            fit_summaries(&summaries, "purchases", options.period, Some(cal))
        }
        Input::Summaries(summaries) => {
            if options.calibration_end.is_some() {
                return Err(ValueError::InvalidArgument(
                    "--calibration-end applies to purchase files; this file is already summarised"
                        .into(),
                ));
            }
            fit_summaries(&summaries, "summaries", options.period, None)
        }
    }
}

/// Fits both models on summaries and assembles the report.
pub fn fit_summaries(
    summaries: &[CustomerSummary],
    input: &'static str,
    period: Period,
    calibration_end: Option<Date>,
) -> Result<FitReport> {
    let has_spend = summaries.iter().any(|s| s.monetary_value.is_some());
    // The two models are independent: fit them on both cores at once.
    let (bg, spend) = std::thread::scope(|scope| {
        let spend = scope.spawn(|| has_spend.then(|| fit_gamma_gamma(summaries)));
        let bg = fit_bgnbd(summaries);
        (bg, spend.join())
    });
    let bg = bg?;
    let (gg, spend_error) = match spend {
        Ok(Some(Ok(f))) => (Some(f), None),
        Ok(Some(Err(e))) => (None, Some(e.to_string())),
        Ok(None) => (None, Some("no monetary values in the input".to_string())),
        Err(_) => (None, Some("spend model fit panicked".to_string())),
    };
    let gp = gg.as_ref().map(|f| f.params);
    let gse = gg.as_ref().map(|f| f.std_errors);
    Ok(FitReport {
        input,
        period,
        calibration_end,
        n_customers: bg.n_customers,
        n_repeaters: bg.n_repeaters,
        r: bg.params.r,
        alpha: bg.params.alpha,
        a: bg.params.a,
        b: bg.params.b,
        log_likelihood: bg.log_likelihood,
        p: gp.map(|g| g.p),
        q: gp.map(|g| g.q),
        v: gp.map(|g| g.v),
        spend_log_likelihood: gg.as_ref().map(|f| f.log_likelihood),
        n_spend_customers: gg.as_ref().map_or(0, |f| f.n_customers),
        spend_model_error: spend_error,
        population_mean_spend: gp.and_then(|g| g.population_mean_spend()),
        se: StandardErrors {
            r: bg.std_errors.r,
            alpha: bg.std_errors.alpha,
            a: bg.std_errors.a,
            b: bg.std_errors.b,
            p: gse.map(|s| s.p),
            q: gse.map(|s| s.q),
            v: gse.map(|s| s.v),
        },
    })
}

impl fmt::Display for FitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "customers: {} ({} repeat buyers), input: {}, period: {}",
            self.n_customers, self.n_repeaters, self.input, self.period
        )?;
        if let Some(d) = self.calibration_end {
            write!(f, ", calibration end: {d}")?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "BG/NBD purchase model (log-likelihood {:.1})",
            self.log_likelihood
        )?;
        let se = &self.se;
        for (name, v, s) in [
            ("r", self.r, se.r),
            ("alpha", self.alpha, se.alpha),
            ("a", self.a, se.a),
            ("b", self.b, se.b),
        ] {
            writeln!(f, "  {name:<6} {v:>10.4}  (se {s:.4})")?;
        }
        match (self.p, self.q, self.v) {
            (Some(p), Some(q), Some(v)) => {
                writeln!(
                    f,
                    "Gamma-Gamma spend model ({} customers, log-likelihood {:.1})",
                    self.n_spend_customers,
                    self.spend_log_likelihood.unwrap_or(f64::NAN)
                )?;
                for (name, v, s) in [("p", p, se.p), ("q", q, se.q), ("v", v, se.v)] {
                    writeln!(
                        f,
                        "  {name:<6} {v:>10.4}  (se {:.4})",
                        s.unwrap_or(f64::NAN)
                    )?;
                }
                if let Some(m) = self.population_mean_spend {
                    writeln!(f, "  mean spend per repeat purchase: {m:.2}")?;
                }
            }
            _ => writeln!(
                f,
                "Gamma-Gamma spend model: not fitted ({})",
                self.spend_model_error
                    .as_deref()
                    .unwrap_or("unknown reason")
            )?,
        }
        Ok(())
    }
}
