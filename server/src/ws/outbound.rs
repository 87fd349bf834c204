//! A socket's outbound side: the HTTP response body of `/v1/ws`, read
//! straight from the connection's bounded queue. Each time the socket can
//! take more, everything queued by then is encoded into one buffer and
//! written as one chunk, so frames that pile up for one client (a reply and
//! the events after it) go out in one write, with no task or second queue
//! per connection in between.
//!
//! It ends after a queued [`Out::Close`], at once when the connection asks
//! for an urgent close (its queue is full, so the close cannot wait in it),
//! or, once the connection actor is gone, after what was queued by then.

use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_codec::Encoder;
use actix_http::ws::{Codec, Message, ProtocolError};
use actix_web::web::{Bytes, BytesMut};
use actix_ws::CloseReason;
use futures_util::Stream;
use tokio::sync::{mpsc, oneshot};

use crate::clients::Out;

/// The body stream of one WebSocket.
pub struct Outbound {
    queue: mpsc::Receiver<Out>,
    /// Fires with a reason to close now; closed when the actor is gone.
    urgent: Option<oneshot::Receiver<CloseReason>>,
    codec: Codec,
    done: bool,
}

impl Outbound {
    /// The body for `queue`; the connection keeps `urgent`'s sender.
    pub fn new(queue: mpsc::Receiver<Out>, urgent: oneshot::Receiver<CloseReason>) -> Self {
        Self { queue, urgent: Some(urgent), codec: Codec::new(), done: false }
    }

    fn encode(&mut self, out: Out, buf: &mut BytesMut) -> Result<(), ProtocolError> {
        let msg = match out {
            Out::Text(text) => Message::Text(text),
            Out::Ping => Message::Ping(Bytes::new()),
            Out::Pong(bytes) => Message::Pong(bytes.into()),
            Out::Close(reason) => {
                self.done = true;
                Message::Close(Some(reason))
            }
        };
        self.codec.encode(msg, buf)
    }
}

impl Stream for Outbound {
    type Item = Result<Bytes, ProtocolError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let mut buf = BytesMut::new();
        let mut actor_gone = false;
        if let Some(urgent) = &mut this.urgent {
            match Pin::new(urgent).poll(cx) {
                Poll::Ready(Ok(reason)) => {
                    this.done = true;
                    if let Err(e) = this.codec.encode(Message::Close(Some(reason)), &mut buf) {
                        return Poll::Ready(Some(Err(e)));
                    }
                    return Poll::Ready(Some(Ok(buf.freeze())));
                }
                Poll::Ready(Err(_)) => {
                    this.urgent = None;
                    actor_gone = true;
                }
                Poll::Pending => {}
            }
        } else {
            actor_gone = true;
        }
        while !this.done {
            match this.queue.poll_recv(cx) {
                Poll::Ready(Some(out)) => {
                    if let Err(e) = this.encode(out, &mut buf) {
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                Poll::Ready(None) => this.done = true,
                // Tables may still hold the queue's senders, but with the
                // actor gone nothing more is owed to this socket.
                Poll::Pending if actor_gone => this.done = true,
                Poll::Pending => break,
            }
        }
        if !buf.is_empty() {
            return Poll::Ready(Some(Ok(mem::take(&mut buf).freeze())));
        }
        if this.done { Poll::Ready(None) } else { Poll::Pending }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_codec::Decoder;
    use actix_http::ws::Frame;
    use futures_util::StreamExt;

    fn frames(mut bytes: BytesMut) -> Vec<Frame> {
        let mut codec = Codec::new().client_mode();
        let mut frames = Vec::new();
        while let Ok(Some(frame)) = codec.decode(&mut bytes) {
            frames.push(frame);
        }
        frames
    }

    #[tokio::test]
    async fn what_is_queued_goes_out_in_one_chunk_and_a_close_ends_it() {
        let (tx, rx) = mpsc::channel(8);
        let (_urgent, urgent_rx) = oneshot::channel();
        let mut body = Outbound::new(rx, urgent_rx);
        for text in ["a", "b", "c"] {
            tx.try_send(Out::Text(text.into())).ok().unwrap();
        }
        tx.try_send(Out::Ping).ok().unwrap();
        let chunk = body.next().await.unwrap().unwrap();
        let got = frames(BytesMut::from(&chunk[..]));
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(matches!(&got[0], Frame::Text(t) if &t[..] == b"a"));
        assert!(matches!(got[3], Frame::Ping(_)));
        let reason = CloseReason { code: actix_ws::CloseCode::Normal, description: None };
        tx.try_send(Out::Close(reason)).ok().unwrap();
        tx.try_send(Out::Text("after".into())).ok().unwrap();
        let chunk = body.next().await.unwrap().unwrap();
        let got = frames(BytesMut::from(&chunk[..]));
        assert!(matches!(got.as_slice(), [Frame::Close(_)]), "nothing after the close: {got:?}");
        assert!(body.next().await.is_none());
    }

    #[tokio::test]
    async fn an_urgent_close_jumps_the_queue_and_a_gone_actor_ends_the_body() {
        let (tx, rx) = mpsc::channel(8);
        let (urgent, urgent_rx) = oneshot::channel();
        let mut body = Outbound::new(rx, urgent_rx);
        tx.try_send(Out::Text("queued".into())).ok().unwrap();
        let reason = CloseReason { code: actix_ws::CloseCode::Policy, description: Some("too slow".into()) };
        assert!(urgent.send(reason).is_ok());
        let chunk = body.next().await.unwrap().unwrap();
        let got = frames(BytesMut::from(&chunk[..]));
        assert!(matches!(got.as_slice(), [Frame::Close(Some(r))] if r.code == actix_ws::CloseCode::Policy));
        assert!(body.next().await.is_none());

        // The actor went without a close: what it queued is still written,
        // then the body ends although a table still holds a sender.
        let (tx, rx) = mpsc::channel(8);
        let (urgent, urgent_rx) = oneshot::channel::<CloseReason>();
        let mut body = Outbound::new(rx, urgent_rx);
        tx.try_send(Out::Text("last".into())).ok().unwrap();
        drop(urgent);
        let chunk = body.next().await.unwrap().unwrap();
        assert!(matches!(frames(BytesMut::from(&chunk[..])).as_slice(), [Frame::Text(_)]));
        assert!(body.next().await.is_none());
        drop(tx);
    }
}
