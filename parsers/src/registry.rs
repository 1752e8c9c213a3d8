//! The list of built-in parsers and format detection over them.

use crate::Parser;

/// Every built-in parser, in id order.
pub fn builtin() -> Vec<Box<dyn Parser>> {
    let mut all: Vec<Box<dyn Parser>> = vec![
        Box::new(crate::access::AccessLog),
        Box::new(crate::apache_error::ApacheError),
        Box::new(crate::jsonl::JsonLines),
        Box::new(crate::logfmt::Logfmt),
        Box::new(crate::syslog::Rfc3164),
        Box::new(crate::syslog::Rfc5424),
        Box::new(crate::textlog::TextLog),
        // log formats (format-breadth work)
        Box::new(crate::cloudtrail::CloudTrail),
        Box::new(crate::docker_compose::DockerCompose),
        Box::new(crate::iis_w3c::IisW3c),
        Box::new(crate::k8s_events::K8sEvents),
        Box::new(crate::windows_events::WindowsEventXml),
        // (declarative formats: added by the `extend` below the list)
        // paging, alerting and shift parsers
        Box::new(crate::alertmanager::Alertmanager),
        Box::new(crate::opsgenie::Opsgenie),
        Box::new(crate::pagerduty_oncalls::PagerDutyOncalls),
        Box::new(crate::shifts::Shifts),
        Box::new(crate::pagerduty::PagerDuty),
        // ticket parsers
        Box::new(crate::bugzilla_csv::BugzillaCsv),
        Box::new(crate::evtx_json::EvtxJson),
        Box::new(crate::bugzilla::Bugzilla),
        Box::new(crate::github::GitHub),
        Box::new(crate::gitlab::GitLab),
        Box::new(crate::jira_csv::JiraCsv),
        Box::new(crate::jira_json::JiraJson),
        Box::new(crate::servicenow::ServiceNowCsv),
        Box::new(crate::servicenow::ServiceNowJson),
        Box::new(crate::zendesk::Zendesk),
        // chat parsers
        Box::new(crate::slack::SlackApi),
        Box::new(crate::slack::SlackExport),
        Box::new(crate::mattermost::MattermostApi),
        Box::new(crate::mattermost::MattermostBulk),
        Box::new(crate::teams::TeamsGraph),
        Box::new(crate::discord::DiscordExport),
        Box::new(crate::rocketchat::RocketChatApi),
        Box::new(crate::telegram::TelegramBotApi),
        Box::new(crate::telegram::TelegramExport),
    ];
    // Declarative line formats from parsers/formats/.
    all.extend(crate::declarative::builtin_formats());
    all.sort_by(|a, b| a.id().cmp(b.id()));
    all
}

/// The outcome of detection for one file.
#[derive(Clone, Copy)]
pub struct Detection<'a> {
    /// The chosen parser.
    pub parser: &'a dyn Parser,
    /// Its sniff confidence in percent.
    pub confidence: u8,
}

/// Picks the parser for a file from its first bytes: among the parsers that
/// accept it, the most specific wins, then the most confident, then the
/// smallest id, so the choice never depends on registration order.
pub fn detect<'a>(parsers: &'a [Box<dyn Parser>], head: &[u8]) -> Option<Detection<'a>> {
    parsers
        .iter()
        .filter_map(|p| {
            p.sniff(head).map(|confidence| Detection {
                parser: p.as_ref(),
                confidence,
            })
        })
        .max_by(|a, b| {
            (a.parser.specificity(), a.confidence)
                .cmp(&(b.parser.specificity(), b.confidence))
                .then_with(|| b.parser.id().cmp(a.parser.id()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_sorted() {
        let ids: Vec<String> = builtin().iter().map(|p| p.id().to_string()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }
}
