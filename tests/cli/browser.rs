//! The review page in a real browser: Debian's chromium, headless, driven
//! through chromedriver's WebDriver API (plain HTTP and JSON, spoken here
//! over a `TcpStream`). A missing browser or driver fails the test: CI
//! installs both (.ci/run).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::util::{ingest_demo, stderr, stdout, Scratch};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key WebDriver names an element by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Kills the child when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request; the answer's status and body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver keeps the connection open whatever the request says:
    // the body ends where its Content-Length says.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let (head, length) = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break (String::from_utf8_lossy(&raw).into_owned(), None);
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).into_owned();
            raw.drain(..end + 4);
            let length = head.lines().find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            });
            break (head, length);
        }
    };
    match length {
        Some(n) => {
            while raw.len() < n {
                let got = stream.read(&mut buf)?;
                if got == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..got]);
            }
        }
        None => {
            stream.read_to_end(&mut raw)?;
        }
    }
    let rest = String::from_utf8_lossy(&raw).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Ok((status, if chunked { unchunk(&rest) } else { rest }))
}

fn unchunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A WebDriver session.
struct Browser {
    port: u16,
    session: String,
}

impl Browser {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let (status, text) = http(self.port, method, &path, body.as_ref()).expect("webdriver");
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(status, 200, "{method} {path}: {text}");
        v["value"].clone()
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Answers the page's `prompt()` with `text`.
    fn answer_prompt(&self, text: &str) {
        wait_for("the prompt", || {
            let path = format!("/session/{}/alert/text", self.session);
            matches!(http(self.port, "GET", &path, None), Ok((200, _)))
        });
        self.call("POST", "/alert/text", Some(json!({ "text": text })));
        self.call("POST", "/alert/accept", Some(json!({})));
    }

    fn wait_until(&self, what: &str, condition: &str) {
        wait_for(what, || {
            let path = format!("/session/{}/execute/sync", self.session);
            let body = json!({"script": format!("return !!({condition});"), "args": []});
            match http(self.port, "POST", &path, Some(&body)) {
                Ok((200, text)) => {
                    serde_json::from_str::<Value>(&text).is_ok_and(|v| v["value"] == true)
                }
                _ => false,
            }
        });
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

/// Standard base64, for the screenshot WebDriver returns.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n =
            chunk.iter().fold(0u32, |acc, d| (acc << 6) | u32::from(*d)) << (6 * (4 - chunk.len()));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

#[test]
fn a_reviewer_opens_evidence_hides_and_adds_in_chromium_and_the_cli_agrees() {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            std::path::Path::new(tool).exists(),
            "{tool} is missing: apt-get install -y chromium chromium-driver (as .ci/run does)"
        );
    }
    let s = Scratch::new();
    ingest_demo(&s);
    let serve_port = free_port();
    let server = Running(
        Command::new(assert_cmd::cargo::cargo_bin("factline"))
            .args(["serve", "--reviewer", "carol", "--bind"])
            .arg(format!("127.0.0.1:{serve_port}"))
            .arg("--db")
            .arg(s.db())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start factline serve"),
    );
    let driver_port = free_port();
    let _driver = Running(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_for("factline serve", || {
        matches!(http(serve_port, "GET", "/api/status", None), Ok((200, _)))
    });
    wait_for("chromedriver", || {
        http(driver_port, "GET", "/status", None)
            .is_ok_and(|(code, body)| code == 200 && body.contains("\"ready\":true"))
    });
    let profile = tempfile::tempdir().expect("profile dir");
    let capabilities = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        },
    }}});
    let (status, text) =
        http(driver_port, "POST", "/session", Some(&capabilities)).expect("new session");
    assert_eq!(status, 200, "{text}");
    let session: Value = serde_json::from_str(&text).expect("session json");
    let browser = Browser {
        port: driver_port,
        session: session["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string(),
    };
    let home = format!("http://127.0.0.1:{serve_port}/");
    browser.open(&home);
    browser.wait_until(
        "the timeline",
        "document.querySelectorAll('#entries tr.entry').length > 10",
    );

    // Open the evidence of the deploy that set it off.
    let row = "Array.from(document.querySelectorAll('#entries tr.entry'))\
               .find(r => r.dataset.summary.includes('deploy started') && r.dataset.summary.includes('2.14.0'))";
    let key = browser.script(&format!("return {row}.dataset.key;"));
    let key = key.as_str().expect("deploy row").to_string();
    browser.click(&format!("tr[data-key='{key}'] .act-evidence"));
    browser.wait_until(
        "the cited line",
        "document.querySelector('#panel-body .hit')",
    );
    let cited = browser.script("return document.querySelector('#panel-body .hit').textContent;");
    assert!(
        cited.as_str().unwrap().contains("deploy started"),
        "{cited}"
    );
    let status =
        browser.script("return document.querySelector('#panel-body .status').textContent;");
    assert_eq!(status, "ok");
    browser.click("#close");

    // Hide a row with a reason.
    let noise = browser.script(
        "return Array.from(document.querySelectorAll('#entries tr.entry'))\
         .find(r => r.dataset.summary.includes('version=4.2.1')).dataset.key;",
    );
    let noise = noise.as_str().expect("search-api deploy row").to_string();
    browser.click(&format!("tr[data-key='{noise}'] .act-hide"));
    browser.answer_prompt("another service's routine deploy");
    browser.wait_until("the hidden list", "document.querySelector('#hidden li')");

    // Add what only people know.
    browser.type_into("#add input[name=time]", "2026-11-21 00:03:00");
    browser.type_into("#add input[name=zone]", "Europe/Berlin");
    browser.type_into("#add input[name=text]", "IC opened the bridge call");
    browser.click("#add button[type=submit]");
    browser.wait_until(
        "the added entry",
        "Array.from(document.querySelectorAll('#entries tr.entry')).some(r => r.dataset.summary === 'IC opened the bridge call')",
    );

    // Both are still there after a reload.
    browser.open(&home);
    browser.wait_until(
        "the timeline",
        "document.querySelectorAll('#entries tr.entry').length > 10",
    );
    let seen = browser.script(&format!(
        "return {{hidden: document.querySelector('#hidden').textContent, \
         added: Array.from(document.querySelectorAll('#entries tr.entry')).filter(r => r.dataset.summary === 'IC opened the bridge call').map(r => r.querySelector('.time').textContent), \
         shown: !!document.querySelector(\"tr[data-key='{noise}']\")}};"
    ));
    assert!(
        seen["hidden"]
            .as_str()
            .unwrap()
            .contains("another service's routine deploy"),
        "{seen}"
    );
    assert_eq!(seen["added"], json!(["2026-11-20T23:03:00.000000Z"]));
    assert_eq!(seen["shown"], false);

    if let Ok(path) = std::env::var("FACTLINE_SCREENSHOT") {
        let png = browser.call("GET", "/screenshot", None);
        std::fs::write(path, base64_decode(png.as_str().expect("png"))).expect("screenshot");
    }
    drop(browser);
    drop(server);

    let out = s.run("timeline", &["--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let t: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(t["hidden"][0]["key"], noise);
    assert_eq!(t["hidden"][0]["reason"], "another service's routine deploy");
    assert_eq!(t["hidden"][0]["reviewer"], "carol");
    let added: Vec<&Value> = t["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["summary"] == "IC opened the bridge call")
        .collect();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["time"], "2026-11-20T23:03:00.000000Z");
    assert_eq!(added[0]["verification"], "reported");
    assert_eq!(added[0]["review"]["added"], true);
}
