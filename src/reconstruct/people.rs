//! Blameless naming: the draft names roles, not people.
//!
//! Every name a person goes by in the evidence (chat display name, real
//! name, user name, user id, e-mail, the name in the shift sheet) is linked
//! into one identity. At any moment an identity is shown as the role its
//! shift gives it ("primary on-call"), else as a stable placeholder
//! ("responder A", in order of first appearance); `--names` shows names.
//! Bots and systems keep their names.
//!
//! People are also named in part: "Priya is renewing the cert". Each word
//! of a person's names (first name, last name, the parts of a handle or an
//! e-mail local part) is replaced too, unless it is a whole name of someone
//! else; a word two people share becomes "a responder". A part that is
//! also an ordinary English word ("Will", "May", "Mark", "Stone") is
//! replaced only where it is written as a name: after `@`, or capitalised
//! and either inside a sentence or opening one that goes on as a statement
//! about someone ("Will is watching gw-2", not "Will you check?" or "Mark
//! the old cert revoked").

use std::collections::{BTreeMap, HashMap};

use regex::Regex;

use crate::store::{EventRow, Shift};

/// Names shorter than this are not replaced inside message text: two
/// letters match too many ordinary words.
const MIN_ALIAS_CHARS: usize = 3;

/// The identities of the people in the evidence.
#[derive(Debug, Default)]
pub struct People {
    /// Alias key → identity index.
    index: HashMap<String, usize>,
    /// Each identity's aliases as written (for replacing inside text).
    aliases: Vec<Vec<String>>,
    /// Shifts by identity.
    shifts: Vec<(usize, Shift)>,
    placeholders: BTreeMap<usize, String>,
    show_names: bool,
    text_pattern: Option<(Regex, Vec<Alias>)>,
}

/// One alternative of the text pattern: whose name it is, and how sure a
/// match is to be that name.
#[derive(Debug, Clone, Copy)]
struct Alias {
    /// The identity; `None` for a part of several people's names.
    owner: Option<usize>,
    /// A part of a name that is also an ordinary word.
    common: bool,
}

/// Words that are names as well as ordinary words: as a part of a name
/// they are replaced only where the text writes them as a name.
const COMMON_WORDS: [&str; 48] = [
    "will", "may", "mark", "bill", "pat", "rob", "jack", "grant", "hope", "june", "april",
    "summer", "rose", "chase", "sue", "art", "dawn", "drew", "frank", "gene", "guy", "ray", "wade",
    "stone", "hunter", "rich", "joy", "faith", "grace", "lane", "page", "long", "young", "white",
    "black", "brown", "green", "gray", "king", "hill", "wood", "field", "bell", "cook", "baker",
    "miller", "price", "case",
];

/// Words that can be part of an account's name without naming anyone:
/// function words, name particles, and the words of service and bot
/// accounts and the products they speak for ("Automation for Jira", "SRE
/// Team"). Never replaced alone.
const NOT_NAME_PARTS: &str =
    "the and for with from you not but all any can has was our out who van von der den del das \
     dos bin bot app team service support desk admin system automation integration ops sre \
     oncall call user account jira github gitlab pagerduty opsgenie slack servicenow zendesk \
     grafana sentry";

/// Words after which a capitalised common word at the start of a sentence
/// is a verb or a question ("Will you…", "May I…", "Mark the…"), not a name.
const NOT_AFTER_A_NAME: [&str; 28] = [
    "you", "we", "i", "it", "this", "that", "the", "a", "an", "they", "he", "she", "be", "not",
    "there", "all", "your", "our", "my", "me", "us", "them", "his", "her", "their", "someone",
    "anyone", "as",
];

/// Whether a match of a common-word name part, at `start..end` of `text`,
/// is written as a name.
fn written_as_name(text: &str, start: usize, end: usize) -> bool {
    let matched = &text[start..end];
    if matched.starts_with('@') {
        return true;
    }
    if !matched.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    let before = text[..start].trim_end();
    let opens_sentence =
        before.is_empty() || before.ends_with(['.', '!', '?', ':', ';', '(', '"', '-', '*', '>']);
    if !opens_sentence {
        return true;
    }
    let next = text[end..]
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .map(str::to_lowercase);
    next.is_some_and(|w| !NOT_AFTER_A_NAME.contains(&w.as_str()))
}

/// How aliases are compared: case-insensitive, without a leading `@`,
/// with `.`, `_` and `-` read as spaces (so `jane.doe` meets `Jane Doe`).
fn key(alias: &str) -> String {
    alias
        .trim()
        .trim_start_matches('@')
        .to_lowercase()
        .replace(['.', '_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The aliases one e-mail address stands for: itself and its local part.
fn email_aliases(email: &str) -> Vec<String> {
    let mut out = vec![email.to_string()];
    if let Some((local, _)) = email.split_once('@') {
        out.push(local.to_string());
    }
    out
}

impl People {
    /// An empty register; `show_names` is `--names`.
    pub fn new(show_names: bool) -> People {
        People {
            show_names,
            ..People::default()
        }
    }

    /// Links a set of names that belong to one person.
    fn link(&mut self, names: Vec<String>) -> Option<usize> {
        let names: Vec<String> = names.into_iter().filter(|n| !key(n).is_empty()).collect();
        let existing: Vec<usize> = names
            .iter()
            .filter_map(|n| self.index.get(&key(n)).copied())
            .collect();
        let id = match existing.iter().min() {
            Some(&id) => id,
            None if names.is_empty() => return None,
            None => {
                self.aliases.push(Vec::new());
                self.aliases.len() - 1
            }
        };
        // Two identities found to be one person: fold the later into the
        // earlier, keeping every alias.
        for other in existing.into_iter().filter(|o| *o != id) {
            let moved = std::mem::take(&mut self.aliases[other]);
            for alias in &moved {
                self.index.insert(key(alias), id);
            }
            self.aliases[id].extend(moved);
            for (owner, _) in self.shifts.iter_mut().filter(|(o, _)| *o == other) {
                *owner = id;
            }
        }
        // A new name: the text pattern must be built again to find it.
        self.text_pattern = None;
        for name in names {
            self.index.insert(key(&name), id);
            if !self.aliases[id].contains(&name) {
                self.aliases[id].push(name);
            }
        }
        Some(id)
    }

    /// Registers a shift and its person.
    pub fn add_shift(&mut self, shift: &Shift) {
        let mut names = vec![shift.person.clone()];
        if shift.person.contains('@') {
            names.extend(email_aliases(&shift.person));
        }
        if let Some(email) = &shift.email {
            names.extend(email_aliases(email));
        }
        if let Some(id) = self.link(names) {
            self.shifts.push((id, shift.clone()));
        }
    }

    /// Registers the person behind an event written or done by a human.
    pub fn add_event(&mut self, event: &EventRow) {
        // Whoever a ticket or an incident is assigned to or reported by,
        // and the people a chat message mentions, are people, whoever wrote
        // the record (lists read "A, B and C").
        for list in ["assignee", "reporter", "mentioned_people"].map(|k| event.attribute(k)) {
            for name in list.into_iter().flat_map(|l| l.split(", ")) {
                for name in name.split(" and ") {
                    let mut names = vec![name.to_string()];
                    if name.contains('@') {
                        names.extend(email_aliases(name));
                    }
                    self.link(names);
                }
            }
        }
        if !is_person(event) {
            return;
        }
        let mut names: Vec<String> = Vec::new();
        if let Some(actor) = &event.actor {
            if actor.contains('@') {
                names.extend(email_aliases(actor));
            } else {
                names.push(actor.clone());
            }
        }
        for k in [
            "user_id",
            "username",
            "display_name",
            "real_name",
            "name",
            "person",
        ] {
            if let Some(v) = event.attribute(k) {
                names.push(v.to_string());
            }
        }
        if let Some(email) = event.attribute("email") {
            names.extend(email_aliases(email));
        }
        self.link(names);
    }

    /// Links a person known only by one word ("dana", the local part of
    /// `dana@example.com` a paging tool names them by) to the one person
    /// whose full name begins with it ("Dana Reyes" in chat), when exactly
    /// one does: the same responder is one identity, not two.
    pub fn link_first_names(&mut self) {
        let keys = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .filter(|n| !n.contains('@'))
                .map(|n| key(n))
                .collect()
        };
        let is_name_word = |k: &str| {
            k.chars().count() >= MIN_ALIAS_CHARS
                && k.chars().all(char::is_alphabetic)
                && !NOT_NAME_PARTS.split_whitespace().any(|w| w == k)
        };
        for id in 0..self.aliases.len() {
            let own = keys(&self.aliases[id]);
            if own.is_empty() || own.iter().any(|k| k.contains(' ')) {
                continue;
            }
            let words: Vec<&String> = own.iter().filter(|k| is_name_word(k)).collect();
            let owners: Vec<usize> = (0..self.aliases.len())
                .filter(|&other| other != id)
                .filter(|&other| {
                    keys(&self.aliases[other]).iter().any(|k| {
                        k.split_once(' ')
                            .is_some_and(|(first, _)| words.iter().any(|w| *w == first))
                    })
                })
                .collect();
            if let [owner] = owners[..] {
                let mut names = self.aliases[id].clone();
                names.push(self.aliases[owner][0].clone());
                self.link(names);
            }
        }
    }

    /// Whether names are shown as they are.
    pub fn shows_names(&self) -> bool {
        self.show_names
    }

    fn role_at(&self, id: usize, time: i64) -> Option<&str> {
        self.shifts
            .iter()
            .filter(|(owner, s)| *owner == id && s.start <= time && time < s.end)
            .map(|(_, s)| s.role.as_str())
            .min()
    }

    /// How the draft names an identity at a moment: its role then, else
    /// its placeholder (assigned on first use, so in timeline order).
    fn label(&mut self, id: usize, time: i64) -> String {
        if let Some(role) = self.role_at(id, time) {
            return role.to_string();
        }
        let next = self.placeholders.len();
        self.placeholders
            .entry(id)
            .or_insert_with(|| format!("responder {}", letter(next)))
            .clone()
    }

    /// The role `name` held at `time` in the shift records.
    pub fn role_of(&self, name: &str, time: i64) -> Option<&str> {
        let id = *self.index.get(&key(name))?;
        self.role_at(id, time)
    }

    /// The zone the shift records give the person named `name`: that of
    /// their shift at `time`, else of their shift nearest to it. A name
    /// that is only part of a shift person's names ("Priya" of "Priya
    /// Raman") stands for them when it stands for no one else.
    pub fn shift_zone(&self, name: &str, time: i64) -> Option<&str> {
        let id = *self.index.get(&key(name))?;
        let zoned = |owner: usize| {
            self.shifts
                .iter()
                .filter(move |(o, s)| *o == owner && s.zone.is_some())
                .map(|(_, s)| s)
        };
        let owner = match zoned(id).next() {
            Some(_) => id,
            None => self.shift_person_named_in_part(id)?,
        };
        let distance = |s: &Shift| {
            if time < s.start {
                s.start - time
            } else {
                (time - s.end + 1).max(0)
            }
        };
        zoned(owner)
            .min_by(|a, b| distance(a).cmp(&distance(b)).then(a.role.cmp(&b.role)))
            .and_then(|s| s.zone.as_deref())
    }

    /// The one person on shift with a zone whose names have a word that is
    /// a whole name of identity `id`.
    fn shift_person_named_in_part(&self, id: usize) -> Option<usize> {
        let words: Vec<String> = self.aliases[id]
            .iter()
            .map(|a| key(a))
            .filter(|k| {
                k.chars().count() >= MIN_ALIAS_CHARS
                    && k.chars().all(char::is_alphabetic)
                    && !NOT_NAME_PARTS.split_whitespace().any(|w| w == k)
            })
            .collect();
        let mut owners: Vec<usize> = self
            .shifts
            .iter()
            .filter(|(o, s)| *o != id && s.zone.is_some())
            .map(|(o, _)| *o)
            .filter(|&o| {
                self.aliases[o]
                    .iter()
                    .filter(|n| !n.contains('@'))
                    .any(|n| {
                        key(n)
                            .split(' ')
                            .any(|part| words.iter().any(|w| w == part))
                    })
            })
            .collect();
        owners.sort_unstable();
        owners.dedup();
        (owners.len() == 1).then(|| owners[0])
    }

    /// The actor of an event as the draft shows it.
    pub fn actor(&mut self, event: &EventRow) -> Option<String> {
        let actor = event.actor.as_deref()?;
        if self.show_names || !is_person(event) {
            return Some(actor.to_string());
        }
        match self.index.get(&key(actor)).copied() {
            Some(id) => Some(self.label(id, event.time)),
            None => Some(actor.to_string()),
        }
    }

    /// Replaces every known name inside `text` with the label of its
    /// person at `time`.
    pub fn redact(&mut self, text: &str, time: i64) -> String {
        if self.show_names || self.aliases.iter().all(Vec::is_empty) {
            return text.to_string();
        }
        if self.text_pattern.is_none() {
            self.text_pattern = self.build_pattern();
        }
        let Some((pattern, aliases)) = self.text_pattern.take() else {
            return text.to_string();
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for caps in pattern.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            let group = (1..caps.len()).find(|i| caps.get(*i).is_some());
            let Some(alias) = group.and_then(|g| aliases.get(g - 1)).copied() else {
                continue;
            };
            if alias.common && !written_as_name(text, m.start(), m.end()) {
                continue;
            }
            out.push_str(&text[last..m.start()]);
            match alias.owner {
                Some(owner) => out.push_str(&self.label(owner, time)),
                None => out.push_str("a responder"),
            }
            last = m.end();
        }
        out.push_str(&text[last..]);
        self.text_pattern = Some((pattern, aliases));
        out
    }

    /// The parts of every person's names (see the module comment) that
    /// are not a whole name themselves, each with the identities it may
    /// stand for.
    fn name_parts(&self) -> BTreeMap<String, Vec<usize>> {
        let mut parts: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (id, names) in self.aliases.iter().enumerate() {
            // An e-mail's domain names no one; its local part is an alias.
            for name in names.iter().filter(|n| !n.contains('@')) {
                for part in key(name).split(' ') {
                    let is_word = part.chars().count() >= MIN_ALIAS_CHARS
                        && part.chars().all(char::is_alphabetic);
                    if !is_word
                        || NOT_NAME_PARTS.split_whitespace().any(|w| w == part)
                        || self.index.contains_key(part)
                    {
                        continue;
                    }
                    let owners = parts.entry(part.to_string()).or_default();
                    if !owners.contains(&id) {
                        owners.push(id);
                    }
                }
            }
        }
        parts
    }

    /// One alternation of every alias and name part, longest first so
    /// "Jane Doe" wins over "Jane"; each alternative is its own group to
    /// find its owner.
    fn build_pattern(&self) -> Option<(Regex, Vec<Alias>)> {
        let mut all: Vec<(String, Alias)> = self
            .aliases
            .iter()
            .enumerate()
            .flat_map(|(id, names)| {
                names.iter().map(move |n| {
                    let alias = Alias {
                        owner: Some(id),
                        common: false,
                    };
                    (n.clone(), alias)
                })
            })
            .filter(|(n, _)| n.chars().count() >= MIN_ALIAS_CHARS)
            .collect();
        for (part, owners) in self.name_parts() {
            let alias = Alias {
                owner: (owners.len() == 1).then(|| owners[0]),
                common: COMMON_WORDS.contains(&part.as_str()),
            };
            all.push((part, alias));
        }
        if all.is_empty() {
            return None;
        }
        all.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        let alternatives: Vec<String> = all
            .iter()
            .map(|(n, _)| format!("({})", regex::escape(n)))
            .collect();
        // A mention's `@` goes with the name it precedes.
        let pattern = format!(r"(?i)(?:@|\b)(?:{})\b", alternatives.join("|"));
        let regex = Regex::new(&pattern).ok()?;
        Some((regex, all.into_iter().map(|(_, alias)| alias).collect()))
    }
}

/// Whether an event's actor is a person (not a bot or system).
pub fn is_person(event: &EventRow) -> bool {
    match event.human {
        Some(h) => h,
        None => matches!(event.kind.as_str(), "chat" | "shift"),
    }
}

fn letter(n: usize) -> String {
    let c = char::from(b'A' + (n % 26) as u8);
    if n < 26 {
        c.to_string()
    } else {
        format!("{c}{}", n / 26)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(actor: &str, attrs: &[(&str, &str)], time: i64) -> EventRow {
        EventRow {
            id: Some(1),
            source_id: 1,
            source: "chat.json".into(),
            sha256: String::new(),
            parser: "slack-export".into(),
            seq: 0,
            time,
            time_quality: Default::default(),
            line: None,
            locator: String::new(),
            kind: "chat".into(),
            level: None,
            actor: Some(actor.into()),
            host: None,
            service: None,
            message: String::new(),
            template_id: 0,
            template: String::new(),
            system: None,
            human: Some(true),
            chatter: false,
            identifiers: vec![],
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                .collect(),
        }
    }

    fn shift(person: &str, role: &str, start: i64, end: i64) -> Shift {
        Shift {
            person: person.into(),
            email: None,
            role: role.into(),
            start,
            end,
            zone: None,
        }
    }

    #[test]
    fn an_e_mail_first_name_meets_the_one_full_name_it_begins() {
        let mut p = People::new(false);
        let chat_name = chat("Dana Reyes", &[], 10);
        let paged = chat("dana@example.com", &[], 20);
        let other = chat("Sam Ortiz", &[], 30);
        for e in [&chat_name, &paged, &other] {
            p.add_event(e);
        }
        p.link_first_names();
        assert_eq!(p.actor(&chat_name).as_deref(), Some("responder A"));
        assert_eq!(p.actor(&paged).as_deref(), Some("responder A"));
        assert_eq!(p.actor(&other).as_deref(), Some("responder B"));
        // Two people named Dana: the e-mail is neither of them.
        let mut p = People::new(false);
        let twin = chat("Dana Kim", &[], 15);
        for e in [&chat_name, &twin, &paged] {
            p.add_event(e);
        }
        p.link_first_names();
        assert_eq!(p.actor(&paged).as_deref(), Some("responder A"));
        assert_eq!(p.actor(&chat_name).as_deref(), Some("responder B"));
    }

    #[test]
    fn a_shift_sheet_email_meets_a_chat_display_name() {
        let mut p = People::new(false);
        p.add_shift(&shift("jane.doe@example.com", "primary on-call", 0, 100));
        let e = chat("Jane Doe", &[("username", "jdoe")], 50);
        p.add_event(&e);
        assert_eq!(p.actor(&e).as_deref(), Some("primary on-call"));
        // After the shift she is a responder, under a stable placeholder.
        let later = chat("jdoe", &[], 150);
        assert_eq!(p.actor(&later).as_deref(), Some("responder A"));
        assert_eq!(p.actor(&later).as_deref(), Some("responder A"));
    }

    #[test]
    fn a_writers_zone_comes_from_their_shift_at_the_time_else_their_nearest() {
        let zoned = |person: &str, zone: &str, start: i64, end: i64| Shift {
            email: Some("priya.raman@example.com".into()),
            zone: Some(zone.into()),
            ..shift(person, "primary on-call", start, end)
        };
        let mut p = People::new(false);
        p.add_shift(&zoned("Priya Raman", "Europe/Berlin", 0, 100));
        p.add_shift(&zoned("Priya Raman", "+05:30", 200, 300));
        p.add_shift(&shift("Lee Okafor", "secondary on-call", 0, 300));
        // Her chat name meets the sheet through her e-mail.
        let e = chat("priya", &[("email", "priya.raman@example.com")], 50);
        p.add_event(&e);
        assert_eq!(p.shift_zone("priya", 50), Some("Europe/Berlin"));
        assert_eq!(p.shift_zone("priya", 250), Some("+05:30"));
        // Off shift: the nearest shift's zone.
        assert_eq!(p.shift_zone("priya", 120), Some("Europe/Berlin"));
        assert_eq!(p.shift_zone("priya", 190), Some("+05:30"));
        // A shift without a zone says nothing; nor does a stranger.
        p.add_event(&chat("Lee", &[], 50));
        assert_eq!(p.shift_zone("Lee Okafor", 50), None);
        assert_eq!(p.shift_zone("nobody", 50), None);
    }

    #[test]
    fn a_first_name_finds_the_one_shift_person_it_is_part_of() {
        let zoned = |person: &str, zone: &str| Shift {
            zone: Some(zone.into()),
            ..shift(person, "primary on-call", 0, 100)
        };
        let mut p = People::new(false);
        p.add_shift(&zoned("Dana Whitfield", "Europe/Berlin"));
        p.add_shift(&zoned("Alex Kim", "Asia/Seoul"));
        p.add_shift(&zoned("Alex Novak", "Europe/Prague"));
        for name in ["Dana", "Alex"] {
            p.add_event(&chat(name, &[], 50));
        }
        assert_eq!(p.shift_zone("dana", 50), Some("Europe/Berlin"));
        // Two Alexes on the sheet: "Alex" is neither.
        assert_eq!(p.shift_zone("Alex", 50), None);
    }

    #[test]
    fn names_inside_text_are_replaced_longest_first() {
        let mut p = People::new(false);
        p.add_event(&chat("Jane Doe", &[("username", "jdoe")], 0));
        p.add_event(&chat("Bob Stone", &[], 0));
        assert_eq!(
            p.redact("thanks @jdoe, Jane Doe and bob stone fixed it", 0),
            "thanks responder A, responder A and responder B fixed it"
        );
    }

    #[test]
    fn parts_of_names_are_replaced_too() {
        let mut p = People::new(false);
        p.add_shift(&Shift {
            email: Some("priya.raman@example.com".into()),
            ..shift("Priya Raman", "primary on-call", 0, 100)
        });
        p.add_event(&chat("Sam Okafor", &[("username", "sokafor")], 0));
        assert_eq!(
            p.redact("Priya is renewing the cert; raman asked Okafor", 50),
            "primary on-call is renewing the cert; primary on-call asked responder A"
        );
        // The domain of an e-mail is no one's name.
        assert_eq!(p.redact("see example.com", 50), "see example.com");
        // Nor are the function words in an account's name.
        p.add_event(&chat("Automation for Jira", &[], 0));
        assert_eq!(p.redact("waiting for Jira", 50), "waiting for Jira");
    }

    #[test]
    fn a_part_two_people_share_names_neither() {
        let mut p = People::new(false);
        p.add_event(&chat("Alex Kim", &[], 0));
        p.add_event(&chat("Alex Novak", &[], 0));
        assert_eq!(
            p.redact("Alex rolled back, Novak watched", 0),
            "a responder rolled back, responder A watched"
        );
    }

    #[test]
    fn a_part_that_is_also_a_word_is_replaced_only_as_a_name() {
        let mut p = People::new(false);
        p.add_shift(&shift("Will Mercer", "secondary on-call", 0, 100));
        p.add_shift(&shift("Mark Stone", "primary on-call", 0, 100));
        let cases = [
            (
                "Will is watching gw-2",
                "secondary on-call is watching gw-2",
            ),
            (
                "thanks Will, and @will too",
                "thanks secondary on-call, and secondary on-call too",
            ),
            (
                "ok. Mark has the pager",
                "ok. primary on-call has the pager",
            ),
            ("the cert will be live soon", "the cert will be live soon"),
            ("Will you check gw-2?", "Will you check gw-2?"),
            ("Mark the old cert revoked", "Mark the old cert revoked"),
            ("mark it done, a stone wall", "mark it done, a stone wall"),
            (
                "Mercer and Stone agreed",
                "secondary on-call and primary on-call agreed",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(p.redact(text, 50), want, "{text}");
        }
    }

    #[test]
    fn people_mentioned_in_chat_are_people_even_if_they_never_write() {
        let mut p = People::new(false);
        p.add_event(&chat(
            "Dana Whitfield",
            &[("mentioned_people", "Sam Okafor")],
            0,
        ));
        assert_eq!(
            p.redact("ack, looking. @Sam Okafor can you check? Sam knows it", 0),
            "ack, looking. responder A can you check? responder A knows it"
        );
    }

    #[test]
    fn assignees_and_reporters_are_people() {
        let mut p = People::new(false);
        let mut assigned = chat(
            "Jira",
            &[
                ("assignee", "Dana Whitfield and Lee Okafor"),
                ("reporter", "Kim Sato"),
            ],
            0,
        );
        assigned.human = Some(false);
        p.add_event(&assigned);
        assert_eq!(
            p.redact("Dana and Lee Okafor are on it, Sato says", 0),
            "responder A and responder B are on it, responder C says"
        );
    }

    #[test]
    fn names_flag_and_bots_keep_names() {
        let mut p = People::new(true);
        let e = chat("Jane Doe", &[], 0);
        p.add_event(&e);
        assert_eq!(p.actor(&e).as_deref(), Some("Jane Doe"));
        assert_eq!(p.redact("Jane Doe", 0), "Jane Doe");
        let mut p = People::new(false);
        let mut bot = chat("PagerDuty", &[], 0);
        bot.human = Some(false);
        p.add_event(&bot);
        assert_eq!(p.actor(&bot).as_deref(), Some("PagerDuty"));
    }
}
