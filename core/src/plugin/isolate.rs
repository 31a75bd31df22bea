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
use std::sync::{Arc, Mutex};
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
    let mut len = [0u8; 4];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len);
    if len > MAX_FRAME {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut bytes = vec![0u8; len as usize];
    input.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

/// The child's first frame.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Hello {
    Manifests(Vec<Manifest>),
    Refused(String),
}

/// The child side: announces the extractors (or why they were refused) and answers requests
/// until stdin closes. A request is four frames — the extractor's name, the request JSON, the
/// text and the raw bytes — and the answer one frame: the ABI status byte, then the result or
/// error JSON exactly as the library wrote it.
pub fn serve(
    extractors: std::result::Result<Vec<PluginExtractor>, String>,
    input: &mut dyn Read,
    output: &mut dyn Write,
) -> std::io::Result<()> {
    let extractors = match extractors {
        Ok(e) => e,
        Err(message) => {
            write_frame(output, &json(&Hello::Refused(message)))?;
            return output.flush();
        }
    };
    let manifests: Vec<Manifest> = extractors.iter().map(|e| e.manifest()).collect();
    write_frame(output, &json(&Hello::Manifests(manifests)))?;
    output.flush()?;
    loop {
        let Some(name) = read_frame(input)? else {
            return Ok(());
        };
        let (Some(request), Some(text), Some(raw)) =
            (read_frame(input)?, read_frame(input)?, read_frame(input)?)
        else {
            return Ok(());
        };
        match extractors.iter().find(|e| e.name().as_bytes() == name) {
            Some(extractor) => extractor.extract_json(&request, &text, &raw, |status, reply| {
                write_reply(output, status, reply)
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
                write_reply(output, STATUS_ERROR, &error)?;
            }
        }
        output.flush()?;
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
            stdout: BufReader::new(stdout),
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
                scope.spawn(|| {
                    // A write error means the child is gone; the reader below finds out why.
                    let _ = stdin.write_all(&message).and_then(|()| stdin.flush());
                });
                for _ in 0..pending.len() {
                    watchdog.arm(timeout);
                    let frame = read_frame(stdout);
                    watchdog.disarm();
                    match frame {
                        Ok(Some(frame)) => results.push(decode_reply(&frame)),
                        Ok(None) | Err(_) => {
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
    }
}
