//! Issue 12, §4: every file `check` and `validate` read is read within a cap, and a byte
//! order mark is named. Endless inputs (`/dev/zero`, a FIFO fed without end) must stop at the
//! cap, so each of these tests ends by itself.
#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking; clippy.toml's test allowances reach only #[test] functions"
)]

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod util;

use mcp_registry_examples::check;

use util::{data, run_check, run_validate};

fn dir() -> PathBuf {
    util::scratch_dir("bounded-input")
}

fn scratch(name: &str, contents: &[u8]) -> String {
    util::scratch("bounded-input", name, contents)
}

/// A FIFO with a thread writing to it without end, until no one reads it any more.
struct EndlessFifo {
    path: PathBuf,
    writer: Option<JoinHandle<()>>,
}

impl EndlessFifo {
    fn new(name: &str) -> Self {
        let path = dir().join(name);
        let _ = std::fs::remove_file(&path);
        assert!(
            Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap()
                .success()
        );
        let target = path.clone();
        let writer = std::thread::spawn(move || {
            // Opening for writing waits for a reader. Rust ignores SIGPIPE, so once the reader
            // is gone a write fails with a broken pipe and the loop ends.
            let Ok(mut fifo) = OpenOptions::new().write(true).open(&target) else {
                return;
            };
            let chunk = vec![b' '; 64 * 1024];
            while fifo.write_all(&chunk).is_ok() {}
        });
        Self {
            path,
            writer: Some(writer),
        }
    }

    fn path(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

impl Drop for EndlessFifo {
    fn drop(&mut self) {
        let Some(writer) = self.writer.take() else {
            return;
        };
        // Should the command never have opened the FIFO, the writer still waits for a reader:
        // be one for a moment (read-write opens do not wait on Linux), so it starts, fails
        // and ends.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !writer.is_finished() && Instant::now() < deadline {
            drop(OpenOptions::new().read(true).write(true).open(&self.path));
            std::thread::sleep(Duration::from_millis(10));
        }
        let finished = writer.is_finished();
        if finished {
            writer.join().unwrap();
        }
        let _ = std::fs::remove_file(&self.path);
        assert!(
            finished || std::thread::panicking(),
            "the FIFO writer did not end"
        );
    }
}

/// Larger than every sample file.
const CAP: &str = "4KiB";
const CAP_ERROR: &str = "larger than the input cap of 4 KiB (raise it with --max-input-bytes N)";

#[test]
fn check_stops_reading_dev_zero_at_the_cap() {
    let start = Instant::now();
    let (code, out, err) =
        run_check(&["--max-input-bytes", CAP, "/dev/zero", &data("request.json")]);
    assert_eq!((code, out.as_str()), (check::INVALID, ""));
    assert_eq!(err, format!("mcp-registry check: /dev/zero: {CAP_ERROR}\n"));
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn check_stops_reading_an_endless_fifo_at_the_cap() {
    let fifo = EndlessFifo::new("check-request.fifo");
    let (code, _, err) = run_check(&["--max-input-bytes=4096", &data("policy.json"), fifo.path()]);
    assert_eq!(code, check::INVALID);
    assert_eq!(
        err,
        format!("mcp-registry check: {}: {CAP_ERROR}\n", fifo.path())
    );
}

#[test]
fn check_reads_a_file_at_the_cap_and_refuses_one_byte_more() {
    // The sample request, padded with white space to 3000 bytes, twice the sample policy.
    let mut request = std::fs::read(data("request.json")).unwrap();
    request.resize(3000, b' ');
    let request = scratch("padded-request.json", &request);
    let (code, _, err) = run_check(&["--max-input-bytes", "3000", &data("policy.json"), &request]);
    assert_eq!((code, err.as_str()), (check::ALLOW, ""));
    let (code, _, err) = run_check(&["--max-input-bytes", "2999", &data("policy.json"), &request]);
    assert_eq!(code, check::INVALID);
    assert_eq!(
        err,
        format!(
            "mcp-registry check: {request}: larger than the input cap of 2999 bytes \
             (raise it with --max-input-bytes N)\n"
        )
    );
}

#[test]
fn check_names_byte_order_marks() {
    let policy = std::fs::read(data("policy.json")).unwrap();
    let with_bom = scratch(
        "bom-policy.json",
        &[b"\xef\xbb\xbf".as_slice(), &policy].concat(),
    );
    let (code, _, err) = run_check(&[&with_bom, &data("request.json")]);
    assert_eq!(code, check::INVALID);
    assert_eq!(
        err,
        format!(
            "mcp-registry check: {with_bom}: starts with a UTF-8 byte order mark (BOM); \
             save the file without it\n"
        )
    );
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain("{}".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16 = scratch("utf16-request.json", &utf16);
    let (code, _, err) = run_check(&[&data("policy.json"), &utf16]);
    assert_eq!(code, check::INVALID);
    assert_eq!(
        err,
        format!(
            "mcp-registry check: {utf16}: starts with a UTF-16 little-endian byte order mark \
             (BOM); save the file as UTF-8 without a BOM\n"
        )
    );
}

#[test]
fn check_rejects_a_bad_cap() {
    let (code, out, err) = run_check(&["--max-input-bytes", "much", "p", "r"]);
    assert_eq!(code, check::INVALID);
    util::assert_usage_error(code, &out, &err, "--max-input-bytes");
    assert!(
        err.starts_with(
            "error: invalid value 'much' for '--max-input-bytes <N>': expected a size in bytes, \
             or with a KiB, MiB or GiB suffix\n"
        ),
        "{err}"
    );
}

#[test]
fn validate_stops_at_the_cap_and_goes_on_with_the_next_file() {
    let fifo = EndlessFifo::new("validate.fifo");
    let weather = data("servers/weather.json");
    let (code, out, err) = run_validate(&[
        "--json",
        "--max-input-bytes",
        CAP,
        "/dev/zero",
        fifo.path(),
        &weather,
    ]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err,
        format!(
            "mcp-registry validate: /dev/zero: {CAP_ERROR}\n\
             mcp-registry validate: {}: {CAP_ERROR}\n",
            fifo.path()
        )
    );
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["error"], CAP_ERROR);
    assert_eq!(lines[1]["error"], CAP_ERROR);
    assert_eq!(lines[2]["valid"], true);
}

#[test]
fn validate_has_a_default_cap_of_64_mib() {
    // A sparse file: its size is over the cap, and it is refused from its size, unread.
    let path = dir().join("sparse.json");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(64 * 1024 * 1024 + 1).unwrap();
    let (code, _, err) = run_validate(&[path.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err,
        format!(
            "mcp-registry validate: {}: larger than the input cap of 64 MiB \
             (raise it with --max-input-bytes N)\n",
            path.display()
        )
    );
}

#[test]
fn validate_names_byte_order_marks() {
    let weather = std::fs::read(data("servers/weather.json")).unwrap();
    let with_bom = scratch(
        "bom-server.json",
        &[b"\xef\xbb\xbf".as_slice(), &weather].concat(),
    );
    let (code, out, err) = run_validate(&["--json", &with_bom]);
    assert_eq!(code, Some(2));
    let message = "starts with a UTF-8 byte order mark (BOM); save the file without it";
    assert_eq!(
        err,
        format!("mcp-registry validate: {with_bom}: {message}\n")
    );
    let line: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(line["error"], message);
}
