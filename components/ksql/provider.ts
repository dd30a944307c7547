// Dynamic provider that deploys one ksqlDB app (an ordered list of statements) over the ksqlDB
// REST API: POST /ksql {ksql, streamsProperties}, GET /info, basic auth with a ksqlDB API key.
// The Confluent provider has no statement resource, and the same code serves the local
// plain-HTTP server (endpoint + optional credentials).
//
// Dynamic providers are serialized into the state with their closure, so this module imports
// nothing of ours, and the HTTP client is required inside the functions that use it.
import * as pulumi from "@pulumi/pulumi";

export interface KsqlCredentials {
    key: string;
    secret: string;
}

export interface KsqlRetryPolicy {
    /** Attempts per request, the first included, for HTTP 5xx/429 and dropped connections. */
    maxAttempts: number;
    /** First backoff; doubles per attempt up to maxDelayMs (a Retry-After header wins if shorter). */
    initialDelayMs: number;
    maxDelayMs: number;
    /** A request without an answer for this long fails (it is not retried: it may have run). */
    requestTimeoutMs: number;
}

export const DEFAULT_KSQL_RETRY: KsqlRetryPolicy = { maxAttempts: 6, initialDelayMs: 500, maxDelayMs: 15_000, requestTimeoutMs: 60_000 };

/** One statement of an app, as the program's statement reader describes it. */
export interface KsqlStatementSpec {
    /** Stream/table created (source, query) or written (insert), upper case unless quoted. */
    name: string;
    kind: "source" | "query" | "insert";
    objectType: "STREAM" | "TABLE";
    sql: string;
    /** Streams/tables the statement reads. */
    reads: string[];
}

export interface KsqlAppInputs {
    /** https://... (Confluent Cloud) or http://host:8088 (local server). */
    endpoint: string;
    /** ksqlDB API key; omitted for a server without auth. */
    credentials?: KsqlCredentials;
    app: string;
    statements: KsqlStatementSpec[];
    streamsProperties: Record<string, string>;
    retry: KsqlRetryPolicy;
}

export interface KsqlAppOutputs extends KsqlAppInputs {
    serverVersion: string;
    ksqlServiceId: string;
}

/**
 * An error from the server or the connection. Never carries the credentials. A plain Error with
 * a name, not a subclass: Pulumi's closure serializer turns `class extends Error` into a function
 * calling `Error.call(this, message)`, which loses the message in the provider host.
 */
export interface KsqlApiError extends Error {
    name: "KsqlApiError";
    status?: number;
    errorCode?: number;
}

export function ksqlApiError(message: string, status?: number, errorCode?: number): KsqlApiError {
    return Object.assign(new Error(message), { name: "KsqlApiError" as const, status, errorCode });
}

export function isKsqlApiError(err: unknown): err is KsqlApiError {
    return err instanceof Error && err.name === "KsqlApiError";
}

interface Connection {
    url: URL;
    credentials?: KsqlCredentials;
    retry: KsqlRetryPolicy;
}

function connect(inputs: Pick<KsqlAppInputs, "endpoint" | "credentials" | "retry">): Connection {
    let url: URL;
    try {
        url = new URL(inputs.endpoint);
    } catch {
        throw ksqlApiError(`ksqlDB endpoint "${inputs.endpoint}" is not a URL`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        throw ksqlApiError(`ksqlDB endpoint ${url.origin}: protocol must be https (or http for a local server)`);
    }
    if (inputs.credentials && url.protocol === "http:" && !["localhost", "127.0.0.1", "[::1]", "::1"].includes(url.hostname)) {
        throw ksqlApiError(`ksqlDB endpoint ${url.origin}: refusing to send credentials over plain HTTP; use https`);
    }
    return { url, credentials: inputs.credentials, retry: { ...DEFAULT_KSQL_RETRY, ...inputs.retry } };
}

/** Removes anything credential-like a server might echo back. */
function redact(text: string, conn: Connection): string {
    if (!conn.credentials) return text;
    const { key, secret } = conn.credentials;
    const basic = Buffer.from(`${key}:${secret}`).toString("base64");
    let out = text;
    for (const value of [basic, secret, key]) if (value) out = out.split(value).join("[redacted]");
    return out;
}

interface RawResponse {
    status: number;
    retryAfterMs?: number;
    body: string;
}

function send(conn: Connection, method: string, path: string, body?: unknown): Promise<RawResponse> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const client = conn.url.protocol === "https:" ? require("node:https") : require("node:http");
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: "application/vnd.ksql.v1+json" };
    if (payload !== undefined) {
        headers["Content-Type"] = "application/vnd.ksql.v1+json; charset=utf-8";
        headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    if (conn.credentials) {
        headers.Authorization = `Basic ${Buffer.from(`${conn.credentials.key}:${conn.credentials.secret}`).toString("base64")}`;
    }
    return new Promise((resolve, reject) => {
        const req = client.request(
            new URL(path, conn.url),
            { method, headers, timeout: conn.retry.requestTimeoutMs },
            (res: any) => {
                let text = "";
                res.setEncoding("utf8");
                res.on("data", (chunk: string) => (text += chunk));
                res.on("error", reject);
                res.on("end", () => {
                    const retryAfter = Number(res.headers["retry-after"]);
                    resolve({ status: res.statusCode, body: text, retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined });
                });
            },
        );
        req.on("timeout", () => req.destroy(Object.assign(new Error("request timed out"), { code: "KSQL_TIMEOUT" })));
        req.on("error", reject);
        if (payload !== undefined) req.write(payload);
        req.end();
    });
}

function parseJson(text: string): any {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/**
 * One request with bounded retries on HTTP 5xx, 429 and dropped connections. `what` says what
 * the request was for (e.g. the statement) and goes into every error.
 */
async function request(conn: Connection, method: string, path: string, body: unknown, what: string): Promise<any> {
    const { maxAttempts, initialDelayMs, maxDelayMs, requestTimeoutMs } = conn.retry;
    const where = `ksqlDB ${conn.url.origin} (${method} ${path})`;
    let lastProblem = "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        let delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
        try {
            const res = await send(conn, method, path, body);
            const json = parseJson(res.body);
            if (res.status >= 200 && res.status < 300) return json;
            const serverMessage = redact(json?.message ?? res.body.slice(0, 500), conn);
            if (res.status === 401 || res.status === 403) {
                throw ksqlApiError(
                    `${where}: authentication failed (HTTP ${res.status}: ${serverMessage}); check the ksqlDB API key and its role binding. ${what}`,
                    res.status,
                    json?.error_code,
                );
            }
            if (res.status >= 500 || res.status === 429) {
                lastProblem = `HTTP ${res.status}${serverMessage ? `: ${serverMessage}` : ""}`;
                if (res.retryAfterMs !== undefined) delay = Math.min(delay, res.retryAfterMs);
            } else {
                // A statement error: surfaced verbatim, with the statement.
                const type = json?.["@type"] ? `${json["@type"]}, ` : "";
                const code = json?.error_code !== undefined ? `error_code ${json.error_code}` : `HTTP ${res.status}`;
                throw ksqlApiError(`${where}: ksqlDB rejected ${what}\n  server (${type}${code}): ${serverMessage}`, res.status, json?.error_code);
            }
        } catch (err) {
            if (isKsqlApiError(err)) throw err;
            const code = (err as NodeJS.ErrnoException).code ?? "";
            if (code === "KSQL_TIMEOUT") {
                throw ksqlApiError(`${where}: no answer within ${requestTimeoutMs} ms; ${what}. Not retried: the server may still run it`);
            }
            // (No module-level Set: the closure serializer cannot carry one into the provider host.)
            if (!["ECONNRESET", "ECONNREFUSED", "EPIPE", "EAI_AGAIN", "ENOTFOUND"].includes(code)) throw ksqlApiError(`${where}: ${redact((err as Error).message, conn)}; ${what}`);
            lastProblem = `connection error ${code}`;
        }
        if (attempt < maxAttempts) await new Promise((resolve) => setTimeout(resolve, delay));
    }
    throw ksqlApiError(`${where}: gave up after ${maxAttempts} attempts, last ${lastProblem}; ${what}`);
}

interface ServerInfo {
    version: string;
    ksqlServiceId: string;
}

async function serverInfo(conn: Connection): Promise<ServerInfo> {
    const json = await request(conn, "GET", "/info", undefined, "reading server info");
    const info = json?.KsqlServerInfo;
    if (!info) throw ksqlApiError(`ksqlDB ${conn.url.origin}: GET /info did not return KsqlServerInfo`);
    if (info.serverStatus && info.serverStatus !== "RUNNING") {
        throw ksqlApiError(`ksqlDB ${conn.url.origin}: server status is ${info.serverStatus}, not RUNNING`);
    }
    return { version: String(info.version), ksqlServiceId: String(info.ksqlServiceId) };
}

async function execute(conn: Connection, sql: string, streamsProperties: Record<string, string>, what: string): Promise<any[]> {
    const entities = await request(conn, "POST", "/ksql", { ksql: sql, streamsProperties }, `${what}\n  statement: ${sql}`);
    for (const entity of Array.isArray(entities) ? entities : []) {
        if (entity?.commandStatus?.status === "ERROR") {
            throw ksqlApiError(`ksqlDB ${conn.url.origin}: ${what} failed: ${redact(String(entity.commandStatus.message), conn)}\n  statement: ${sql}`);
        }
    }
    return Array.isArray(entities) ? entities : [];
}

interface RunningQuery {
    id: string;
    queryString: string;
    sinks: string[];
}

async function runningQueries(conn: Connection): Promise<RunningQuery[]> {
    const entities = await execute(conn, "SHOW QUERIES;", {}, "listing queries");
    const list = entities.find((e) => e?.["@type"] === "queries")?.queries ?? [];
    return list.map((q: any) => ({ id: String(q.id), queryString: String(q.queryString ?? ""), sinks: (q.sinks ?? []).map(String) }));
}

/** The running queries that a statement owns: the one writing its stream/table, or its INSERT. */
function queriesOf(statement: KsqlStatementSpec, queries: RunningQuery[]): RunningQuery[] {
    if (statement.kind === "source") return [];
    const target = statement.name.toUpperCase();
    return queries.filter((q) => {
        if (!q.sinks.some((s) => s.toUpperCase() === target)) return false;
        if (statement.kind === "query") return !/^\s*INSERT\b/i.test(q.queryString);
        const from = new RegExp(`\\bFROM\\s+\`?${statement.reads[0]}\`?(\\s|;|$)`, "i");
        return /^\s*INSERT\b/i.test(q.queryString) && from.test(q.queryString);
    });
}

// Not named `describe`: the closure serializer leaves names of globals uncaptured, and under mocha
// `describe` is a global, so the provider the tests serialize would lose it.
function describeStatement(inputs: KsqlAppInputs, statement: KsqlStatementSpec): string {
    const position = inputs.statements.indexOf(statement) + 1;
    return `app ${inputs.app}, statement ${position || "?"} of ${inputs.statements.length} (${statement.kind} ${statement.name})`;
}

/** Whitespace- and comment-insensitive statement text, for diffs. */
export function normalizeStatement(sql: string): string {
    let out = "";
    let quote: string | undefined;
    let space = false;
    for (let i = 0; i < sql.length; i++) {
        const ch = sql[i];
        if (quote) {
            out += ch;
            if (ch === quote) quote = undefined;
        } else if (ch === "-" && sql[i + 1] === "-") {
            while (i < sql.length && sql[i] !== "\n") i++;
            space = true;
        } else if (/\s/.test(ch)) {
            space = true;
        } else {
            if (space && out) out += " ";
            space = false;
            if (ch === "'" || ch === "`") quote = ch;
            out += ch;
        }
    }
    return out.replace(/\s*;$/, "");
}

const key = (s: KsqlStatementSpec) => (s.kind === "insert" ? `INSERT ${s.name} FROM ${s.reads.join(",")}` : `${s.kind} ${s.name}`);

/** Statements of `olds` that depend, directly or through others, on any of `roots` (roots included). */
function withDependents(statements: KsqlStatementSpec[], roots: Set<string>): Set<string> {
    const affected = new Set(roots);
    let grew = true;
    while (grew) {
        grew = false;
        for (const s of statements) {
            if (affected.has(key(s))) continue;
            const uses = [...s.reads, ...(s.kind === "insert" ? [s.name] : [])];
            const hit = statements.some((o) => o.kind !== "insert" && affected.has(key(o)) && uses.includes(o.name));
            if (hit) {
                affected.add(key(s));
                grew = true;
            }
        }
    }
    return affected;
}

/** Terminates the queries of `statements`, then drops their streams/tables, both in reverse order. Never deletes topics. */
async function teardown(conn: Connection, inputs: KsqlAppInputs, statements: KsqlStatementSpec[]): Promise<void> {
    const queries = await runningQueries(conn);
    for (const s of [...statements].reverse()) {
        for (const q of queriesOf(s, queries)) await execute(conn, `TERMINATE ${q.id};`, {}, `terminating query ${q.id} of ${describeStatement(inputs, s)}`);
    }
    for (const s of [...statements].reverse()) {
        if (s.kind === "insert") continue;
        await execute(conn, `DROP ${s.objectType} IF EXISTS ${s.name};`, {}, `dropping ${describeStatement(inputs, s)}`);
    }
}

/** Runs statements in order; an INSERT that already runs is not started twice. */
async function deploy(conn: Connection, inputs: KsqlAppInputs, statements: KsqlStatementSpec[]): Promise<void> {
    const inserts = statements.some((s) => s.kind === "insert") ? await runningQueries(conn) : [];
    for (const s of statements) {
        if (s.kind === "insert" && queriesOf(s, inserts).length > 0) continue;
        await execute(conn, s.sql, inputs.streamsProperties, describeStatement(inputs, s));
    }
}

const UPGRADE_REFUSED = /cannot upgrade|not upgradeable|upgrades? (?:is |are )?not (?:yet )?supported|cannot be replaced/i;

/** `CREATE OR REPLACE ...` form of a CREATE statement (ksqlDB refuses OR REPLACE together with IF NOT EXISTS). */
function orReplace(sql: string): string {
    return sql.replace(/^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(SOURCE\s+)?(STREAM|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, (_, source, type) => `CREATE OR REPLACE ${source ?? ""}${type} `);
}

async function outputs(conn: Connection, inputs: KsqlAppInputs): Promise<KsqlAppOutputs> {
    const info = await serverInfo(conn);
    return { ...inputs, retry: conn.retry, serverVersion: info.version, ksqlServiceId: info.ksqlServiceId };
}

export const ksqlAppProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: KsqlAppInputs) {
        const conn = connect(inputs);
        const outs = await outputs(conn, inputs);
        await deploy(conn, inputs, inputs.statements);
        return { id: `${outs.ksqlServiceId}/${inputs.app}`, outs };
    },

    async diff(_id: string, olds: KsqlAppOutputs, news: KsqlAppInputs) {
        const text = (list: KsqlStatementSpec[]) => JSON.stringify(list.map((s) => [key(s), normalizeStatement(s.sql)]));
        const replaces = olds.endpoint !== news.endpoint || olds.app !== news.app ? ["endpoint"] : [];
        const changes =
            replaces.length > 0 ||
            text(olds.statements) !== text(news.statements) ||
            JSON.stringify(olds.streamsProperties) !== JSON.stringify(news.streamsProperties) ||
            JSON.stringify(olds.credentials ?? null) !== JSON.stringify(news.credentials ?? null);
        return { changes, replaces, deleteBeforeReplace: false };
    },

    async update(_id: string, olds: KsqlAppOutputs, news: KsqlAppInputs) {
        const conn = connect(news);
        const outs = await outputs(conn, news);
        const oldByKey = new Map(olds.statements.map((s) => [key(s), s]));
        const newKeys = new Set(news.statements.map(key));

        // Removed statements go first, their dependents with them (ksqlDB refuses to drop a source
        // that a query still reads).
        const removed = withDependents(olds.statements, new Set(olds.statements.filter((s) => !newKeys.has(key(s))).map(key)));
        await teardown(conn, olds, olds.statements.filter((s) => removed.has(key(s))));

        // Changed statements: CREATE OR REPLACE where ksqlDB accepts the upgrade, otherwise rebuild.
        const rebuild = new Set<string>();
        for (const s of news.statements) {
            const old = oldByKey.get(key(s));
            if (!old || removed.has(key(s)) || normalizeStatement(old.sql) === normalizeStatement(s.sql)) continue;
            if (s.kind === "insert") {
                rebuild.add(key(s));
                continue;
            }
            try {
                await execute(conn, orReplace(s.sql), news.streamsProperties, `${describeStatement(news, s)} (CREATE OR REPLACE)`);
            } catch (err) {
                if (!isKsqlApiError(err) || !UPGRADE_REFUSED.test(err.message)) throw err;
                rebuild.add(key(s));
            }
        }
        const affected = withDependents(olds.statements, rebuild);
        await teardown(conn, olds, olds.statements.filter((s) => affected.has(key(s)) && !removed.has(key(s))));

        // New, removed-and-kept and rebuilt statements, in the new dependency order.
        await deploy(
            conn,
            news,
            news.statements.filter((s) => !oldByKey.has(key(s)) || removed.has(key(s)) || affected.has(key(s))),
        );
        return { outs };
    },

    async delete(_id: string, olds: KsqlAppOutputs) {
        const conn = connect(olds);
        await serverInfo(conn);
        await teardown(conn, olds, olds.statements);
    },
};

export interface KsqlAppDeploymentArgs {
    endpoint: pulumi.Input<string>;
    credentials?: pulumi.Input<{ key: pulumi.Input<string>; secret: pulumi.Input<string> }>;
    app: string;
    statements: KsqlStatementSpec[];
    streamsProperties?: Record<string, string>;
    retry?: Partial<KsqlRetryPolicy>;
}

/** One ksqlDB app's statements on one server. The credentials stay secret in the state. */
export class KsqlAppDeployment extends pulumi.dynamic.Resource {
    declare readonly serverVersion: pulumi.Output<string>;
    declare readonly ksqlServiceId: pulumi.Output<string>;

    constructor(name: string, args: KsqlAppDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            ksqlAppProvider,
            name,
            {
                endpoint: args.endpoint,
                credentials: args.credentials === undefined ? undefined : pulumi.secret(args.credentials),
                app: args.app,
                statements: args.statements,
                streamsProperties: args.streamsProperties ?? {},
                retry: { ...DEFAULT_KSQL_RETRY, ...args.retry },
                serverVersion: undefined,
                ksqlServiceId: undefined,
            },
            { ...opts, additionalSecretOutputs: ["credentials"] },
        );
    }
}
