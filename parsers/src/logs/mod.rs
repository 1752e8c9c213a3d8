//! Log formats with a parser of their own (the declarative formats of
//! `parsers/formats/` live in `declarative`): line formats (access,
//! Apache error, logfmt, syslog, free text, Docker Compose, IIS W3C), JSON
//! lines, and JSON or XML event exports (CloudTrail, Kubernetes events,
//! Windows events).

pub(crate) mod access;
pub(crate) mod apache_error;
pub(crate) mod cloudtrail;
pub(crate) mod docker_compose;
pub(crate) mod evtx_json;
pub(crate) mod iis_w3c;
pub(crate) mod jsonl;
pub(crate) mod k8s_events;
pub(crate) mod logfmt;
pub(crate) mod syslog;
pub(crate) mod textlog;
pub(crate) mod windows_events;
