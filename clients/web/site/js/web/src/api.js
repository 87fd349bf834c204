// The HTTP API as the web client uses it (docs/api.md): sign-up and sign-in,
// tokens kept in sessionStorage (gone when the tab closes) and refreshed
// before they expire, and one typed call per route. A refusal throws
// ApiError with the server's stable code and message.
export class ApiError extends Error {
    status;
    code;
    constructor(status, code, message) {
        super(message);
        this.status = status;
        this.code = code;
        this.name = "ApiError";
    }
}
const KEY = "croupier.tokens";
function stored() {
    try {
        const raw = sessionStorage.getItem(KEY);
        return raw ? JSON.parse(raw) : null;
    }
    catch {
        return null;
    }
}
function keep(t) {
    const tokens = {
        access_token: t.access_token,
        refresh_token: t.refresh_token,
        expires_at: Date.now() + t.expires_in * 1000,
    };
    sessionStorage.setItem(KEY, JSON.stringify(tokens));
}
async function call(method, path, body, token) {
    const headers = {};
    if (body !== undefined)
        headers["content-type"] = "application/json";
    if (token)
        headers.authorization = `Bearer ${token}`;
    let res;
    try {
        res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    }
    catch {
        throw new ApiError(0, "network_error", "the server did not answer");
    }
    if (res.status === 204)
        return undefined;
    const text = await res.text();
    let json = null;
    try {
        json = text ? JSON.parse(text) : null;
    }
    catch {
        throw new ApiError(res.status, "bad_response", `the server answered ${res.status} without JSON`);
    }
    if (!res.ok) {
        const err = json?.error;
        throw new ApiError(res.status, err?.code ?? "http_error", err?.message ?? `HTTP ${res.status}`);
    }
    return json;
}
let refreshing = null;
/** A current access token: refreshed when it is within a minute of expiring. */
export async function accessToken() {
    const t = stored();
    if (!t)
        throw new ApiError(401, "unauthorized", "not signed in");
    if (t.expires_at - Date.now() > 60_000)
        return t.access_token;
    refreshing ??= call("POST", "/v1/auth/refresh", { refresh_token: t.refresh_token })
        .then((fresh) => {
        keep(fresh);
        return fresh.access_token;
    })
        .catch((e) => {
        sessionStorage.removeItem(KEY);
        throw e;
    })
        .finally(() => (refreshing = null));
    return refreshing;
}
async function authed(method, path, body) {
    return call(method, path, body, await accessToken());
}
export const signedIn = () => stored() !== null;
export async function signIn(username, password) {
    keep(await call("POST", "/v1/auth/login", { username, password }));
}
export async function signUp(username, password) {
    await call("POST", "/v1/auth/register", { username, password });
    await signIn(username, password);
}
export async function signOut() {
    const t = stored();
    sessionStorage.removeItem(KEY);
    if (t)
        await call("POST", "/v1/auth/logout", { refresh_token: t.refresh_token }).catch(() => undefined);
}
export const me = () => authed("GET", "/v1/me");
export const balances = () => authed("GET", "/v1/wallet").then((r) => r.balances);
export const transactions = (cursor) => authed("GET", `/v1/wallet/transactions?limit=20${cursor ? `&cursor=${cursor}` : ""}`);
export const tables = () => authed("GET", "/v1/tables").then((r) => r.tables);
export const games = () => authed("GET", "/v1/games").then((r) => r.games);
export const gameSchema = (id) => authed("GET", `/v1/games/${encodeURIComponent(id)}/schema`);
export const rounds = () => authed("GET", "/v1/rounds?limit=50").then((r) => r.rounds);
export const round = (key) => authed("GET", `/v1/rounds/${encodeURIComponent(key)}`);
export const fairness = () => authed("GET", "/v1/fairness");
export const rotateSeed = () => authed("POST", "/v1/fairness/rotate", {});
/** Any route, with the caller's token (the operator console, the account screen). */
export const route = (method, path, body) => authed(method, path, body);
