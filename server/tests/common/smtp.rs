//! A real SMTP server on a free loopback port that keeps every mail it is
//! given, for the tests of mail the server sends. The protocol is the
//! `mailin` crate's state machine; this file only carries its lines over
//! TCP (one thread per connection) and keeps what arrives.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin::{Action, Handler, Response, SessionBuilder};

/// One mail as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The message as sent (headers and body, CRLF lines).
    pub data: String,
}

impl Received {
    /// The body with quoted-printable soft breaks undone (lettre wraps
    /// long lines), so a link reads whole.
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }
}

#[derive(Default)]
struct Inbox {
    mails: Mutex<Vec<Received>>,
}

/// The sink: its port, and what it has received.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    inbox: Arc<Inbox>,
}

struct Collector {
    inbox: Arc<Inbox>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = Received { to: std::mem::take(&mut self.to), data: String::from_utf8_lossy(&self.data).into() };
        self.inbox.mails.lock().unwrap().push(mail);
        mailin::response::OK
    }
}

fn session(stream: TcpStream, inbox: Arc<Inbox>) -> std::io::Result<()> {
    let peer = stream.peer_addr().map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip());
    let mut out = stream.try_clone()?;
    let mut session =
        SessionBuilder::new("sink.test").build(peer, Collector { inbox, to: Vec::new(), data: Vec::new() });
    session.greeting().write_to(&mut out)?;
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => response.write_to(&mut out)?,
            Action::Close => {
                response.write_to(&mut out)?;
                return out.flush();
            }
            Action::NoReply => {}
            // The sink offers no TLS or authentication.
            _ => return Ok(()),
        }
        out.flush()?;
    }
}

impl SmtpSink {
    /// Starts a sink on a free port of 127.0.0.1; it lives as long as the
    /// test process.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Inbox::default());
        let shared = inbox.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let inbox = shared.clone();
                std::thread::spawn(move || session(stream, inbox));
            }
        });
        Self { port, inbox }
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every mail received so far.
    pub fn mails(&self) -> Vec<Received> {
        self.inbox.mails.lock().unwrap().clone()
    }

    /// Waits (30 s at most, else fails the test) until `n` mails have
    /// arrived; returns them all. It sleeps on the async clock: blocking
    /// the test's thread would stall the server's database connections
    /// made on it.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            assert!(std::time::Instant::now() < deadline, "{n} mail(s) expected, {} arrived", mails.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
