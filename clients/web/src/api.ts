// The HTTP API as the web client uses it (docs/api.md): sign-up and sign-in,
// tokens kept in sessionStorage (gone when the tab closes) and refreshed
// before they expire, and one typed call per route. A refusal throws
// ApiError with the server's stable code and message.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

interface Tokens {
  access_token: string;
  refresh_token: string;
  /** When the access token expires, ms since the epoch. */
  expires_at: number;
}

export interface Me {
  id: number;
  username: string;
  role: "player" | "support" | "operator" | "admin" | "auditor";
  created_at: number;
}

export interface Balance {
  currency: string;
  available: number;
  held: number;
}

export interface TxLine {
  id: number;
  kind: string;
  round: string | null;
  currency: string;
  available_change: number;
  held_change: number;
  created_at: number;
}

export interface TableListing {
  id: string;
  game: string;
  seats: number;
  seated: number;
  config: Record<string, unknown>;
}

export interface GameListing {
  id: string;
  summary: string;
  kind: "table" | "session";
  config: Record<string, unknown> | null;
}

export interface RoundRecord {
  game: string;
  table: string;
  round: number;
  rng: { commitment: string; fair?: FairInput; revealed?: string };
  draws: { range: number; value: number }[];
  config?: string;
  state_before: unknown;
  inputs: unknown[];
  outcome: unknown;
  stakes: { player: number; amount: { minor: number; currency: string } }[];
  payouts: { player: number; amount: { minor: number; currency: string } }[];
  /** Set when staff voided the round: its stakes were refunded, and it keeps nothing of its play. */
  voided?: { reason: string };
}

export type FairInput =
  | { kind: "round"; client_seed: string; nonce: number }
  | { kind: "hand"; hand_id: string; client_seeds: string[] };

/** A round as the player's history lists it: `staked` 0 when they only watched it. */
export interface PlayedRound {
  round: string;
  table: string;
  game: string;
  created_at: number;
  staked: number;
  currency: string | null;
  voided: boolean;
}

export interface RoundRow {
  round: string;
  table: string;
  game: string;
  created_at: number;
  players: number[];
  record: RoundRecord;
  config: Record<string, unknown> | null;
  /** The config's exact bytes, as hashed into `record.config`; `config` is this parsed. */
  config_text: string | null;
}

export interface Fairness {
  current: { server_seed_commitment: string; client_seed: string; nonce: number };
  revealed: { commitment: string; server_seed: string; client_seed: string; created_at: string; revealed_at: string }[];
}

const KEY = "croupier.tokens";

function stored(): Tokens | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

function keep(t: { access_token: string; refresh_token: string; expires_in: number }): void {
  const tokens: Tokens = {
    access_token: t.access_token,
    refresh_token: t.refresh_token,
    expires_at: Date.now() + t.expires_in * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(tokens));
}

async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "network_error", "the server did not answer");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, "bad_response", `the server answered ${res.status} without JSON`);
  }
  if (!res.ok) {
    const err = (json as { error?: { code: string; message: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? "http_error", err?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

let refreshing: Promise<string> | null = null;

/** A current access token: refreshed when it is within a minute of expiring. */
export async function accessToken(): Promise<string> {
  const t = stored();
  if (!t) throw new ApiError(401, "unauthorized", "not signed in");
  if (t.expires_at - Date.now() > 60_000) return t.access_token;
  refreshing ??= call<{ access_token: string; refresh_token: string; expires_in: number }>(
    "POST",
    "/v1/auth/refresh",
    { refresh_token: t.refresh_token },
  )
    .then((fresh) => {
      keep(fresh);
      return fresh.access_token;
    })
    .catch((e: unknown) => {
      sessionStorage.removeItem(KEY);
      throw e;
    })
    .finally(() => (refreshing = null));
  return refreshing;
}

async function authed<T>(method: string, path: string, body?: unknown): Promise<T> {
  return call<T>(method, path, body, await accessToken());
}

export const signedIn = (): boolean => stored() !== null;

export async function signIn(username: string, password: string): Promise<void> {
  keep(await call("POST", "/v1/auth/login", { username, password }));
}

export async function signUp(username: string, password: string): Promise<void> {
  await call("POST", "/v1/auth/register", { username, password });
  await signIn(username, password);
}

export async function signOut(): Promise<void> {
  const t = stored();
  sessionStorage.removeItem(KEY);
  if (t) await call("POST", "/v1/auth/logout", { refresh_token: t.refresh_token }).catch(() => undefined);
}

export const me = () => authed<Me>("GET", "/v1/me");
export const balances = () => authed<{ balances: Balance[] }>("GET", "/v1/wallet").then((r) => r.balances);
export const transactions = (cursor?: number) =>
  authed<{ transactions: TxLine[]; next_cursor: number | null }>(
    "GET",
    `/v1/wallet/transactions?limit=20${cursor ? `&cursor=${cursor}` : ""}`,
  );
export const tables = () => authed<{ tables: TableListing[] }>("GET", "/v1/tables").then((r) => r.tables);
export const games = () => authed<{ games: GameListing[] }>("GET", "/v1/games").then((r) => r.games);
/** A game's JSON Schemas and its root types by role (`action`, `event`, `view`, `config`, `outcome`). */
export interface GameSchema {
  game: string;
  roots: Record<string, Record<string, unknown>>;
  schema: { definitions?: Record<string, Record<string, unknown>> };
}
export const gameSchema = (id: string) => authed<GameSchema>("GET", `/v1/games/${encodeURIComponent(id)}/schema`);
export const rounds = () => authed<{ rounds: PlayedRound[] }>("GET", "/v1/rounds?limit=50").then((r) => r.rounds);
export const round = (key: string) => authed<RoundRow>("GET", `/v1/rounds/${encodeURIComponent(key)}`);
export const fairness = () => authed<Fairness>("GET", "/v1/fairness");
export const rotateSeed = () => authed<unknown>("POST", "/v1/fairness/rotate", {});

/** Any route, with the caller's token (the operator console, the account screen). */
export const route = <T>(method: string, path: string, body?: unknown) => authed<T>(method, path, body);
