//! Reading a format's timestamp capture: `auto`, epochs of each unit, or a
//! strftime layout (through chrono, or directly for fixed numeric layouts,
//! which most log lines use and which chrono's general parser reads slowly).

use chrono::format::{Fixed, Item, Numeric, Parsed, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::time::{self, EpochUnit, Precision, TimeValue, Timestamp};

/// How a format's timestamp capture is read.
#[derive(Clone)]
pub(super) enum Stamp {
    /// Any layout `time` knows at the start of a line, or an epoch.
    Auto,
    /// An epoch number of a declared unit.
    Epoch(EpochUnit),
    /// A strftime format.
    Strftime(Strftime),
}

#[derive(Clone)]
pub(super) struct Strftime {
    text: String,
    /// chrono items, split where `%L` stands.
    segments: Vec<Segment>,
    reading: Reading,
    fraction: Fraction,
    has_seconds: bool,
    /// The same layout, when it is one that [`FixedLayout`] reads.
    pub(super) fixed: Option<FixedLayout>,
}

#[derive(Clone)]
enum Segment {
    Items(Vec<Item<'static>>),
    /// `%L`: milliseconds as a number of 1 to 3 digits.
    Millis,
}

/// What a strftime format's fields amount to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// `%s`: seconds since the epoch.
    Epoch,
    /// A full date and time with an offset.
    Absolute,
    /// A full date and time without a zone.
    Local,
    /// Month, day and time without a year.
    NoYear,
    /// A time of day.
    TimeOnly,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fraction {
    None,
    /// Width declared by the format.
    Fixed(Precision),
    /// `%.f`: as many digits as written, judged by the value read.
    Variable,
}

impl Stamp {
    pub(super) fn new(format: &str) -> Result<Stamp, String> {
        Ok(match format {
            "auto" => Stamp::Auto,
            "epoch" => Stamp::Epoch(EpochUnit::Seconds),
            "epoch_ms" => Stamp::Epoch(EpochUnit::Millis),
            "epoch_us" => Stamp::Epoch(EpochUnit::Micros),
            "epoch_ns" => Stamp::Epoch(EpochUnit::Nanos),
            _ => Stamp::Strftime(Strftime::new(format)?),
        })
    }

    /// Reads the whole of a timestamp capture; leftover text is an error, so
    /// a format that reads only part of what the pattern captured is caught
    /// by the samples instead of quietly dropping a fraction or a zone.
    pub(super) fn read(&self, capture: &str) -> Result<Timestamp, String> {
        let text = capture.trim();
        if text.is_empty() {
            return Err("the timestamp capture is empty".to_string());
        }
        match self {
            Stamp::Auto => {
                let mut leftover = None;
                if let Some((ts, used)) = time::parse_leading(text) {
                    match text.get(used..).map(str::trim) {
                        Some("") => return Ok(ts),
                        rest => leftover = rest,
                    }
                }
                if let Some(ts) = time::parse_epoch(text, None) {
                    return Ok(ts);
                }
                Err(match leftover {
                    Some(rest) => format!("timestamp {text:?} leaves {rest:?} unread"),
                    None => format!("{text:?} is not a timestamp in any known layout"),
                })
            }
            Stamp::Epoch(unit) => time::parse_epoch(text, Some(*unit))
                .ok_or_else(|| format!("{text:?} is not an epoch number in {}", unit_name(*unit))),
            Stamp::Strftime(format) => format.read(text),
        }
    }
}

fn unit_name(unit: EpochUnit) -> &'static str {
    match unit {
        EpochUnit::Seconds => "seconds",
        EpochUnit::Millis => "milliseconds",
        EpochUnit::Micros => "microseconds",
        EpochUnit::Nanos => "nanoseconds",
    }
}

impl Strftime {
    pub(super) fn new(format: &str) -> Result<Strftime, String> {
        let mut segments = Vec::new();
        let mut pending = String::new();
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                pending.push(c);
                continue;
            }
            match chars.next() {
                Some('L') => {
                    segments.push(Segment::Items(items(&pending)?));
                    pending.clear();
                    segments.push(Segment::Millis);
                }
                Some(next) => {
                    pending.push('%');
                    pending.push(next);
                }
                None => pending.push('%'),
            }
        }
        segments.push(Segment::Items(items(&pending)?));

        let mut has = NamedFields::default();
        let mut fraction = Fraction::None;
        for segment in &segments {
            let items = match segment {
                Segment::Items(items) => items,
                Segment::Millis => {
                    fraction = Fraction::Fixed(Precision::Milli);
                    continue;
                }
            };
            for item in items {
                if let Some((_, digits)) = fixed_fraction(item) {
                    fraction = Fraction::Fixed(match digits {
                        3 => Precision::Milli,
                        6 => Precision::Micro,
                        _ => Precision::Nano,
                    });
                }
                match item {
                    Item::Numeric(numeric, _) => match numeric {
                        Numeric::Year
                        | Numeric::YearDiv100
                        | Numeric::YearMod100
                        | Numeric::IsoYear
                        | Numeric::IsoYearDiv100
                        | Numeric::IsoYearMod100 => has.year = true,
                        Numeric::Month => has.month = true,
                        Numeric::Day => has.day = true,
                        Numeric::Ordinal => has.ordinal = true,
                        Numeric::Hour | Numeric::Hour12 => has.hour = true,
                        Numeric::Minute => has.minute = true,
                        Numeric::Second => has.second = true,
                        Numeric::Timestamp => has.timestamp = true,
                        Numeric::Nanosecond => return Err(
                            "%f reads the digits as a count of nanoseconds (`.5` would be 5 ns); \
                                 use %.f, %.3f, %3f, %6f, %9f or %L"
                                .to_string(),
                        ),
                        _ => {}
                    },
                    Item::Fixed(fixed) => match fixed {
                        Fixed::ShortMonthName | Fixed::LongMonthName => has.month = true,
                        Fixed::Nanosecond => fraction = Fraction::Variable,
                        Fixed::TimezoneName => {
                            return Err("%Z: a zone name or abbreviation names no single offset; \
                                 use %z for a numeric offset, or leave the time naive"
                                .to_string())
                        }
                        Fixed::TimezoneOffset
                        | Fixed::TimezoneOffsetColon
                        | Fixed::TimezoneOffsetDoubleColon
                        | Fixed::TimezoneOffsetTripleColon
                        | Fixed::TimezoneOffsetColonZ
                        | Fixed::TimezoneOffsetZ => has.offset = true,
                        Fixed::RFC2822 | Fixed::RFC3339 => {
                            has.offset = true;
                            has.year = true;
                            has.month = true;
                            has.day = true;
                            has.hour = true;
                            has.minute = true;
                            has.second = true;
                            fraction = Fraction::Variable;
                        }
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        let date = (has.month && has.day) || has.ordinal;
        let clock = has.hour && has.minute;
        let reading = if has.timestamp {
            Reading::Epoch
        } else if !clock {
            return Err(format!(
                "{format:?} has no hour and minute (%H:%M), or %s; a timeline needs a time of day"
            ));
        } else if has.offset {
            if !(has.year && date) {
                return Err(format!(
                    "{format:?} has an offset but no full date (%Y-%m-%d)"
                ));
            }
            Reading::Absolute
        } else if has.year {
            if !date {
                return Err(format!("{format:?} has a year but no month and day"));
            }
            Reading::Local
        } else if has.month && has.day {
            Reading::NoYear
        } else if has.month || has.day || has.ordinal {
            return Err(format!(
                "{format:?} has part of a date; give month and day (%m-%d or %b %e)"
            ));
        } else {
            Reading::TimeOnly
        };
        let fixed = match (segments.as_slice(), reading) {
            ([Segment::Items(items)], Reading::Local | Reading::NoYear) => FixedLayout::new(items),
            _ => None,
        };
        Ok(Strftime {
            text: format.to_string(),
            segments,
            reading,
            fraction,
            has_seconds: has.second || has.timestamp,
            fixed,
        })
    }

    pub(super) fn read(&self, text: &str) -> Result<Timestamp, String> {
        if let Some((value, nanos)) = self.fixed.as_ref().and_then(|f| f.read(text)) {
            return Ok(self.timestamp(value, nanos, text));
        }
        let misfit = |why: String| format!("{text:?} does not fit {:?}: {why}", self.text);
        let mut parsed = Parsed::new();
        let mut rest = text;
        for segment in &self.segments {
            match segment {
                Segment::Items(items) => {
                    rest = chrono::format::parse_and_remainder(&mut parsed, rest, items.iter())
                        .map_err(|e| misfit(e.to_string()))?;
                }
                Segment::Millis => {
                    let digits = rest.bytes().take(3).take_while(u8::is_ascii_digit).count();
                    let millis: u32 = rest
                        .get(..digits)
                        .and_then(|d| d.parse().ok())
                        .ok_or_else(|| misfit("no milliseconds where %L stands".to_string()))?;
                    parsed
                        .set_nanosecond(i64::from(millis) * 1_000_000)
                        .map_err(|e| misfit(e.to_string()))?;
                    rest = rest.get(digits..).unwrap_or_default();
                }
            }
        }
        if !rest.is_empty() {
            return Err(format!(
                "timestamp {text:?} leaves {rest:?} unread by {:?}",
                self.text
            ));
        }
        let bad = |e: chrono::ParseError| misfit(e.to_string());
        let (value, nanos) = match self.reading {
            Reading::Epoch => {
                let seconds = parsed
                    .timestamp()
                    .ok_or_else(|| misfit("no %s".to_string()))?;
                let nanos = parsed.nanosecond().unwrap_or(0);
                let micros = time::epoch_to_micros(i128::from(seconds), EpochUnit::Seconds)
                    .and_then(|m| m.checked_add(i64::from(nanos / 1_000)))
                    .filter(|m| DateTime::from_timestamp_micros(*m).is_some())
                    .ok_or_else(|| misfit("out of range".to_string()))?;
                (TimeValue::Utc(micros), nanos)
            }
            Reading::Absolute => {
                let at = parsed.to_datetime().map_err(bad)?;
                (TimeValue::Utc(at.timestamp_micros()), at.nanosecond())
            }
            Reading::Local => {
                let date = parsed.to_naive_date().map_err(bad)?;
                let clock = parsed.to_naive_time().map_err(bad)?;
                (
                    TimeValue::Local(NaiveDateTime::new(date, clock)),
                    clock.nanosecond(),
                )
            }
            Reading::NoYear => {
                let clock = parsed.to_naive_time().map_err(bad)?;
                let (Some(month), Some(day)) = (parsed.month(), parsed.day()) else {
                    return Err(misfit("no month and day".to_string()));
                };
                // 2000 is a leap year: 29 February is a valid yearless date.
                if NaiveDate::from_ymd_opt(2000, month, day).is_none() {
                    return Err(misfit(format!("month {month} has no day {day}")));
                }
                (
                    TimeValue::NoYear {
                        month,
                        day,
                        time: clock,
                    },
                    clock.nanosecond(),
                )
            }
            Reading::TimeOnly => {
                let clock = parsed.to_naive_time().map_err(bad)?;
                (TimeValue::TimeOnly(clock), clock.nanosecond())
            }
        };
        Ok(self.timestamp(value, nanos, text))
    }

    fn timestamp(&self, value: TimeValue, nanos: u32, text: &str) -> Timestamp {
        let precision = match self.fraction {
            Fraction::Fixed(precision) => precision,
            Fraction::Variable => match nanos % 1_000_000_000 {
                0 => Precision::Second,
                n if n % 1_000_000 == 0 => Precision::Milli,
                n if n % 1_000 == 0 => Precision::Micro,
                _ => Precision::Nano,
            },
            Fraction::None if self.has_seconds => Precision::Second,
            Fraction::None => Precision::Minute,
        };
        Timestamp {
            value,
            precision,
            text: text.to_string(),
            unknown_zone: false,
        }
    }
}

/// A fraction of fixed width (`%.3f`, `%3f`, and the 6- and 9-digit
/// forms): whether a dot comes first, and its digits.
fn fixed_fraction(item: &Item<'_>) -> Option<(bool, u32)> {
    match item {
        Item::Fixed(Fixed::Nanosecond3) => Some((true, 3)),
        Item::Fixed(Fixed::Nanosecond6) => Some((true, 6)),
        Item::Fixed(Fixed::Nanosecond9) => Some((true, 9)),
        // chrono does not name the forms without a dot: they are known by
        // the item it makes of them.
        _ => [("%3f", 3), ("%6f", 6), ("%9f", 9)]
            .into_iter()
            .find(|(spec, _)| StrftimeItems::new(spec).next() == Some(item.clone()))
            .map(|(_, digits)| (false, digits)),
    }
}

/// A strftime layout of zero-padded numbers, a fixed fraction and
/// literal bytes (`%Y-%m-%d %H:%M:%S%.3f`), read without chrono's general
/// parser, which is a visible share of the cost of a line. It reads only
/// text in exactly that layout, and nothing chrono would read otherwise;
/// other text goes to chrono, which also words the errors.
#[derive(Clone, Debug)]
pub(super) struct FixedLayout(Vec<Slot>);

#[derive(Clone, Copy, Debug)]
enum Slot {
    /// This many digits of a field (year, month, day, hour, minute, second).
    Digits {
        field: usize,
        width: usize,
    },
    Byte(u8),
    /// Fraction digits, after a dot or not.
    Fraction {
        dot: bool,
        width: u32,
    },
}

impl FixedLayout {
    fn new(items: &[Item<'static>]) -> Option<FixedLayout> {
        let mut slots = Vec::new();
        for item in items {
            if let Some((dot, width)) = fixed_fraction(item) {
                slots.push(Slot::Fraction { dot, width });
                continue;
            }
            let slot = match item {
                Item::Numeric(numeric, chrono::format::Pad::Zero) => {
                    let (field, width) = match numeric {
                        Numeric::Year => (0, 4),
                        Numeric::Month => (1, 2),
                        Numeric::Day => (2, 2),
                        Numeric::Hour => (3, 2),
                        Numeric::Minute => (4, 2),
                        Numeric::Second => (5, 2),
                        _ => return None,
                    };
                    Slot::Digits { field, width }
                }
                // Owned: the layout's items are kept beyond the format text.
                Item::OwnedLiteral(text) | Item::OwnedSpace(text)
                    if text.len() == 1 && text.is_ascii() =>
                {
                    Slot::Byte(text.as_bytes()[0])
                }
                _ => return None,
            };
            slots.push(slot);
        }
        Some(FixedLayout(slots))
    }

    /// The reading of `text` and its nanoseconds, if it is in this layout
    /// and a valid date and time; `None` sends it to chrono.
    fn read(&self, text: &str) -> Option<(TimeValue, u32)> {
        let bytes = text.as_bytes();
        let mut at = 0;
        let number = |at: &mut usize, width: usize| {
            let digits = bytes.get(*at..*at + width)?;
            *at += width;
            digits.iter().try_fold(0u32, |n, &d| {
                d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
            })
        };
        // Year, month, day, hour, minute, second; no year is read as none.
        let mut fields = [None; 6];
        let mut nanos = 0;
        for slot in &self.0 {
            match *slot {
                Slot::Digits { field, width } => fields[field] = Some(number(&mut at, width)?),
                Slot::Byte(b) => {
                    if bytes.get(at) != Some(&b) {
                        return None;
                    }
                    at += 1;
                }
                Slot::Fraction { dot, width } => {
                    if dot {
                        if bytes.get(at) != Some(&b'.') {
                            return None;
                        }
                        at += 1;
                    }
                    nanos = number(&mut at, width as usize)? * 10u32.pow(9 - width);
                }
            }
        }
        if at != bytes.len() {
            return None;
        }
        let [year, month, day, hour, minute, second] = fields;
        let (month, day) = (month?, day?);
        let time = NaiveTime::from_hms_nano_opt(hour?, minute?, second.unwrap_or(0), nanos)?;
        let value = match year {
            Some(year) => TimeValue::Local(NaiveDateTime::new(
                NaiveDate::from_ymd_opt(year as i32, month, day)?,
                time,
            )),
            None => {
                // 2000 is a leap year: 29 February is a valid yearless date.
                NaiveDate::from_ymd_opt(2000, month, day)?;
                TimeValue::NoYear { month, day, time }
            }
        };
        Some((value, nanos))
    }
}

/// Which fields a strftime format names.
#[derive(Default)]
struct NamedFields {
    year: bool,
    month: bool,
    day: bool,
    ordinal: bool,
    hour: bool,
    minute: bool,
    second: bool,
    timestamp: bool,
    offset: bool,
}

fn items(format: &str) -> Result<Vec<Item<'static>>, String> {
    StrftimeItems::new(format)
        .parse_to_owned()
        .map_err(|_| format!("{format:?} is not a valid strftime format"))
}
