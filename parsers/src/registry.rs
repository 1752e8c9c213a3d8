//! The list of built-in parsers and format detection over them.

use crate::Parser;

/// Every built-in parser, in id order.
pub fn builtin() -> Vec<Box<dyn Parser>> {
    let mut all: Vec<Box<dyn Parser>> = vec![
        // logs
        Box::new(crate::logs::access::AccessLog),
        Box::new(crate::logs::apache_error::ApacheError),
        Box::new(crate::logs::aws_alb::AwsAlb),
        Box::new(crate::logs::ci_jobs::GitHubActions),
        Box::new(crate::logs::ci_jobs::GitLabCi),
        Box::new(crate::logs::cloudtrail::CloudTrail),
        Box::new(crate::logs::docker_compose::DockerCompose),
        Box::new(crate::logs::evtx_json::EvtxJson),
        Box::new(crate::logs::iis_w3c::IisW3c),
        Box::new(crate::logs::jsonl::JournaldPretty),
        Box::new(crate::logs::jsonl::JsonLines),
        Box::new(crate::logs::k8s_events::K8sEvents),
        Box::new(crate::logs::logfmt::Logfmt),
        Box::new(crate::logs::syslog::Rfc3164),
        Box::new(crate::logs::syslog::Rfc5424),
        Box::new(crate::logs::textlog::TextLog),
        Box::new(crate::logs::windows_events::WindowsEventXml),
        // chat
        Box::new(crate::chat::discord::DiscordExport),
        Box::new(crate::chat::mattermost::MattermostApi),
        Box::new(crate::chat::mattermost::MattermostBulk),
        Box::new(crate::chat::rocketchat::RocketChatApi),
        Box::new(crate::chat::slack::SlackApi),
        Box::new(crate::chat::slack::SlackExport),
        Box::new(crate::chat::teams::TeamsGraph),
        Box::new(crate::chat::telegram::TelegramBotApi),
        Box::new(crate::chat::telegram::TelegramExport),
        // paging and alerting
        Box::new(crate::paging::alertmanager::Alertmanager),
        Box::new(crate::paging::opsgenie::Opsgenie),
        Box::new(crate::paging::pagerduty::PagerDuty),
        Box::new(crate::paging::pagerduty_oncalls::PagerDutyOncalls),
        // status pages and incident tools
        Box::new(crate::incidents::aws_incident_manager::AwsIncidentManager),
        Box::new(crate::incidents::datadog_incidents::DatadogIncidents),
        Box::new(crate::incidents::sentry::Sentry),
        Box::new(crate::incidents::statuspage::Statuspage),
        // tickets
        Box::new(crate::tickets::bugzilla::Bugzilla),
        Box::new(crate::tickets::bugzilla_csv::BugzillaCsv),
        Box::new(crate::tickets::github::GitHub),
        Box::new(crate::tickets::gitlab::GitLab),
        Box::new(crate::tickets::jira_csv::JiraCsv),
        Box::new(crate::tickets::jira_json::JiraJson),
        Box::new(crate::tickets::servicenow::ServiceNowCsv),
        Box::new(crate::tickets::servicenow::ServiceNowJson),
        Box::new(crate::tickets::zendesk::Zendesk),
        // log platforms
        Box::new(crate::platforms::azure_monitor::AzureMonitor),
        Box::new(crate::platforms::cloudwatch::CloudWatchEvents),
        Box::new(crate::platforms::containers::CriLog),
        Box::new(crate::platforms::containers::DockerJsonLog),
        Box::new(crate::platforms::csv_log::CsvLog),
        Box::new(crate::platforms::cloudwatch::CloudWatchInsights),
        Box::new(crate::platforms::cloudwatch::CloudWatchInsightsCsv),
        Box::new(crate::platforms::datadog::DatadogLogs),
        Box::new(crate::platforms::datadog::DatadogLogsCsv),
        Box::new(crate::platforms::elasticsearch::Elasticsearch),
        Box::new(crate::platforms::gcp_logging::GcpLogging),
        Box::new(crate::platforms::loki::Logcli),
        Box::new(crate::platforms::loki::LokiApi),
        Box::new(crate::platforms::splunk::SplunkCsv),
        Box::new(crate::platforms::splunk::SplunkJson),
        // shift sheets
        Box::new(crate::shifts::Shifts),
    ];
    // The declarative line formats of parsers/formats/.
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
    crate::ranking::best_sniff(parsers.iter().map(|p| p.as_ref()), head)
        .map(|(_, parser, confidence)| Detection { parser, confidence })
}

/// What a file no parser detects is, when one parser knows its shape but
/// finds nothing timed in it ([`Parser::untimed`]), with that parser's id.
pub fn untimed<'a>(parsers: &'a [Box<dyn Parser>], head: &[u8]) -> Option<(&'a str, String)> {
    parsers
        .iter()
        .find_map(|p| p.untimed(head).map(|what| (p.id(), what)))
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
