//! Ranked full-text search over the catalog's servers.
//!
//! An inverted index over each server's latest version: its name (split into parts at `.`,
//! `/`, `-` and `_`), title and description. Hits are ranked by BM25F: a term counts three
//! times in the name, twice in the title and once in the description, and field lengths are
//! normalised by their weighted average. A query word that matches no term whole is taken as
//! a prefix of name parts, so `weat` finds `weather-server` while it is being typed: it
//! expands to at most [`MAX_PREFIX_TERMS`] name parts, and a server scores the best of those it
//! holds, discounted. A query that is a server's whole name ranks that server first.
//!
//! A server's score is the sum of its query words' contributions in query order (then the
//! whole-name bonus), whichever way the server was found, so a top-k search returns exactly
//! what scoring every match would. Each term keeps its postings in two orders: by impact (its
//! precomputed BM25 contribution, best first) for the threshold algorithm of a top-k search,
//! and per server (a forward index) to score a server found through one term on every other.
//!
//! Hand-written rather than built on a search engine: the documents are small and few (a
//! registry holds thousands to a hundred thousand servers), the index is rebuilt
//! on the first search after a change, and the `catalog` bench measures its build and queries
//! beside `tantivy` on the same documents (`docs/BENCHMARKS.md`).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
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

/// What the index reads of one server.
#[derive(Clone, Copy, Debug)]
pub(super) struct IndexedDoc<'a> {
    pub(super) name: &'a str,
    pub(super) title: Option<&'a str>,
    pub(super) description: &'a str,
}

/// One posting: a term (in a document's list) or a document (in a term's list), and the term's
/// BM25 contribution to the document.
#[derive(Clone, Copy, Debug)]
struct Posting {
    id: u32,
    impact: f32,
}

/// The search index of a catalog's latest versions.
///
/// Document ids follow name order, so ties broken by id are ties broken by name.
#[derive(Clone, Debug, Default)]
pub(super) struct SearchIndex {
    /// Document id to server name.
    names: Box<[Arc<str>]>,
    /// Every term, sorted: a term's id is its position.
    terms: Box<[Box<str>]>,
    /// Term `t`'s postings are `by_impact[term_starts[t]..term_starts[t + 1]]`: documents,
    /// highest impact first, then by id.
    term_starts: Box<[usize]>,
    by_impact: Box<[Posting]>,
    /// Document `d`'s postings are `by_doc[doc_starts[d]..doc_starts[d + 1]]`: terms by id.
    doc_starts: Box<[usize]>,
    by_doc: Box<[Posting]>,
    /// The ids of the terms that are name parts, sorted, for prefix matches.
    name_terms: Box<[u32]>,
    /// Lower-cased whole names, for the exact-name bonus.
    whole_names: HashMap<Box<str>, u32>,
}

/// The words of `text`, lower-cased: runs of letters and digits.
pub(super) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

/// What one query word matches.
enum Matched {
    /// A term, whole.
    Whole(u32),
    /// The name-part terms it is a prefix of, sorted by id (never empty).
    Prefix(Vec<u32>),
}

impl SearchIndex {
    /// Indexes `docs` (one per server: the latest versions).
    #[expect(
        clippy::cast_precision_loss,
        reason = "counts and lengths far below f32's exact range in practice; scores are approximate by nature"
    )]
    pub(super) fn build<'a>(docs: impl Iterator<Item = IndexedDoc<'a>>) -> Self {
        let Counted {
            term_ids,
            is_name_part,
            names,
            lowered,
            lengths,
            tf_starts,
            tfs,
        } = Counted::count(docs);
        let n = names.len();
        if n == 0 {
            return Self::default();
        }

        // Documents renumbered in name order; terms in string order.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| names.get(a).cmp(&names.get(b)));
        let mut new_doc = vec![0u32; n];
        for (new, &old) in order.iter().enumerate() {
            if let Some(slot) = new_doc.get_mut(old) {
                *slot = u32::try_from(new).unwrap_or(u32::MAX);
            }
        }
        let mut terms: Vec<(Box<str>, u32)> = term_ids.into_iter().collect();
        terms.sort_unstable();
        let mut new_term = vec![0u32; terms.len()];
        for (new, (_, old)) in terms.iter().enumerate() {
            if let Some(slot) = new_term.get_mut(*old as usize) {
                *slot = u32::try_from(new).unwrap_or(u32::MAX);
            }
        }
        let name_terms: Box<[u32]> = terms
            .iter()
            .enumerate()
            .filter(|(_, (_, old))| is_name_part.get(*old as usize).copied().unwrap_or(false))
            .filter_map(|(new, _)| u32::try_from(new).ok())
            .collect();

        let mut df = vec![0u32; terms.len()];
        for &(term, _) in &tfs {
            if let Some(count) = new_term
                .get(term as usize)
                .and_then(|t| df.get_mut(*t as usize))
            {
                *count += 1;
            }
        }
        let total_length: u64 = lengths.iter().map(|&length| u64::from(length)).sum();
        let average_length = (total_length as f32 / n as f32).max(1.0);
        let idf: Vec<f32> = df
            .iter()
            .map(|&df| {
                let (n, df) = (n as f32, df as f32);
                ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
            })
            .collect();

        // The forward index, in the new document order, each list by term id.
        let mut doc_starts = Vec::with_capacity(n + 1);
        doc_starts.push(0);
        let mut by_doc: Vec<Posting> = Vec::with_capacity(tfs.len());
        for &old in &order {
            let from = tf_starts.get(old).copied().unwrap_or_default();
            let to = tf_starts.get(old + 1).copied().unwrap_or(from);
            let length = lengths.get(old).copied().unwrap_or_default() as f32;
            let norm = K1 * (1.0 - B + B * length / average_length);
            let start = by_doc.len();
            for &(term, weighted_tf) in tfs.get(from..to).unwrap_or_default() {
                let id = new_term.get(term as usize).copied().unwrap_or_default();
                let idf = idf.get(id as usize).copied().unwrap_or_default();
                let tf = weighted_tf as f32;
                let impact = idf * tf * (K1 + 1.0) / (tf + norm);
                by_doc.push(Posting { id, impact });
            }
            if let Some(list) = by_doc.get_mut(start..) {
                list.sort_unstable_by_key(|posting| posting.id);
            }
            doc_starts.push(by_doc.len());
        }

        let (term_starts, by_impact) = impact_order(&df, &doc_starts, &by_doc);

        // Later duplicates (names equal but for case) win, as they always did.
        let whole_names = lowered
            .into_iter()
            .zip(&new_doc)
            .map(|(name, &doc)| (name, doc))
            .collect();
        let names = order
            .iter()
            .filter_map(|&old| names.get(old).cloned())
            .collect();
        Self {
            names,
            terms: terms.into_iter().map(|(term, _)| term).collect(),
            term_starts,
            by_impact,
            doc_starts: doc_starts.into_boxed_slice(),
            by_doc: by_doc.into_boxed_slice(),
            name_terms,
            whole_names,
        }
    }

    /// The names of the servers matching `query`, best first, with their scores; every
    /// match when `limit` is `None`.
    pub(super) fn search(&self, query: &str, limit: Option<usize>) -> Vec<(Arc<str>, f32)> {
        let matched: Vec<Matched> = words(query)
            .filter_map(|word| self.matched(&word))
            .collect();
        let exact = self
            .whole_names
            .get(query.trim().to_lowercase().as_str())
            .copied();
        let mut top = Top::new(limit);
        if top.limit == Some(0) {
            return Vec::new();
        }
        let mut seen = Seen::new(self.names.len());
        if let Some(doc) = exact {
            // In the candidates from the start, so no stream need find it.
            seen.insert(doc);
            top.offer(doc, self.score(doc, &matched) + EXACT_NAME_BONUS);
        }
        let mut streams: Vec<Stream<'_>> = matched.iter().map(|m| self.stream(m)).collect();
        // Each stream's next value (zero once it ends), and the words in the order a new
        // document is looked up on: those that can add most first, so that one sure to fall
        // short is dropped after a lookup or two.
        let mut next_values = vec![0.0f32; streams.len()];
        let mut bounds = next_values.clone();
        let mut heaviest_first: Vec<usize> = (0..streams.len()).collect();
        heaviest_first.sort_by(|&a, &b| {
            let value = |i: usize| streams.get(i).and_then(Stream::peek_value);
            value(b)
                .unwrap_or_default()
                .total_cmp(&value(a).unwrap_or_default())
        });
        // Fagin's threshold algorithm: read postings best first from whichever word's stream
        // has the highest next impact, score each new document on every word by the forward
        // index, and stop once no unread document can beat the k-th best. Chosen over
        // MaxScore/WAND because those walk lists in document order: a common word's
        // list is read until its best documents turn up, while in impact order they come
        // first, and scoring a document whole is cheap (a few dozen terms each).
        loop {
            let mut bound = 0.0f32;
            let mut live = 0usize;
            let mut next: Option<(usize, f32)> = None;
            for ((i, stream), slot) in streams.iter().enumerate().zip(&mut next_values) {
                *slot = 0.0;
                if let Some(value) = stream.peek_value() {
                    *slot = value;
                    // An unread document scores at most this sum: each of its contributions
                    // is at most its stream's next value, and the sum runs in the same order.
                    bound += value;
                    live += 1;
                    if next.is_none_or(|(_, best)| value > best) {
                        next = Some((i, value));
                    }
                }
            }
            let Some((found_in, stream)) = next.and_then(|(i, _)| Some((i, streams.get_mut(i)?)))
            else {
                break;
            };
            if let Some((worst_doc, worst_score)) = top.worst() {
                if worst_score > bound {
                    break;
                }
                // One stream left: an unread document scores exactly its value there, and
                // one scoring exactly the bound comes after the stream's next document in id
                // (name) order, so it cannot beat a k-th best that comes before.
                if live == 1
                    && worst_score.total_cmp(&bound).is_eq()
                    && stream.ties_follow_ids()
                    && stream.peek_doc().is_some_and(|doc| worst_doc < doc)
                {
                    break;
                }
            }
            let Some(doc) = stream.next_doc() else {
                break;
            };
            if !seen.insert(doc) {
                continue;
            }
            match top.worst() {
                // (A query of many words would re-sum its bounds more than a lookup costs.)
                Some((_, worst)) if matched.len() <= 16 => {
                    bounds.clone_from_slice(&next_values);
                    if let Some(score) = self.score_unless_below(
                        doc,
                        &matched,
                        &mut bounds,
                        found_in,
                        &heaviest_first,
                        worst,
                    ) {
                        top.offer(doc, score);
                    }
                }
                _ => top.offer(doc, self.score(doc, &matched)),
            }
        }
        top.into_sorted()
            .into_iter()
            .filter_map(|(doc, score)| {
                self.names
                    .get(doc as usize)
                    .map(|name| (Arc::clone(name), score))
            })
            .collect()
    }

    /// The term `word` is, or the name-part terms it is a prefix of; `None` if neither.
    fn matched(&self, word: &str) -> Option<Matched> {
        if let Ok(id) = self.terms.binary_search_by(|term| term.as_ref().cmp(word)) {
            return u32::try_from(id).ok().map(Matched::Whole);
        }
        let start = self.name_terms.partition_point(|&id| self.term(id) < word);
        let expanded: Vec<u32> = self
            .name_terms
            .get(start..)
            .unwrap_or_default()
            .iter()
            .copied()
            .take_while(|&id| self.term(id).starts_with(word))
            .take(MAX_PREFIX_TERMS)
            .collect();
        (!expanded.is_empty()).then_some(Matched::Prefix(expanded))
    }

    fn term(&self, id: u32) -> &str {
        self.terms.get(id as usize).map_or("", |term| term)
    }

    /// Term `id`'s postings, highest impact first.
    fn postings(&self, id: u32) -> &[Posting] {
        let id = id as usize;
        match (self.term_starts.get(id), self.term_starts.get(id + 1)) {
            (Some(&from), Some(&to)) => self.by_impact.get(from..to).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Document `doc`'s terms, by id.
    fn doc_terms(&self, doc: u32) -> &[Posting] {
        let doc = doc as usize;
        match (self.doc_starts.get(doc), self.doc_starts.get(doc + 1)) {
            (Some(&from), Some(&to)) => self.by_doc.get(from..to).unwrap_or_default(),
            _ => &[],
        }
    }

    /// `doc`'s score: its words' contributions summed in query order, whatever found it.
    fn score(&self, doc: u32, matched: &[Matched]) -> f32 {
        let terms = self.doc_terms(doc);
        matched
            .iter()
            .fold(0.0f32, |score, word| score + contribution(terms, word))
    }

    /// [`Self::score`] of `doc`, just read from stream `found_in`, unless it is sure to fall
    /// below `worst`. `bounds` starts as each stream's next value: at least what an unread
    /// document gets from that word, and exactly what `doc` gets from `found_in`. Each word
    /// looked up replaces its bound by `doc`'s contribution, and the bounds are summed in
    /// query order, so the sum never falls below the score and ends equal to it.
    fn score_unless_below(
        &self,
        doc: u32,
        matched: &[Matched],
        bounds: &mut [f32],
        found_in: usize,
        heaviest_first: &[usize],
        worst: f32,
    ) -> Option<f32> {
        let terms = self.doc_terms(doc);
        let sum = |bounds: &[f32]| bounds.iter().fold(0.0f32, |sum, &value| sum + value);
        for &word in heaviest_first {
            if word == found_in {
                continue;
            }
            if let (Some(matched), Some(bound)) = (matched.get(word), bounds.get_mut(word)) {
                *bound = contribution(terms, matched);
            }
            if sum(bounds) < worst {
                return None;
            }
        }
        Some(sum(bounds))
    }

    fn stream(&self, matched: &Matched) -> Stream<'_> {
        match matched {
            Matched::Whole(id) => Stream::Whole(self.postings(*id)),
            Matched::Prefix(ids) => Stream::Merged(
                ids.iter()
                    .map(|&id| self.postings(id))
                    .filter_map(|list| {
                        let (&head, rest) = list.split_first()?;
                        Some(Head { head, rest })
                    })
                    .collect(),
            ),
        }
    }
}

/// The first pass over the documents, in the order given: provisional term ids, each
/// document's weighted term frequencies and length.
struct Counted {
    term_ids: HashMap<Box<str>, u32>,
    is_name_part: Vec<bool>,
    names: Vec<Arc<str>>,
    /// Lower-cased names.
    lowered: Vec<Box<str>>,
    lengths: Vec<u32>,
    /// Document `d`'s (term, weighted frequency) pairs are `tfs[tf_starts[d]..tf_starts[d + 1]]`.
    tf_starts: Vec<usize>,
    tfs: Vec<(u32, u32)>,
}

impl Counted {
    fn count<'a>(docs: impl Iterator<Item = IndexedDoc<'a>>) -> Self {
        let mut term_ids: HashMap<Box<str>, u32> = HashMap::new();
        let mut is_name_part: Vec<bool> = Vec::new();
        let mut names: Vec<Arc<str>> = Vec::new();
        let mut lowered: Vec<Box<str>> = Vec::new();
        let mut lengths: Vec<u32> = Vec::new();
        let mut tf_starts: Vec<usize> = vec![0];
        let mut tfs: Vec<(u32, u32)> = Vec::new();
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for doc in docs {
            if u32::try_from(names.len()).is_err() {
                break;
            }
            counts.clear();
            let mut length = 0u32;
            let mut add = |word: String, weight: u32, name_part: bool| {
                let next = u32::try_from(term_ids.len()).unwrap_or(u32::MAX);
                let id = *term_ids.entry(word.into_boxed_str()).or_insert(next);
                if id == next {
                    is_name_part.push(false);
                }
                if name_part && let Some(flag) = is_name_part.get_mut(id as usize) {
                    *flag = true;
                }
                *counts.entry(id).or_default() += weight;
                length = length.saturating_add(weight);
            };
            for word in words(doc.name) {
                add(word, NAME_WEIGHT, true);
            }
            for word in doc.title.into_iter().flat_map(words) {
                add(word, TITLE_WEIGHT, false);
            }
            for word in words(doc.description) {
                add(word, DESCRIPTION_WEIGHT, false);
            }
            tfs.extend(counts.drain());
            tf_starts.push(tfs.len());
            names.push(Arc::from(doc.name));
            lowered.push(doc.name.to_lowercase().into_boxed_str());
            lengths.push(length);
        }
        Self {
            term_ids,
            is_name_part,
            names,
            lowered,
            lengths,
            tf_starts,
            tfs,
        }
    }
}

/// Each term's postings, highest impact first then by document id, from the forward index:
/// where each term's list starts, and the lists.
fn impact_order(
    df: &[u32],
    doc_starts: &[usize],
    by_doc: &[Posting],
) -> (Box<[usize]>, Box<[Posting]>) {
    let mut term_starts = Vec::with_capacity(df.len() + 1);
    term_starts.push(0usize);
    for &count in df {
        term_starts.push(term_starts.last().copied().unwrap_or_default() + count as usize);
    }
    let mut fill: Vec<usize> = term_starts.clone();
    let mut by_impact = vec![Posting { id: 0, impact: 0.0 }; by_doc.len()];
    for (doc, window) in doc_starts.windows(2).enumerate() {
        let (&[from, to], Ok(doc)) = (window, u32::try_from(doc)) else {
            continue;
        };
        for posting in by_doc.get(from..to).unwrap_or_default() {
            if let Some(at) = fill.get_mut(posting.id as usize)
                && let Some(slot) = by_impact.get_mut(*at)
            {
                *slot = Posting {
                    id: doc,
                    impact: posting.impact,
                };
                *at += 1;
            }
        }
    }
    for window in term_starts.windows(2) {
        if let &[from, to] = window
            && let Some(list) = by_impact.get_mut(from..to)
        {
            list.sort_unstable_by(|a, b| b.impact.total_cmp(&a.impact).then(a.id.cmp(&b.id)));
        }
    }
    (term_starts.into_boxed_slice(), by_impact.into_boxed_slice())
}

/// What a document with `terms` (its postings, by term id) gets from one query word.
fn contribution(terms: &[Posting], word: &Matched) -> f32 {
    match word {
        Matched::Whole(id) => terms
            .binary_search_by_key(id, |posting| posting.id)
            .ok()
            .and_then(|at| terms.get(at))
            .map_or(0.0, |posting| posting.impact),
        Matched::Prefix(ids) => {
            let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
                return 0.0;
            };
            let from = terms.partition_point(|posting| posting.id < first);
            let best = terms
                .get(from..)
                .unwrap_or_default()
                .iter()
                .take_while(|posting| posting.id <= last)
                .filter(|posting| ids.binary_search(&posting.id).is_ok())
                .map(|posting| posting.impact)
                .fold(0.0f32, f32::max);
            PREFIX_DISCOUNT * best
        }
    }
}

/// One query word's postings, highest value first.
enum Stream<'a> {
    /// A whole term's list.
    Whole(&'a [Posting]),
    /// A prefix's expansions merged (k-way) into one list, discounted: a document's first
    /// appearance carries its best expansion, the one it scores by.
    Merged(BinaryHeap<Head<'a>>),
}

impl Stream<'_> {
    fn peek(&self) -> Option<Posting> {
        match self {
            Self::Whole(list) => list.first().copied(),
            Self::Merged(heads) => heads.peek().map(|head| head.head),
        }
    }

    /// The next posting's contribution.
    fn peek_value(&self) -> Option<f32> {
        match self {
            Self::Whole(_) => self.peek().map(|posting| posting.impact),
            Self::Merged(_) => self.peek().map(|posting| PREFIX_DISCOUNT * posting.impact),
        }
    }

    fn peek_doc(&self) -> Option<u32> {
        self.peek().map(|posting| posting.id)
    }

    /// Whether an unread document can match the next value only if it comes later in id
    /// order: true of a list sorted by value then id, and of discounted impacts unless the
    /// discount rounds the next lower impact onto the same value.
    fn ties_follow_ids(&self) -> bool {
        match self {
            Self::Whole(_) => true,
            Self::Merged(_) => self.peek().is_some_and(|posting| {
                let below = f32::from_bits(posting.impact.to_bits().saturating_sub(1));
                PREFIX_DISCOUNT * below < PREFIX_DISCOUNT * posting.impact
            }),
        }
    }

    fn next_doc(&mut self) -> Option<u32> {
        match self {
            Self::Whole(list) => {
                let (first, rest) = list.split_first()?;
                *list = rest;
                Some(first.id)
            }
            Self::Merged(heads) => {
                let mut top = heads.peek_mut()?;
                let doc = top.head.id;
                if let Some((&head, rest)) = top.rest.split_first() {
                    top.head = head;
                    top.rest = rest;
                } else {
                    std::collections::binary_heap::PeekMut::pop(top);
                }
                Some(doc)
            }
        }
    }
}

/// The unread part of one expansion's list: ordered so the heap's top is the highest impact,
/// then the lowest id.
struct Head<'a> {
    head: Posting,
    rest: &'a [Posting],
}

impl Ord for Head<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.head
            .impact
            .total_cmp(&other.head.impact)
            .then(other.head.id.cmp(&self.head.id))
    }
}

impl PartialOrd for Head<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head<'_> {}

/// Documents already scored.
struct Seen(Vec<u64>);

impl Seen {
    fn new(documents: usize) -> Self {
        Self(vec![0; documents.div_ceil(64)])
    }

    /// Marks `doc`; whether it was new.
    fn insert(&mut self, doc: u32) -> bool {
        let bit = 1u64 << (doc % 64);
        self.0.get_mut((doc / 64) as usize).is_some_and(|word| {
            let new = *word & bit == 0;
            *word |= bit;
            new
        })
    }
}

/// A hit in best-first order: higher score, then lower id (name order).
#[derive(Clone, Copy, Debug)]
struct Hit {
    doc: u32,
    score: f32,
}

impl Ord for Hit {
    /// `Less` is better, so a max-heap's top is the worst kept.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.doc.cmp(&other.doc))
    }
}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Hit {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Hit {}

/// The best `limit` hits so far (every hit when there is no limit).
struct Top {
    limit: Option<usize>,
    hits: BinaryHeap<Hit>,
}

impl Top {
    fn new(limit: Option<usize>) -> Self {
        Self {
            limit,
            hits: BinaryHeap::new(),
        }
    }

    /// The worst kept hit once `limit` are kept.
    fn worst(&self) -> Option<(u32, f32)> {
        let limit = self.limit?;
        (self.hits.len() >= limit)
            .then(|| self.hits.peek().map(|hit| (hit.doc, hit.score)))
            .flatten()
    }

    /// Keeps a matching document if it is among the best. A document that matches nothing
    /// scores zero and is not a hit.
    fn offer(&mut self, doc: u32, score: f32) {
        if score <= 0.0 {
            return;
        }
        let hit = Hit { doc, score };
        match self.limit {
            Some(limit) if self.hits.len() >= limit => {
                if let Some(mut worst) = self.hits.peek_mut()
                    && hit < *worst
                {
                    *worst = hit;
                }
            }
            _ => self.hits.push(hit),
        }
    }

    fn into_sorted(self) -> Vec<(u32, f32)> {
        self.hits
            .into_sorted_vec()
            .into_iter()
            .map(|hit| (hit.doc, hit.score))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    //! The pruned top k against a brute-force oracle written from the ranking's definition:
    //! its own tokenizer and BM25F, sharing no code with the index.

    use std::collections::{BTreeMap, BTreeSet};

    use super::{IndexedDoc, SearchIndex};

    struct Doc {
        name: String,
        title: Option<String>,
        description: String,
    }

    /// Lower-cased runs of letters and digits.
    fn tokens(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = String::new();
        for c in text.chars() {
            if c.is_alphanumeric() {
                current.extend(c.to_lowercase());
            } else if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
        out
    }

    /// Every match of `query`, scored from the definition: BM25 over weighted term counts
    /// (name 3, title 2, description 1); a word that is no term scores as the best of the
    /// first 64 name parts it prefixes, times 0.6; contributions summed in query order; the
    /// whole name adds 1e6. Best first, ties by name.
    #[expect(clippy::cast_precision_loss, reason = "the definition is in f32")]
    fn oracle(docs: &[Doc], query: &str, limit: Option<usize>) -> Vec<(String, f32)> {
        let mut tf: Vec<BTreeMap<String, u32>> = Vec::new();
        let mut lengths = Vec::new();
        let mut name_parts = BTreeSet::new();
        for doc in docs {
            let mut counts = BTreeMap::new();
            let mut length = 0u32;
            let fields = [
                (doc.name.as_str(), 3),
                (doc.title.as_deref().unwrap_or(""), 2),
                (doc.description.as_str(), 1),
            ];
            for (field, weight) in fields {
                for token in tokens(field) {
                    if weight == 3 {
                        name_parts.insert(token.clone());
                    }
                    *counts.entry(token).or_insert(0) += weight;
                    length += weight;
                }
            }
            tf.push(counts);
            lengths.push(length);
        }
        let n = docs.len() as f32;
        let total: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
        let average = (total as f32 / n).max(1.0);
        let impact = |term: &str, doc: usize| -> f32 {
            let Some(&count) = tf[doc].get(term) else {
                return 0.0;
            };
            let df = tf.iter().filter(|counts| counts.contains_key(term)).count() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            let count = count as f32;
            let norm = 1.2 * (1.0 - 0.75 + 0.75 * lengths[doc] as f32 / average);
            idf * count * (1.2 + 1.0) / (count + norm)
        };
        let whole = query.trim().to_lowercase();
        let mut hits = Vec::new();
        for (doc, entry) in docs.iter().enumerate() {
            let mut score = 0.0f32;
            for word in tokens(query) {
                if tf.iter().any(|counts| counts.contains_key(&word)) {
                    score += impact(&word, doc);
                } else {
                    let best = name_parts
                        .iter()
                        .filter(|part| part.starts_with(&word))
                        .take(64)
                        .map(|part| impact(part, doc))
                        .fold(0.0f32, f32::max);
                    score += 0.6 * best;
                }
            }
            if entry.name.to_lowercase() == whole {
                score += 1.0e6;
            }
            if score > 0.0 {
                hits.push((entry.name.clone(), score));
            }
        }
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(limit) = limit {
            hits.truncate(limit);
        }
        hits
    }

    /// xorshift64: seeded, so a failure names its case.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n as u64).unwrap()
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    /// Few words, many shared, several prefixes of others: ties and expansions abound.
    const VOCABULARY: [&str; 16] = [
        "a", "ab", "abc", "abd", "b", "ba", "git", "github", "hub", "io", "weather", "wea", "data",
        "database", "db", "x9",
    ];
    const SEPARATORS: [&str; 4] = [".", "/", "-", "_"];

    fn phrase(rng: &mut Rng, words: usize, separators: &[&str]) -> String {
        let mut text = String::new();
        for i in 0..words {
            if i > 0 {
                text.push_str(rng.pick(separators));
            }
            let word = rng.pick(&VOCABULARY);
            if rng.below(5) == 0 {
                text.push_str(&word.to_uppercase());
            } else {
                text.push_str(word);
            }
        }
        text
    }

    fn corpus(rng: &mut Rng, size: usize) -> Vec<Doc> {
        let mut docs: Vec<Doc> = Vec::new();
        let mut names = BTreeSet::new();
        for _ in 0..size {
            // A third are an earlier server's words rejoined: the same score under another
            // name, so ties are common.
            if rng.below(3) == 0 && !docs.is_empty() {
                let model = &docs[rng.below(docs.len())];
                let mut parts: Vec<String> = model
                    .name
                    .split(['.', '/', '-', '_'])
                    .map(str::to_owned)
                    .collect();
                let turn = rng.below(parts.len());
                parts.rotate_left(turn);
                let mut name = String::new();
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        name.push_str(rng.pick(&SEPARATORS));
                    }
                    name.push_str(part);
                }
                if names.insert(name.to_lowercase()) {
                    let (title, description) = (model.title.clone(), model.description.clone());
                    docs.push(Doc {
                        name,
                        title,
                        description,
                    });
                }
                continue;
            }
            let words = 1 + rng.below(4);
            let name = phrase(rng, words, &SEPARATORS);
            // Names equal but for case would be one server's.
            if !names.insert(name.to_lowercase()) {
                continue;
            }
            let title = (rng.below(2) == 0).then(|| {
                let words = 1 + rng.below(3);
                phrase(rng, words, &[" "])
            });
            let words = rng.below(7);
            let description = phrase(rng, words, &[" ", ", "]);
            docs.push(Doc {
                name,
                title,
                description,
            });
        }
        docs
    }

    fn query(rng: &mut Rng, docs: &[Doc]) -> String {
        if rng.below(5) == 0 && !docs.is_empty() {
            let name = &docs[rng.below(docs.len())].name;
            return match rng.below(3) {
                0 => name.to_uppercase(),
                1 => format!("  {name} "),
                _ => name.clone(),
            };
        }
        let mut words = Vec::new();
        for _ in 0..=rng.below(3) {
            let word = rng.pick(&VOCABULARY);
            words.push(match rng.below(4) {
                0 => word.chars().take(1 + rng.below(word.len())).collect(),
                1 if rng.below(4) == 0 => "zz".to_owned(),
                _ => word.to_owned(),
            });
        }
        words.join(rng.pick(&[" ", "-", " . "]))
    }

    fn index(docs: &[Doc]) -> SearchIndex {
        SearchIndex::build(docs.iter().map(|doc| IndexedDoc {
            name: &doc.name,
            title: doc.title.as_deref(),
            description: &doc.description,
        }))
    }

    fn search(index: &SearchIndex, query: &str, limit: Option<usize>) -> Vec<(String, f32)> {
        index
            .search(query, limit)
            .into_iter()
            .map(|(name, score)| (name.to_string(), score))
            .collect()
    }

    #[test]
    fn top_k_is_what_scoring_every_document_ranks_first() {
        let mut rng = Rng(0x5EED_0F5E_A2C4);
        for case in 0..3_000 {
            let size = if case % 100 == 0 {
                400
            } else {
                1 + rng.below(60)
            };
            let docs = corpus(&mut rng, size);
            let index = index(&docs);
            for _ in 0..4 {
                let query = query(&mut rng, &docs);
                let k = 1 + rng.below(12);
                assert_eq!(
                    search(&index, &query, Some(k)),
                    oracle(&docs, &query, Some(k)),
                    "case {case}, query {query:?}, k {k}"
                );
                if case % 10 == 0 {
                    assert_eq!(
                        search(&index, &query, None),
                        oracle(&docs, &query, None),
                        "case {case}, query {query:?}, every match"
                    );
                }
            }
        }
    }

    #[test]
    fn an_empty_index_or_limit_finds_nothing() {
        let empty = index(&[]);
        assert!(empty.search("weather", Some(10)).is_empty());
        assert!(empty.search("weather", None).is_empty());
        let docs = [Doc {
            name: "io.github.acme/weather".to_owned(),
            title: None,
            description: "forecasts".to_owned(),
        }];
        assert!(index(&docs).search("weather", Some(0)).is_empty());
        assert_eq!(index(&docs).search("weat", Some(3)).len(), 1);
    }
}
