//! The clause fragments comments are composed from, per theme and polarity.
//!
//! A clause is a subject plus a predicate (`{i}` takes an optional intensifier, `{n}` a
//! small number) or a whole clause. Predicates are written for a singular subject; a
//! subject ending in `*` is plural and `comments::agree` adjusts the verb. Every late-delivery fragment names lateness with a
//! word from `truths::DELAY_THEME_KEYWORDS`, and no other fragment uses those words.

use crate::comments::Theme;

pub struct Phrases {
    pub subjects: &'static [&'static str],
    pub good: &'static [&'static str],
    pub bad: &'static [&'static str],
    pub good_whole: &'static [&'static str],
    pub bad_whole: &'static [&'static str],
}

pub fn phrases(theme: Theme) -> &'static Phrases {
    match theme {
        Theme::Delivery => &DELIVERY,
        Theme::Quality => &QUALITY,
        Theme::Staff => &STAFF,
        Theme::Price => &PRICE,
        Theme::App => &APP,
        Theme::Support => &SUPPORT,
        Theme::Billing => &BILLING,
        Theme::Returns => &RETURNS,
        Theme::Store => &STORE,
        Theme::Membership => &MEMBERSHIP,
        Theme::Manager => &MANAGER,
        Theme::Pay => &PAY,
        Theme::Workload => &WORKLOAD,
        Theme::Colleagues => &COLLEAGUES,
        Theme::Career => &CAREER,
        Theme::Tools => &TOOLS,
        Theme::Partnership => &PARTNERSHIP,
    }
}

/// Mild judgements that fit any subject: the "not bad" and "wasn't great" of real comments.
pub const MILD_GOOD: &[&str] = &[
    "was not bad", "wasn't bad at all", "was fine", "was okay I suppose", "did the job", "was decent enough",
    "was better than I expected", "was alright", "was pretty good actually", "wasn't a problem",
    "was fine, nothing to complain about", "was acceptable",
];
pub const MILD_BAD: &[&str] = &[
    "wasn't great", "could have been better", "was a bit disappointing", "wasn't what I expected",
    "was not good enough", "was so-so", "left a lot to be desired", "was nothing special",
    "wasn't up to the usual standard", "was a bit meh", "was not ideal", "felt like an afterthought",
];

pub const INTENSIFIERS: &[&str] = &[
    "", "", "", "really ", "very ", "so ", "super ", "incredibly ", "pretty ", "quite ", "extremely ",
    "genuinely ", "ridiculously ",
];
pub const HEDGES: &[&str] = &[
    "Honestly, ", "To be fair, ", "tbh ", "I have to say ", "Overall ", "I guess ", "Well, ",
    "If I'm honest, ", "Not gonna lie, ", "In fairness, ", "I must say ", "Generally ",
];
pub const OPENERS: &[&str] = &[
    "First time ordering.", "Been a customer for years.", "Second order this month.",
    "Bought this as a gift.", "Hi,", "Ok so", "Where do I start.", "Quick feedback:",
    "Long time member here.", "Just a few thoughts.", "Re my last order:", "Hello,",
];
pub const GOOD_CLOSERS: &[&str] = &[
    "Will order again.", "Thanks!", "Keep it up.", "Highly recommend.", "10/10 would recommend.",
    "Thank you so much.", "Will definitely be back.", "Happy customer here.", "Cheers.",
    "Told all my friends.", "Great job everyone.", "Five stars from me.",
];
pub const BAD_CLOSERS: &[&str] = &[
    "Won't be back.", "Sort it out.", "Not impressed.", "Very disappointed.", "Thinking of cancelling.",
    "Expected better.", "Shocking really.", "Do better.", "Never again.", "I want a refund.",
    "Considering other options now.", "Fix this please.",
];
pub const STAFF_GOOD_CLOSERS: &[&str] = &[
    "Proud to work here.", "Great place to work.", "Thanks to the team.", "Keep it up.",
    "Happy here overall.",
];
pub const STAFF_BAD_CLOSERS: &[&str] = &[
    "Thinking of leaving.", "Morale is low.", "Please listen to us.", "Something needs to change.",
    "Not sure how long I'll stay.", "We deserve better.",
];
pub const MIXED_CLOSERS: &[&str] = &[
    "Mixed feelings.", "We'll see.", "Hope it improves.", "Still on the fence.",
    "Could be great with a few fixes.", "Not sure yet.", "Room for improvement.",
];
pub const CONTRASTS: &[&str] = &[
    ", but ", ". But ", ", although ", ", though ", ". However, ", " - shame that ", ", yet ",
    ". Having said that, ", ", except ",
];
pub const JOINS: &[&str] = &[". ", ", and ", ". Also ", ". Plus ", " and ", ", ", ". On top of that ", "! "];
pub const SHORT_GOOD: &[&str] = &[
    "Great service", "Love it", "All good", "No complaints", "Spot on", "Brilliant", "Very happy", "Perfect",
    "Excellent as always", "Smooth from start to finish", "Lovely",
];
pub const SHORT_BAD: &[&str] = &[
    "Terrible", "Awful experience", "Not happy", "Poor", "Rubbish", "Disappointing", "Waste of money",
    "Really bad", "Useless", "Not good", "Avoid",
];
pub const SHORT_MIXED: &[&str] = &[
    "Meh", "It's ok", "Could be better", "Average", "Fine I guess", "So-so", "Not bad",
];
pub const EMOJI_GOOD: &[&str] = &["😊", "👍", "🙌", "❤️", "😀", "👌", "⭐"];
pub const EMOJI_BAD: &[&str] = &["😡", "🙄", "👎", "😞", "😤", "🤬"];

const DELIVERY: Phrases = Phrases {
    subjects: &[
        "the delivery", "my order", "the parcel", "my package", "the courier", "shipping", "my last order",
    ],
    good: &[
        "arrived {i}quickly", "came a day early", "was right on time", "turned up exactly when promised",
        "was {i}fast", "arrived next day", "was tracked the whole way", "came sooner than expected",
    ],
    bad: &[
        "arrived {n} days late", "was {i}late", "was delayed again", "still hasn't arrived",
        "turned up a week late", "took ages to arrive", "took forever", "got delayed with no update",
        "was overdue by {n} days", "missed the delivery slot",
    ],
    good_whole: &[
        "delivery was quicker than any other shop I use", "tracking was spot on",
        "the driver was lovely and on time", "got my order in {n} days as promised",
    ],
    bad_whole: &[
        "I'm still waiting for my order",
        "tracking said out for delivery for {n} days and it was still late",
        "I had to chase the courier myself", "the delivery date kept slipping, {n} days late in the end",
        "nobody told me about the delay", "my parcel never arrived on the day they promised",
        "it took ages to get here", "second late delivery in a row",
    ],
};

const QUALITY: Phrases = Phrases {
    subjects: &[
        "the product", "the quality", "the item", "the jacket", "the coffee", "the blanket", "what I got",
        "the material",
    ],
    good: &[
        "is {i}good", "feels {i}well made", "is exactly as described", "exceeded my expectations",
        "is {i}solid", "looks even better in person", "has held up really well", "is top notch",
    ],
    bad: &[
        "broke after {n} days", "is {i}cheap looking", "arrived damaged", "was faulty", "fell apart quickly",
        "is not as described", "feels flimsy", "had a stain on it",
    ],
    good_whole: &[
        "you can tell it's made to last", "I've washed it {n} times and it's still like new",
        "best thing I've bought this year", "my partner loves it too",
    ],
    bad_whole: &[
        "the box was crushed and the item was scratched", "it stopped working within a week",
        "the colour is nothing like the photos", "stitching came undone on day one",
    ],
};

const STAFF: Phrases = Phrases {
    subjects: &[
        "the staff*", "the team in store", "the assistant", "the lady at the till", "the guy who served me",
        "everyone there",
    ],
    good: &[
        "was {i}helpful", "went above and beyond", "was {i}friendly", "knew their stuff",
        "made me feel welcome", "was patient with all my questions", "was lovely",
    ],
    bad: &[
        "was {i}rude", "ignored me", "couldn't care less", "had no idea about the products",
        "was too busy chatting to notice me", "was {i}unhelpful", "seemed stressed and short-tempered",
    ],
    good_whole: &[
        "Jess in store was amazing", "someone actually remembered my name",
        "staff helped me carry it to the car",
    ],
    bad_whole: &[
        "nobody came to help even though it was quiet", "I was made to feel like a nuisance",
        "staff were arguing on the shop floor", "I waited {n} minutes and nobody served me",
    ],
};

const PRICE: Phrases = Phrases {
    subjects: &["the price", "value for money", "the pricing", "the cost"],
    good: &[
        "is {i}fair", "is {i}reasonable", "is hard to beat", "was a nice surprise",
        "is great for the quality",
    ],
    bad: &["is {i}steep", "has gone up again", "is {i}expensive", "is a rip off", "isn't worth it anymore"],
    good_whole: &[
        "the discount code worked a treat", "you get a lot for what you pay", "cheaper than the competition",
    ],
    bad_whole: &[
        "I can get the same thing cheaper elsewhere", "prices went up {n}% with no warning",
        "not worth the money",
    ],
};

const APP: Phrases = Phrases {
    subjects: &["the app", "the website", "checkout", "the login", "the new update", "the site", "search"],
    good: &[
        "is {i}easy to use", "works {i}smoothly", "is {i}quick", "is much better since the update",
        "is {i}intuitive",
    ],
    bad: &[
        "keeps crashing", "is {i}slow", "logged me out {n} times", "is {i}confusing",
        "wouldn't accept my card", "froze at the payment step", "is a nightmare on mobile",
    ],
    good_whole: &[
        "ordering on my phone takes a minute", "love the wishlist feature", "tracking in the app is handy",
    ],
    bad_whole: &[
        "I couldn't find the button to update my address", "the page kept timing out at payment",
        "the app forgot my basket again", "had to reinstall the app twice",
    ],
};

const SUPPORT: Phrases = Phrases {
    subjects: &[
        "customer service", "the support team", "the agent", "the call centre", "the chat",
        "the person on the phone",
    ],
    good: &[
        "sorted it {i}quickly", "was {i}helpful", "fixed it first time", "went out of their way",
        "was {i}patient", "explained everything clearly", "called me back as promised",
    ],
    bad: &[
        "was {i}useless", "kept me on hold for {n} minutes", "never got back to me", "passed me around",
        "didn't read my message", "gave me a scripted answer", "hung up on me",
    ],
    good_whole: &[
        "one call and it was fixed", "Sam on the chat was brilliant", "they refunded me without any fuss",
    ],
    bad_whole: &[
        "I had to explain my problem {n} times", "I've contacted you {n} times now",
        "no one takes ownership", "I was promised a call back that never came",
    ],
};

const BILLING: Phrases = Phrases {
    subjects: &["billing", "the invoice", "my statement", "the payment", "the direct debit"],
    good: &["was {i}clear", "was straightforward", "went through fine", "was sorted quickly"],
    bad: &["was wrong", "charged me twice", "took money I didn't owe", "is {i}confusing", "was taken early"],
    good_whole: &["easy to see what I'm paying for", "refund hit my account the next day"],
    bad_whole: &[
        "I was charged twice for one order", "still owed money from last month", "hidden fees everywhere",
    ],
};

const RETURNS: Phrases = Phrases {
    subjects: &["the return", "the returns process", "my refund", "the exchange"],
    good: &["was {i}easy", "was hassle free", "was processed quickly", "was painless"],
    bad: &[
        "was a nightmare", "is taking weeks", "got lost somewhere", "was refused for no reason",
        "is {i}complicated",
    ],
    good_whole: &["dropped it off at the store and got my money back", "free returns label was a nice touch"],
    bad_whole: &["I posted it back {n} weeks ago and heard nothing", "had to pay to send it back"],
};

const STORE: Phrases = Phrases {
    subjects: &["the store", "the shop", "the branch", "the queue", "the shop floor"],
    good: &[
        "was {i}tidy", "had everything I needed", "was {i}well organised", "felt {i}welcoming",
        "moved quickly",
    ],
    bad: &[
        "was a mess", "was {i}dirty", "had nothing in stock", "was {i}chaotic", "was {i}long",
        "had half the tills closed",
    ],
    good_whole: &["easy parking and in and out in ten minutes", "lovely displays this season"],
    bad_whole: &[
        "only one till open on a Saturday", "half the shelves were empty",
        "the fitting rooms were closed again",
    ],
};

const MEMBERSHIP: Phrases = Phrases {
    subjects: &["the membership", "the club", "the loyalty scheme", "my subscription"],
    good: &["is {i}worth it", "pays for itself", "has {i}good perks", "is a no-brainer"],
    bad: &[
        "isn't worth it", "is hard to cancel", "renewed without telling me", "has gone downhill",
        "is {i}overpriced",
    ],
    good_whole: &["free delivery alone makes the club worth it", "members' events are a nice touch"],
    bad_whole: &["the cancel button is hidden", "I only found out it renewed from my bank statement"],
};

const MANAGER: Phrases = Phrases {
    subjects: &["my manager", "the store manager", "my line manager", "leadership", "management"],
    good: &["is {i}supportive", "listens", "has my back", "gives {i}useful feedback", "is {i}fair"],
    bad: &[
        "never listens", "plays favourites", "is {i}disorganised", "micromanages everything",
        "is never around",
    ],
    good_whole: &["I feel trusted to do my job", "my one-to-ones are actually useful"],
    bad_whole: &["nobody explains decisions to us", "I haven't had a one-to-one in months"],
};

const PAY: Phrases = Phrases {
    subjects: &["the pay", "my salary", "the bonus scheme", "the benefits*"],
    good: &["is {i}fair", "is competitive", "is {i}generous", "went up this year"],
    bad: &["is {i}low", "hasn't kept up with prices", "is below what others pay", "is a joke"],
    good_whole: &["the staff discount is great", "overtime is paid properly"],
    bad_whole: &["I can earn more stacking shelves elsewhere", "no pay rise for {n} years"],
};

const WORKLOAD: Phrases = Phrases {
    subjects: &["the workload", "staffing", "the rota", "my shifts*", "the hours*"],
    good: &["is manageable", "is {i}fair", "is planned well", "is {i}flexible"],
    bad: &[
        "is {i}unmanageable", "is always short", "changes last minute", "is {i}exhausting",
        "leaves no time for breaks",
    ],
    good_whole: &["I can actually take my breaks", "swapping shifts is easy"],
    bad_whole: &["we are {n} people short every weekend", "I'm covering for two people"],
};

const COLLEAGUES: Phrases = Phrases {
    subjects: &["my team", "my colleagues*", "the people here*", "the atmosphere"],
    good: &["is {i}great", "is {i}supportive", "makes the job", "is {i}friendly"],
    bad: &["is {i}toxic", "is cliquey", "is {i}tense", "is {i}unwelcoming"],
    good_whole: &["we really look out for each other", "best team I've worked with"],
    bad_whole: &["people are leaving every month", "there's a lot of gossip"],
};

const CAREER: Phrases = Phrases {
    subjects: &["career progression", "training", "development", "promotion"],
    good: &["is {i}encouraged", "is {i}good here", "is taken seriously", "is well structured"],
    bad: &["is non-existent", "is {i}limited", "only happens for favourites", "is all talk"],
    good_whole: &["I was promoted after {n} months", "the training academy is excellent"],
    bad_whole: &["I've been asking for training for a year", "no clear path to move up"],
};

const TOOLS: Phrases = Phrases {
    subjects: &["the tills*", "our systems*", "the handheld scanners*", "the CRM", "the equipment"],
    good: &["works {i}well", "is {i}reliable", "makes the job easier", "was upgraded recently"],
    bad: &["is {i}slow", "crashes constantly", "is {i}outdated", "makes the job harder"],
    good_whole: &["the new rota app is a big improvement"],
    bad_whole: &["half the scanners don't charge", "we still use paper for stock counts"],
};

const PARTNERSHIP: Phrases = Phrases {
    subjects: &["communication", "the forecasts*", "payment terms*", "the account team", "the partnership"],
    good: &["is {i}good", "is {i}accurate", "is {i}fair", "is {i}responsive", "works well for both sides"],
    bad: &["is {i}poor", "is {i}unreliable", "is too long", "is slow to respond", "feels one-sided"],
    good_whole: &["volumes were as forecast", "invoices are paid on time"],
    bad_whole: &[
        "peak volumes came with {n} days' notice", "invoices were paid {n} weeks after the due date",
    ],
};
