use super::mask::*;
use super::miner::*;
use super::repeats::*;
use super::words::*;
use proptest::prelude::*;

fn mined(messages: &[&str]) -> (Vec<usize>, Miner) {
    mine(messages.iter().copied())
}

#[test]
fn masks_numbers_ids_addresses_and_values() {
    assert_eq!(
        template("connection to 10.0.3.7:5432 refused after 3000ms (attempt 3)"),
        "connection to <*> refused after <*> (attempt <*>)"
    );
    assert_eq!(
        template("deploy started version=2.14.0 sha=9f1c2ab env=prod"),
        "deploy started version=<*> sha=<*> env=prod"
    );
    assert_eq!(
        template("request a3f9c2d4-1b2c-4d5e-8f90-123456789abc failed"),
        "request <*> failed"
    );
    assert_eq!(
        template("mask=ffffffff opened /var/log/syslog via http://example.org/x"),
        "mask=<*> opened <*> via <*>"
    );
    assert_eq!(template("wpad:80 error"), "<*> error");
    // Hex is judged without the edge punctuation around it.
    assert_eq!(
        template("key (deadbeef), cafebabe: [abcdef]"),
        "key (<*>), <*>: [abcdef]"
    );
    assert_eq!(
        template("onExtend:1514038530000 14 0 4"),
        "onExtend:<*> <*>"
    );
    // An id after a key is one shape whether or not it holds a letter;
    // only five digits or fewer can be a port.
    assert_eq!(
        template("redis GET session:40877397 failed"),
        template("redis GET session:ab9da83c failed")
    );
    assert_eq!(
        template("redis GET session:40877397 failed"),
        "redis GET session:<*> failed"
    );
}

#[test]
fn dates_and_units_are_part_of_the_value() {
    assert_eq!(
        template("connection from 1.2.3.4 at Sun Jul 17 07:07:00 2005"),
        "connection from <*> at <*>"
    );
    assert_eq!(
        template("stored 17.7 GB (free 512 KB) in 3 ms"),
        "stored <*> (free <*>) in <*>"
    );
    // Outside a date or after no number they are words.
    assert_eq!(template("May the B team win"), "May the B team win");
}

#[test]
fn same_shape_same_template_and_stack_traces_do_not_split_it() {
    assert_eq!(
        template("pool exhausted: 50/50 in use"),
        template("pool exhausted: 49/50 in use")
    );
    assert_eq!(
        template("boom id=1\n  at x.y(Z.java:10)"),
        template("boom id=2\n  at q.r(S.java:99)")
    );
    assert_ne!(template("disk full"), template("disk ok"));
}

#[test]
fn same_shape_shares_a_cluster_and_ids_count_up() {
    let mut miner = Miner::new();
    assert_eq!(miner.add("Connection from 10.0.0.1 port 22"), 0);
    assert_eq!(miner.add("Connection from 10.0.0.2 port 2222"), 0);
    assert_eq!(miner.add("Disk quota exceeded on volume data"), 1);
    assert_eq!(miner.add("Connection from 10.9.9.9 port 80"), 0);
    assert_eq!(miner.len(), 2);
    assert_eq!(miner.template(0), "Connection from <*> port <*>");
    assert_eq!(miner.template(1), "Disk quota exceeded on volume data");
}

#[test]
fn different_wording_does_not_share_a_cluster() {
    let (ids, _) = mined(&[
        "Disk quota exceeded on volume data",
        "Backup finished on volume data",
        "ciod: Error loading /a/b: Bad file descriptor",
        "ciod: Error loading /a/b: No child processes",
    ]);
    assert_eq!(ids, [0, 1, 2, 3]);
}

#[test]
fn varying_words_generalize() {
    let (ids, miner) = mined(&[
        "Invalid user admin from 1.2.3.4",
        "Invalid user oracle from 1.2.3.5",
        "Invalid user test from 1.2.3.6",
        "session opened for user=root by 0",
        "session opened for user=guest by 0",
    ]);
    assert!(ids[..3].iter().all(|&c| c == ids[0]), "{ids:?}");
    assert_eq!(miner.template(ids[0]), "Invalid user <*> from <*>");
    assert_eq!(ids[3], ids[4]);
    assert_eq!(miner.template(ids[3]), "session opened for user=<*> by <*>");
}

#[test]
fn state_words_are_sorted_and_short() {
    assert!(STATE_WORDS.windows(2).all(|w| w[0] < w[1]));
    assert!(STATE_WORDS.iter().all(|w| w.len() <= 12));
    assert!(is_state_word("Up") && is_state_word("FAILED") && !is_state_word("user"));
}

#[test]
fn state_words_keep_events_apart() {
    let (ids, _) = mined(&[
        "AirPort: Link Up on en0",
        "AirPort: Link Down on en0",
        "WWEN[enable] for wl0",
        "WWEN[disable] for wl0",
        "[instance: 1] VM Started (Lifecycle Event)",
        "[instance: 2] VM Paused (Lifecycle Event)",
    ]);
    assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
}

#[test]
fn settled_wording_keeps_a_rare_variant_apart_until_the_word_varies() {
    let mut miner = Miner::new();
    for i in 0..20 {
        miner.add(&format!(
            "Session: {i} initialized by client WindowsUpdateAgent."
        ));
    }
    let rare = miner.add("Session: 99 initialized by client SPP.");
    assert_ne!(miner.resolve(rare), miner.resolve(0));

    for i in 0..20 {
        miner.add(&format!(
            "Failed password for root from 10.0.0.{i} port 22 ssh2"
        ));
    }
    let root = miner.add("Failed password for root from 10.0.0.1 port 22 ssh2");
    let uucp = miner.add("Failed password for uucp from 10.0.0.1 port 22 ssh2");
    assert_ne!(miner.resolve(uucp), miner.resolve(root));
    // A second user shows the word varies: all three are one event.
    let ftp = miner.add("Failed password for ftp from 10.0.0.1 port 22 ssh2");
    assert_eq!(miner.resolve(ftp), miner.resolve(root));
    assert_eq!(miner.resolve(uucp), miner.resolve(root));
    // "22 ssh2": adjacent values are one.
    assert_eq!(
        miner.template(uucp),
        "Failed password for <*> from <*> port <*>"
    );
    assert_eq!(miner.template(root), miner.template(uucp));
}

#[test]
fn optional_values_and_varying_leading_words_merge() {
    let (ids, miner) = mined(&[
        "h:1 close, 0 bytes sent, 0 bytes received, lifetime 00:01",
        "h:1 close, 1190 bytes (1.16 KB) sent, 5 bytes received, lifetime 00:02",
        "h:1 close, 1190 bytes (1.16 KB) sent, 5 bytes (1.2 KB) received, lifetime <1 sec",
    ]);
    assert!(ids.iter().all(|&c| c == ids[0]), "{ids:?}");
    assert_eq!(
        miner.template(ids[1]),
        "<*> close, <*> bytes (<*>) sent, <*> bytes (<*>) received, lifetime <<*>"
    );
    let tail = "scheduler_evaluate_activity told me to run this job; however";
    let (ids, miner) = mined(&[
        &format!("com.apple.a: {tail}"),
        &format!("com.apple.b: {tail}"),
        &format!("com.apple.c: {tail}"),
    ]);
    assert!(ids
        .iter()
        .all(|&c| miner.resolve(c) == miner.resolve(ids[0])));
    assert_eq!(miner.template(ids[0]), format!("<*>: {tail}"));
}

#[test]
fn long_and_odd_messages() {
    let mut miner = Miner::new();
    let long = vec!["word"; 10_000].join(" ");
    let c = miner.add(&long);
    assert_eq!(miner.template(c).split(' ').count(), MAX_TOKENS);
    let blob = "x".repeat(1 << 20);
    let c = miner.add(&blob);
    assert_eq!(miner.template(c), "<*>");
    let nested = "a=".repeat(100_000);
    miner.add(&nested);
    let first_line_only = miner.add("boom id=1\n  at x.y(Z.java:10)");
    assert_eq!(
        miner.add("boom id=2\r\n  at q.r(S.java:99)"),
        first_line_only
    );
    assert_eq!(miner.template(first_line_only), "boom id=<*>");
}

#[test]
fn past_the_cluster_cap_new_shapes_fall_back_to_their_masked_text() {
    // Letters only, so that no word is masked and each shape is new.
    let word = |mut i: usize| {
        let mut w = String::new();
        loop {
            w.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
            if i == 0 {
                return w;
            }
        }
    };
    let mut miner = Miner::new();
    for i in 0..MAX_CLUSTERS {
        miner.add(&format!("{} {} end", word(i), word(i + 7)));
    }
    assert_eq!(miner.len(), MAX_CLUSTERS);
    let c = miner.add("brand new shape 42");
    assert_eq!(c, MAX_CLUSTERS);
    assert_eq!(miner.template(c), "brand new shape <*>");
    assert_eq!(miner.add("brand new shape 43"), c);
    // Known shapes still join their clusters.
    assert_eq!(miner.add(&format!("{} {} end", word(5), word(12))), 5);
}

#[test]
fn empty_messages_share_one_empty_template() {
    let (ids, miner) = mined(&["", "   ", "\n\nnot the first line", "\t"]);
    assert!(ids.iter().all(|&c| c == ids[0]), "{ids:?}");
    assert_eq!(miner.template(ids[0]), "");
}

proptest! {
    #[test]
    fn add_never_panics(messages in prop::collection::vec(any::<String>(), 0..20)) {
        let mut miner = Miner::new();
        for m in &messages {
            let c = miner.add(m);
            prop_assert!(c < miner.len());
            prop_assert_eq!(miner.add(m), c);
            miner.template(c);
            template(m);
        }
    }

    #[test]
    fn merges_keep_ids_valid(
        messages in prop::collection::vec("[a-c0-9 =:/()<>*.,\\[\\]\n]{0,30}", 0..80)
    ) {
        let (resolved, miner) = mine(messages.iter().map(String::as_str));
        let (again, _) = mine(messages.iter().map(String::as_str));
        prop_assert_eq!(&resolved, &again);
        for &c in &resolved {
            prop_assert!(c < miner.len());
            prop_assert_eq!(miner.resolve(c), c);
            miner.template(c);
        }
    }

    #[test]
    fn repeats_mine_as_the_miner_alone_does(
        picks in prop::collection::vec(0..12usize, 0..120),
        pool in prop::collection::vec("(user|host|[0-9]{1,3}|ok|failed|=|:| |\n){1,8}", 12)
    ) {
        let messages: Vec<&str> = picks.iter().map(|&i| pool[i].as_str()).collect();
        assert_repeats_mine_alike(&messages);
    }
}

/// What `Repeats` returns, cluster and fact, is what the miner alone
/// and the fact give, and the miner ends with the same templates.
fn assert_repeats_mine_alike(messages: &[&str]) {
    let mut alone = Miner::new();
    let mut with_repeats = Miner::new();
    let mut repeats = Repeats::default();
    for &m in messages {
        let expected = (alone.add(m), m.len());
        assert_eq!(
            repeats.add(&mut with_repeats, m, message_hash(m), str::len),
            expected,
            "{m:?}"
        );
    }
    assert_eq!(alone.len(), with_repeats.len());
    for c in 0..alone.len() {
        assert_eq!(alone.template(c), with_repeats.template(c));
        assert_eq!(alone.clusters[c].size, with_repeats.clusters[c].size);
    }
}

/// A source whose messages never repeat stops being remembered for a
/// while, and is mined exactly as before all the same.
#[test]
fn messages_that_never_repeat_are_let_pass_unremembered() {
    let unique: Vec<String> = (0..MAX_REPEATS + 10)
        .map(|i| format!("received block blk_{i} of size {}", i * 7))
        .collect();
    let mut messages: Vec<&str> = unique.iter().map(String::as_str).collect();
    messages.extend(["disk full", "disk full"]);
    assert_repeats_mine_alike(&messages);
    let mut repeats = Repeats::default();
    let mut miner = Miner::new();
    for m in &messages {
        repeats.add(&mut miner, m, message_hash(m), str::len);
    }
    assert!(repeats.resting > 0 && repeats.resting < REST_MESSAGES);
    assert!(repeats.entries.len() < MAX_REPEATS);
}

/// Past `MAX_SEEN` masked lines the miner forgets them; a repeat
/// remembered from before must then be placed anew, as the miner alone
/// would place it. Messages too long to be remembered fill the miner's
/// memory without filling that of `Repeats`.
#[test]
fn repeats_stay_exact_when_the_miner_forgets() {
    let word = |mut i: usize| {
        let mut w = String::new();
        loop {
            w.push(char::from(b'a' + (i % 26) as u8));
            i /= 26;
            if i == 0 {
                return w;
            }
        }
    };
    let padding = "x".repeat(MAX_REPEAT_BYTES);
    let long: Vec<String> = (0..MAX_SEEN)
        .map(|i| format!("{} {} finished {padding}", word(i), word(i + 7)))
        .collect();
    let short = ["pool alpha ready", "pool beta ready", "disk full"];
    let mut messages: Vec<&str> = short.to_vec();
    messages.extend(long.iter().map(String::as_str));
    messages.extend(short);
    assert_repeats_mine_alike(&messages);
}
