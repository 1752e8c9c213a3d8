//! A lazily read JSON object: its top-level keys in file order, borrowing
//! from the line, each value kept as text, a number or a raw nested value
//! until a field reader asks for it.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::{dots, name_bit, nested};
use crate::input::json::Name;

/// A JSON object with its top-level keys in file order, so a message
/// rebuilt from the leftover fields reads as the writer wrote it.
///
/// Keys and string values borrow from the line unless they hold escapes:
/// a typical line is a handful of short strings, and copying each into its
/// own `String` cost more than parsing it.
#[derive(Debug, Default)]
pub(super) struct Object<'a> {
    pub(super) entries: Vec<(Cow<'a, str>, Member<'a>)>,
    /// The [`filter_bit`] of every key.
    pub(super) bits: u64,
}

/// One top-level value.
#[derive(Debug)]
pub(super) enum Member<'a> {
    Text(Cow<'a, str>),
    /// Any other value, as serde_json reads it; borrowed when the object is
    /// an OTLP log record inside an already parsed line.
    Other(Cow<'a, Value>),
}

/// A value to read a field from, top-level or nested.
#[derive(Clone, Copy)]
pub(crate) enum View<'a> {
    Text(&'a str),
    /// Never a string: those are [`View::Text`].
    Other(&'a Value),
}

impl<'a> View<'a> {
    pub(super) fn of(value: &'a Value) -> View<'a> {
        match value {
            Value::String(s) => View::Text(s),
            other => View::Other(other),
        }
    }
}

impl<'a> Member<'a> {
    pub(super) fn of(value: &'a Value) -> Member<'a> {
        match value {
            Value::String(s) => Member::Text(Cow::Borrowed(s)),
            other => Member::Other(Cow::Borrowed(other)),
        }
    }

    pub(super) fn view(&self) -> View<'_> {
        match self {
            Member::Text(s) => View::Text(s),
            Member::Other(value) => View::of(value),
        }
    }
}

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Object<'de>, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some((Name(key), member)) = map.next_entry::<Name, Member>()? {
                    entries.push((key, member));
                }
                Ok(Object::new(entries))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

impl<'de> Deserialize<'de> for Member<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Member<'de>, D::Error> {
        /// Builds what `Value`'s own visitor builds for every kind of
        /// value but strings, so numbers, nesting limits and errors stay
        /// serde_json's.
        struct MemberVisitor;
        impl<'de> Visitor<'de> for MemberVisitor {
            type Value = Member<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any valid JSON value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Member<'de>, E> {
                Ok(Member::Text(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Member<'de>, E> {
                Ok(Member::Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Member<'de>, E> {
                Ok(Member::Text(Cow::Owned(s)))
            }
            fn visit_bool<E>(self, b: bool) -> Result<Member<'de>, E> {
                Ok(other(Value::Bool(b)))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Member<'de>, E> {
                Ok(other(Value::Number(n.into())))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Member<'de>, E> {
                Ok(other(Value::Number(n.into())))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Member<'de>, E> {
                Ok(other(
                    Number::from_f64(n).map_or(Value::Null, Value::Number),
                ))
            }
            fn visit_unit<E>(self) -> Result<Member<'de>, E> {
                Ok(other(Value::Null))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Member<'de>, A::Error> {
                Value::deserialize(SeqAccessDeserializer::new(seq)).map(other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Member<'de>, A::Error> {
                Value::deserialize(MapAccessDeserializer::new(map)).map(other)
            }
        }
        fn other<'a>(value: Value) -> Member<'a> {
            Member::Other(Cow::Owned(value))
        }
        deserializer.deserialize_any(MemberVisitor)
    }
}

/// Where a looked-up value sits in an [`Object`].
pub(super) struct Found<'a> {
    /// Index of the top-level entry holding it.
    pub(super) entry: usize,
    /// The value is that entry itself rather than nested inside it.
    pub(super) whole: bool,
    pub(super) value: View<'a>,
}

impl<'a> Object<'a> {
    pub(super) fn new(entries: Vec<(Cow<'a, str>, Member<'a>)>) -> Object<'a> {
        let bits = entries
            .iter()
            .fold(0, |bits, (key, _)| bits | name_bit(key));
        Object { entries, bits }
    }

    /// Index of `key`, preferring an exact match over a case-insensitive one.
    pub(super) fn index(&self, key: &str) -> Option<usize> {
        if self.bits & name_bit(key) == 0 {
            return None;
        }
        // One pass: every line looks up dozens of candidate keys.
        let mut folded = None;
        for (i, (k, _)) in self.entries.iter().enumerate() {
            if k.eq_ignore_ascii_case(key) {
                if k == key {
                    return Some(i);
                }
                folded.get_or_insert(i);
            }
        }
        folded
    }

    /// Finds `path` as one key or, split at any of its dots, as nested
    /// objects: ECS writes `"log.level"` and `{"log": {"level": ..}}` alike.
    pub(super) fn find(&self, path: &str) -> Option<Found<'_>> {
        if let Some(entry) = self.index(path) {
            let value = self.entries.get(entry)?.1.view();
            return Some(Found {
                entry,
                whole: true,
                value,
            });
        }
        for dot in dots(path) {
            let (Some(head), Some(rest)) = (path.get(..dot), path.get(dot + 1..)) else {
                continue;
            };
            let Some(entry) = self.index(head) else {
                continue;
            };
            if let Some((_, Member::Other(outer))) = self.entries.get(entry) {
                if let Value::Object(inner) = &**outer {
                    if let Some(value) = nested(inner, rest) {
                        return Some(Found {
                            entry,
                            whole: false,
                            value: View::of(value),
                        });
                    }
                }
            }
        }
        None
    }
}
