// A typed client for Croupier's /v1/ws protocol (docs/protocol.md): connect
// and sign in, join, sit, act, chat, single-player sessions, and a
// reconnect with backoff that resumes every table and session from the last
// `seq` it saw. The wire types come from src/generated (the server's Rust
// types); a game's own action, event and view types come from its module.
import type { ClientMsg, ServerMsg, TableInfo } from "./generated/protocol.js";

/** A server message of one `type`. */
export type Msg<T extends ServerMsg["type"]> = Extract<ServerMsg, { type: T }>;

/** A request as the caller writes it: its `id` is the client's to assign. */
export type Request = ClientMsg extends infer M ? (M extends { id?: number | null } ? Omit<M, "id"> : never) : never;

/**
 * What a table or session sends its watchers, in `seq` order: every seq comes
 * once, as an event, a chat line, a `skip` (an event for another viewer), or
 * a `resync` snapshot that jumps to a later seq.
 */
export type TableMessage<E = unknown> =
  | { kind: "event"; table: string; seq: number; event: E }
  | { kind: "chat"; table: string; seq: number; from: string; text: string }
  | { kind: "skip"; table: string; seq: number }
  | { kind: "resync"; table: string; seq: number; view: unknown };

/** The connection's state, as `onState` reports it. */
export type State = "connecting" | "open" | "reconnecting" | "replaced" | "closed";

/** A refused request: the server's stable `code` and its message. */
export class CroupierError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "CroupierError";
  }
}

/** The WebSocket constructor this client needs (the browser's, or Node's). */
export interface SocketConstructor {
  new (url: string): WebSocket;
}

export interface ClientOptions {
  /** e.g. `ws://127.0.0.1:8080/v1/ws`. */
  url: string;
  /** The access token, or how to get a fresh one at each (re)connect. */
  token: string | (() => string | Promise<string>);
  /** Default: the global `WebSocket`. */
  WebSocket?: SocketConstructor;
  /** Reconnect delays: the first, the largest (doubling between). Default 250 ms, 8 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** How long a request waits for its reply before it fails with `timeout`. Default 10 s. */
  requestTimeoutMs?: number;
}

interface Waiting {
  resolve: (msg: ServerMsg) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  onPending?: (msg: Msg<"pending">) => void;
}

/** Where `act` and `resume` go. */
export type Target = { table: string } | { session: string };

/** A Croupier connection. Tables and sessions it joined are resumed after a reconnect. */
export class CroupierClient {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly seqs = new Map<string, { seq: number; session: boolean }>();
  private readonly listeners = new Map<string, Set<(m: TableMessage) => void>>();
  private readonly stateListeners = new Set<(s: State, detail?: string) => void>();
  private readonly balanceListeners = new Set<(b: Msg<"balance">) => void>();
  private readonly sessionListeners = new Set<(m: Msg<"reality_check"> | Msg<"session_limit">) => void>();
  private attempt = 0;
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** The signed-in player, once `connect` has answered. */
  player: Msg<"authed"> | null = null;
  /** The server's `hello` on the latest connection: its limits (e.g. `chat_max_chars`). */
  hello: Msg<"hello"> | null = null;

  constructor(private readonly options: ClientOptions) {}

  /** Opens the socket and signs in. Rejects if the server refuses the token. */
  async connect(): Promise<Msg<"authed">> {
    this.stopped = false;
    this.emitState("connecting");
    return this.open();
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.close(1000);
    this.failAll(new CroupierError("closed", "the client was closed"));
    this.emitState("closed");
  }

  /** Calls `handler` for every event, chat line and snapshot of `table` (or a session id). */
  onTable<E = unknown>(table: string, handler: (m: TableMessage<E>) => void): () => void {
    let set = this.listeners.get(table);
    if (!set) this.listeners.set(table, (set = new Set()));
    const h = handler as (m: TableMessage) => void;
    set.add(h);
    return () => set.delete(h);
  }

  /** Calls `handler` with the balance of a currency whenever money reaches the wallet from outside play (an operator's deposit). */
  onBalance(handler: (b: Msg<"balance">) => void): () => void {
    this.balanceListeners.add(handler);
    return () => this.balanceListeners.delete(handler);
  }

  /** Calls `handler` with every reality check of the player's play session, and when their session time limit stops play (show both to the player). */
  onPlaySession(handler: (m: Msg<"reality_check"> | Msg<"session_limit">) => void): () => void {
    this.sessionListeners.add(handler);
    return () => this.sessionListeners.delete(handler);
  }

  /** Calls `handler` whenever the connection's state changes. */
  onState(handler: (s: State, detail?: string) => void): () => void {
    this.stateListeners.add(handler);
    return () => this.stateListeners.delete(handler);
  }

  /** The last `seq` seen of a table or session. */
  lastSeq(table: string): number | undefined {
    return this.seqs.get(table)?.seq;
  }

  /** Sends `request` and waits for its reply; a refusal rejects with {@link CroupierError}. */
  async request(request: Request, onPending?: (m: Msg<"pending">) => void): Promise<ServerMsg> {
    const socket = this.socket;
    if (!socket || socket.readyState !== 1) throw new CroupierError("not_connected", "the socket is not open");
    const id = this.nextId++;
    return new Promise<ServerMsg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new CroupierError("timeout", `no reply to ${request.type} within ${this.timeoutMs()} ms`));
      }, this.timeoutMs());
      this.waiting.set(id, { resolve, reject, timer, onPending });
      socket.send(JSON.stringify({ ...request, id }));
    });
  }

  /** Watches a table; its events follow. */
  async join(table: string): Promise<Msg<"joined">> {
    const joined = (await this.request({ type: "join", table })) as Msg<"joined">;
    this.seqs.set(table, { seq: joined.seq, session: false });
    return joined;
  }

  async leave(table: string): Promise<void> {
    await this.request({ type: "leave", table });
    this.seqs.delete(table);
  }

  async sit(table: string, seat?: number): Promise<void> {
    await this.request(seat === undefined ? { type: "sit", table } : { type: "sit", table, seat });
  }

  async stand(table: string): Promise<void> {
    await this.request({ type: "stand", table });
  }

  /** A game action: `ok` once the game took it (a stake: once the wallet holds it). */
  async act(target: Target, action: object, onPending?: (m: Msg<"pending">) => void): Promise<void> {
    await this.request({ type: "act", ...target, action: action as Record<string, unknown> }, onPending);
  }

  async chat(table: string, text: string): Promise<void> {
    await this.request({ type: "chat", table, text });
  }

  /** Opens a single-player session (slots); its events come under the session id. */
  async openSession(game: string): Promise<Msg<"session">> {
    const opened = (await this.request({ type: "session.open", game })) as Msg<"session">;
    this.seqs.set(opened.session, { seq: opened.seq, session: true });
    return opened;
  }

  async closeSession(session: string): Promise<void> {
    await this.request({ type: "session.close", session });
    this.seqs.delete(session);
  }

  /** Asks for what a table or session sent after the last `seq` seen. */
  async resume(target: Target): Promise<void> {
    const key = "table" in target ? target.table : target.session;
    const last = this.seqs.get(key)?.seq ?? 0;
    await this.request({ type: "resume", ...target, last_seq: last });
  }

  private timeoutMs(): number {
    return this.options.requestTimeoutMs ?? 10_000;
  }

  private emitState(s: State, detail?: string): void {
    for (const h of this.stateListeners) h(s, detail);
  }

  private async open(): Promise<Msg<"authed">> {
    const Socket = this.options.WebSocket ?? (globalThis.WebSocket as SocketConstructor | undefined);
    if (!Socket) throw new Error("no WebSocket: pass options.WebSocket");
    const token = typeof this.options.token === "function" ? await this.options.token() : this.options.token;
    const socket = new Socket(this.options.url);
    this.socket = socket;
    return new Promise<Msg<"authed">>((resolve, reject) => {
      let authed = false;
      socket.onmessage = (e: MessageEvent) => {
        let msg: ServerMsg;
        try {
          msg = JSON.parse(String(e.data)) as ServerMsg;
        } catch {
          return;
        }
        if (msg.type === "hello") {
          this.hello = msg;
          socket.send(JSON.stringify({ type: "auth", id: 0, token }));
        } else if (msg.type === "authed") {
          authed = true;
          this.attempt = 0;
          this.player = msg;
          this.emitState("open");
          resolve(msg);
        } else if (!authed && msg.type === "error") {
          reject(new CroupierError(msg.code, msg.message));
          socket.close(1000);
        } else {
          this.dispatch(msg);
        }
      };
      // A failed connect is followed by `close`, which handles it.
      socket.onerror = () => {};
      socket.onclose = () => {
        if (this.socket !== socket) return;
        this.socket = null;
        this.failAll(new CroupierError("disconnected", "the connection closed before the reply"));
        if (!authed) reject(new CroupierError("disconnected", "the connection closed before sign-in"));
        if (!this.stopped && authed) this.scheduleReconnect();
      };
    });
  }

  private dispatch(msg: ServerMsg): void {
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
        for (const h of this.balanceListeners) h(msg);
        return;
      case "reality_check":
      case "session_limit":
        for (const h of this.sessionListeners) h(msg);
        return;
      case "closing":
        if (msg.code === "replaced") {
          this.stopped = true;
          this.emitState("replaced", msg.message);
        } else if (msg.code === "account_erased") {
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
  private answer(re: number | null | undefined, msg: ServerMsg): void {
    const w = re == null ? undefined : this.waiting.get(re);
    if (!w || re == null) return;
    this.waiting.delete(re);
    clearTimeout(w.timer);
    if (msg.type === "error") w.reject(new CroupierError(msg.code, msg.message));
    else w.resolve(msg);
  }

  private tableMessage(msg: Msg<"event"> | Msg<"chat"> | Msg<"skip"> | Msg<"resync">): void {
    const known = this.seqs.get(msg.table);
    if (known) known.seq = Math.max(known.seq, msg.seq);
    if (msg.type === "resync") {
      this.seqs.set(msg.table, { seq: msg.seq, session: known?.session ?? false });
      this.answer(msg.re, msg);
    }
    const out: TableMessage =
      msg.type === "event"
        ? { kind: "event", table: msg.table, seq: msg.seq, event: msg.event }
        : msg.type === "chat"
          ? { kind: "chat", table: msg.table, seq: msg.seq, from: msg.from, text: msg.text }
          : msg.type === "skip"
            ? { kind: "skip", table: msg.table, seq: msg.seq }
            : { kind: "resync", table: msg.table, seq: msg.seq, view: msg.view };
    for (const h of this.listeners.get(msg.table) ?? []) h(out);
  }

  private failAll(e: Error): void {
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(e);
      this.waiting.delete(id);
    }
  }

  private scheduleReconnect(): void {
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
      } catch {
        if (!this.stopped && !this.socket) this.scheduleReconnect();
      }
    }, delay);
  }
}

export type { TableInfo };
