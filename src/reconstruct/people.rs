//! Blameless naming: the draft names roles, not people.
//!
//! Every name a person goes by in the evidence (chat display name, real
//! name, user name, user id, e-mail, the name in the shift sheet) is linked
//! into one identity. At any moment an identity is shown as the role its
//! shift gives it ("primary on-call"), else as a stable placeholder
//! ("responder A", in order of first appearance); `--names` shows names.
//! Bots and systems keep their names.

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
    text_pattern: Option<(Regex, Vec<usize>)>,
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
        if !is_person(event) {
            return;
        }
        let mut names: Vec<String> = event.actor.iter().cloned().collect();
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
        let Some((pattern, owners)) = self.text_pattern.take() else {
            return text.to_string();
        };
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for caps in pattern.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            let group = (1..caps.len()).find(|i| caps.get(*i).is_some());
            let Some(owner) = group.and_then(|g| owners.get(g - 1)).copied() else {
                continue;
            };
            out.push_str(&text[last..m.start()]);
            out.push_str(&self.label(owner, time));
            last = m.end();
        }
        out.push_str(&text[last..]);
        self.text_pattern = Some((pattern, owners));
        out
    }

    /// One alternation of every alias, longest first so "Jane Doe" wins
    /// over "Jane"; each alternative is its own group to find its owner.
    fn build_pattern(&self) -> Option<(Regex, Vec<usize>)> {
        let mut all: Vec<(&str, usize)> = self
            .aliases
            .iter()
            .enumerate()
            .flat_map(|(id, names)| names.iter().map(move |n| (n.as_str(), id)))
            .filter(|(n, _)| n.chars().count() >= MIN_ALIAS_CHARS)
            .collect();
        if all.is_empty() {
            return None;
        }
        all.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        let alternatives: Vec<String> = all
            .iter()
            .map(|(n, _)| format!("({})", regex::escape(n)))
            .collect();
        // A mention's `@` goes with the name it precedes.
        let pattern = format!(r"(?i)(?:@|\b)(?:{})\b", alternatives.join("|"));
        let regex = Regex::new(&pattern).ok()?;
        Some((regex, all.into_iter().map(|(_, id)| id).collect()))
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
        }
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
