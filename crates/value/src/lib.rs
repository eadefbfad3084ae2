//! Customer-value models: BG/NBD, Gamma-Gamma, CLV and churn risk (pure, deterministic).
