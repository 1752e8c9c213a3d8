//! Chat samples from GPL and AGPL projects, which must not be copied into
//! this repository (fixtures/SOURCES.md): checked in place in
//! `../shared/corpus` when that folder exists beside the project, skipped
//! with a note otherwise (a failure with `FACTLINE_REQUIRE_CORPUS=1`, as in
//! CI).

use std::path::PathBuf;

use factline_parsers::{Collected, Context};

use crate::util::{attr, detected_id, parser, utc};

fn corpus() -> Option<PathBuf> {
    crate::outside::corpus("GPL/AGPL chat samples")
}

/// Detects and parses a corpus file as the pipeline would, with the
/// companions the parser asks for from the file's export root.
fn parse(
    root: &std::path::Path,
    relative: &str,
    expected: &str,
    export_root: Option<&str>,
) -> Collected {
    let bytes = std::fs::read(root.join(relative)).expect("corpus file");
    assert_eq!(detected_id(&bytes).as_deref(), Some(expected), "{relative}");
    let p = parser(expected);
    let companions: Vec<(String, Vec<u8>)> = export_root
        .map(|dir| {
            p.companions()
                .iter()
                .filter_map(|name| {
                    let bytes = std::fs::read(root.join(dir).join(name)).ok()?;
                    Some((name.to_string(), bytes))
                })
                .collect()
        })
        .unwrap_or_default();
    let path = export_root
        .and_then(|dir| relative.strip_prefix(dir))
        .map(|p| p.trim_start_matches('/'))
        .unwrap_or(relative);
    let mut out = Collected::default();
    p.parse_in(
        &bytes,
        &Context {
            path,
            companions: &companions,
        },
        &mut out,
    );
    // A Web API page that says `has_more` is reported as one problem; the
    // corpus history page is the first of several.
    let paged =
        "more messages not in this export: the response has has_more: true — fetch every page";
    assert!(
        out.problems.iter().all(|p| p.reason == paged),
        "{relative}: {:?}",
        out.problems
    );
    out
}

const SLACKDUMP: &str = "slack-export/slackdump_export_obfuscated";

#[test]
fn slackdump_export_with_companions() {
    let Some(root) = corpus() else { return };
    let day1 = parse(
        &root,
        &format!("{SLACKDUMP}/B75B4C7/2025-01-10.json"),
        "slack-export",
        Some(SLACKDUMP),
    );
    assert_eq!(day1.records.len(), 2);
    let first = &day1.records[0];
    assert_eq!(utc(first), "2025-01-10T03:08:34.897649Z");
    // users.json wins over the embedded profile.
    assert_eq!(first.actor.as_deref(), Some("kPVTqHcBWssWFAU"));
    assert_eq!(first.service.as_deref(), Some("B75B4C7"));
    assert_eq!(first.human, Some(true));
    let parent = &day1.records[1];
    assert_eq!(utc(parent), "2025-01-10T03:10:30.905399Z");
    assert_eq!(attr(parent, "reply_count"), Some("2"));

    let day2 = parse(
        &root,
        &format!("{SLACKDUMP}/B75B4C7/2025-01-11.json"),
        "slack-export",
        Some(SLACKDUMP),
    );
    assert_eq!(day2.records.len(), 11);
    let join = &day2.records[0];
    assert_eq!(utc(join), "2025-01-11T00:17:16.807919Z");
    assert!(join.chatter);
    // A reply to the parent of the day before.
    let reply = &day2.records[1];
    assert_eq!(utc(reply), "2025-01-11T00:19:06.482349Z");
    assert_eq!(attr(reply, "thread_ts"), Some("1736478630.905399"));
    assert_eq!(attr(reply, "parent_user_id"), Some("UOF82F39AE"));
    let tombstone = &day2.records[5];
    assert_eq!(utc(tombstone), "2025-01-11T00:20:28.343759Z");
    assert_eq!(attr(tombstone, "deleted"), Some("true"));
    assert!(tombstone.chatter);
    assert_eq!(tombstone.human, Some(false));
    let file_only = &day2.records[10];
    assert_eq!(utc(file_only), "2025-01-11T08:02:04.607359Z");
    assert!(file_only.message.starts_with("[file: "));

    let bot_day = parse(
        &root,
        &format!("{SLACKDUMP}/B75B4C7/2025-01-18.json"),
        "slack-export",
        Some(SLACKDUMP),
    );
    let bot = &bot_day.records[0];
    assert_eq!(utc(bot), "2025-01-18T00:32:43.583369Z");
    assert_eq!(bot.human, Some(false));
    assert_eq!(bot.actor.as_deref(), Some("2NR0w"));
    assert_eq!(attr(bot, "edited_at"), Some("2025-01-18T00:32:51.000000Z"));

    // Without users.json the embedded profile still names the author.
    let bare = parse(
        &root,
        &format!("{SLACKDUMP}/B75B4C7/2025-01-24.json"),
        "slack-export",
        None,
    );
    assert_eq!(utc(&bare.records[1]), "2025-01-24T10:59:02.919259Z");
    assert_eq!(bare.records[1].actor.as_deref(), Some("WgO268Xc0KtFylJ"));
}

#[test]
fn slack_web_api_history() {
    let Some(root) = corpus() else { return };
    let out = parse(
        &root,
        "slack-api/conversations_history.json",
        "slack-api",
        None,
    );
    assert_eq!(out.records.len(), 7);
    let comment = &out.records[0];
    assert_eq!(utc(comment), "2017-02-13T15:31:40.000000Z");
    assert_eq!(
        comment.message,
        "@dizquierdo commented on @acs file>: Thanks."
    );
    assert_eq!(comment.actor.as_deref(), Some("U0003"));
    let bot = &out.records[1];
    assert_eq!(utc(bot), "2017-02-13T07:00:00.000136Z");
    assert_eq!(bot.human, Some(false));
    assert_eq!(bot.actor.as_deref(), Some("B0001"));
    assert!(out.records[2].chatter);
    assert_eq!(utc(&out.records[6]), "2015-03-23T18:35:33.000068Z");
    assert_eq!(out.records[6].locator.as_deref(), Some("$.messages[6]"));
}

#[test]
fn slack_web_api_history_with_users_info_beside_it() {
    let Some(root) = corpus() else { return };
    let out = parse(
        &root,
        "slack-api/conversations_history.json",
        "slack-api",
        Some("slack-api"),
    );
    // U0001 is the user of users_info.json; U0002 stays an id.
    let known = &out.records[5];
    assert_eq!(utc(known), "2015-03-23T18:35:40.000069Z");
    assert_eq!(known.actor.as_deref(), Some("Alvaro del Castillo"));
    assert_eq!(out.records[4].actor.as_deref(), Some("U0002"));
}

#[test]
fn mattermost_api_v4_pages() {
    let Some(root) = corpus() else { return };
    let out = parse(
        &root,
        "mattermost/api_v4_channel_posts.json",
        "mattermost-api",
        None,
    );
    assert_eq!(out.records.len(), 5);
    let reply = &out.records[0];
    assert_eq!(utc(reply), "2018-04-12T15:27:26.639000Z");
    assert_eq!(reply.message, "El Madrid también en semis");
    assert_eq!(attr(reply, "root_id"), Some("pot46s7kjif7xx6x91ua7m4d7y"));
    assert_eq!(
        reply.locator.as_deref(),
        Some("$.posts.59io5i1f5bbetxtj6mbm67fouw")
    );
    // edit_at and delete_at are 0: never.
    assert_eq!(attr(reply, "edited_at"), None);
    assert_eq!(attr(reply, "deleted"), None);
    assert_eq!(utc(&out.records[1]), "2018-04-12T09:43:49.586000Z");

    let page2 = parse(
        &root,
        "mattermost/api_v4_channel_posts_page2.json",
        "mattermost-api",
        None,
    );
    assert_eq!(page2.records.len(), 4);
    let join = &page2.records[0];
    assert_eq!(utc(join), "2018-04-12T09:39:41.213000Z");
    assert!(join.chatter);
    assert_eq!(join.human, Some(false));
    assert_eq!(utc(&page2.records[3]), "2018-04-12T09:43:07.090000Z");
    assert!(!page2.records[3].chatter);
}

#[test]
fn rocketchat_channel_messages() {
    let Some(root) = corpus() else { return };
    let out = parse(
        &root,
        "rocketchat/channels_messages_page1.json",
        "rocketchat-api",
        None,
    );
    assert_eq!(out.records.len(), 2);
    let first = &out.records[0];
    assert_eq!(utc(first), "2020-05-02T07:30:42.993000Z");
    assert_eq!(first.actor.as_deref(), Some("Animesh Kumar"));
    assert_eq!(attr(first, "username"), Some("animesh_username1"));
    assert_eq!(attr(first, "reactions"), Some("cool:1,wait:1"));
    let reply = &out.records[1];
    assert_eq!(utc(reply), "2020-05-02T07:31:26.007000Z");
    assert_eq!(attr(reply, "reply_to"), Some("4AwA2eJQ7xBgPZ4mv"));
    assert_eq!(
        attr(reply, "edited_at"),
        Some("2020-05-02T07:31:56.711000Z")
    );
    // A hidden copy pointing at another message is an earlier version.
    assert!(reply.chatter);
}

#[test]
fn telegram_bot_updates() {
    let Some(root) = corpus() else { return };
    let out = parse(
        &root,
        "telegram/bot_getupdates.json",
        "telegram-bot-api",
        None,
    );
    assert!(out.records.len() >= 3);
    let first = &out.records[0];
    assert_eq!(utc(first), "2016-06-30T12:22:05.000000Z");
    assert_eq!(first.message, "Testing, testing");
    assert_eq!(first.actor.as_deref(), Some("Santi"));
    assert_eq!(attr(first, "username"), Some("sdd"));
    assert_eq!(first.service.as_deref(), Some("Testing Telegram Bots"));
    assert_eq!(utc(&out.records[2]), "2016-06-30T12:22:51.000000Z");
    assert_eq!(out.records[2].actor.as_deref(), Some("Alvaro"));
}
