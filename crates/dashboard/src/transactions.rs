//! The overview's transactions, read in one scan and counted in Rust: churn,
//! revenue per currency, revenue at risk and retention each need every paying
//! customer's history, and four GROUP BY queries over the same rows (one of them
//! with a group per customer and month) cost several times this one projection.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use throughline_analytics::{Partial, QueryBatches};
use throughline_domain::WorkspaceId;

use crate::error::Result;
use crate::filters::Period;
use crate::read::Reader;

/// One purchase, renewal or cancellation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tx {
    /// `None` for a transaction without a customer (it still counts as revenue).
    pub profile: Option<i64>,
    /// Microseconds since the epoch.
    pub at: i64,
    /// Index into `Transactions::currencies` (a `u32` keeps the rows small: a miss
    /// writes hundreds of thousands of them into fresh memory).
    pub currency: u32,
    /// 0 when the transaction gave none, as every figure counts it.
    pub amount: f64,
    pub cancel: bool,
    /// Whether the row matches the overview's filters.
    pub matches: bool,
}

impl Tx {
    pub fn paid(&self) -> bool {
        !self.cancel
    }
}

/// The rows sorted by customer and time; currencies as they were written (`None`
/// when a transaction gave none).
#[derive(Debug, Clone, Default)]
pub(crate) struct Transactions {
    pub currencies: Vec<Option<String>>,
    pub rows: Vec<Tx>,
}

impl Transactions {
    pub async fn load(rd: &Reader, ws: WorkspaceId, fsql: &str) -> Result<Arc<Self>> {
        let sql = format!(
            "SELECT profile_id AS p, occurred_at AS t, currency AS c, amount AS a, \
             action = 'cancellation' AS x, (true{fsql}) AS f FROM signals \
             WHERE kind = 'transaction' AND action IN ('purchase', 'renewal', 'cancellation')"
        );
        rd.folded(ws, &sql, |answer| Self::read(rd, answer)).await
    }

    /// The rows of one answer, grouped by customer.
    fn read(rd: &Reader, answer: &QueryBatches) -> Result<Self> {
        // Each column is read straight into the rows: per-column vectors of options
        // first would cost more than the scan (several large allocations per miss).
        let empty = Tx {
            profile: None,
            at: 0,
            currency: 0,
            amount: 0.0,
            cancel: false,
            matches: false,
        };
        let mut rows = rd.tx_buffers.take();
        rows.resize(answer.num_rows(), empty);
        let mut timed = vec![false; rows.len()];
        let mut currencies: Vec<Option<String>> = Vec::new();
        answer.for_each_str("c", |i, c| {
            let code = match currencies.iter().position(|k| k.as_deref() == c) {
                Some(code) => code,
                None => {
                    currencies.push(c.map(str::to_string));
                    currencies.len() - 1
                }
            };
            rows[i].currency = u32::try_from(code).unwrap_or(u32::MAX);
        })?;
        answer.for_each_i64("p", |i, p| rows[i].profile = p)?;
        answer.for_each_i64("t", |i, t| {
            rows[i].at = t.unwrap_or(0);
            timed[i] = t.is_some();
        })?;
        answer.for_each_f64("a", |i, a| rows[i].amount = a.unwrap_or(0.0))?;
        answer.for_each_i64("x", |i, x| rows[i].cancel = x == Some(1))?;
        answer.for_each_i64("f", |i, f| rows[i].matches = f == Some(1))?;
        let sorted = by_customer(&rows, &timed, rd.tx_buffers.take());
        rd.tx_buffers.give(rows);
        Ok(Self {
            currencies,
            rows: sorted,
        })
    }

    /// The currency code of `name` in this table, added if new.
    fn code_of(&mut self, name: &Option<String>) -> u32 {
        let code = match self.currencies.iter().position(|k| k == name) {
            Some(code) => code,
            None => {
                self.currencies.push(name.clone());
                self.currencies.len() - 1
            }
        };
        u32::try_from(code).unwrap_or(u32::MAX)
    }

    /// The name a currency is shown by: `?` for none.
    pub fn currency_name(&self, code: usize) -> String {
        self.currencies[code]
            .clone()
            .unwrap_or_else(|| "?".to_string())
    }

    /// Each customer's rows (the customerless rows as one group, as SQL groups NULL).
    pub fn per_customer(&self) -> impl Iterator<Item = &[Tx]> {
        self.rows.chunk_by(|a, b| a.profile == b.profile)
    }

    /// Sums of `amount` per currency over the rows `keep` accepts, largest first;
    /// a currency appears when any row of it is kept.
    pub fn sum_by_currency(&self, keep: impl Fn(&Tx) -> bool) -> Vec<(usize, f64)> {
        let mut sums = CurrencySums::new(self);
        for t in self.rows.iter().filter(|t| keep(t)) {
            sums.add(t);
        }
        sums.largest_first()
    }
}

/// Parts read from different segments merge into one list in customer and time
/// order (each part is in that order; a linear merge keeps it), their currency codes
/// mapped onto one table.
impl Partial for Transactions {
    fn merge(&mut self, other: Self) {
        // The usual case after new signals: the tail holds no transactions.
        if other.rows.is_empty() {
            return;
        }
        let codes: Vec<u32> = other.currencies.iter().map(|c| self.code_of(c)).collect();
        let key = |t: &Tx| (t.profile, t.at);
        // Merged from the back into room made at the end: no second vector, and the
        // rows before the first new one's place stay where they are.
        let mine = self.rows.len();
        self.rows.extend_from_slice(&other.rows);
        let (mut a, mut b, mut w) = (mine, other.rows.len(), self.rows.len());
        while b > 0 {
            let y = Tx {
                currency: codes[other.rows[b - 1].currency as usize],
                ..other.rows[b - 1]
            };
            w -= 1;
            if a > 0 && key(&y) < key(&self.rows[a - 1]) {
                self.rows[w] = self.rows[a - 1];
                a -= 1;
            } else {
                self.rows[w] = y;
                b -= 1;
            }
        }
    }

    fn bytes(&self) -> usize {
        self.rows.len() * std::mem::size_of::<Tx>() + self.currencies.len() * 32
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Amounts per currency code; a currency is present once any of its rows is added.
pub(crate) struct CurrencySums(Vec<Option<f64>>);

impl CurrencySums {
    pub fn new(tx: &Transactions) -> Self {
        Self(vec![None; tx.currencies.len()])
    }

    pub fn add(&mut self, t: &Tx) {
        *self.0[t.currency as usize].get_or_insert(0.0) += t.amount;
    }

    /// (currency code, sum), largest first.
    pub fn largest_first(self) -> Vec<(usize, f64)> {
        let mut out: Vec<(usize, f64)> = self
            .0
            .into_iter()
            .enumerate()
            .filter_map(|(code, s)| Some((code, s?)))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}

/// The rows with a time (`timed`; a row without one, never written so, has no place
/// in anyone's history) grouped by customer in id order (the customerless first), each
/// customer's in time order. Customer ids are row ids, dense enough for a counting
/// sort, which is several times faster than sorting every row; ids spread wider than
/// that are sorted instead. The sort moves row numbers and copies each row once.
fn by_customer(rows: &[Tx], timed: &[bool], mut out: Vec<Tx>) -> Vec<Tx> {
    out.clear();
    let kept = || rows.iter().zip(timed).filter(|(_, &t)| t).map(|(r, _)| r);
    let ids = kept().filter_map(|t| t.profile);
    let Some((low, high)) = ids.clone().min().zip(ids.max()) else {
        out.extend(kept().copied());
        out.sort_unstable_by_key(|t| t.at);
        return out;
    };
    let n = kept().count();
    let span = usize::try_from(high.abs_diff(low)).unwrap_or(usize::MAX);
    if span > 4 * n + 1024 || u32::try_from(rows.len()).is_err() {
        out.extend(kept().copied());
        out.sort_unstable_by_key(|t| (t.profile, t.at));
        return out;
    }
    // Slot 0 holds the customerless rows, slot 1 + (id - low) each customer's.
    let slot = |t: &Tx| t.profile.map_or(0, |p| 1 + (p - low) as usize);
    let mut starts = vec![0usize; span + 3];
    for t in kept() {
        starts[slot(t) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut order = vec![0u32; n];
    let mut next = starts.clone();
    for (i, t) in rows.iter().enumerate().filter(|&(i, _)| timed[i]) {
        let s = slot(t);
        order[next[s]] = i as u32;
        next[s] += 1;
    }
    out.extend(order.iter().map(|&i| rows[i as usize]));
    for w in starts.windows(2) {
        out[w[0]..w[1]].sort_unstable_by_key(|t| t.at);
    }
    out
}

/// Row vectors of earlier misses, kept for the next: a miss writes hundreds of
/// thousands of rows, and into a fresh allocation that costs a page fault per 4 KiB
/// (about half the time of reading and grouping the rows, on the demo company).
#[derive(Default)]
pub(crate) struct TxBuffers(Mutex<Vec<Vec<Tx>>>);

/// Vectors kept, enough for two misses computed at once.
const KEPT_BUFFERS: usize = 4;
/// Larger vectors are freed, not kept: a bound on memory held between misses.
const KEPT_BUFFER_ROWS: usize = 1 << 20;

impl TxBuffers {
    /// An empty vector, with room from an earlier miss when one is kept.
    pub fn take(&self) -> Vec<Tx> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }

    pub fn give(&self, mut rows: Vec<Tx>) {
        if rows.capacity() > KEPT_BUFFER_ROWS {
            return;
        }
        rows.clear();
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() < KEPT_BUFFERS {
            kept.push(rows);
        }
    }
}

/// Microseconds at the start of `day` (UTC), as the SQL's `day_start` compares.
pub(crate) fn day_micros(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp_micros())
}

/// A period as `[start, end)` in microseconds, for comparing many rows' times.
pub(crate) fn bounds(p: &Period) -> (i64, i64) {
    (day_micros(p.start), day_micros(p.end))
}

/// year·12 + month0 of times in UTC, remembering the last month's bounds: rows in
/// time order mostly fall in the month before them. A row in another month costs
/// the value crate's integer calendar arithmetic, not a chrono conversion (a
/// customer's monthly renewals each fall in a new month: most rows of a retention pass).
#[derive(Default)]
pub(crate) struct MonthIndex {
    last: Option<(i64, i64, i32)>,
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

impl MonthIndex {
    pub fn of(&mut self, micros: i64) -> Option<i32> {
        if let Some((start, end, index)) = self.last {
            if micros >= start && micros < end {
                return Some(index);
            }
        }
        let days = micros.div_euclid(MICROS_PER_DAY);
        let date = throughline_value::date::Date::from_days(i32::try_from(days).ok()?);
        let (year, month, day) = date.ymd();
        // The range chrono's dates cover, as before.
        if year.abs() > 262_000 {
            return None;
        }
        let index = year * 12 + month as i32 - 1;
        let start = (days - i64::from(day - 1)) * MICROS_PER_DAY;
        let end = start + i64::from(date.days_in_its_month()) * MICROS_PER_DAY;
        self.last = Some((start, end, index));
        Some(index)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::Datelike;

    /// A paid row (cancel = false) of customer `p` at `at` µs, in currency 0, matching.
    pub fn tx(profile: Option<i64>, at: i64, amount: f64, cancel: bool) -> Tx {
        Tx {
            profile,
            at,
            currency: 0,
            amount,
            cancel,
            matches: true,
        }
    }

    fn order(rows: &[Tx]) -> Vec<(Option<i64>, i64)> {
        rows.iter().map(|t| (t.profile, t.at)).collect()
    }

    #[test]
    fn rows_are_grouped_by_customer_in_time_order() {
        let rows = vec![
            tx(Some(7), 30, 1.0, false),
            tx(Some(5), 20, 1.0, false),
            tx(None, 50, 1.0, false),
            tx(Some(7), 10, 1.0, true),
            tx(Some(5), 5, 1.0, false),
            // Read without a time: left out (its `at` is only a placeholder).
            tx(Some(6), 0, 1.0, false),
            tx(None, 0, 1.0, false),
        ];
        let timed = [true, true, true, true, true, false, false];
        let want = vec![
            (None, 50),
            (Some(5), 5),
            (Some(5), 20),
            (Some(7), 10),
            (Some(7), 30),
        ];
        // Dense ids take the counting sort ...
        assert_eq!(order(&by_customer(&rows, &timed, Vec::new())), want);
        // A kept vector's old rows are cleared first.
        let stale = vec![tx(Some(99), 1, 1.0, false); 3];
        assert_eq!(order(&by_customer(&rows, &timed, stale)), want);
        // ... ids spread wider than the rows take the plain sort, with the same answer.
        let wide: Vec<Tx> = rows
            .iter()
            .map(|t| Tx {
                profile: t.profile.map(|p| p * 1_000_000_000),
                ..*t
            })
            .collect();
        let want_wide: Vec<_> = want
            .iter()
            .map(|&(p, at)| (p.map(|p| p * 1_000_000_000), at))
            .collect();
        assert_eq!(order(&by_customer(&wide, &timed, Vec::new())), want_wide);
        let groups: Vec<usize> = Transactions {
            currencies: vec![Some("GBP".into())],
            rows: by_customer(&rows, &timed, Vec::new()),
        }
        .per_customer()
        .map(<[Tx]>::len)
        .collect();
        assert_eq!(groups, vec![1, 2, 2]);
        // No customer at all: time order only.
        let nobody: Vec<Tx> = rows
            .iter()
            .map(|t| Tx {
                profile: None,
                ..*t
            })
            .collect();
        let times: Vec<i64> = by_customer(&nobody, &timed, Vec::new())
            .iter()
            .map(|t| t.at)
            .collect();
        assert_eq!(times, vec![5, 10, 20, 30, 50]);
    }

    #[test]
    fn buffers_are_kept_empty_with_their_room_within_bounds() {
        let kept = TxBuffers::default();
        assert_eq!(kept.take().capacity(), 0, "nothing kept yet");
        kept.give(vec![tx(Some(1), 1, 1.0, false); 10]);
        let again = kept.take();
        assert!(again.is_empty() && again.capacity() >= 10);
        assert_eq!(kept.take().capacity(), 0, "each vector is handed out once");
        kept.give(Vec::with_capacity(KEPT_BUFFER_ROWS + 1));
        assert_eq!(kept.take().capacity(), 0, "too large to keep");
        for _ in 0..KEPT_BUFFERS + 2 {
            kept.give(Vec::with_capacity(4));
        }
        let held = std::iter::from_fn(|| Some(kept.take()))
            .take_while(|v| v.capacity() > 0)
            .count();
        assert_eq!(held, KEPT_BUFFERS);
    }

    #[test]
    fn sums_per_currency_keep_currencies_apart_largest_first() {
        let mut rows = vec![
            tx(Some(1), 1, 10.0, false),
            tx(Some(2), 2, 5.0, false),
            tx(Some(2), 3, 7.0, false),
        ];
        rows[1].currency = 1;
        rows[2].currency = 1;
        let t = Transactions {
            currencies: vec![Some("EUR".into()), None],
            rows,
        };
        let sums = t.sum_by_currency(|_| true);
        assert_eq!(sums, vec![(1, 12.0), (0, 10.0)]);
        assert_eq!(t.currency_name(1), "?");
        // A currency none of whose rows is kept is left out.
        assert_eq!(t.sum_by_currency(|t| t.at == 1), vec![(0, 10.0)]);
    }

    #[test]
    fn month_index_follows_the_calendar_across_month_ends() {
        let at = |y, m, d| day_micros(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let mut months = MonthIndex::default();
        assert_eq!(months.of(at(2026, 1, 31)), Some(2026 * 12));
        assert_eq!(months.of(at(2026, 1, 1)), Some(2026 * 12));
        assert_eq!(months.of(at(2026, 2, 1)), Some(2026 * 12 + 1));
        assert_eq!(months.of(at(2026, 2, 1) - 1), Some(2026 * 12));
        assert_eq!(months.of(at(2025, 12, 31)), Some(2025 * 12 + 11));
    }

    #[test]
    fn parts_merge_in_customer_and_time_order_with_one_currency_table() {
        let part =
            |currencies: Vec<Option<String>>, rows: Vec<Tx>| Transactions { currencies, rows };
        let in_ = |mut t: Tx, currency: u32| {
            t.currency = currency;
            t
        };
        let eur = Some("EUR".to_string());
        let usd = Some("USD".to_string());
        let mut mine = part(
            vec![eur.clone()],
            vec![
                tx(None, 5, 1.0, false),
                tx(Some(1), 1, 2.0, false),
                tx(Some(1), 9, 3.0, false),
                tx(Some(4), 2, 4.0, false),
            ],
        );
        let other = part(
            vec![usd.clone(), eur.clone()],
            vec![
                in_(tx(None, 1, 5.0, false), 0),
                in_(tx(Some(1), 9, 6.0, true), 1),
                in_(tx(Some(2), 3, 7.0, false), 0),
                in_(tx(Some(9), 1, 8.0, false), 1),
            ],
        );
        mine.merge(other);
        assert_eq!(mine.currencies, vec![eur, usd]);
        let got: Vec<(Option<i64>, i64, f64, u32)> = mine
            .rows
            .iter()
            .map(|t| (t.profile, t.at, t.amount, t.currency))
            .collect();
        assert_eq!(
            got,
            vec![
                (None, 1, 5.0, 1),
                (None, 5, 1.0, 0),
                (Some(1), 1, 2.0, 0),
                // A tie keeps the kept part's row first.
                (Some(1), 9, 3.0, 0),
                (Some(1), 9, 6.0, 0),
                (Some(2), 3, 7.0, 1),
                (Some(4), 2, 4.0, 0),
                (Some(9), 1, 8.0, 0),
            ]
        );
    }

    #[test]
    fn month_index_equals_the_calendar_on_every_day_of_five_centuries() {
        let mut months = MonthIndex::default();
        let mut day = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2300, 12, 31).unwrap();
        while day <= last {
            let want = day.year() * 12 + day.month0() as i32;
            let start = day_micros(day);
            // The day's first and last microsecond, after a jump from elsewhere and
            // from the cached month.
            for micros in [start, start + MICROS_PER_DAY - 1] {
                assert_eq!(MonthIndex::default().of(micros), Some(want), "{day}");
                assert_eq!(months.of(micros), Some(want), "{day}");
            }
            day = day.succ_opt().unwrap();
        }
    }
}
