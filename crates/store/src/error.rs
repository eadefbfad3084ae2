//! Storage errors, split the way the web layer needs them: what the caller did
//! wrong (not found, conflict) versus what broke inside (the backend).

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("migration failed: {0}")]
    Migration(String),
}

impl StoreError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Backend(Box::new(e))
    }

    /// True when the caller can fix it; false when it is ours.
    pub fn is_user_error(&self) -> bool {
        matches!(self, StoreError::NotFound(_) | StoreError::Conflict(_))
    }
}
