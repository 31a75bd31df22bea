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
use crate::plugin::wire::{ErrorJson, RequestJson, RequestRef};

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

/// The JSON frame of a request.
#[derive(Serialize, Deserialize)]
struct Call<R> {
    extractor: String,
    request: R,
}

/// A response frame.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply {
    Ok(crate::plugin::wire::ResultJson),
    Err(ErrorJson),
}

/// The child side: announces the extractors (or why they were refused) and answers requests
/// until stdin closes.
pub fn serve(
    extractors: std::result::Result<Vec<Box<dyn Extractor>>, String>,
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
    write_frame(output, &json(&Hello::Manifests(manifests.clone())))?;
    output.flush()?;
    loop {
        let Some(call) = read_frame(input)? else {
            return Ok(());
        };
        let (Some(text), Some(raw)) = (read_frame(input)?, read_frame(input)?) else {
            return Ok(());
        };
        let reply = match answer(&extractors, &manifests, &call, &text, &raw) {
            Ok(fields) => Reply::Ok(crate::plugin::wire::ResultJson {
                schema_version: SCHEMA_VERSION,
                fields,
            }),
            Err(e) => Reply::Err(ErrorJson::from_error(&e)),
        };
        write_frame(output, &json(&reply))?;
        output.flush()?;
    }
}

fn answer(
    extractors: &[Box<dyn Extractor>],
    manifests: &[Manifest],
    call: &[u8],
    text: &[u8],
    raw: &[u8],
) -> std::result::Result<crate::model::Fields, ExtractError> {
    let call: Call<RequestJson> = serde_json::from_slice(call)
        .map_err(|e| ExtractError::Internal(format!("bad request: {e}")))?;
    let index = manifests
        .iter()
        .position(|m| m.name == call.extractor)
        .ok_or_else(|| {
            ExtractError::Internal(format!(
                "no extractor {:?} in the plugin host",
                call.extractor
            ))
        })?;
    let text = std::str::from_utf8(text)
        .map_err(|e| ExtractError::Internal(format!("text is not UTF-8: {e}")))?;
    let input = ExtractInput {
        id: &call.request.id,
        media_type: &call.request.media_type,
        text,
        raw,
        url: call.request.url.as_deref(),
        fields: &call.request.fields,
    };
    extractors[index].extract(&input).map(|x| x.fields)
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
            .ok_or_else(|| Error::PluginRegistry("the plugin host has no stdin".into()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Error::PluginRegistry("the plugin host has no stdout".into()))?;
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
                    return Err(Error::PluginRegistry(message));
                }
                Err(e) => {
                    running.end();
                    return Err(Error::PluginRegistry(format!(
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
                return Err(Error::PluginRegistry(format!(
                    "the plugin host {why} while loading plugins"
                )));
            }
        };
        self.running = Some(running);
        Ok(manifests)
    }

    fn call(
        &mut self,
        name: &str,
        input: &ExtractInput<'_>,
    ) -> std::result::Result<Extraction, ExtractError> {
        if self.running.is_none() {
            self.start().map_err(|e| {
                ExtractError::Internal(format!("cannot restart the plugin host: {e}"))
            })?;
        }
        let Some(running) = self.running.as_mut() else {
            return Err(ExtractError::Internal(
                "the plugin host is not running".into(),
            ));
        };
        let call = Call {
            extractor: name.to_owned(),
            request: RequestRef {
                schema_version: SCHEMA_VERSION,
                id: input.id,
                media_type: input.media_type,
                url: input.url,
                fields: input.fields,
            },
        };
        // One write for the three frames: one wake-up of the child instead of six.
        let call = json(&call);
        let mut message = Vec::with_capacity(12 + call.len() + input.text.len() + input.raw.len());
        running.watchdog.arm(self.timeout);
        let reply = write_frame(&mut message, &call)
            .and_then(|()| write_frame(&mut message, input.text.as_bytes()))
            .and_then(|()| write_frame(&mut message, input.raw))
            .and_then(|()| running.stdin.write_all(&message))
            .and_then(|()| running.stdin.flush())
            .and_then(|()| read_frame(&mut running.stdout));
        running.watchdog.disarm();
        match reply {
            Ok(Some(frame)) => match serde_json::from_slice::<Reply>(&frame) {
                Ok(Reply::Ok(result)) => Ok(Extraction {
                    fields: result.fields,
                }),
                Ok(Reply::Err(e)) => Err(match e.kind.as_str() {
                    "input" => ExtractError::Input(e.message),
                    _ => ExtractError::Internal(e.message),
                }),
                Err(e) => Err(ExtractError::Internal(format!(
                    "unreadable reply from the plugin host: {e}"
                ))),
            },
            Ok(None) | Err(_) => {
                let timed_out = running.watchdog.fired.load(Ordering::SeqCst);
                let why = running.death();
                if let Some(running) = self.running.take() {
                    running.end();
                }
                Err(ExtractError::Internal(if timed_out {
                    format!(
                        "timed out after {} s (--plugin-timeout); the plugin host is restarted for the next document",
                        self.timeout.as_secs_f64()
                    )
                } else {
                    format!("{why} (the plugin host is restarted for the next document)")
                }))
            }
        }
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
        let mut host = self
            .host
            .lock()
            .map_err(|_| ExtractError::Internal("the plugin host lock is poisoned".into()))?;
        host.call(&self.manifest.name, input)
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
