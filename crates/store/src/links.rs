//! From merge pointers to canonical profiles: the walk both backends share.

use std::collections::HashMap;
use throughline_domain::{ProfileId, WorkspaceId};

use crate::ProfileLink;

/// Given every `(workspace, profile, merged_into)` pointer, the profile each one
/// finally lives in.
pub fn canonical_links(pointers: &[(WorkspaceId, ProfileId, ProfileId)]) -> Vec<ProfileLink> {
    let next: HashMap<ProfileId, ProfileId> = pointers.iter().map(|(_, p, m)| (*p, *m)).collect();
    pointers
        .iter()
        .map(|(workspace, profile, _)| {
            let mut canonical = *profile;
            // Bounded walk: merge chains are short, and a cycle must not hang the feed.
            for _ in 0..=next.len() {
                match next.get(&canonical) {
                    Some(up) => canonical = *up,
                    None => break,
                }
            }
            ProfileLink {
                workspace: *workspace,
                profile: *profile,
                canonical,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_resolve_to_their_root_and_cycles_stop() {
        let (w, p) = (WorkspaceId(1), ProfileId);
        let links = canonical_links(&[
            (w, p(3), p(2)),
            (w, p(2), p(1)),
            (w, p(8), p(9)),
            (w, p(9), p(8)),
        ]);
        let got: Vec<i64> = links.iter().map(|l| l.canonical.0).collect();
        assert_eq!(got[..2], [1, 1]);
        assert_eq!(links.len(), 4, "a cycle still answers, and terminates");
    }
}
