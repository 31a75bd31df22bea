//! Process isolation: extractors run in a child `morgue __plugin-host serve`, spoken to over
//! length-prefixed JSON on its stdin and stdout. A plugin that segfaults, aborts or hangs ends
//! or stalls only the child: the document it was working on fails with the signal or the
//! timeout, the child is started again, and the run goes on.
//!
//! Frames are a little-endian `u32` length and that many bytes. The child first sends its
//! manifests (or the error that refused its plugins); then, for each request — a JSON frame
//! naming the extractor, then the text, then the raw bytes — one JSON response frame.

use std::io::{BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::extract::{ExtractError, ExtractInput, Extraction, Extractor, Manifest, SCHEMA_VERSION};
use crate::plugin::abi::STATUS_ERROR;
use crate::plugin::host::{PluginExtractor, decode_result};
use crate::plugin::wire::{ErrorJson, RequestRef};

/// Largest frame accepted, so a corrupt length cannot make either side allocate wildly.
const MAX_FRAME: u32 = 1 << 30;

/// Writes one frame.
pub fn write_frame(out: &mut dyn Write, bytes: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(bytes.len())
        .ok()
        .filter(|l| *l <= MAX_FRAME)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "frame too large"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(bytes)
}

/// Reads one frame; `None` at a clean end of stream.
pub fn read_frame(input: &mut dyn Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    Ok(read_frame_into(input, &mut bytes)?.then_some(bytes))
}

/// Reads one frame into `bytes`, replacing what it held (its allocation is reused); `false` at
/// a clean end of stream.
pub fn read_frame_into(input: &mut dyn Read, bytes: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len);
    if len > MAX_FRAME {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    bytes.clear();
    bytes.reserve(len as usize);
    let got = input.take(u64::from(len)).read_to_end(bytes)?;
    if got < len as usize {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the stream ended inside a frame",
        ));
    }
    Ok(true)
}

/// Bytes of requests the child reads at a time, and of replies it collects before writing:
/// one system call (and one wake-up of the other side) per many documents rather than
/// several per document.
const PIPE_BUFFER: usize = 1 << 20;

/// The longest the child holds a finished reply back to write it together with the next
/// ones. Replies go out at once when no further request is waiting, so this bounds only how
/// late a reply can be behind a queue of slow documents.
const REPLY_DELAY: Duration = Duration::from_millis(2);

/// The child's first frame.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Hello {
    Manifests(Vec<Manifest>),
    Refused(String),
}

/// The child side: announces the extractors (or why they were refused) and answers requests
/// from `input` until it closes. A request is four frames — the extractor's name, the request
/// JSON, the text and the raw bytes — and the answer one frame: the ABI status byte, then the
/// result or error JSON exactly as the library wrote it.
///
/// Replies are collected and written together when no further request is already waiting (the
/// parent sends a batch at a time). A reply is never held longer than 2 ms (`REPLY_DELAY`): a
/// thread of its own writes it then, even while the next document is still being worked on,
/// so a slow or hanging document never delays the answer to the one before it.
pub fn serve(
    extractors: std::result::Result<Vec<PluginExtractor>, String>,
    input: impl Read,
    output: impl Write + Send,
) -> std::io::Result<()> {
    let mut input = BufReader::with_capacity(PIPE_BUFFER, input);
    let mut output = std::io::BufWriter::with_capacity(PIPE_BUFFER, output);
    let extractors = match extractors {
        Ok(e) => e,
        Err(message) => {
            write_frame(&mut output, &json(&Hello::Refused(message)))?;
            return output.flush();
        }
    };
    let manifests: Vec<Manifest> = extractors.iter().map(|e| e.manifest()).collect();
    write_frame(&mut output, &json(&Hello::Manifests(manifests)))?;
    output.flush()?;
    let replies = Replies::new(output);
    std::thread::scope(|scope| {
        scope.spawn(|| replies.write_late());
        let answered = answer(&extractors, &mut input, &replies);
        let finished = replies.finish();
        answered.and(finished)
    })
}

/// Reads requests and answers them into `replies` until `input` ends.
fn answer<W: Write>(
    extractors: &[PluginExtractor],
    input: &mut BufReader<impl Read>,
    replies: &Replies<W>,
) -> std::io::Result<()> {
    let (mut name, mut request, mut text, mut raw) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    loop {
        let complete = read_frame_into(input, &mut name)?
            && read_frame_into(input, &mut request)?
            && read_frame_into(input, &mut text)?
            && read_frame_into(input, &mut raw)?;
        if !complete {
            return Ok(());
        }
        // With no further request already read, the next read may wait for the parent:
        // the reply goes out at once. Otherwise it waits to go out with the next ones.
        let hold = !input.buffer().is_empty();
        match extractors.iter().find(|e| e.name().as_bytes() == name) {
            Some(extractor) => extractor.extract_json(&request, &text, &raw, |status, reply| {
                replies.push(status, reply, hold)
            })?,
            None => {
                let error = json(&ErrorJson {
                    schema_version: SCHEMA_VERSION,
                    kind: "internal".into(),
                    message: format!(
                        "no extractor {:?} in the plugin host",
                        String::from_utf8_lossy(&name)
                    ),
                });
                replies.push(STATUS_ERROR, &error, hold)?;
            }
        }
    }
}

/// The child's replies not yet written, shared by the answering thread and the late writer,
/// which writes replies held too long.
struct Replies<W: Write> {
    state: Mutex<Held<W>>,
    /// Wakes the late writer when it is idle and a reply starts being held, or serving ends.
    wake: Condvar,
}

struct Held<W: Write> {
    output: std::io::BufWriter<W>,
    /// When the oldest reply not yet written was finished.
    since: Option<Instant>,
    /// A write error of the late writer, for the answering thread to return.
    failed: Option<std::io::Error>,
    /// The late writer waits to be woken rather than looking every [`REPLY_DELAY`].
    idle: bool,
    done: bool,
}

impl<W: Write> Replies<W> {
    fn new(output: std::io::BufWriter<W>) -> Replies<W> {
        Replies {
            state: Mutex::new(Held {
                output,
                since: None,
                failed: None,
                idle: true,
                done: false,
            }),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> std::io::Result<std::sync::MutexGuard<'_, Held<W>>> {
        self.state
            .lock()
            .map_err(|_| std::io::Error::other("the reply buffer's lock is poisoned"))
    }

    /// Adds one reply: written at once, or with `hold` kept to go out with the next ones.
    fn push(&self, status: i32, reply: &[u8], hold: bool) -> std::io::Result<()> {
        let mut held = self.lock()?;
        if let Some(e) = held.failed.take() {
            return Err(e);
        }
        write_reply(&mut held.output, status, reply)?;
        if !hold {
            held.since = None;
            return held.output.flush();
        }
        if held.since.is_none() {
            held.since = Some(Instant::now());
            if held.idle {
                held.idle = false;
                self.wake.notify_one();
            }
        }
        Ok(())
    }

    /// Writes what is left and stops the late writer.
    fn finish(&self) -> std::io::Result<()> {
        let mut held = self.lock()?;
        held.done = true;
        self.wake.notify_one();
        held.since = None;
        match held.failed.take() {
            Some(e) => Err(e),
            None => held.output.flush(),
        }
    }

    /// The late writer: writes the replies held once the oldest has waited [`REPLY_DELAY`].
    /// While replies keep being held it looks every [`REPLY_DELAY`]; after one such period with
    /// none it waits to be woken.
    fn write_late(&self) {
        let Ok(mut held) = self.lock() else {
            return;
        };
        while !held.done {
            let wait = match held.since {
                None if held.idle => None,
                None => Some(REPLY_DELAY),
                Some(since) => match REPLY_DELAY.checked_sub(since.elapsed()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => {
                        held.since = None;
                        if let Err(e) = held.output.flush() {
                            held.failed = Some(e);
                        }
                        continue;
                    }
                },
            };
            held = match wait {
                None => match self.wake.wait(held) {
                    Ok(h) => h,
                    Err(_) => return,
                },
                Some(left) => match self.wake.wait_timeout(held, left) {
                    Ok((mut h, timeout)) => {
                        if timeout.timed_out() && h.since.is_none() {
                            h.idle = true;
                        }
                        h
                    }
                    Err(_) => return,
                },
            };
        }
    }
}

/// Writes one reply frame: the status byte, then the JSON.
fn write_reply(output: &mut dyn Write, status: i32, reply: &[u8]) -> std::io::Result<()> {
    let len = reply
        .len()
        .checked_add(1)
        .and_then(|l| u32::try_from(l).ok())
        .filter(|l| *l <= MAX_FRAME)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "frame too large"))?;
    output.write_all(&len.to_le_bytes())?;
    output.write_all(&[u8::try_from(status).unwrap_or(u8::MAX)])?;
    output.write_all(reply)
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// A running child, read directly on the calling thread. A watchdog thread kills the child
/// when a call passes its deadline, which ends the blocked read; keeping the reply off any
/// channel keeps a round trip to two process switches.
struct Running {
    child: Arc<Mutex<Child>>,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    watchdog: Arc<Watchdog>,
}

/// Deadline of the call in flight, as milliseconds since `epoch` (0 = none), and whether the
/// watchdog fired.
struct Watchdog {
    epoch: Instant,
    deadline_ms: AtomicU64,
    fired: AtomicBool,
    stop: AtomicBool,
}

impl Watchdog {
    fn arm(&self, timeout: Duration) {
        let at = self.epoch.elapsed() + timeout;
        self.deadline_ms
            .store(at.as_millis().max(1) as u64, Ordering::SeqCst);
    }

    fn disarm(&self) {
        self.deadline_ms.store(0, Ordering::SeqCst);
    }

    /// Checks the deadline every few milliseconds until told to stop.
    fn run(&self, child: &Mutex<Child>) {
        while !self.stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
            let deadline = self.deadline_ms.load(Ordering::SeqCst);
            if deadline != 0 && self.epoch.elapsed().as_millis() as u64 > deadline {
                self.fired.store(true, Ordering::SeqCst);
                if let Ok(mut child) = child.lock() {
                    let _ = child.kill();
                }
                return;
            }
        }
    }
}

/// The parent side: one child shared by every isolated extractor of a run.
struct Host {
    command: Box<dyn Fn() -> Command + Send>,
    timeout: Duration,
    running: Option<Running>,
}

impl Host {
    /// Starts the child and reads its hello.
    fn start(&mut self) -> Result<Vec<Manifest>> {
        let mut command = (self.command)();
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command
            .spawn()
            .map_err(|e| Error::io("morgue __plugin-host", e))?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| Error::PluginHost("the plugin host has no stdin".into()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Error::PluginHost("the plugin host has no stdout".into()))?;
        enlarge_pipe(&stdin);
        enlarge_pipe(&stdout);
        let child = Arc::new(Mutex::new(child));
        let watchdog = Arc::new(Watchdog {
            epoch: Instant::now(),
            deadline_ms: AtomicU64::new(0),
            fired: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        });
        {
            let (watchdog, child) = (Arc::clone(&watchdog), Arc::clone(&child));
            std::thread::spawn(move || watchdog.run(&child));
        }
        let mut running = Running {
            child,
            stdin,
            stdout: BufReader::with_capacity(PIPE_BUFFER, stdout),
            watchdog,
        };
        // Loading plugins may take a while; allow it the per-document timeout, at least 10 s.
        running
            .watchdog
            .arm(self.timeout.max(Duration::from_secs(10)));
        let hello = read_frame(&mut running.stdout);
        running.watchdog.disarm();
        let manifests = match hello {
            Ok(Some(frame)) => match serde_json::from_slice::<Hello>(&frame) {
                Ok(Hello::Manifests(m)) => m,
                Ok(Hello::Refused(message)) => {
                    running.end();
                    return Err(Error::PluginHost(message));
                }
                Err(e) => {
                    running.end();
                    return Err(Error::PluginHost(format!(
                        "the plugin host said something unreadable: {e}"
                    )));
                }
            },
            Ok(None) | Err(_) => {
                let why = if running.watchdog.fired.load(Ordering::SeqCst) {
                    "hung".to_owned()
                } else {
                    running.death()
                };
                running.end();
                return Err(Error::PluginHost(format!(
                    "the plugin host {why} while loading plugins"
                )));
            }
        };
        self.running = Some(running);
        Ok(manifests)
    }

    /// Sends every document of the batch before reading the answers (a writer thread feeds
    /// the child while this thread reads, so neither pipe can fill up and stall both sides).
    /// When the child dies or hangs on a document, that document fails, the child is started
    /// again, and the documents after it are sent to the new child.
    fn call_batch(
        &mut self,
        name: &str,
        inputs: &[ExtractInput<'_>],
    ) -> Vec<std::result::Result<Extraction, ExtractError>> {
        let mut results = Vec::with_capacity(inputs.len());
        while results.len() < inputs.len() {
            if self.running.is_none()
                && let Err(e) = self.start()
            {
                let message = format!("cannot restart the plugin host: {e}");
                results.resize_with(inputs.len(), || {
                    Err(ExtractError::Internal(message.clone()))
                });
                break;
            }
            let Some(running) = self.running.as_mut() else {
                break;
            };
            let pending = &inputs[results.len()..];
            let message = match encode_calls(name, pending) {
                Ok(m) => m,
                Err(e) => {
                    results.resize_with(inputs.len(), || {
                        Err(ExtractError::Internal(format!(
                            "cannot encode the request: {e}"
                        )))
                    });
                    break;
                }
            };
            let Running {
                stdin,
                stdout,
                watchdog,
                ..
            } = running;
            let timeout = self.timeout;
            let before = results.len();
            let died = std::thread::scope(|scope| {
                // A write error means the child is gone; the reader below finds out why.
                let mut send = move || {
                    let _ = stdin.write_all(&message).and_then(|()| stdin.flush());
                };
                if pending.len() == 1 {
                    // The child reads a whole request before it answers, so one request
                    // cannot stall both sides: no thread is needed to send it.
                    send();
                } else {
                    scope.spawn(send);
                }
                let mut frame = Vec::new();
                for _ in 0..pending.len() {
                    watchdog.arm(timeout);
                    let read = read_frame_into(stdout, &mut frame);
                    watchdog.disarm();
                    match read {
                        Ok(true) => results.push(decode_reply(&frame)),
                        Ok(false) | Err(_) => {
                            // Unblock the writer if the child is still there but hung.
                            return true;
                        }
                    }
                }
                false
            });
            if died {
                let timed_out = running.watchdog.fired.load(Ordering::SeqCst);
                if let Ok(mut child) = running.child.lock() {
                    let _ = child.kill();
                }
                let why = running.death();
                if let Some(running) = self.running.take() {
                    running.end();
                }
                results.push(Err(ExtractError::Internal(if timed_out {
                    format!(
                        "timed out after {} s (--plugin-timeout); the plugin host is restarted for the next document",
                        timeout.as_secs_f64()
                    )
                } else {
                    format!("{why} (the plugin host is restarted for the next document)")
                })));
            }
            debug_assert!(results.len() > before);
        }
        results
    }
}

/// Asks for a pipe of [`PIPE_BUFFER`] bytes instead of the usual 64 KiB, so a batch crosses in
/// a few large writes, each waking the other side once. Where the system refuses (a lower
/// `/proc/sys/fs/pipe-max-size`), the pipe stays as it is: that costs only speed.
fn enlarge_pipe(pipe: &impl std::os::fd::AsFd) {
    #[cfg(target_os = "linux")]
    let _ = rustix::pipe::fcntl_setpipe_size(pipe, PIPE_BUFFER);
    #[cfg(not(target_os = "linux"))]
    let _ = pipe;
}

/// The frames of a batch of requests, in one buffer.
fn encode_calls(name: &str, inputs: &[ExtractInput<'_>]) -> std::io::Result<Vec<u8>> {
    let mut message = Vec::new();
    let mut request = Vec::new();
    for input in inputs {
        request.clear();
        RequestRef {
            schema_version: SCHEMA_VERSION,
            id: input.id,
            media_type: input.media_type,
            url: input.url,
            fields: input.fields,
        }
        .write_json(&mut request)
        .map_err(std::io::Error::other)?;
        write_frame(&mut message, name.as_bytes())?;
        write_frame(&mut message, &request)?;
        write_frame(&mut message, input.text.as_bytes())?;
        write_frame(&mut message, input.raw)?;
    }
    Ok(message)
}

fn decode_reply(frame: &[u8]) -> std::result::Result<Extraction, ExtractError> {
    match frame.split_first() {
        Some((&status, json)) => decode_result(i32::from(status), json),
        None => Err(ExtractError::Internal(
            "empty reply from the plugin host".into(),
        )),
    }
}

impl Running {
    /// How the child ended, e.g. `crashed with signal 11 (SIGSEGV)`.
    fn death(&self) -> String {
        match self.child.lock() {
            Ok(mut child) => death(&mut child),
            Err(_) => "ended".to_owned(),
        }
    }

    /// Stops the watchdog, closes stdin (which ends a healthy child's loop) and reaps the child.
    fn end(self) {
        self.watchdog.stop.store(true, Ordering::SeqCst);
        drop(self.stdin);
        if let Ok(mut child) = self.child.lock() {
            if self.watchdog.fired.load(Ordering::SeqCst) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.end();
        }
    }
}

/// How the child ended, e.g. `crashed with signal 11 (SIGSEGV)`.
fn death(child: &mut Child) -> String {
    match child.wait() {
        Ok(status) => match std::os::unix::process::ExitStatusExt::signal(&status) {
            Some(signal) => format!("crashed with {}", signal_name(signal)),
            None => format!("exited with {status}"),
        },
        Err(e) => format!("ended ({e})"),
    }
}

/// A signal number with its name, e.g. `signal 11 (SIGSEGV)`.
pub fn signal_name(signal: i32) -> String {
    let name = match signal {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => return format!("signal {signal}"),
    };
    format!("signal {signal} ({name})")
}

/// One extractor running in the shared child.
struct IsolatedExtractor {
    manifest: Manifest,
    host: Arc<Mutex<Host>>,
}

impl Extractor for IsolatedExtractor {
    fn manifest(&self) -> Manifest {
        self.manifest.clone()
    }

    fn extract(&self, input: &ExtractInput<'_>) -> std::result::Result<Extraction, ExtractError> {
        let mut results = self.extract_batch(std::slice::from_ref(input));
        results
            .pop()
            .unwrap_or_else(|| Err(ExtractError::Internal("no reply".into())))
    }

    fn extract_batch(
        &self,
        inputs: &[ExtractInput<'_>],
    ) -> Vec<std::result::Result<Extraction, ExtractError>> {
        match self.host.lock() {
            Ok(mut host) => host.call_batch(&self.manifest.name, inputs),
            Err(_) => inputs
                .iter()
                .map(|_| {
                    Err(ExtractError::Internal(
                        "the plugin host lock is poisoned".into(),
                    ))
                })
                .collect(),
        }
    }
}

/// Starts a plugin host with `command` (run again to restart it) and returns one extractor per
/// extractor it announces. `timeout` bounds each document.
pub fn start(
    command: Box<dyn Fn() -> Command + Send>,
    timeout: Duration,
) -> Result<Vec<Box<dyn Extractor>>> {
    let mut host = Host {
        command,
        timeout,
        running: None,
    };
    let manifests = host.start()?;
    let host = Arc::new(Mutex::new(host));
    Ok(manifests
        .into_iter()
        .map(|manifest| {
            Box::new(IsolatedExtractor {
                manifest,
                host: Arc::clone(&host),
            }) as Box<dyn Extractor>
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_refuse_huge_lengths() {
        let mut buf = Vec::new();
        write_frame(&mut buf, b"hello").unwrap();
        write_frame(&mut buf, b"").unwrap();
        let mut r = buf.as_slice();
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"hello");
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"");
        assert!(read_frame(&mut r).unwrap().is_none());
        let huge = u32::MAX.to_le_bytes();
        assert!(read_frame(&mut huge.as_slice()).is_err());
        // A stream that ends inside a frame is an error, not a short frame.
        let mut cut = Vec::new();
        write_frame(&mut cut, b"hello").unwrap();
        cut.pop();
        assert!(read_frame(&mut cut.as_slice()).is_err());
    }

    /// Set once the test has read the reply to the document before the held one.
    static RELEASE: AtomicBool = AtomicBool::new(false);

    /// Answers at once, except for the text `wait`, which it works on until [`RELEASE`].
    #[derive(Default)]
    struct Waits;

    impl Extractor for Waits {
        fn manifest(&self) -> Manifest {
            Manifest {
                name: "waits".into(),
                version: "1.0.0".into(),
                description: String::new(),
                media_types: vec!["text/plain".into()],
                fields: vec![crate::extract::FieldDecl::required(
                    "waits.text",
                    crate::extract::FieldType::String,
                )],
                requires: Vec::new(),
            }
        }

        fn extract(
            &self,
            input: &ExtractInput<'_>,
        ) -> std::result::Result<Extraction, ExtractError> {
            if input.text == "wait" {
                let give_up = Instant::now() + Duration::from_secs(30);
                while !RELEASE.load(Ordering::SeqCst) && Instant::now() < give_up {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            let fields = crate::model::Fields::from([("waits.text".to_owned(), input.text.into())]);
            Ok(Extraction { fields })
        }
    }

    #[test]
    fn a_reply_is_not_held_behind_a_slow_document() {
        // Both requests reach the child in one read, so the first reply is held to go out
        // with the second; the second document then takes as long as the test wants. The
        // first reply must still arrive, or the parent would time it out and blame it for
        // the slow one.
        let extractor = crate::plugin::host::instantiate(
            crate::plugin::guest::descriptor::<Waits>(),
            std::path::Path::new("built-in"),
            0,
        )
        .unwrap();
        let (requests, mut to_child) = std::io::pipe().unwrap();
        let (mut from_child, replies) = std::io::pipe().unwrap();
        let child = std::thread::spawn(move || serve(Ok(vec![extractor]), requests, replies));
        let hello = read_frame(&mut from_child).unwrap().unwrap();
        assert!(matches!(
            serde_json::from_slice(&hello),
            Ok(Hello::Manifests(_))
        ));
        let fields = crate::model::Fields::new();
        let input = |text| ExtractInput {
            id: "0123",
            media_type: "text/plain",
            text,
            raw: b"",
            url: None,
            fields: &fields,
        };
        let message = encode_calls("waits", &[input("fast"), input("wait")]).unwrap();
        to_child.write_all(&message).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for _ in 0..2 {
                let frame = read_frame(&mut from_child).unwrap().unwrap();
                tx.send(decode_reply(&frame)).unwrap();
            }
        });
        let first = rx.recv_timeout(Duration::from_secs(20));
        RELEASE.store(true, Ordering::SeqCst);
        let first = first.expect("the first reply waited for the slow document");
        assert_eq!(first.unwrap().fields["waits.text"], "fast");
        let second = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        assert_eq!(second.unwrap().fields["waits.text"], "wait");
        reader.join().unwrap();
        drop(to_child);
        child.join().unwrap().unwrap();
    }
}
