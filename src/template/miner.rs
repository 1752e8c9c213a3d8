//! The miner: learns a source's templates, Drain/Brain style.

use super::hash::Map;
use super::mask::*;
use super::words::*;

/// Word id of the wildcard.
const WILD: u32 = 0;
/// Word id of a message token that is in no template: equal to nothing.
const UNKNOWN: u32 = u32::MAX;
/// Word id standing for "no token" in a leaf key.
const NONE: u32 = u32::MAX - 1;

/// Leading tokens that place a message in the tree, besides its length
/// (Drain's depth): first words are usually wording.
const PREFIX: usize = 2;
/// A message joins a cluster when at least this many tenths of its tokens
/// agree with the cluster's template (equal words, or values in both).
/// Lower generalizes more eagerly; the merges below make the result
/// insensitive to it between 5 and 8.
const SIMILARITY_TENTHS: usize = 7;
/// A cluster that has taken this many messages without its wording
/// changing keeps it: a rare message that differs in a word is another
/// event ("by client SPP" among hundreds of "by client WindowsUpdateAgent").
/// If the word really varies, the clusters of its other values generalize
/// among themselves and then absorb this one.
const SETTLED: u64 = 10;
/// Two or more adjacent differing words are different phrasing, not a
/// value ("Bad file descriptor" / "No child processes").
const MAX_DIFF_RUN: usize = 2;
/// Fixed words two templates of different length must share, in order, to
/// be one event with optional values.
const MIN_SKELETON: usize = 2;
/// Fixed words after the leading tokens that clusters must share, and how
/// many such clusters it takes, to show the leading tokens are values
/// ("<job>: scheduler_evaluate_activity told me to run this job…").
const MIN_TAIL_WORDS: usize = 3;
const MIN_TAIL_CLUSTERS: usize = 3;

/// Past this many clusters a source stops learning shapes: a new one
/// becomes its own cluster keyed by its masked text, as plain masking would.
pub(super) const MAX_CLUSTERS: usize = 50_000;
/// Most clusters in one leaf; a miss compares the message with each.
const MAX_LEAF: usize = 128;
/// Masked lines remembered with their cluster, so repeats skip the search;
/// forgotten all at once when full.
pub(super) const MAX_SEEN: usize = 1 << 15;

type LeafKey = (u32, u32, u32);

/// Where [`Miner::add_placing`] put a message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placement {
    /// The cluster its masked line is remembered with (not necessarily a
    /// root).
    pub(super) cluster: u32,
    epoch: u32,
}

#[derive(Debug)]
pub(super) struct Cluster {
    /// Word ids; `WILD` where the template is variable. Empty for a cluster
    /// past `MAX_CLUSTERS`, which has `text` instead.
    pub(super) words: Vec<u32>,
    pub(super) text: Option<Box<str>>,
    leaf: LeafKey,
    /// Messages placed in it.
    pub(super) size: u64,
}

/// How a message compares with a template.
struct Score {
    /// Positions that agree: the same word, a pattern the token fits, or a
    /// value in both.
    pub(super) same: usize,
    /// Positions where the template has `<*>` and the message a word.
    wild: usize,
    /// Positions where they differ.
    diff: usize,
}

/// Mines templates from the messages of ONE source, in order.
///
/// Ids are handed out 0, 1, 2, … as new shapes appear. Clusters never
/// split; when two turn out to be one event they merge, and both ids stay
/// valid: [`Miner::template`] gives the same text for both and
/// [`Miner::resolve`] the same survivor.
#[derive(Debug)]
pub struct Miner {
    pub(super) words: Vec<Box<str>>,
    word_ids: Map<Box<str>, u32>,
    word_info: Vec<WordInfo>,
    pub(super) clusters: Vec<Cluster>,
    /// Union-find over cluster ids; a root is its own parent and the
    /// smallest id of its group.
    parent: Vec<u32>,
    /// For a root, the ids of its group.
    members: Vec<Vec<u32>>,
    /// Clusters by length and leading words; merged-away duplicates leave.
    leaves: Map<LeafKey, Vec<u32>>,
    by_template: Map<Box<[u32]>, u32>,
    by_skeleton: Map<Box<[u32]>, u32>,
    by_tail: Map<Box<[u32]>, Vec<u32>>,
    overflow: Map<Box<str>, u32>,
    seen: Map<Box<str>, u32>,
    /// How many times `seen` was forgotten: a [`Placement`] from an
    /// earlier epoch no longer stands for its masked line.
    epoch: u32,
    masker: Masker,
    pub(super) line: String,
    pub(super) spans: Vec<(u32, u32)>,
    pub(super) ids: Vec<u32>,
}

impl Default for Miner {
    fn default() -> Self {
        Self::new()
    }
}

impl Miner {
    /// A miner that has seen nothing.
    pub fn new() -> Miner {
        let mut word_ids = Map::default();
        word_ids.insert(Box::from(WILDCARD), WILD);
        Miner {
            words: vec![Box::from(WILDCARD)],
            word_ids,
            word_info: vec![WordInfo::of(WILDCARD)],
            clusters: Vec::new(),
            parent: Vec::new(),
            members: Vec::new(),
            leaves: Map::default(),
            by_template: Map::default(),
            by_skeleton: Map::default(),
            by_tail: Map::default(),
            overflow: Map::default(),
            seen: Map::default(),
            epoch: 0,
            masker: Masker::default(),
            line: String::new(),
            spans: Vec::new(),
            ids: Vec::new(),
        }
    }

    /// Adds a message; returns the id (0, 1, 2, … in order of first
    /// appearance) of the cluster it joins. Only the first line counts.
    pub fn add(&mut self, message: &str) -> usize {
        self.add_placing(message).0
    }

    /// [`Miner::add`], also telling where the message went, so that an
    /// identical message can be added again without masking it
    /// ([`Miner::add_again`]).
    pub(crate) fn add_placing(&mut self, message: &str) -> (usize, Placement) {
        self.masker.mask(message, &mut self.line, &mut self.spans);
        let c = match self.seen.get(self.line.as_str()) {
            Some(&c) => c,
            None => self.place_new(),
        };
        self.clusters[c as usize].size += 1;
        let placement = Placement {
            cluster: c,
            epoch: self.epoch,
        };
        (self.find(c) as usize, placement)
    }

    /// Adds once more the message that `add_placing` placed at
    /// `placement`: what [`Miner::add`] would do with it, as its masked
    /// line is remembered with that cluster. `None` once the miner has
    /// forgotten its masked lines; then the message must be added anew.
    pub(crate) fn add_again(&mut self, placement: Placement) -> Option<usize> {
        if placement.epoch != self.epoch {
            return None;
        }
        self.clusters[placement.cluster as usize].size += 1;
        Some(self.find(placement.cluster) as usize)
    }

    /// Places the masked line in `line`/`spans`, not seen before, and
    /// remembers it.
    fn place_new(&mut self) -> u32 {
        self.ids.clear();
        for &(s, e) in &self.spans {
            let w = &self.line[s as usize..e as usize];
            self.ids
                .push(self.word_ids.get(w).copied().unwrap_or(UNKNOWN));
        }
        let c = self.place();
        if self.seen.len() >= MAX_SEEN {
            self.seen.clear();
            self.epoch += 1;
        }
        self.seen.insert(Box::from(self.line.as_str()), c);
        c
    }

    /// The current template of a cluster: tokens joined by single spaces,
    /// variable parts as `<*>`. Merged clusters give the same text.
    ///
    /// # Panics
    ///
    /// If `cluster` is not an id this miner returned (`>= len()`).
    pub fn template(&self, cluster: usize) -> String {
        let root = self.root(cluster as u32);
        if let Some(text) = &self.clusters[root as usize].text {
            return text.to_string();
        }
        // The longest member's shape, widened where members of that length
        // differ, so the text covers the whole group.
        let mut members = self.members[root as usize].clone();
        members.sort_unstable();
        let longest = members
            .iter()
            .map(|&m| self.clusters[m as usize].words.len())
            .max()
            .unwrap_or(0);
        let mut shape: Vec<String> = Vec::new();
        for m in members {
            let words = &self.clusters[m as usize].words;
            if words.len() != longest {
                continue;
            }
            if shape.is_empty() && longest > 0 {
                shape = words
                    .iter()
                    .map(|&w| self.words[w as usize].to_string())
                    .collect();
                continue;
            }
            for (slot, &w) in shape.iter_mut().zip(words) {
                let word = &self.words[w as usize];
                if *slot == **word || slot == WILDCARD {
                    continue;
                }
                let covered = |p: &str, t: &str| {
                    WordInfo::of(p)
                        .pattern
                        .is_some_and(|ends| fits(p.as_bytes(), ends, t.as_bytes()))
                };
                if covered(slot, word) {
                    continue;
                }
                *slot = if covered(word, slot) {
                    word.to_string()
                } else {
                    widen(slot, word).unwrap_or_else(|| WILDCARD.to_string())
                };
            }
        }
        shape.join(" ")
    }

    /// Number of clusters: ids handed out so far, merged ones included.
    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    /// Whether no message was added.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// The id that now speaks for `cluster`: itself, or the smallest id of
    /// the clusters it merged with. Ids with one resolution share one
    /// template.
    pub fn resolve(&self, cluster: usize) -> usize {
        self.root(cluster as u32) as usize
    }

    pub(super) fn root(&self, mut c: u32) -> u32 {
        while self.parent[c as usize] != c {
            c = self.parent[c as usize];
        }
        c
    }

    /// `root` with path halving, for the hot path.
    pub(super) fn find(&mut self, mut c: u32) -> u32 {
        while self.parent[c as usize] != c {
            let grand = self.parent[self.parent[c as usize] as usize];
            self.parent[c as usize] = grand;
            c = grand;
        }
        c
    }

    /// The leaf of the message in `ids`, if any cluster could be there.
    fn leaf_key(&self) -> Option<LeafKey> {
        let at = |i: usize| self.ids.get(i).copied().unwrap_or(NONE);
        let key = (self.ids.len() as u32, at(0), at(1));
        // A word no template has cannot lead to a leaf.
        (key.1 != UNKNOWN && key.2 != UNKNOWN).then_some(key)
    }

    /// Finds or makes the cluster of the message in `line`/`spans`/`ids`;
    /// returns the cluster it was placed in (not necessarily a root).
    pub(super) fn place(&mut self) -> u32 {
        if let Some(key) = self.leaf_key() {
            if let Some(c) = self.best_match(&key) {
                self.generalize(c);
                return c;
            }
        }
        if self.clusters.len() >= MAX_CLUSTERS {
            return self.overflow_cluster();
        }
        for i in 0..self.ids.len() {
            self.intern(i);
        }
        if let Some(&c) = self.by_template.get(self.ids.as_slice()) {
            return c;
        }
        let id = self.clusters.len() as u32;
        let words = self.ids.clone();
        let at = |i: usize| words.get(i).copied().unwrap_or(NONE);
        let leaf = (words.len() as u32, at(0), at(1));
        let list = self.leaves.entry(leaf).or_default();
        if list.len() < MAX_LEAF {
            list.push(id);
        }
        self.by_template
            .insert(words.clone().into_boxed_slice(), id);
        self.clusters.push(Cluster {
            words,
            text: None,
            leaf,
            size: 0,
        });
        self.parent.push(id);
        self.members.push(vec![id]);
        self.register(id, None);
        id
    }

    fn overflow_cluster(&mut self) -> u32 {
        if let Some(&c) = self.overflow.get(self.line.as_str()) {
            return c;
        }
        let id = self.clusters.len() as u32;
        let text: Box<str> = Box::from(self.line.as_str());
        self.overflow.insert(text.clone(), id);
        self.clusters.push(Cluster {
            words: Vec::new(),
            text: Some(text),
            leaf: (0, NONE, NONE),
            size: 0,
        });
        self.parent.push(id);
        self.members.push(vec![id]);
        id
    }

    fn intern(&mut self, i: usize) -> u32 {
        if self.ids[i] == UNKNOWN {
            let (s, e) = self.spans[i];
            // The line is lent out so that it can be read while interning.
            let line = std::mem::take(&mut self.line);
            self.ids[i] = self.intern_str(&line[s as usize..e as usize]);
            self.line = line;
        }
        self.ids[i]
    }

    fn intern_str(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.word_ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        let w: Box<str> = Box::from(w);
        self.word_info.push(WordInfo::of(&w));
        self.word_ids.insert(w.clone(), id);
        self.words.push(w);
        id
    }

    /// Whether template word `t` covers token `i` of the message.
    pub(super) fn covers(&self, t: u32, i: usize) -> bool {
        if t == self.ids[i] {
            return true;
        }
        let Some(ends) = self.word_info[t as usize].pattern else {
            return false;
        };
        let (s, e) = self.spans[i];
        let token = &self.line.as_bytes()[s as usize..e as usize];
        token != WILDCARD.as_bytes() && fits(self.words[t as usize].as_bytes(), ends, token)
    }

    pub(super) fn token(&self, i: usize) -> &str {
        let (s, e) = self.spans[i];
        &self.line[s as usize..e as usize]
    }

    /// Compares the message with a template; `None` if it can clearly not
    /// join it.
    fn score(&self, words: &[u32]) -> Option<Score> {
        let n = words.len();
        // `same >= SIMILARITY * n`, written as a cap on the rest.
        let slack = n * (10 - SIMILARITY_TENTHS) / 10;
        let mut score = Score {
            same: 0,
            wild: 0,
            diff: 0,
        };
        let mut run = 0;
        for (i, &t) in words.iter().enumerate() {
            let m = self.ids[i];
            if t == m {
                score.same += 1;
                run = 0;
                continue;
            }
            if t == WILD {
                score.wild += 1;
                run = 0;
            } else if self.covers(t, i) {
                score.same += 1;
                run = 0;
            } else {
                score.diff += 1;
                run += 1;
                if run >= MAX_DIFF_RUN || states_differ(&self.words[t as usize], self.token(i)) {
                    return None;
                }
            }
            if score.wild + score.diff > slack {
                return None;
            }
        }
        Some(score)
    }

    /// The most similar cluster of the leaf the message may join.
    fn best_match(&self, key: &LeafKey) -> Option<u32> {
        let list = self.leaves.get(key)?;
        let mut best: Option<(usize, usize, u32)> = None;
        for &c in list {
            let cluster = &self.clusters[c as usize];
            let Some(score) = self.score(&cluster.words) else {
                continue;
            };
            if score.diff > 0 && cluster.size >= SETTLED {
                continue;
            }
            if best.is_none_or(|(s, w, _)| (score.same, score.wild) > (s, w)) {
                best = Some((score.same, score.wild, c));
            }
        }
        best.map(|(_, _, c)| c)
    }

    /// Widens cluster `c`'s template to cover the message in `ids`.
    fn generalize(&mut self, c: u32) {
        let n = self.ids.len();
        let words = &self.clusters[c as usize].words;
        if (0..n).all(|i| words[i] == WILD || self.covers(words[i], i)) {
            return;
        }
        let old = words.clone();
        let mut new = old.clone();
        for (i, slot) in new.iter_mut().enumerate() {
            let t = *slot;
            if t == WILD || self.covers(t, i) {
                continue;
            }
            let (s, e) = self.spans[i];
            *slot = match widen(&self.words[t as usize], &self.line[s as usize..e as usize]) {
                Some(w) => self.intern_str(&w),
                None => WILD,
            };
        }
        if self.by_template.get(old.as_slice()) == Some(&c) {
            self.by_template.remove(old.as_slice());
        }
        self.clusters[c as usize].words = new;
        self.register(c, Some(&old));
        self.absorb(c);
    }

    /// Indexes cluster `c` under its (new) template, merging it with the
    /// clusters that prove to be the same event.
    fn register(&mut self, c: u32, old: Option<&[u32]>) {
        let words = self.clusters[c as usize].words.clone();
        match self.by_template.get(words.as_slice()).copied() {
            Some(other) if other != c => self.merge_same(other, c),
            Some(_) => {}
            None => {
                self.by_template.insert(words.clone().into_boxed_slice(), c);
            }
        }
        if let Some(old) = old {
            if let Some(sk) = self.skeleton(old) {
                if self.by_skeleton.get(&sk) == Some(&c) {
                    self.by_skeleton.remove(&sk);
                }
            }
            if let Some(tail) = self.tail(old) {
                if let Some(list) = self.by_tail.get_mut(&tail) {
                    list.retain(|&x| x != c);
                }
            }
        }
        if let Some(sk) = self.skeleton(&words) {
            match self.by_skeleton.get(&sk).copied() {
                Some(other) => self.union(other, c),
                None => {
                    self.by_skeleton.insert(sk, c);
                }
            }
        }
        if let Some(tail) = self.tail(&words) {
            let list = self.by_tail.entry(tail).or_default();
            if !list.contains(&c) {
                list.push(c);
            }
            if list.len() >= MIN_TAIL_CLUSTERS {
                let list = list.clone();
                for &d in &list[1..] {
                    self.union(list[0], d);
                }
            }
        }
    }

    /// The fixed words of a template, in order, if enough to identify it:
    /// templates of different length with the same skeleton differ only in
    /// optional or variable-length values ("bytes sent", "bytes (1.2 KB)
    /// sent").
    fn skeleton(&self, words: &[u32]) -> Option<Box<[u32]>> {
        let sk: Box<[u32]> = words
            .iter()
            .copied()
            .filter(|&w| w != WILD && !self.word_info[w as usize].var)
            .collect();
        (sk.len() >= MIN_SKELETON).then_some(sk)
    }

    /// A template past its leading tokens, if long enough for clusters that
    /// share it to be one event whose leading tokens are values. Leading
    /// state words never count as values.
    pub(super) fn tail(&self, words: &[u32]) -> Option<Box<[u32]>> {
        let p = PREFIX.min(words.len());
        let tail = &words[p..];
        let fixed = tail
            .iter()
            .filter(|&&w| w != WILD && !self.word_info[w as usize].var)
            .count();
        let state_led = words[..p].iter().any(|&w| self.word_info[w as usize].state);
        (fixed >= MIN_TAIL_WORDS && !state_led).then(|| tail.into())
    }

    /// Whether template word `t` covers template word `w` (a state word
    /// only by itself).
    fn covers_word(&self, t: u32, w: u32) -> bool {
        if t == w {
            return true;
        }
        if w == WILD || states_differ(&self.words[t as usize], &self.words[w as usize]) {
            return false;
        }
        match self.word_info[t as usize].pattern {
            Some(ends) => fits(
                self.words[t as usize].as_bytes(),
                ends,
                self.words[w as usize].as_bytes(),
            ),
            None => false,
        }
    }

    /// Merges into `c` the clusters of its leaf that its widened template
    /// now covers: once a word has shown it varies, the clusters that kept
    /// one value of it (settled ones included) are the same event.
    fn absorb(&mut self, c: u32) {
        let leaf = self.clusters[c as usize].leaf;
        let words = &self.clusters[c as usize].words;
        let covered: Vec<u32> = self.leaves[&leaf]
            .iter()
            .copied()
            .filter(|&d| {
                d != c
                    && words
                        .iter()
                        .zip(&self.clusters[d as usize].words)
                        .all(|(&t, &w)| self.covers_word(t, w))
            })
            .collect();
        for d in covered {
            let new = self.clusters[c as usize].words.clone();
            let old = std::mem::replace(&mut self.clusters[d as usize].words, new);
            if self.by_template.get(old.as_slice()) == Some(&d) {
                self.by_template.remove(old.as_slice());
            }
            self.merge_same(c, d);
            if let Some(sk) = self.skeleton(&old) {
                if self.by_skeleton.get(&sk) == Some(&d) {
                    self.by_skeleton.remove(&sk);
                }
            }
            if let Some(tail) = self.tail(&old) {
                if let Some(list) = self.by_tail.get_mut(&tail) {
                    list.retain(|&x| x != d);
                }
            }
        }
    }

    /// Merges clusters `a` and `b`, whose templates are now the same. The
    /// larger id leaves the search: the smaller one speaks for both.
    fn merge_same(&mut self, a: u32, b: u32) {
        self.union(a, b);
        let (keep, drop) = (a.min(b), a.max(b));
        let leaf = self.clusters[drop as usize].leaf;
        if let Some(list) = self.leaves.get_mut(&leaf) {
            list.retain(|&x| x != drop);
        }
        let key = self.clusters[keep as usize]
            .words
            .clone()
            .into_boxed_slice();
        self.by_template.insert(key, keep);
    }

    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let (keep, drop) = (a.min(b), a.max(b));
        self.parent[drop as usize] = keep;
        let moved = std::mem::take(&mut self.members[drop as usize]);
        self.members[keep as usize].extend(moved);
    }
}

/// Mines the messages of one source with a fresh [`Miner`]; returns each
/// message's final cluster (resolved after all merges) and the miner.
pub fn mine<'a>(messages: impl IntoIterator<Item = &'a str>) -> (Vec<usize>, Miner) {
    let mut miner = Miner::new();
    let joined: Vec<usize> = messages.into_iter().map(|m| miner.add(m)).collect();
    let resolved = joined.iter().map(|&c| miner.resolve(c)).collect();
    (resolved, miner)
}
