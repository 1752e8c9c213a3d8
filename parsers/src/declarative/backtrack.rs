//! A backtracking matcher for the anchored patterns of declarative formats,
//! on ASCII lines: the captures `regex` would report, several times faster.
//!
//! `regex` finds a match with its lazy DFA, then walks the matched text
//! again with a general backtracker (or a PikeVM) to place the captures,
//! one NFA state and one visited-set check at a time. Log patterns are
//! mostly runs of one class (`\d{4}`, `\S+`, `[^\]]*`) between literals, so
//! here such a run is one instruction that scans its bytes in a tight loop
//! and, when what follows fails, gives bytes back one at a time, as any
//! backtracker does. The order in which alternatives are tried is the
//! pattern's order of preference, so the first match found is the one
//! `regex` reports (leftmost-first), with the same captures.
//!
//! There is no visited set, so a pathological pattern could take
//! exponential time: a search gives up past a step budget linear in the
//! line's length and the caller asks `regex` instead. Patterns whose
//! semantics differ subtly between engines (a repetition whose body can
//! match empty, CRLF line anchors) are not compiled at all.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Steps allowed per byte of the line (plus a constant) before a search
/// gives up, up to a cap that also bounds the backtracking stack (a step
/// pushes at most one frame). A run of one class is one step however long,
/// so a log line takes a few dozen.
const STEPS_PER_BYTE: usize = 64;
const STEPS_BASE: usize = 4096;
const MAX_STEPS: usize = 1 << 18;

/// Largest program compiled; counted repetitions are expanded.
const MAX_INSTRUCTIONS: usize = 4096;

/// A set of bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl ByteSet {
    fn insert_range(&mut self, from: u8, to: u8) {
        for b in from..=to {
            self.0[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

#[derive(Clone, Debug)]
enum Inst {
    /// These bytes, in order.
    Literal(Box<[u8]>),
    /// One byte of the set.
    Byte(ByteSet),
    /// `min..=max` bytes of the set, as many as possible first (`greedy`)
    /// or as few. A greedy run `gives_back` bytes when what follows fails,
    /// unless what follows can never start with one of its bytes.
    Run {
        set: ByteSet,
        min: usize,
        max: usize,
        greedy: bool,
        gives_back: bool,
    },
    /// Go on at `prefer`; if that fails, at `other`.
    Split {
        prefer: usize,
        other: usize,
    },
    Jump(usize),
    /// Record the position in a capture slot.
    Save(usize),
    Assert(Assertion),
    Match,
}

#[derive(Clone, Copy, Debug)]
enum Assertion {
    Start,
    End,
    WordBoundary,
    NotWordBoundary,
}

/// Where to go back to when the current path fails.
#[derive(Clone, Copy, Debug)]
enum Frame {
    /// Resume at `pc` from `at`.
    Resume { pc: usize, at: usize },
    /// Put a capture slot back as it was.
    Restore { slot: usize, old: Option<usize> },
    /// A greedy run at `start` that took `len` bytes: retry with one fewer.
    Shorter {
        pc: usize,
        start: usize,
        len: usize,
        min: usize,
    },
    /// A lazy run (instruction `run`) at `start` that took `len` bytes:
    /// retry with one more.
    Longer {
        run: usize,
        start: usize,
        len: usize,
    },
}

/// What a search found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The pattern matches; the slots hold the captures.
    Match,
    NoMatch,
    /// Past the step budget: ask `regex`.
    GaveUp,
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub(crate) struct Backtracker {
    program: Vec<Inst>,
    slots: usize,
}

/// Reusable search state: capture slots and the backtracking stack.
#[derive(Debug, Default)]
pub(crate) struct Captures {
    slots: Vec<Option<usize>>,
    stack: Vec<Frame>,
}

impl Captures {
    /// The span of capture group `group` (0 is the whole match).
    pub(crate) fn get(&self, group: usize) -> Option<(usize, usize)> {
        Some((
            (*self.slots.get(2 * group)?)?,
            (*self.slots.get(2 * group + 1)?)?,
        ))
    }
}

impl Backtracker {
    /// Compiles `hir`, which must be anchored at the start of the text;
    /// `None` if it uses what this matcher does not do exactly as `regex`.
    pub(crate) fn new(hir: &Hir) -> Option<Backtracker> {
        if !hir.properties().look_set_prefix().contains(Look::Start) {
            return None;
        }
        let mut program = vec![Inst::Save(0)];
        compile(hir, &mut program)?;
        program.push(Inst::Save(1));
        program.push(Inst::Match);
        keep_what_cannot_help(&mut program);
        Some(Backtracker {
            program,
            slots: 2 * (hir.properties().explicit_captures_len() + 1),
        })
    }

    /// Matches `text`, which must be ASCII (what a class or `\b` means for
    /// other text is not modelled), from its start.
    pub(crate) fn captures(&self, text: &[u8], caps: &mut Captures) -> Outcome {
        caps.slots.clear();
        caps.slots.resize(self.slots, None);
        caps.stack.clear();
        let budget = (STEPS_BASE + STEPS_PER_BYTE * text.len()).min(MAX_STEPS);
        let mut steps = 0;
        let (mut pc, mut at) = (0, 0);
        loop {
            steps += 1;
            if steps > budget {
                return Outcome::GaveUp;
            }
            let ok = match &self.program[pc] {
                Inst::Literal(bytes) => {
                    let ok = text[at..].starts_with(bytes);
                    at += bytes.len();
                    ok
                }
                Inst::Byte(set) => {
                    let ok = text.get(at).is_some_and(|&b| set.contains(b));
                    at += 1;
                    ok
                }
                &Inst::Run {
                    ref set,
                    min,
                    max,
                    greedy,
                    gives_back,
                } => {
                    let limit = if greedy { max } else { min };
                    let len = text[at..]
                        .iter()
                        .take(limit)
                        .take_while(|&&b| set.contains(b))
                        .count();
                    if len >= min {
                        if greedy && gives_back && len > min {
                            caps.stack.push(Frame::Shorter {
                                pc: pc + 1,
                                start: at,
                                len,
                                min,
                            });
                        } else if !greedy && len < max {
                            caps.stack.push(Frame::Longer {
                                run: pc,
                                start: at,
                                len,
                            });
                        }
                    }
                    at += len;
                    len >= min
                }
                &Inst::Split { prefer, other } => {
                    caps.stack.push(Frame::Resume { pc: other, at });
                    pc = prefer;
                    continue;
                }
                &Inst::Jump(to) => {
                    pc = to;
                    continue;
                }
                &Inst::Save(slot) => {
                    caps.stack.push(Frame::Restore {
                        slot,
                        old: caps.slots[slot],
                    });
                    caps.slots[slot] = Some(at);
                    true
                }
                Inst::Assert(assertion) => holds(*assertion, text, at),
                Inst::Match => return Outcome::Match,
            };
            if ok {
                pc += 1;
                continue;
            }
            match self.backtrack(text, caps) {
                Some((to, from)) => (pc, at) = (to, from),
                None => return Outcome::NoMatch,
            }
        }
    }

    /// Unwinds to the next alternative: where to resume, if anywhere.
    fn backtrack(&self, text: &[u8], caps: &mut Captures) -> Option<(usize, usize)> {
        while let Some(frame) = caps.stack.pop() {
            match frame {
                Frame::Resume { pc, at } => return Some((pc, at)),
                Frame::Restore { slot, old } => caps.slots[slot] = old,
                Frame::Shorter {
                    pc,
                    start,
                    len,
                    min,
                } => {
                    let len = len - 1;
                    if len > min {
                        caps.stack.push(Frame::Shorter {
                            pc,
                            start,
                            len,
                            min,
                        });
                    }
                    return Some((pc, start + len));
                }
                Frame::Longer { run, start, len } => {
                    let Inst::Run { set, max, .. } = &self.program[run] else {
                        continue;
                    };
                    if !text.get(start + len).is_some_and(|&b| set.contains(b)) {
                        continue;
                    }
                    let len = len + 1;
                    if len < *max {
                        caps.stack.push(Frame::Longer { run, start, len });
                    }
                    return Some((run + 1, start + len));
                }
            }
        }
        None
    }
}

/// Marks the greedy runs that giving bytes back cannot help: those
/// followed (past captures) by a byte, or a literal's first byte, outside
/// their set, or by the end of the text. A byte given back would stand
/// where that byte or the end is required. This spares the retries a log
/// pattern would otherwise make at every `\S+ ` when a later part fails.
fn keep_what_cannot_help(program: &mut [Inst]) {
    for pc in 0..program.len() {
        let Inst::Run {
            set, greedy: true, ..
        } = program[pc]
        else {
            continue;
        };
        let next = program[pc + 1..]
            .iter()
            .find(|inst| !matches!(inst, Inst::Save(_)));
        let futile = match next {
            Some(Inst::Byte(next)) => (0..4).all(|i| set.0[i] & next.0[i] == 0),
            Some(Inst::Literal(bytes)) => bytes.first().is_some_and(|&b| !set.contains(b)),
            Some(Inst::Assert(Assertion::End)) => true,
            _ => false,
        };
        if let Inst::Run { gives_back, .. } = &mut program[pc] {
            *gives_back = !futile;
        }
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn holds(assertion: Assertion, text: &[u8], at: usize) -> bool {
    let boundary = || {
        let before = at > 0 && is_word(text[at - 1]);
        let after = text.get(at).is_some_and(|&b| is_word(b));
        before != after
    };
    match assertion {
        Assertion::Start => at == 0,
        Assertion::End => at == text.len(),
        Assertion::WordBoundary => boundary(),
        Assertion::NotWordBoundary => !boundary(),
    }
}

/// The bytes a class matches in ASCII text, if it is a class.
fn byte_set(hir: &Hir) -> Option<ByteSet> {
    let mut set = ByteSet::default();
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.iter() {
                let (from, to) = (u32::from(range.start()), u32::from(range.end()).min(0x7f));
                if from <= to {
                    set.insert_range(from as u8, to as u8);
                }
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.iter() {
                set.insert_range(range.start(), range.end());
            }
        }
        HirKind::Literal(literal) if literal.0.len() == 1 => {
            set.insert_range(literal.0[0], literal.0[0]);
        }
        _ => return None,
    }
    Some(set)
}

fn compile(hir: &Hir, program: &mut Vec<Inst>) -> Option<()> {
    if program.len() > MAX_INSTRUCTIONS {
        return None;
    }
    match hir.kind() {
        HirKind::Empty => {}
        HirKind::Literal(literal) => program.push(Inst::Literal(literal.0.clone())),
        HirKind::Class(_) => program.push(Inst::Byte(byte_set(hir)?)),
        HirKind::Look(look) => program.push(Inst::Assert(match look {
            // The text is one line without a line break, so line anchors
            // are text anchors.
            Look::Start | Look::StartLF => Assertion::Start,
            Look::End | Look::EndLF => Assertion::End,
            Look::WordAscii | Look::WordUnicode => Assertion::WordBoundary,
            Look::WordAsciiNegate | Look::WordUnicodeNegate => Assertion::NotWordBoundary,
            _ => return None,
        })),
        HirKind::Capture(capture) => {
            let slot = 2 * capture.index as usize;
            program.push(Inst::Save(slot));
            compile(&capture.sub, program)?;
            program.push(Inst::Save(slot + 1));
        }
        HirKind::Concat(subs) => {
            for sub in subs {
                compile(sub, program)?;
            }
        }
        HirKind::Alternation(subs) => {
            let mut jumps = Vec::new();
            for (i, sub) in subs.iter().enumerate() {
                let split = program.len();
                if i + 1 < subs.len() {
                    program.push(Inst::Split {
                        prefer: split + 1,
                        other: 0,
                    });
                }
                compile(sub, program)?;
                if i + 1 < subs.len() {
                    jumps.push(program.len());
                    program.push(Inst::Jump(0));
                    let next = program.len();
                    program[split] = Inst::Split {
                        prefer: split + 1,
                        other: next,
                    };
                }
            }
            let end = program.len();
            for jump in jumps {
                program[jump] = Inst::Jump(end);
            }
        }
        HirKind::Repetition(repetition) => {
            // An iteration that matches nothing is where engines differ.
            if repetition.sub.properties().minimum_len() == Some(0) {
                return None;
            }
            let min = repetition.min as usize;
            let max = repetition.max.map_or(usize::MAX, |max| max as usize);
            if let Some(set) = byte_set(&repetition.sub) {
                program.push(Inst::Run {
                    set,
                    min,
                    max,
                    greedy: repetition.greedy,
                    gives_back: true,
                });
                return Some(());
            }
            if min > MAX_INSTRUCTIONS || (max != usize::MAX && max - min > MAX_INSTRUCTIONS) {
                return None;
            }
            for _ in 0..min {
                compile(&repetition.sub, program)?;
            }
            let split = |program: &mut Vec<Inst>, at: usize, body: usize, exit: usize| {
                program[at] = if repetition.greedy {
                    Inst::Split {
                        prefer: body,
                        other: exit,
                    }
                } else {
                    Inst::Split {
                        prefer: exit,
                        other: body,
                    }
                };
            };
            if max == usize::MAX {
                let top = program.len();
                program.push(Inst::Jump(0));
                compile(&repetition.sub, program)?;
                program.push(Inst::Jump(top));
                let exit = program.len();
                split(program, top, top + 1, exit);
            } else {
                let mut optional = Vec::new();
                for _ in min..max {
                    optional.push(program.len());
                    program.push(Inst::Jump(0));
                    compile(&repetition.sub, program)?;
                }
                let exit = program.len();
                for at in optional {
                    split(program, at, at + 1, exit);
                }
            }
        }
    }
    (program.len() <= MAX_INSTRUCTIONS).then_some(())
}

#[cfg(test)]
mod tests {
    use super::{Backtracker, Captures, Outcome};
    use proptest::prelude::*;
    use regex::Regex;

    /// Compiles `pattern` (anchored) both ways; `None` if the matcher
    /// declines it.
    fn both(pattern: &str) -> Option<(Backtracker, Regex)> {
        let anchored = format!("^(?:{pattern})");
        let hir = regex_syntax::Parser::new().parse(&anchored).ok()?;
        Some((Backtracker::new(&hir)?, Regex::new(&anchored).ok()?))
    }

    /// The matcher reports what `regex` reports, capture for capture, or
    /// gives up.
    fn assert_agrees(matcher: &Backtracker, regex: &Regex, text: &str) -> Outcome {
        let mut caps = Captures::default();
        let outcome = matcher.captures(text.as_bytes(), &mut caps);
        let expected = regex.captures(text);
        match (&outcome, &expected) {
            (Outcome::GaveUp, _) => {}
            (Outcome::NoMatch, None) => {}
            (Outcome::Match, Some(found)) => {
                for group in 0..found.len() {
                    assert_eq!(
                        caps.get(group),
                        found.get(group).map(|m| (m.start(), m.end())),
                        "group {group} of {regex} on {text:?}"
                    );
                }
            }
            _ => panic!("{regex} on {text:?}: {outcome:?}, regex says {expected:?}"),
        }
        outcome
    }

    #[test]
    fn log_patterns_capture_as_regex_does() {
        let pattern = r"(?:(?P<file>\S+) )?(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) (?P<pid>\d+) (?P<level>[A-Z]+) (?P<service>\S+)(?: \[(?P<request>[^\]]*)\])?(?: |$)";
        let (matcher, regex) = both(pattern).expect("compiles");
        for line in [
            "2017-05-16 00:00:00.008 25746 INFO nova.osapi [req-1 - -] GET /v2",
            "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi [req-1] x",
            "2017-05-16 00:00:00.008 25746 INFO nova.osapi",
            "2017-05-16 00:00:00.008 25746 INFO nova.osapi [unclosed",
            "2017-05-16 00:00:00.008 25746 info nova.osapi x",
            "",
        ] {
            assert_agrees(&matcher, &regex, line);
        }
        assert_eq!(
            assert_agrees(&matcher, &regex, "2017-05-16 00:00:00.008 1 INFO a [b] c"),
            Outcome::Match
        );
    }

    #[test]
    fn lazy_runs_repetitions_and_word_boundaries_capture_as_regex_does() {
        for (pattern, lines) in [
            (
                r"(?P<t>\d+) - (?P<l>[A-Z]+) +\[(?P<th>.*?):(?P<s>[\w$]+)@\d+\] - ?",
                &[
                    "1 - INFO  [a:b:c@1] - x",
                    "1 - INFO [a@1] - x",
                    "1 - INFO [:b@] - ",
                ][..],
            ),
            (r"(?:ab|a)(?:bc)?\b(c*)", &["abc", "ab c", "abcc", "a"]),
            (r"(?:(x)y){2,3}?(xy)*", &["xyxyxyxy", "xy", "xyxyz"]),
            (r"(?:(x)|(xy))+z", &["xyxz", "xxyz", "z"]),
            (r"\B.{1,3}?(a)\b", &["xaa a", "ba", "a"]),
        ] {
            let (matcher, regex) = both(pattern).expect(pattern);
            for line in lines {
                assert_agrees(&matcher, &regex, line);
            }
        }
    }

    /// A run followed by what none of its bytes can be keeps what it took;
    /// others give bytes back.
    #[test]
    fn runs_give_back_only_where_it_can_help() {
        let (matcher, regex) = both(r"(\S+) (\d+)\w*(a+)$").expect("compiles");
        let gives_back: Vec<bool> = matcher
            .program
            .iter()
            .filter_map(|inst| match inst {
                super::Inst::Run { gives_back, .. } => Some(*gives_back),
                _ => None,
            })
            .collect();
        assert_eq!(gives_back, [false, true, true, false]);
        for line in ["ab 12xaa", "ab 12", "a b 1a", "ab 1aaa"] {
            assert_agrees(&matcher, &regex, line);
        }
    }

    #[test]
    fn what_engines_do_differently_is_declined() {
        for pattern in [r"(a*)*b", r"(?:a|)+", r"(?Rm)^a$"] {
            assert!(both(pattern).is_none(), "{pattern}");
        }
    }

    #[test]
    fn a_catastrophic_pattern_gives_up_instead_of_hanging() {
        let (matcher, regex) = both(r"(?:a|aa)+(?:b|bb)+c").expect("compiles");
        let text = format!("{}{}", "a".repeat(60), "b".repeat(60));
        assert_eq!(assert_agrees(&matcher, &regex, &text), Outcome::GaveUp);
    }

    /// However long the line, a search holds at most `MAX_STEPS` frames.
    #[test]
    fn a_long_line_bounds_the_stack() {
        let (matcher, regex) = both(r"(?:(\w+) )*x").expect("compiles");
        let text = "ab ".repeat(200_000);
        assert_eq!(assert_agrees(&matcher, &regex, &text), Outcome::GaveUp);
        let mut caps = Captures::default();
        matcher.captures(text.as_bytes(), &mut caps);
        assert!(caps.stack.len() <= super::MAX_STEPS, "{}", caps.stack.len());
    }

    proptest! {
        #[test]
        fn random_patterns_capture_as_regex_does(
            pieces in prop::collection::vec(prop::sample::select(&[
                "(", ")", "(?:", "(?P<g>", "|", "a", "b", ".", r"\d", r"\S", r"\w", r"\b",
                r"\B", "[^a]", "*", "+", "?", "{1,2}", "*?", "+?", "??", " ", "$", "^",
            ][..]), 1..14),
            texts in prop::collection::vec("[ab1 _:-]{0,12}", 1..8)
        ) {
            let anchored = format!("^(?:{})", pieces.concat());
            let (Ok(hir), Ok(regex)) = (regex_syntax::Parser::new().parse(&anchored), Regex::new(&anchored)) else {
                return Ok(());
            };
            let Some(matcher) = Backtracker::new(&hir) else {
                return Ok(());
            };
            for text in &texts {
                assert_agrees(&matcher, &regex, text);
            }
        }
    }
}
