//! Every figure's one name and one definition. Tiles, the value page, the API and the
//! glossary page (`/w/{ws}/glossary`, `/api/v1/glossary`) all read their words from
//! here, so a name means the same number wherever it appears. Two different figures
//! never share a name: "Revenue at risk" (past revenue of customers at risk now, on
//! the overview) is not "CLV at risk" (future value of customers a model scores as
//! likely to churn, on the value page).

use serde::Serialize;

use crate::value::ValueSettings;

/// One figure: its key in the API, its name on pages, what it is and how it is
/// computed, and where it appears.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Term {
    pub key: &'static str,
    pub name: &'static str,
    pub definition: String,
    pub shown_on: &'static [&'static str],
}

/// A fixed definition a view model carries as `&'static str`.
pub(crate) struct Def {
    pub key: &'static str,
    pub name: &'static str,
    pub text: &'static str,
    pub shown_on: &'static [&'static str],
}

const OVERVIEW: &[&str] = &["overview", "explore", "alerts"];
const SERVICE: &[&str] = &["overview"];

pub(crate) const NPS: Def = Def { key: "nps", name: "NPS", shown_on: OVERVIEW,
    text: "% promoters (9–10) − % detractors (0–6) among customers; 95% CI: adjusted Wald (Rocks 2016)" };
pub(crate) const CSAT: Def = Def {
    key: "csat",
    name: "CSAT",
    shown_on: OVERVIEW,
    text: "share of 4 and 5 answers on the 1–5 CSAT scale; 95% CI: Wilson",
};
pub(crate) const CES: Def = Def {
    key: "ces",
    name: "CES",
    shown_on: OVERVIEW,
    text: "mean agreement that it was easy, 1–7 (higher is easier); 95% CI: Student t",
};
pub(crate) const ENPS: Def = Def {
    key: "enps",
    name: "eNPS",
    shown_on: OVERVIEW,
    text: "NPS of employees' 0–10 answers; 95% CI: adjusted Wald",
};
pub(crate) const SENTIMENT: Def = Def { key: "sentiment", name: "Sentiment", shown_on: OVERVIEW,
    text: "mean document sentiment of customer texts, −1..1 (a conversation is scored on the customer's turns); 95% CI: Student t" };
pub(crate) const FIRST_RESPONSE: Def = Def {
    key: "first_response",
    name: "First response (median)",
    shown_on: SERVICE,
    text: "median hours from contact to first response; 95% CI from order statistics",
};
pub(crate) const RESOLUTION: Def = Def {
    key: "resolution",
    name: "Resolution (median)",
    shown_on: SERVICE,
    text: "median hours from contact to resolution; 95% CI from order statistics",
};
pub(crate) const RESOLUTION_P90: Def = Def {
    key: "resolution_p90",
    name: "Resolution (p90)",
    shown_on: SERVICE,
    text: "hours within which 90% of contacts were resolved; 95% CI from order statistics",
};
pub(crate) const SLA: Def = Def {
    key: "sla",
    name: "First response within SLA",
    shown_on: SERVICE,
    text: "share of first responses within the SLA target (24 h by default); 95% CI: Wilson",
};
pub(crate) const FCR: Def = Def { key: "fcr", name: "First-contact resolution", shown_on: SERVICE,
    text: "share of contacts with no further contact by the same customer within 7 days; 95% CI: Wilson" };
pub(crate) const RESPONSE_RATE: Def = Def { key: "response_rate", name: "Survey response rate", shown_on: SERVICE,
    text: "responses ÷ invitations (events `survey_sent` with `properties.survey`), over surveys with invitations; 95% CI: Wilson" };
pub(crate) const CHURN_RATE: Def = Def { key: "churn", name: "Churn rate", shown_on: SERVICE,
    text: "share of paying customers (a purchase or renewal before the period, not cancelled) who cancelled in the period; 95% CI: Wilson" };
pub(crate) const REVENUE_AT_RISK: Def = Def { key: "revenue_at_risk", name: "Revenue at risk", shown_on: SERVICE,
    text: "trailing 12-month revenue of customers who have not cancelled and, in the current period, answered 0–6 or wrote of leaving (per currency, never summed across currencies)" };
pub(crate) const REVENUE_RETENTION: Def = Def { key: "revenue_retention", name: "Revenue retention", shown_on: SERVICE,
    text: "gross: revenue in the compared month from customers who paid in the base month, capped at what each paid then, ÷ base-month revenue; net: the same without the cap (expansion counts)" };
pub(crate) const CAC: Def = Def { key: "cac", name: "CAC and payback", shown_on: &["value"],
    text: "A paying customer's acquisition channel is the channel of their first signal. CAC = spend on the channel in the months with spend ÷ paying customers acquired through it in those months; payback = CAC ÷ average monthly revenue in a customer's first year. Spend booked on a campaign also gets its own row: customers whose first signal named the campaign (`properties.campaign`)." };
pub(crate) const THEME_CHANGE: Def = Def { key: "theme_change", name: "Theme change", shown_on: &["overview", "explore"],
    text: "percentage points of analysed customer texts that mention the theme, this period against the previous one (two-proportion test); marked small sample, and never significant, when either period has fewer than 30 analysed texts" };
pub(crate) const DRIVER_IMPORTANCE: Def = Def { key: "driver_importance", name: "Driver importance", shown_on: &["drivers"],
    text: "share of the outcome's explained variance (R²) each driver carries: Shapley decomposition of R² up to 15 drivers, Johnson's relative weights beyond; with a 95% bootstrap percentile interval (200 resamples of the respondents, fewer or none where the work budget does not allow); drivers are ranked only when the model explains at least 10% of the outcome (R² ≥ 0.10)" };
pub(crate) const EX_CX: Def = Def {
    key: "ex_cx",
    name: "EX–CX link",
    shown_on: &["overview"],
    text: "Pearson's r between store eNPS and store customer CSAT (top-2-box) over the last 12 months, across stores with at least 10 answers of each; 95% CI from Fisher's z, p from the t test of r = 0",
};
pub(crate) const SIGNIFICANT: Def = Def { key: "significant", name: "Significant", shown_on: &["overview", "explore", "alerts"],
    text: "a change is called significant only when its test gives p < 0.05, after Benjamini–Hochberg correction where several segments are tested at once" };

const FIXED: &[&Def] = &[
    &NPS,
    &CSAT,
    &CES,
    &ENPS,
    &SENTIMENT,
    &FIRST_RESPONSE,
    &RESOLUTION,
    &RESOLUTION_P90,
    &SLA,
    &FCR,
    &RESPONSE_RATE,
    &CHURN_RATE,
    &REVENUE_AT_RISK,
    &REVENUE_RETENTION,
    &CAC,
    &THEME_CHANGE,
    &DRIVER_IMPORTANCE,
    &EX_CX,
    &SIGNIFICANT,
];

impl Def {
    fn term(&self) -> Term {
        Term {
            key: self.key,
            name: self.name,
            definition: self.text.to_string(),
            shown_on: self.shown_on,
        }
    }
}

/// Every figure, in the order a reader meets them, with the value models' settings
/// filled in (horizon, discount, churn window, high-risk threshold).
pub fn glossary(value: &ValueSettings) -> Vec<Term> {
    let mut terms: Vec<Term> = FIXED.iter().map(|d| d.term()).collect();
    terms.extend(crate::value::value_terms(value));
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_and_key_is_used_once() {
        let terms = glossary(&ValueSettings::default());
        for (i, t) in terms.iter().enumerate() {
            for u in &terms[i + 1..] {
                assert_ne!(t.key, u.key);
                assert_ne!(
                    t.name.to_lowercase(),
                    u.name.to_lowercase(),
                    "two figures called {}",
                    t.name
                );
            }
            assert!(
                !t.definition.is_empty() && !t.shown_on.is_empty(),
                "{}",
                t.key
            );
        }
    }
}
