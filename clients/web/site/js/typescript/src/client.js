/** A refused request: the server's stable `code` and its message. */
export class CroupierError extends Error {
    code;
    constructor(code, message) {
        super(`${code}: ${message}`);
        this.code = code;
        this.name = "CroupierError";
    }
}
/** A Croupier connection. Tables and sessions it joined are resumed after a reconnect. */
export class CroupierClient {
    options;
    socket = null;
    nextId = 1;
    waiting = new Map();
    seqs = new Map();
    listeners = new Map();
    stateListeners = new Set();
    balanceListeners = new Set();
    sessionListeners = new Set();
    attempt = 0;
    stopped = false;
    reconnectTimer = null;
    /** The signed-in player, once `connect` has answered. */
    player = null;
    /** The server's `hello` on the latest connection: its limits (e.g. `chat_max_chars`). */
    hello = null;
    constructor(options) {
        this.options = options;
    }
    /** Opens the socket and signs in. Rejects if the server refuses the token. */
    async connect() {
        this.stopped = false;
        this.emitState("connecting");
        return this.open();
    }
    /** Closes for good: no reconnect. */
    close() {
        this.stopped = true;
        if (this.reconnectTimer)
            clearTimeout(this.reconnectTimer);
        this.socket?.close(1000);
        this.failAll(new CroupierError("closed", "the client was closed"));
        this.emitState("closed");
    }
    /** Calls `handler` for every event, chat line and snapshot of `table` (or a session id). */
    onTable(table, handler) {
        let set = this.listeners.get(table);
        if (!set)
            this.listeners.set(table, (set = new Set()));
        const h = handler;
        set.add(h);
        return () => set.delete(h);
    }
    /** Calls `handler` with the balance of a currency whenever money reaches the wallet from outside play (an operator's deposit). */
    onBalance(handler) {
        this.balanceListeners.add(handler);
        return () => this.balanceListeners.delete(handler);
    }
    /** Calls `handler` with every reality check of the player's play session, and when their session time limit stops play (show both to the player). */
    onPlaySession(handler) {
        this.sessionListeners.add(handler);
        return () => this.sessionListeners.delete(handler);
    }
    /** Calls `handler` whenever the connection's state changes. */
    onState(handler) {
        this.stateListeners.add(handler);
        return () => this.stateListeners.delete(handler);
    }
    /** The last `seq` seen of a table or session. */
    lastSeq(table) {
        return this.seqs.get(table)?.seq;
    }
    /** Sends `request` and waits for its reply; a refusal rejects with {@link CroupierError}. */
    async request(request, onPending) {
        const socket = this.socket;
        if (!socket || socket.readyState !== 1)
            throw new CroupierError("not_connected", "the socket is not open");
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.waiting.delete(id);
                reject(new CroupierError("timeout", `no reply to ${request.type} within ${this.timeoutMs()} ms`));
            }, this.timeoutMs());
            this.waiting.set(id, { resolve, reject, timer, onPending });
            socket.send(JSON.stringify({ ...request, id }));
        });
    }
    /** Watches a table; its events follow. */
    async join(table) {
        const joined = (await this.request({ type: "join", table }));
        this.seqs.set(table, { seq: joined.seq, session: false });
        return joined;
    }
    async leave(table) {
        await this.request({ type: "leave", table });
        this.seqs.delete(table);
    }
    async sit(table, seat) {
        await this.request(seat === undefined ? { type: "sit", table } : { type: "sit", table, seat });
    }
    async stand(table) {
        await this.request({ type: "stand", table });
    }
    /** A game action: `ok` once the game took it (a stake: once the wallet holds it). */
    async act(target, action, onPending) {
        await this.request({ type: "act", ...target, action: action }, onPending);
    }
    async chat(table, text) {
        await this.request({ type: "chat", table, text });
    }
    /** Opens a single-player session (slots); its events come under the session id. */
    async openSession(game) {
        const opened = (await this.request({ type: "session.open", game }));
        this.seqs.set(opened.session, { seq: opened.seq, session: true });
        return opened;
    }
    async closeSession(session) {
        await this.request({ type: "session.close", session });
        this.seqs.delete(session);
    }
    /** Asks for what a table or session sent after the last `seq` seen. */
    async resume(target) {
        const key = "table" in target ? target.table : target.session;
        const last = this.seqs.get(key)?.seq ?? 0;
        await this.request({ type: "resume", ...target, last_seq: last });
    }
    timeoutMs() {
        return this.options.requestTimeoutMs ?? 10_000;
    }
    emitState(s, detail) {
        for (const h of this.stateListeners)
            h(s, detail);
    }
    async open() {
        const Socket = this.options.WebSocket ?? globalThis.WebSocket;
        if (!Socket)
            throw new Error("no WebSocket: pass options.WebSocket");
        const token = typeof this.options.token === "function" ? await this.options.token() : this.options.token;
        const socket = new Socket(this.options.url);
        this.socket = socket;
        return new Promise((resolve, reject) => {
            let authed = false;
            socket.onmessage = (e) => {
                let msg;
                try {
                    msg = JSON.parse(String(e.data));
                }
                catch {
                    return;
                }
                if (msg.type === "hello") {
                    this.hello = msg;
                    socket.send(JSON.stringify({ type: "auth", id: 0, token }));
                }
                else if (msg.type === "authed") {
                    authed = true;
                    this.attempt = 0;
                    this.player = msg;
                    this.emitState("open");
                    resolve(msg);
                }
                else if (!authed && msg.type === "error") {
                    reject(new CroupierError(msg.code, msg.message));
                    socket.close(1000);
                }
                else {
                    this.dispatch(msg);
                }
            };
            // A failed connect is followed by `close`, which handles it.
            socket.onerror = () => { };
            socket.onclose = () => {
                if (this.socket !== socket)
                    return;
                this.socket = null;
                this.failAll(new CroupierError("disconnected", "the connection closed before the reply"));
                if (!authed)
                    reject(new CroupierError("disconnected", "the connection closed before sign-in"));
                if (!this.stopped && authed)
                    this.scheduleReconnect();
            };
        });
    }
    dispatch(msg) {
        switch (msg.type) {
            case "event":
            case "chat":
            case "skip":
            case "resync":
                return this.tableMessage(msg);
            case "pending": {
                const w = msg.re == null ? undefined : this.waiting.get(msg.re);
                w?.onPending?.(msg);
                return;
            }
            case "balance":
                for (const h of this.balanceListeners)
                    h(msg);
                return;
            case "reality_check":
            case "session_limit":
                for (const h of this.sessionListeners)
                    h(msg);
                return;
            case "closing":
                if (msg.code === "replaced") {
                    this.stopped = true;
                    this.emitState("replaced", msg.message);
                }
                else if (msg.code === "account_erased") {
                    // Its tokens are refused for good: a reconnect could not sign in.
                    this.stopped = true;
                    this.failAll(new CroupierError(msg.code, msg.message));
                    this.emitState("closed", msg.code);
                }
                return;
            default:
                this.answer("re" in msg ? msg.re : undefined, msg);
        }
    }
    /** Settles the request `re` answers, if one waits for it. */
    answer(re, msg) {
        const w = re == null ? undefined : this.waiting.get(re);
        if (!w || re == null)
            return;
        this.waiting.delete(re);
        clearTimeout(w.timer);
        if (msg.type === "error")
            w.reject(new CroupierError(msg.code, msg.message));
        else
            w.resolve(msg);
    }
    tableMessage(msg) {
        const known = this.seqs.get(msg.table);
        if (known)
            known.seq = Math.max(known.seq, msg.seq);
        if (msg.type === "resync") {
            this.seqs.set(msg.table, { seq: msg.seq, session: known?.session ?? false });
            this.answer(msg.re, msg);
        }
        const out = msg.type === "event"
            ? { kind: "event", table: msg.table, seq: msg.seq, event: msg.event }
            : msg.type === "chat"
                ? { kind: "chat", table: msg.table, seq: msg.seq, from: msg.from, text: msg.text }
                : msg.type === "skip"
                    ? { kind: "skip", table: msg.table, seq: msg.seq }
                    : { kind: "resync", table: msg.table, seq: msg.seq, view: msg.view };
        for (const h of this.listeners.get(msg.table) ?? [])
            h(out);
    }
    failAll(e) {
        for (const [id, w] of this.waiting) {
            clearTimeout(w.timer);
            w.reject(e);
            this.waiting.delete(id);
        }
    }
    scheduleReconnect() {
        const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 250, maxMs: 8_000 };
        const delay = Math.min(maxMs, initialMs * 2 ** this.attempt) * (0.5 + Math.random() / 2);
        this.attempt += 1;
        this.emitState("reconnecting", `attempt ${this.attempt} in ${Math.round(delay)} ms`);
        this.reconnectTimer = setTimeout(async () => {
            this.reconnectTimer = null;
            try {
                await this.open();
                for (const [key, { session }] of this.seqs) {
                    await this.resume(session ? { session: key } : { table: key });
                }
            }
            catch {
                if (!this.stopped && !this.socket)
                    this.scheduleReconnect();
            }
        }, delay);
    }
}
