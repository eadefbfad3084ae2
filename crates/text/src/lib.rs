//! Text understanding for Throughline: sentiment, themes, emotion, intent, language and PII.
