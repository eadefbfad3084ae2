//! The dimensions a signal can carry: free labels an analyst slices and filters by.
//! One enum names them for every layer (the wire format, the store's columns, the
//! dashboard's filters and menus), so a dimension cannot be spelled two ways.

use serde::{Deserialize, Serialize};

/// A dimension; its discriminant is its index in `Signal::dimensions`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Channel = 0,
    Touchpoint = 1,
    Stage = 2,
    Brand = 3,
    Store = 4,
    Team = 5,
    Region = 6,
}

impl Dimension {
    /// Every dimension, in the order of `Signal::dimensions` and the wire format.
    pub const ALL: [Dimension; 7] = [
        Dimension::Channel,
        Dimension::Touchpoint,
        Dimension::Stage,
        Dimension::Brand,
        Dimension::Store,
        Dimension::Team,
        Dimension::Region,
    ];

    /// The names of [`Dimension::ALL`], as the wire format and the columns spell them.
    pub const NAMES: [&'static str; 7] = {
        let mut names = [""; 7];
        let mut i = 0;
        while i < 7 {
            names[i] = Dimension::ALL[i].as_str();
            i += 1;
        }
        names
    };

    pub const fn as_str(self) -> &'static str {
        match self {
            Dimension::Channel => "channel",
            Dimension::Touchpoint => "touchpoint",
            Dimension::Stage => "stage",
            Dimension::Brand => "brand",
            Dimension::Store => "store",
            Dimension::Team => "team",
            Dimension::Region => "region",
        }
    }

    pub fn parse(name: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == name)
    }

    /// Its place in `Signal::dimensions`.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Dimension {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_indexes_and_parsing_agree() {
        for (i, d) in Dimension::ALL.into_iter().enumerate() {
            assert_eq!(d.index(), i);
            assert_eq!(Dimension::NAMES[i], d.as_str());
            assert_eq!(Dimension::parse(d.as_str()), Some(d));
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
        assert_eq!(Dimension::parse("Brand"), None);
    }
}
