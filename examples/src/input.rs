//! Reading the files the commands are given, within a size cap.
//!
//! Every file `validate` and `check` read (server documents, policies, settings, requests)
//! goes through [`read_input`], which reads at most the cap and stops there, so `/dev/zero`,
//! an endless FIFO or a huge file costs at most the cap in memory, never all of it. The cap is
//! [`DEFAULT_MAX_INPUT_BYTES`] (64 MiB: a policy or request is a few kilobytes, a whole
//! registry export tens of megabytes) and `--max-input-bytes N` changes it, in bytes or with a
//! `KiB`, `MiB` or `GiB` suffix. A file over the cap is an error:
//!
//! ```text
//! mcp-registry check: big.json: larger than the input cap of 64 MiB (raise it with --max-input-bytes N)
//! ```
//!
//! A file that starts with a byte order mark is an error with its own message too: JSON has
//! none (RFC 8259 §8.1), and a parser would only say that the first character is unexpected.

use std::fmt;
use std::fs::File;
use std::io::Read as _;

/// The cap when no `--max-input-bytes` is given: 64 MiB.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 64 * MIB;

/// The option that sets the cap.
pub const MAX_INPUT_FLAG: &str = "--max-input-bytes";

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// Why a file could not be read.
#[non_exhaustive]
#[derive(Debug)]
pub enum InputError {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// The file holds more than the cap, in bytes.
    TooLarge(u64),
    /// The file starts with a byte order mark, of the encoding named.
    ByteOrderMark(&'static str),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(error) => write!(f, "{error}"),
            Self::TooLarge(cap) => write!(
                f,
                "larger than the input cap of {} (raise it with {MAX_INPUT_FLAG} N)",
                Size(*cap)
            ),
            Self::ByteOrderMark("UTF-8") => {
                f.write_str("starts with a UTF-8 byte order mark (BOM); save the file without it")
            }
            Self::ByteOrderMark(encoding) => write!(
                f,
                "starts with a {encoding} byte order mark (BOM); save the file as UTF-8 \
                 without a BOM"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// Reads the file at `path`, at most `cap` bytes of it.
///
/// # Errors
///
/// [`InputError::TooLarge`] when the file holds more than `cap` bytes (found from its size for
/// a regular file, by reading one byte past the cap for anything else, so reading stops
/// there); [`InputError::ByteOrderMark`] when it starts with a UTF-8, UTF-16 or UTF-32 byte
/// order mark; [`InputError::Io`] when it cannot be opened or read.
pub fn read_input(path: &str, cap: u64) -> Result<Vec<u8>, InputError> {
    let file = File::open(path).map_err(InputError::Io)?;
    let size = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    if size.is_some_and(|size| size > cap) {
        return Err(InputError::TooLarge(cap));
    }
    // A regular file's size is a good first guess; the reader grows the buffer if it grew.
    let guess = size.unwrap_or(8 * KIB).min(cap);
    let mut bytes = Vec::with_capacity(usize::try_from(guess).unwrap_or(0));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(InputError::Io)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > cap {
        return Err(InputError::TooLarge(cap));
    }
    match byte_order_mark(&bytes) {
        Some(encoding) => Err(InputError::ByteOrderMark(encoding)),
        None => Ok(bytes),
    }
}

/// The encoding whose byte order mark `bytes` starts with. UTF-32 little-endian starts with
/// the UTF-16 little-endian mark, so it is checked first.
fn byte_order_mark(bytes: &[u8]) -> Option<&'static str> {
    const MARKS: [(&[u8], &str); 5] = [
        (&[0xef, 0xbb, 0xbf], "UTF-8"),
        (&[0xff, 0xfe, 0x00, 0x00], "UTF-32 little-endian"),
        (&[0x00, 0x00, 0xfe, 0xff], "UTF-32 big-endian"),
        (&[0xff, 0xfe], "UTF-16 little-endian"),
        (&[0xfe, 0xff], "UTF-16 big-endian"),
    ];
    MARKS
        .iter()
        .find(|(mark, _)| bytes.starts_with(mark))
        .map(|&(_, encoding)| encoding)
}

/// Reads a cap as `--max-input-bytes` takes it: bytes, or a number with a `KiB`, `MiB` or
/// `GiB` suffix.
///
/// # Errors
///
/// What is wrong, for clap's usage error, when `text` is not such a size.
pub fn parse_cap(text: &str) -> Result<u64, String> {
    let (number, unit) = [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)]
        .iter()
        .find_map(|&(suffix, unit)| text.strip_suffix(suffix).map(|n| (n, unit)))
        .unwrap_or((text, 1));
    number
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| "expected a size in bytes, or with a KiB, MiB or GiB suffix".to_owned())
}

/// The `--max-input-bytes N` option of the commands that read files.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct InputArgs {
    /// Read at most N bytes of each file: a number of bytes, or one with a KiB, MiB or GiB
    /// suffix
    #[arg(long = "max-input-bytes", value_name = "N", default_value = "64MiB", value_parser = parse_cap)]
    pub max_input_bytes: u64,
}

thread_local! {
    /// The cap of the command running on this thread; see [`CapScope`].
    static CAP: std::cell::Cell<u64> = const { std::cell::Cell::new(DEFAULT_MAX_INPUT_BYTES) };
}

/// Sets the cap [`current_cap`] gives on this thread until it is dropped, when the previous
/// one is back. `check` reads files in several helpers; this keeps their signatures as they
/// are while every read gets the cap of the command line.
#[must_use = "the cap is set only while the scope lives"]
pub struct CapScope {
    previous: u64,
}

impl CapScope {
    /// Sets `cap` for this thread.
    pub fn set(cap: u64) -> Self {
        Self {
            previous: CAP.with(|c| c.replace(cap)),
        }
    }
}

impl Drop for CapScope {
    fn drop(&mut self) {
        CAP.with(|c| c.set(self.previous));
    }
}

/// The cap set by the innermost live [`CapScope`] on this thread, or the default.
pub fn current_cap() -> u64 {
    CAP.with(std::cell::Cell::get)
}

/// A cap in the largest binary unit that divides it exactly.
struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        match [(GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")]
            .iter()
            .find(|&&(unit, _)| bytes >= unit && bytes.is_multiple_of(unit))
        {
            Some(&(unit, name)) => write!(f, "{} {name}", bytes / unit),
            None if bytes == 1 => f.write_str("1 byte"),
            None => write!(f, "{bytes} bytes"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str, contents: &[u8]) -> String {
        let dir = std::env::temp_dir().join(format!("mcp-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }

    #[test]
    fn a_file_at_the_cap_reads_and_one_byte_more_does_not() {
        let at = scratch("at-cap.json", &[b' '; 100]);
        assert_eq!(read_input(&at, 100).unwrap().len(), 100);
        let over = scratch("over-cap.json", &[b' '; 101]);
        assert_eq!(
            read_input(&over, 100).unwrap_err().to_string(),
            "larger than the input cap of 100 bytes (raise it with --max-input-bytes N)"
        );
    }

    #[test]
    fn dev_zero_stops_at_the_cap() {
        assert_eq!(
            read_input("/dev/zero", MIB).unwrap_err().to_string(),
            "larger than the input cap of 1 MiB (raise it with --max-input-bytes N)"
        );
    }

    #[test]
    fn byte_order_marks_are_named() {
        let cases: [(&[u8], &str); 5] = [
            (
                b"\xef\xbb\xbf{}",
                "UTF-8 byte order mark (BOM); save the file without it",
            ),
            (
                b"\xff\xfe{\0}\0",
                "UTF-16 little-endian byte order mark (BOM); save the file as UTF-8 without a BOM",
            ),
            (
                b"\xfe\xff\0{\0}",
                "UTF-16 big-endian byte order mark (BOM); save the file as UTF-8 without a BOM",
            ),
            (
                b"\xff\xfe\0\0{\0\0\0",
                "UTF-32 little-endian byte order mark (BOM); save the file as UTF-8 without a BOM",
            ),
            (
                b"\0\0\xfe\xff\0\0\0{",
                "UTF-32 big-endian byte order mark (BOM); save the file as UTF-8 without a BOM",
            ),
        ];
        for (i, (bytes, message)) in cases.into_iter().enumerate() {
            let file = scratch(&format!("bom-{i}.json"), bytes);
            assert_eq!(
                read_input(&file, MIB).unwrap_err().to_string(),
                format!("starts with a {message}")
            );
        }
        let plain = scratch("no-bom.json", "{\"a\": \"\u{feff}\"}".as_bytes());
        assert!(read_input(&plain, MIB).is_ok());
    }

    #[test]
    fn caps_parse_with_units_and_print_in_the_largest_exact_unit() {
        assert_eq!(parse_cap("1048576"), Ok(MIB));
        assert_eq!(parse_cap("16MiB"), Ok(16 * MIB));
        assert_eq!(parse_cap("2 GiB"), Ok(2 * GIB));
        assert_eq!(parse_cap("3KiB"), Ok(3 * KIB));
        assert_eq!(
            parse_cap("lots"),
            Err("expected a size in bytes, or with a KiB, MiB or GiB suffix".to_owned())
        );
        assert!(parse_cap("99999999999999GiB").is_err());
        assert_eq!(Size(64 * MIB).to_string(), "64 MiB");
        assert_eq!(Size(1536).to_string(), "1536 bytes");
        assert_eq!(Size(1).to_string(), "1 byte");
        assert_eq!(Size(0).to_string(), "0 bytes");
    }

    #[test]
    fn the_option_defaults_to_the_default_cap() {
        #[derive(clap::Parser)]
        struct Line {
            #[command(flatten)]
            input: InputArgs,
        }
        let parse = |args: &[&str]| {
            <Line as clap::Parser>::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
                .map(|line| line.input.max_input_bytes)
        };
        assert_eq!(parse(&[]).unwrap(), DEFAULT_MAX_INPUT_BYTES);
        assert_eq!(parse(&["--max-input-bytes=2KiB"]).unwrap(), 2 * KIB);
        assert!(parse(&["--max-input-bytes", "lots"]).is_err());
    }

    #[test]
    fn cap_scopes_nest_and_restore() {
        assert_eq!(current_cap(), DEFAULT_MAX_INPUT_BYTES);
        {
            let _outer = CapScope::set(10);
            {
                let _inner = CapScope::set(20);
                assert_eq!(current_cap(), 20);
            }
            assert_eq!(current_cap(), 10);
        }
        assert_eq!(current_cap(), DEFAULT_MAX_INPUT_BYTES);
    }
}
