//! Table-driven checks of every sentiment rule on hand-written examples.

use throughline_text::{Analyzer, Label};

fn analyzer() -> &'static Analyzer {
    static ANALYZER: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
    ANALYZER.get_or_init(Analyzer::new)
}

fn label(text: &str) -> Label {
    analyzer()
        .analyze(text)
        .sentiment
        .expect("english text is analysed")
        .label
}

fn score(text: &str) -> f32 {
    analyzer().sentiment_score(text)
}

fn check(text: &str, expected: Label) {
    assert_eq!(label(text), expected, "{text}: score {}", score(text));
}

#[test]
fn lexicon_words() {
    check("The service was great", Label::Positive);
    check("The service was terrible", Label::Negative);
    check("The parcel is blue", Label::Neutral);
}

#[test]
fn negation() {
    check("The staff were not helpful", Label::Negative);
    check("Not bad at all", Label::Positive);
    check("I don't like the new app", Label::Negative);
    check("Never again", Label::Negative);
    check("The product isn't good", Label::Negative);
    // A negated negative is weaker praise than the plain positive.
    assert!(score("not bad") < score("good"));
    assert!(score("not good") < 0.0);
}

#[test]
fn boosters_and_dampeners() {
    assert!(score("very good") > score("good"));
    assert!(score("extremely bad") < score("bad"));
    assert!(score("slightly good") < score("good"));
    assert!(score("kind of good") < score("good"));
}

#[test]
fn contrast() {
    assert!(score("The food was good but the service was awful") < 0.0);
    assert!(score("The service was awful but the food was great") > 0.0);
    assert!(score("Although the room was nice, the staff were rude") < 0.0);
    check(
        "The staff were lovely but the delivery was late",
        Label::Mixed,
    );
}

#[test]
fn emphasis() {
    assert!(score("Great!!!") > score("Great"));
    assert!(score("The app is GREAT today") > score("The app is great today"));
    assert!(score("soooo goooood") > 0.0);
}

#[test]
fn emoji_and_emoticons() {
    check("delivery 👍", Label::Positive);
    check("delivery 😡", Label::Negative);
    check("arrived today :)", Label::Positive);
    check("arrived today :(", Label::Negative);
}

#[test]
fn customer_service_idioms() {
    check("I was on hold for an hour", Label::Negative);
    check("Still waiting for a reply", Label::Negative);
    check("Got my money back", Label::Positive);
    check("They sorted it out quickly", Label::Positive);
    check("I can't wait to try it", Label::Positive);
    check("No problem at all", Label::Positive);
    check("It was a waste of time", Label::Negative);
}

#[test]
fn scores_stay_in_range() {
    for text in [
        "love love love love love!!!! :) :D 😍😍😍",
        "hate hate hate worst awful!!!! 😡😡",
        "",
    ] {
        let value = score(text);
        assert!((-1.0..=1.0).contains(&value), "{text}: {value}");
    }
}

#[test]
fn denial_and_missed_chances() {
    // "hardly" / "barely" deny what follows rather than soften it.
    check("Hardly worth the money", Label::Negative);
    check("The update is barely acceptable", Label::Negative);
    // "far from" negates like "not".
    check("The service is far from perfect", Label::Negative);
    // "could have been great" did not happen; "would have been perfect" is left alone.
    check(
        "It could have been a great movie if the ending made sense",
        Label::Negative,
    );
    check("Should have been better for the price", Label::Negative);
    assert!(score("That would have been perfect") > 0.0);
    check("I would not buy this again", Label::Negative);
}

#[test]
fn yet_as_contrast_after_a_comma() {
    assert!(score("Beautifully shot, yet painfully dull") < 0.0);
    // "not yet" and "yet again" are no contrast.
    assert!(score("It has not arrived yet, and I am annoyed") < 0.0);
    assert_eq!(
        score("Late yet again, terrible"),
        score("Late again, terrible")
    );
}

#[test]
fn counts_and_durations_of_chasing() {
    check("I've contacted you 14 times now", Label::Negative);
    check("Third time I'm asking", Label::Negative);
    check("This is my 4th email about it", Label::Negative);
    check("I've sent five emails", Label::Negative);
    check("Three weeks and still in the depot", Label::Negative);
    // Comparisons, rates, lengths and questions are no complaint.
    check("Ten times better than the old one", Label::Positive);
    check("Take it 3 times a day", Label::Neutral);
    check("The film runs two hours and twelve minutes", Label::Neutral);
    check("How many times can I return it?", Label::Neutral);
    check("First time ordering", Label::Neutral);
    // A phrase covering the same words wins.
    check("Third time lucky", Label::Positive);
}

#[test]
fn sarcasm_reverses_praise_that_introduces_a_complaint() {
    check("Great, another week of waiting", Label::Negative);
    check("Oh wonderful, the wrong size again", Label::Negative);
    check("Love being on hold for an hour", Label::Negative);
    check(
        "Thanks for cancelling my order without telling me",
        Label::Negative,
    );
    check(
        "Really appreciate being transferred five times",
        Label::Negative,
    );
    // Praise with nothing to complain about keeps its sign.
    check("Great, thanks for the quick reply!", Label::Positive);
    check("I love being able to track my parcel", Label::Positive);
    check("Thanks for sorting this so quickly", Label::Positive);
    // A complaint after a contrast or in another clause is not the praise's object.
    assert!(score("I love the colour but the strap broke") > score("the strap broke"));
    check("Love the dress, hate the delivery", Label::Mixed);
}
