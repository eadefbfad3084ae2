//! Chats, calls and email threads are scored on the customer's words: which texts are
//! conversations, who wrote which part, and that spans still point into the whole text.

use throughline_text::analysis::ConversationInfo;
use throughline_text::{Analysis, Analyzer, Speaker};

fn analyzer() -> &'static Analyzer {
    static ANALYZER: std::sync::OnceLock<Analyzer> = std::sync::OnceLock::new();
    ANALYZER.get_or_init(Analyzer::new)
}

fn conversation(text: &str) -> Option<ConversationInfo> {
    analyzer().analyze(text).conversation
}

/// The words each turn holds, with its speaker.
fn turns(text: &str) -> Vec<(Speaker, String)> {
    let analysis = analyzer().analyze(text);
    let info = analysis.conversation.expect("a conversation");
    info.turns
        .iter()
        .map(|t| {
            (
                t.speaker,
                analysis.redacted_text[t.start..t.end].to_string(),
            )
        })
        .collect()
}

fn score(analysis: &Analysis) -> f32 {
    analysis.sentiment.as_ref().expect("scored").score
}

#[test]
fn transcripts_split_into_customer_and_agent_turns() {
    use Speaker::{Agent, Customer, Other};
    let chat = "Chat started\n[10:02] Customer: where is my order\nit was due Monday\n\
                [10:03] Agent (Sam): Let me check.\nSystem: Sam left the chat\n10:05 Me: ok";
    assert_eq!(
        turns(chat),
        [
            (Other, "Chat started".into()),
            (Customer, "where is my order\nit was due Monday".into()),
            (Agent, "Let me check.".into()),
            (Other, "Sam left the chat".into()),
            (Customer, "ok".into()),
        ]
    );
    let info = conversation(chat).unwrap();
    assert_eq!((info.customer_turns, info.agent_turns), (2, 1));
    // PII redaction takes "2024-03-01 10" for a phone number; turns are found before it.
    let iso = "[2024-03-01 10:02:33] Customer: my order is late\n\
               [2024-03-01 10:03:10] Agent: sorry to hear that";
    assert_eq!(
        turns(iso),
        [
            (Customer, "my order is late".into()),
            (Agent, "sorry to hear that".into())
        ]
    );
    let call = "Rep: Hello, how can I help?\nCaller: I was double charged.\n\
                Rep: Sorry to hear that, I've refunded it.\nCaller: Thanks.";
    let info = conversation(call).unwrap();
    assert_eq!((info.customer_turns, info.agent_turns), (2, 2));
    assert!(info.agent_sentiment.unwrap().score > 0.0);
}

#[test]
fn plain_text_and_one_sided_labels_are_no_conversation() {
    for text in [
        "Note: delivery was late",
        "Note: delivery was late\nOtherwise fine",
        "Delivery: late\nStaff: rude\nPrice: fair",
        "Customer: me\nDelivery: awful",
        "Agent: rude\nAgent: slow",
        "Sam: hi\nJane: my order is late",
        "Subject: Where is my order?\n\nHi,\n\nIt never came.\n\nThanks,\nJane",
        "Delivery took\n> 2 weeks, terrible",
        "On Monday she wrote:\nwe will call you",
        "Customer: my order is late Agent: sorry",
    ] {
        let analysis = analyzer().analyze(text);
        assert!(analysis.conversation.is_none(), "{text:?}");
        let json = serde_json::to_value(&analysis).unwrap();
        assert!(json.get("conversation").is_none(), "{text:?}");
        // Plain text is scored whole, the same as the score-only path.
        assert_eq!(
            score(&analysis),
            analyzer().sentiment_score(text),
            "{text:?}"
        );
    }
}

#[test]
fn email_quotes_are_nobodys_words() {
    use Speaker::{Customer, Quoted};
    let gmail = "Still no refund. This is ridiculous.\n\n\
                 On Mon, 3 Mar 2025 at 10:02, Acme Support <help@acme.com> wrote:\n\
                 > We are delighted to help!\n> Your refund is on its way.";
    assert_eq!(
        turns(gmail),
        [
            (Customer, "Still no refund. This is ridiculous.".into()),
            (
                Quoted,
                "On Mon, 3 Mar 2025 at 10:02, Acme Support <[EMAIL]> wrote:\n\
                 > We are delighted to help!\n> Your refund is on its way."
                    .into()
            ),
        ]
    );
    let analysis = analyzer().analyze(gmail);
    assert!(score(&analysis) < 0.0);
    let info = analysis.conversation.unwrap();
    assert_eq!((info.customer_turns, info.quoted_blocks), (1, 1));
    assert!(info.agent_sentiment.is_none());
    // Wrapped attribution, inline replies between quotes.
    let inline = "On Tue, 4 Mar 2025, Acme <\nhelp@acme.com> wrote:\n> Is the parcel there?\n\
                  No, nothing came.\n> Wonderful, glad it arrived!\nIt did NOT arrive.";
    assert_eq!(
        turns(inline)
            .into_iter()
            .filter(|t| t.0 == Customer)
            .collect::<Vec<_>>(),
        [
            (Customer, "No, nothing came.".into()),
            (Customer, "It did NOT arrive.".into())
        ]
    );
    assert_eq!(conversation(inline).unwrap().customer_turns, 2);
    // Outlook: everything under the header is the earlier message.
    let outlook = "Thanks for nothing.\n\n-----Original Message-----\nFrom: Acme Support\n\
                   Sent: 3 March 2025\nWe are delighted to tell you it is approved. Wonderful!";
    assert_eq!(
        turns(outlook)[1..],
        [(
            Quoted,
            "-----Original Message-----\nFrom: Acme Support\nSent: 3 March 2025\n\
             We are delighted to tell you it is approved. Wonderful!"
                .into()
        )]
    );
}

/// Every span an analysis of a conversation gives points into the whole redacted text at
/// the words it names, though PII before them (in an agent turn) shifted every offset.
#[test]
fn evidence_offsets_point_into_the_whole_redacted_text() {
    let text = "Agent: Hi, I'm Sam, call me on 020 7946 0958 or sam@acme.com, happy to help!\n\
                Customer: The courier was rude and my parcel never arrived.\n\
                Agent: I'm so sorry, lovely to help.\nCustomer: still waiting, card 4111 1111 1111 1111";
    let analysis = analyzer().analyze(text);
    let redacted = &analysis.redacted_text;
    assert!(!redacted.contains("sam@acme.com") && !redacted.contains("4111"));
    assert_eq!(analysis.pii.len(), 3);
    let sentiment = analysis.sentiment.as_ref().unwrap();
    let mut spans: Vec<(usize, usize, &str)> = Vec::new();
    for sentence in &sentiment.sentences {
        spans.push((sentence.start, sentence.end, &sentence.text));
        spans.extend(sentence.evidence.iter().map(|e| (e.start, e.end, &*e.text)));
    }
    for theme in &analysis.themes {
        let evidence = theme.evidence.iter().chain(&theme.sentiment_evidence);
        spans.extend(evidence.map(|e| (e.start, e.end, &*e.text)));
    }
    for signal in analysis.emotions.iter().chain(&analysis.intents) {
        spans.extend(signal.evidence.iter().map(|e| (e.start, e.end, &*e.text)));
    }
    let effort = analysis.effort.as_ref().unwrap();
    spans.extend(effort.evidence.iter().map(|e| (e.start, e.end, &*e.text)));
    assert!(spans.len() > 8, "{spans:?}");
    let info = analysis.conversation.as_ref().unwrap();
    let customer: Vec<_> = info
        .turns
        .iter()
        .filter(|t| t.speaker == Speaker::Customer)
        .collect();
    for (start, end, shown) in spans {
        assert_eq!(&redacted[start..end], shown);
        // Only the customer's words were analysed.
        assert!(customer.iter().any(|t| t.start <= start && end <= t.end));
    }
    let words: Vec<&str> = sentiment
        .sentences
        .iter()
        .flat_map(|s| &s.evidence)
        .map(|e| &*e.text)
        .collect();
    assert!(words.contains(&"rude") && !words.contains(&"happy") && !words.contains(&"lovely"));
    assert!(score(&analysis) < 0.0 && info.agent_sentiment.unwrap().score > 0.0);
    assert!(analysis
        .to_string()
        .contains("scored on the customer's turns"));
}

/// An agent who apologises and names the customer's problem is courteous; one who brushes
/// the customer off is not (`data/en_agent.tsv`). The customer's score is untouched by either.
#[test]
fn agent_turns_score_courtesy_as_courtesy() {
    let agent_score = |agent: &str| {
        let text = format!("Customer: my parcel is late\nAgent: {agent}\nCustomer: ok then");
        let analysis = analyzer().analyze(&text);
        let info = analysis.conversation.as_ref().unwrap();
        (info.agent_sentiment.unwrap().score, score(&analysis))
    };
    let customer = agent_score("Hello.").1;
    for courteous in [
        "I'm really sorry about this, let me take a look.",
        "Apologies for the trouble. I can see your account here.",
        "Hello! I understand, that's frustrating. Let me check.",
        "I'm sorry to hear that, delays are a problem for everyone.",
    ] {
        let (agent, customer_now) = agent_score(courteous);
        assert!(agent > 0.0, "{courteous}: {agent}");
        assert_eq!(customer_now, customer, "{courteous}");
    }
    for dismissive in ["Not my problem.", "There's nothing I can do, calm down."] {
        assert!(agent_score(dismissive).0 < 0.0, "{dismissive}");
    }
}

/// A customer's thanks-and-goodbye turn closes nearly every contact, so it is not scored (as
/// the agent's politeness is not); praise in a closing turn is the customer's and is.
#[test]
fn courtesy_closings_are_not_scored() {
    let with_closer = |closer: &str| {
        let text = format!(
            "Customer: My package got delayed with no update\n\
             Agent: Sorry about that, I've sent a replacement.\nCustomer: {closer}"
        );
        analyzer().analyze(&text)
    };
    let complaint = score(&analyzer().analyze("My package got delayed with no update"));
    for closer in [
        "Ok thanks.",
        "Ok.",
        "That's all, thanks.",
        "Cheers for your help.",
    ] {
        let analysis = with_closer(closer);
        assert_eq!(score(&analysis), complaint, "{closer}");
        let info = analysis.conversation.unwrap();
        assert_eq!(info.customer_turns, 2);
        assert!(info.turns.last().unwrap().courtesy, "{closer}");
    }
    let praise = with_closer("Great, thank you, that's brilliant!");
    assert!(
        !praise
            .conversation
            .as_ref()
            .unwrap()
            .turns
            .last()
            .unwrap()
            .courtesy
    );
    assert!(score(&praise) > complaint);
}
