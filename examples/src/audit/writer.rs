//! [`AuditWriter`]: appends audit records to a trail file durably, repairs a write torn by a
//! crash, and signs a checkpoint every N records and on [`AuditWriter::close`].
//!
//! # What a crash can lose
//!
//! Every line is handed to the operating system with one `write` as soon as it is made (no
//! buffer in this process), so a crash of the *process* loses nothing that [`AuditWriter::write`]
//! returned. A crash of the *machine* (power, kernel) loses what was not yet flushed to the disk
//! with `fdatasync`:
//!
//! - [`FsyncPolicy::EveryRecord`]: nothing. `write` returns after the line is on the disk. A
//!   crash during `write` may leave that one line torn; the next open removes it, and that
//!   record was never reported written.
//! - [`FsyncPolicy::Grouped`]: the records written since the last sync, at most `max_records`
//!   of them. The writer syncs when a group reaches `max_records`, at the first `write` after
//!   `max_delay` has passed since the group's first record, and on [`AuditWriter::sync`] and
//!   [`AuditWriter::close`]. There is no timer thread: a writer that goes quiet keeps its last
//!   group unsynced until the next write, so a caller that wants `max_delay` as a hard bound
//!   calls [`AuditWriter::sync`] from its own timer. A caller that serves many requests can
//!   take the `fdatasync` out of its request path: [`AuditWriter::write_deferred`] hands a due
//!   sync back as a [`PendingSync`] to run without the writer's lock, on a thread that may
//!   block. Records written while it runs join the next group, so that group can pass
//!   `max_records` by what is written during one `fdatasync`. What is lost is normally the
//!   end of the file, and a torn last line is repaired on the next open; but a file system
//!   may write unsynced blocks out of order and leave zeros (or old bytes) in the middle of
//!   the unsynced part, which the next open does not look at and `verify` reports as
//!   malformed or broken lines there.
//!
//! Either way, records after the last checkpoint are unsigned until the next one: a verifier
//! reports them as an unsigned tail (see [`mcp_policy::audit::verify`]).

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_policy::audit::{AuditError, AuditRecord, Chain, SigningKey, parse_signing_key};

use crate::input::read_input;

/// How many times a busy lock is tried, [`LOCK_RETRY`] apart, before the trail counts as
/// another writer's (about half a second in all).
const LOCK_ATTEMPTS: u32 = 50;
const LOCK_RETRY: Duration = Duration::from_millis(10);

/// When the writer makes written records durable.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum FsyncPolicy {
    /// `fdatasync` after every record: [`AuditWriter::write`] returns once it is on disk.
    EveryRecord,
    /// `fdatasync` once per group (see the [module docs](self) for what a crash can lose).
    Grouped {
        /// Sync when this many records are unsynced.
        max_records: NonZeroU64,
        /// Sync at the first write after the oldest unsynced record is this old.
        max_delay: Duration,
    },
}

/// How an [`AuditWriter`] behaves.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct WriterConfig {
    fsync: FsyncPolicy,
    checkpoint_every: Option<NonZeroU64>,
}

impl WriterConfig {
    /// Sync every record, and a checkpoint every 1000 records (and on close).
    pub fn new() -> Self {
        Self {
            fsync: FsyncPolicy::EveryRecord,
            checkpoint_every: NonZeroU64::new(1000),
        }
    }

    /// Sets the sync policy.
    pub fn with_fsync(mut self, fsync: FsyncPolicy) -> Self {
        self.fsync = fsync;
        self
    }

    /// Writes a checkpoint after every `records` records; `None` only on close and on
    /// [`AuditWriter::checkpoint`].
    pub fn with_checkpoint_every(mut self, records: Option<NonZeroU64>) -> Self {
        self.checkpoint_every = records;
        self
    }
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// What opening a trail removed: the torn end of a line that a crash cut short.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Repair {
    offset: u64,
    removed: Vec<u8>,
}

impl Repair {
    /// Where the removed bytes started (the new length of the file).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The bytes removed (at most the last 64 KiB of them are kept here).
    pub fn removed(&self) -> &[u8] {
        &self.removed
    }
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "removed a torn last line of {} bytes at offset {}",
            self.removed.len(),
            self.offset
        )
    }
}

/// Why a trail could not be opened or written.
#[non_exhaustive]
#[derive(Debug)]
pub enum WriterError {
    /// Reading or writing the file failed.
    Io(PathBuf, io::Error),
    /// Another writer holds the trail.
    Locked(PathBuf),
    /// The key file is not a private key.
    Key(PathBuf, AuditError),
    /// The trail's last complete line is not a trail line, so it cannot be continued.
    Resume(PathBuf, AuditError),
}

impl fmt::Display for WriterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(path, error) => write!(f, "{}: {error}", path.display()),
            Self::Locked(path) => {
                write!(f, "{}: another writer has the trail open", path.display())
            }
            Self::Key(path, error) | Self::Resume(path, error) => {
                write!(f, "{}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for WriterError {}

/// Appends records to one trail file, durably; one writer per file (an exclusive lock).
#[derive(Debug)]
pub struct AuditWriter {
    /// Shared with a [`PendingSync`] while one is out; only this writer writes to it.
    file: Arc<File>,
    path: PathBuf,
    chain: Chain,
    key: SigningKey,
    config: WriterConfig,
    since_checkpoint: u64,
    /// Lines written since the trail was opened, and how many of them are known synced.
    written: u64,
    synced: u64,
    oldest_unsynced: Option<Instant>,
    /// A [`PendingSync`] has been handed out and not yet given back.
    syncing: bool,
}

/// A sync of the trail taken out of its [`AuditWriter`] by [`AuditWriter::write_deferred`] or
/// [`AuditWriter::take_sync`]: [`run`](PendingSync::run) it where blocking is fine and the
/// writer's lock is not held, then give the result to [`AuditWriter::finish_sync`].
#[derive(Debug)]
#[must_use = "the writer hands out no other sync until this one runs and is finished"]
pub struct PendingSync {
    file: Arc<File>,
    path: PathBuf,
    /// The lines it covers: all written when it was taken.
    upto: u64,
    taken: Instant,
}

/// What a [`PendingSync`] made durable, for [`AuditWriter::finish_sync`].
#[derive(Debug)]
pub struct SyncDone {
    upto: u64,
    taken: Instant,
}

impl PendingSync {
    /// Runs `fdatasync` on the trail: this blocks for as long as the disk takes.
    ///
    /// # Errors
    ///
    /// When `fdatasync` fails.
    pub fn run(self) -> Result<SyncDone, WriterError> {
        self.file
            .sync_data()
            .map_err(|error| WriterError::Io(self.path.clone(), error))?;
        Ok(SyncDone {
            upto: self.upto,
            taken: self.taken,
        })
    }
}

impl AuditWriter {
    /// Opens (or creates) the trail at `path` and signs checkpoints with the private key in
    /// `key_path` (a file from `keygen`). See [`AuditWriter::open_with_key`].
    ///
    /// # Errors
    ///
    /// As [`AuditWriter::open_with_key`], and when the key file cannot be read or parsed.
    pub fn open(
        path: &Path,
        key_path: &Path,
        config: WriterConfig,
    ) -> Result<(Self, Option<Repair>), WriterError> {
        // A key file is one short line; the cap keeps a wrong path (a device, a huge file)
        // from being read whole.
        let text = read_input(&key_path.display().to_string(), 4096).map_err(|error| {
            WriterError::Io(key_path.to_owned(), io::Error::other(error.to_string()))
        })?;
        let key = parse_signing_key(&String::from_utf8_lossy(&text))
            .map_err(|error| WriterError::Key(key_path.to_owned(), error))?;
        Self::open_with_key(path, key, config)
    }

    /// Opens (or creates) the trail at `path`. A last line without its newline is the torn end
    /// of a crashed write: it is cut off, and the [`Repair`] says what went. The chain
    /// continues from the last complete line, which is trusted as it is: verify the trail to
    /// check what came before. When that line is a record, a checkpoint is due on close, and
    /// the count towards the next periodic checkpoint starts again.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened, locked, read or repaired, or its last complete line is
    /// not a trail line.
    pub fn open_with_key(
        path: &Path,
        key: SigningKey,
        config: WriterConfig,
    ) -> Result<(Self, Option<Repair>), WriterError> {
        let io_error = |error| WriterError::Io(path.to_owned(), error);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io_error)?;
        // A lock is briefly held by any child process forked (for a moment, until it execs) while
        // another writer of this process had the file open, so a busy lock is tried again for a
        // bounded moment before it counts as another writer's.
        let mut attempts = LOCK_ATTEMPTS;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if attempts > 1 => {
                    attempts -= 1;
                    std::thread::sleep(LOCK_RETRY);
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(WriterError::Locked(path.to_owned()));
                }
                Err(std::fs::TryLockError::Error(error)) => return Err(io_error(error)),
            }
        }
        sync_parent(path).map_err(io_error)?;
        let tail = Tail::read(&mut file).map_err(io_error)?;
        let repair = match tail.torn_from {
            Some(offset) => {
                let removed = tail_bytes(&mut file, offset).map_err(io_error)?;
                file.set_len(offset).map_err(io_error)?;
                file.sync_all().map_err(io_error)?;
                Some(Repair { offset, removed })
            }
            None => None,
        };
        let chain = match &tail.last_line {
            Some(line) => Chain::resume(&String::from_utf8_lossy(line))
                .map_err(|error| WriterError::Resume(path.to_owned(), error))?,
            None => Chain::new(),
        };
        let since_checkpoint = match &tail.last_line {
            Some(line) if !line.starts_with(b"{\"checkpoint\"") => 1,
            _ => 0,
        };
        Ok((
            Self {
                file: Arc::new(file),
                path: path.to_owned(),
                chain,
                key,
                config,
                since_checkpoint,
                written: 0,
                synced: 0,
                oldest_unsynced: None,
                syncing: false,
            },
            repair,
        ))
    }

    /// Appends `record`. Under [`FsyncPolicy::EveryRecord`] it is on disk when this returns;
    /// a checkpoint follows when one is due.
    ///
    /// # Errors
    ///
    /// When writing or syncing fails. The chain has then moved on past a line that may not be
    /// in the file, so the writer should be dropped and the trail reopened (which repairs it).
    pub fn write(&mut self, record: &AuditRecord) -> Result<(), WriterError> {
        self.append(record)?;
        if self.sync_due() { self.sync() } else { Ok(()) }
    }

    /// Appends `record` as [`write`](Self::write) does, but a grouped sync that falls due is
    /// handed back to be run without this writer (see [`PendingSync`]) rather than run here.
    /// None is handed back while another is out: its records wait for the next one. Under
    /// [`FsyncPolicy::EveryRecord`] the record is on disk when this returns, as with `write`.
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    pub fn write_deferred(
        &mut self,
        record: &AuditRecord,
    ) -> Result<Option<PendingSync>, WriterError> {
        self.append(record)?;
        match self.config.fsync {
            FsyncPolicy::EveryRecord => self.sync().map(|()| None),
            FsyncPolicy::Grouped { .. } if self.sync_due() => Ok(self.take_sync()),
            FsyncPolicy::Grouped { .. } => Ok(None),
        }
    }

    /// The sync of every line written so far, to run without this writer; `None` when they
    /// are all synced already or another [`PendingSync`] is out.
    pub fn take_sync(&mut self) -> Option<PendingSync> {
        if self.syncing || self.synced == self.written {
            return None;
        }
        self.syncing = true;
        Some(PendingSync {
            file: Arc::clone(&self.file),
            path: self.path.clone(),
            upto: self.written,
            taken: Instant::now(),
        })
    }

    /// Takes back a sync handed out by [`write_deferred`](Self::write_deferred) or
    /// [`take_sync`](Self::take_sync), with what running it gave.
    ///
    /// # Errors
    ///
    /// The sync's own error, given back. Records may then be lost in a machine crash, so the
    /// writer should be dropped, as after a failed [`write`](Self::write).
    pub fn finish_sync(&mut self, done: Result<SyncDone, WriterError>) -> Result<(), WriterError> {
        self.syncing = false;
        let done = done?;
        if done.upto > self.synced {
            self.synced = done.upto;
            // Lines after `upto` were written after the sync was taken, so timing their group
            // from then syncs them no later than their own bound.
            self.oldest_unsynced = (self.synced < self.written).then_some(done.taken);
        }
        Ok(())
    }

    fn append(&mut self, record: &AuditRecord) -> Result<(), WriterError> {
        let line = self.chain.append(record);
        self.write_line(&line)?;
        self.since_checkpoint += 1;
        let due = self
            .config
            .checkpoint_every
            .is_some_and(|every| self.since_checkpoint >= every.get());
        if due {
            let line = self.chain.checkpoint(&self.key);
            self.write_line(&line)?;
            self.since_checkpoint = 0;
        }
        Ok(())
    }

    /// Writes a checkpoint now (if any record is not covered yet) and syncs.
    ///
    /// # Errors
    ///
    /// When writing or syncing fails.
    pub fn checkpoint(&mut self) -> Result<(), WriterError> {
        if self.since_checkpoint > 0 {
            let line = self.chain.checkpoint(&self.key);
            self.write_line(&line)?;
            self.since_checkpoint = 0;
        }
        self.sync()
    }

    /// Makes every record written so far durable.
    ///
    /// # Errors
    ///
    /// When `fdatasync` fails.
    pub fn sync(&mut self) -> Result<(), WriterError> {
        if self.synced == self.written {
            // Everything written is on the disk already: a quiet gateway's timer costs nothing.
            return Ok(());
        }
        self.file
            .sync_data()
            .map_err(|error| WriterError::Io(self.path.clone(), error))?;
        self.synced = self.written;
        self.oldest_unsynced = None;
        Ok(())
    }

    /// Writes a final checkpoint, syncs and closes the trail.
    ///
    /// # Errors
    ///
    /// When writing or syncing fails.
    pub fn close(mut self) -> Result<(), WriterError> {
        self.checkpoint()
    }

    /// How many records the trail holds.
    pub fn records(&self) -> u64 {
        self.chain.count()
    }

    fn write_line(&mut self, line: &str) -> Result<(), WriterError> {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        // One write for the line and its newline, so that a crash tears at most this line.
        (&*self.file)
            .write_all(&bytes)
            .map_err(|error| WriterError::Io(self.path.clone(), error))?;
        self.written += 1;
        self.oldest_unsynced.get_or_insert_with(Instant::now);
        Ok(())
    }

    fn sync_due(&self) -> bool {
        match self.config.fsync {
            FsyncPolicy::EveryRecord => true,
            FsyncPolicy::Grouped {
                max_records,
                max_delay,
            } => {
                self.written - self.synced >= max_records.get()
                    || self
                        .oldest_unsynced
                        .is_some_and(|oldest| oldest.elapsed() >= max_delay)
            }
        }
    }
}

/// The end of a trail file: the last complete line, and where a torn line starts.
struct Tail {
    last_line: Option<Vec<u8>>,
    torn_from: Option<u64>,
}

const CHUNK: u64 = 64 * 1024;

impl Tail {
    /// Reads backwards from the end, a chunk at a time, so opening a large trail costs the size
    /// of its last lines, not of the file.
    fn read(file: &mut File) -> io::Result<Self> {
        let len = file.seek(SeekFrom::End(0))?;
        // Newline offsets found so far, nearest the end first; at most two are needed.
        let mut newlines: Vec<u64> = Vec::new();
        let mut end = len;
        while end > 0 && newlines.len() < 2 {
            let start = end.saturating_sub(CHUNK);
            let mut chunk = vec![0; usize::try_from(end - start).unwrap_or(0)];
            file.seek(SeekFrom::Start(start))?;
            file.read_exact(&mut chunk)?;
            for (i, byte) in chunk.iter().enumerate().rev() {
                if *byte == b'\n' {
                    newlines.push(start + i as u64);
                    if newlines.len() == 2 {
                        break;
                    }
                }
            }
            end = start;
        }
        // Bytes after the last newline are the torn end of a line; the last complete line
        // ends at that newline and starts after the one before it.
        let after_last = newlines.first().map_or(0, |&at| at + 1);
        let torn_from = (after_last < len).then_some(after_last);
        let last_line = match newlines.first() {
            None => None,
            Some(&last_end) => {
                let start = newlines.get(1).map_or(0, |&at| at + 1);
                let mut line = vec![0; usize::try_from(last_end - start).unwrap_or(0)];
                file.seek(SeekFrom::Start(start))?;
                file.read_exact(&mut line)?;
                Some(line)
            }
        };
        file.seek(SeekFrom::End(0))?;
        Ok(Self {
            last_line,
            torn_from,
        })
    }
}

/// Makes the trail's directory entry durable, so that a file just created is still there after
/// a machine crash (syncing the file alone does not guarantee that on Linux).
fn sync_parent(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        File::open(parent)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn tail_bytes(file: &mut File, offset: u64) -> io::Result<Vec<u8>> {
    let len = file.seek(SeekFrom::End(0))?;
    let start = offset.max(len.saturating_sub(CHUNK));
    let mut removed = vec![0; usize::try_from(len - start).unwrap_or(0)];
    file.seek(SeekFrom::Start(start))?;
    file.read_exact(&mut removed)?;
    file.seek(SeekFrom::End(0))?;
    Ok(removed)
}
