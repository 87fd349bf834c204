//! Fuzz target: the `/v1/ws` text frame decoder (`ClientMsg::decode`), as
//! the connection calls it on every frame. A frame decodes to one message
//! whose `id` is the frame's, or is refused (`invalid_message`) with a
//! reason and, only when the frame is a JSON object with a numeric `id`,
//! that `id`. (The socket answers a binary or non-UTF-8 frame
//! `invalid_message` before any decoding.)

#![no_main]

use croupier_protocol::ClientMsg;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let as_json = serde_json::from_str::<Value>(text).ok();
    let id = as_json.as_ref().and_then(|v| v.get("id")).and_then(Value::as_u64);
    match ClientMsg::decode(text) {
        Ok(msg) => {
            assert_eq!(msg.id(), id, "a message's id is the frame's: {text:?}");
            let again = serde_json::to_string(&msg).expect("a message encodes");
            let back = ClientMsg::decode(&again).expect("an encoded message decodes");
            assert_eq!(back.id(), msg.id(), "{again}");
        }
        Err(e) => {
            assert!(!e.reason.is_empty(), "a refusal says why: {text:?}");
            if e.id.is_some() {
                assert_eq!(e.id, id, "the id echoed is the frame's: {text:?}");
            }
        }
    }
});
