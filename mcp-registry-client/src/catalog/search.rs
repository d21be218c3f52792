//! Ranked full-text search over the catalog's servers.
//!
//! An inverted index over each server's latest version: its name (split into parts at `.`,
//! `/`, `-` and `_`), title and description. Hits are ranked by BM25F: a term counts three
//! times in the name, twice in the title and once in the description, and field lengths are
//! normalised by their weighted average. A query word that matches no term whole is taken as
//! a prefix of name parts, so `weat` finds `weather-server` while it is being typed. A query
//! that is a server's whole name ranks that server first.
//!
//! Hand-written rather than built on a search engine: the documents are small and few (a
//! registry holds thousands to a hundred thousand servers), the index is rebuilt
//! on the first search after a change, and the `catalog` bench measures its build and queries
//! beside `tantivy` on the same documents (`docs/BENCHMARKS.md`).

use std::collections::HashMap;
use std::sync::Arc;

/// BM25's term-frequency saturation.
const K1: f32 = 1.2;
/// BM25's length normalisation.
const B: f32 = 0.75;
/// Weights of a term found in the name, the title and the description.
const NAME_WEIGHT: u32 = 3;
const TITLE_WEIGHT: u32 = 2;
const DESCRIPTION_WEIGHT: u32 = 1;
/// What a prefix match is worth beside a whole-word one.
const PREFIX_DISCOUNT: f32 = 0.6;
/// The most name-part terms one prefix expands to (a one-letter prefix would match most).
const MAX_PREFIX_TERMS: usize = 64;
/// A query equal to a server's whole name puts it above every other hit.
const EXACT_NAME_BONUS: f32 = 1.0e6;

/// One posting: a document and the weighted frequency of the term in it.
#[derive(Clone, Copy, Debug)]
struct Posting {
    doc: u32,
    weighted_tf: u32,
}

/// The search index of a catalog's latest versions.
#[derive(Clone, Debug, Default)]
pub(super) struct SearchIndex {
    /// Document id to server name.
    names: Vec<Arc<str>>,
    /// Each document's weighted length.
    lengths: Vec<u32>,
    average_length: f32,
    postings: HashMap<Box<str>, Vec<Posting>>,
    /// Every term that is a name part, sorted, for prefix matches.
    name_terms: Vec<Box<str>>,
    /// Lower-cased whole names, for the exact-name bonus.
    whole_names: HashMap<Box<str>, u32>,
}

/// What the index reads of one server's latest version.
pub(super) struct IndexedDoc<'a> {
    pub(super) name: &'a str,
    pub(super) title: Option<&'a str>,
    pub(super) description: &'a str,
}

/// The words of `text`, lower-cased: runs of letters and digits.
pub(super) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

impl SearchIndex {
    /// Indexes `entries` (one per server: the latest versions).
    pub(super) fn build<'a>(entries: impl Iterator<Item = IndexedDoc<'a>>) -> Self {
        let mut index = Self::default();
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut name_terms: Vec<Box<str>> = Vec::new();
        let mut total_length: u64 = 0;
        for entry in entries {
            let Ok(doc) = u32::try_from(index.names.len()) else {
                break;
            };
            let server = entry;
            counts.clear();
            let mut length = 0u32;
            let mut add = |word: String, weight: u32, counts: &mut HashMap<String, u32>| {
                *counts.entry(word).or_default() += weight;
                length = length.saturating_add(weight);
            };
            for word in words(server.name) {
                name_terms.push(word.as_str().into());
                add(word, NAME_WEIGHT, &mut counts);
            }
            for word in server.title.into_iter().flat_map(words) {
                add(word, TITLE_WEIGHT, &mut counts);
            }
            for word in words(server.description) {
                add(word, DESCRIPTION_WEIGHT, &mut counts);
            }
            for (term, weighted_tf) in counts.drain() {
                index
                    .postings
                    .entry(term.into_boxed_str())
                    .or_default()
                    .push(Posting { doc, weighted_tf });
            }
            index
                .whole_names
                .insert(server.name.to_lowercase().into_boxed_str(), doc);
            index.names.push(Arc::from(server.name));
            index.lengths.push(length);
            total_length += u64::from(length);
        }
        name_terms.sort_unstable();
        name_terms.dedup();
        index.name_terms = name_terms;
        if !index.names.is_empty() {
            #[expect(
                clippy::cast_precision_loss,
                reason = "an average length needs no more than f32's precision"
            )]
            let average = total_length as f32 / index.names.len() as f32;
            index.average_length = average.max(1.0);
        }
        index
    }

    /// The names of the servers matching `query`, best first, with their scores; every
    /// match when `limit` is `None`.
    pub(super) fn search(&self, query: &str, limit: Option<usize>) -> Vec<(Arc<str>, f32)> {
        // The posting lists to score, then the scores: dense by document id when the lists
        // are long (no hashing per posting), in a map when they are short.
        let mut lists: Vec<(&[Posting], f32)> = Vec::new();
        for word in words(query) {
            if let Some(postings) = self.postings.get(word.as_str()) {
                lists.push((postings, 1.0));
            } else {
                for term in self.prefixed(&word) {
                    if let Some(postings) = self.postings.get(term) {
                        lists.push((postings, PREFIX_DISCOUNT));
                    }
                }
            }
        }
        let total: usize = lists.iter().map(|(postings, _)| postings.len()).sum();
        let mut scores = if total.saturating_mul(16) >= self.names.len() {
            Scores::Dense(vec![0.0; self.names.len()], Vec::with_capacity(total))
        } else {
            Scores::Sparse(HashMap::with_capacity(total))
        };
        for (postings, factor) in lists {
            self.score(postings, factor, &mut scores);
        }
        if let Some(&doc) = self.whole_names.get(query.trim().to_lowercase().as_str()) {
            scores.add(doc, EXACT_NAME_BONUS);
        }
        let mut hits = scores.into_hits();
        // Best first; equal scores in name order, so results are stable.
        let order = |a: &(u32, f32), b: &(u32, f32)| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.name(a.0).cmp(self.name(b.0)))
        };
        match limit {
            // Only the best `limit` need sorting: select them first.
            Some(limit) if limit < hits.len() => {
                if limit == 0 {
                    hits.clear();
                } else {
                    hits.select_nth_unstable_by(limit - 1, order);
                    hits.truncate(limit);
                }
            }
            _ => {}
        }
        hits.sort_unstable_by(order);
        hits.into_iter()
            .filter_map(|(doc, score)| {
                self.names
                    .get(doc as usize)
                    .map(|name| (Arc::clone(name), score))
            })
            .collect()
    }

    fn name(&self, doc: u32) -> &str {
        self.names.get(doc as usize).map_or("", |name| name)
    }

    /// The name-part terms that start with `prefix` (at most [`MAX_PREFIX_TERMS`]).
    fn prefixed<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let start = self
            .name_terms
            .partition_point(|term| term.as_ref() < prefix);
        self.name_terms
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(move |term| term.starts_with(prefix))
            .take(MAX_PREFIX_TERMS)
            .map(AsRef::as_ref)
    }

    /// Adds BM25 scores of one term's postings.
    #[expect(
        clippy::cast_precision_loss,
        reason = "counts and lengths far below f32's exact range in practice; scores are approximate by nature"
    )]
    fn score(&self, postings: &[Posting], factor: f32, scores: &mut Scores) {
        let n = self.names.len() as f32;
        let df = postings.len() as f32;
        let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
        for posting in postings {
            let tf = posting.weighted_tf as f32;
            let length = self
                .lengths
                .get(posting.doc as usize)
                .copied()
                .unwrap_or_default() as f32;
            let norm = K1 * (1.0 - B + B * length / self.average_length);
            let score = idf * tf * (K1 + 1.0) / (tf + norm);
            scores.add(posting.doc, factor * score);
        }
    }
}

/// Accumulated scores of one search.
enum Scores {
    /// A score per document (zero: not matched; every match scores above zero), and the
    /// documents matched, each once.
    Dense(Vec<f32>, Vec<u32>),
    Sparse(HashMap<u32, f32>),
}

impl Scores {
    fn add(&mut self, doc: u32, score: f32) {
        match self {
            Self::Dense(scores, matched) => {
                if let Some(slot) = scores.get_mut(doc as usize) {
                    if *slot == 0.0 {
                        matched.push(doc);
                    }
                    *slot += score;
                }
            }
            Self::Sparse(scores) => *scores.entry(doc).or_default() += score,
        }
    }

    fn into_hits(self) -> Vec<(u32, f32)> {
        match self {
            Self::Dense(scores, matched) => matched
                .into_iter()
                .map(|doc| (doc, scores.get(doc as usize).copied().unwrap_or_default()))
                .collect(),
            Self::Sparse(scores) => scores.into_iter().collect(),
        }
    }
}
