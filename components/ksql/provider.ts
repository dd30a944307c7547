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

/**
 * What a statement's output feeds, classed from the catalog (components/ksql outputs): an
 * alert rule, the object-locked audit archive, a warehouse table, or ksqlDB table state that
 * converges when recomputed. Only `table-state` may be replayed without an explicit allowance.
 */
export type KsqlOutputClass = "alerting" | "immutable-archive" | "warehouse" | "table-state";

/** A topic a statement reads, as a reviewer names it (e.g. `lims.test_results`), with its retention. */
export interface KsqlStatementSource {
    label: string;
    /** Retention of the topic in hours; undefined when it keeps everything. */
    retentionHours?: number;
}

/** One statement of an app, as the program's statement reader describes it. */
export interface KsqlStatementSpec {
    /** Stream/table created (source, query) or written (insert), upper case unless quoted. */
    name: string;
    kind: "source" | "query" | "insert";
    objectType: "STREAM" | "TABLE";
    sql: string;
    /** Streams/tables the statement reads. */
    reads: string[];
    /** Queries and inserts: the topic written and what it feeds. */
    output?: { topic: string; classes: KsqlOutputClass[] };
    /** Queries and inserts: the topics behind `reads`. */
    sources?: KsqlStatementSource[];
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
    /**
     * The stack allows this app's rebuilt queries to replay their inputs from the earliest
     * offset into replay-sensitive outputs (config `ksqldb.allowReplay`). Default false.
     */
    allowReplay?: boolean;
    /** Set by check(): what the change since the deployed version does, one line per statement. */
    changePlan?: string[];
}

/** A query the provider restarted during an update, with where it started and the gap it left. */
export interface KsqlRebuildRecord {
    statement: string;
    output: string;
    classes: KsqlOutputClass[];
    start: "earliest" | "latest";
    /** ISO times: the old query was terminated / the new one started. */
    stoppedAt: string;
    startedAt: string;
    effect: string;
}

export interface KsqlAppOutputs extends KsqlAppInputs {
    serverVersion: string;
    ksqlServiceId: string;
    /** Queries restarted by the last update (empty when everything was upgraded in place). */
    lastRebuilds?: KsqlRebuildRecord[];
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

// ---- What a change does to the outputs ---------------------------------------------------
// ksqlDB has two ways to change a running query
// (https://docs.ksqldb.io/en/latest/how-to-guides/update-a-running-persistent-query/):
// - in-place upgrades (CREATE OR REPLACE) resume from the old query's committed offsets, even
//   with auto.offset.reset=earliest; ksqlDB does not upgrade windowed or joined queries or table
//   aggregations in place, and a source written by several queries (INSERT INTO) cannot be
//   replaced at all (KLIP-28, https://github.com/confluentinc/ksql/blob/master/design-proposals/klip-28-create-or-replace.md);
// - replacing upgrades (TERMINATE, DROP, CREATE) start a new query "from either earliest or
//   latest offsets". The new query has a new query id and so a new consumer group,
//   `_confluent-ksql-<ksql.service.id>query_<query id>` ("Consumer groups",
//   https://docs.confluent.io/platform/current/ksqldb/operate-and-deploy/installation/security.html),
//   without committed offsets; ksqlDB deletes a terminated query's group anyway. Where it starts
//   is `ksql.streams.auto.offset.reset` in the request's streamsProperties
//   (https://docs.ksqldb.io/en/latest/reference/server-configuration/#ksqlstreamsautooffsetreset).
// So a rebuilt query either replays the retained history into its output or skips what arrived
// between stop and start; which one is decided per output class below.

const OFFSET_RESET = "ksql.streams.auto.offset.reset";

export type KsqlStart = "earliest" | "latest";

/** Where a rebuilt (restarted) query starts: replay only into converging table state, or when the stack allows it. */
export function rebuildStart(s: KsqlStatementSpec, allowReplay: boolean): KsqlStart {
    const classes = s.output?.classes ?? [];
    if (classes.length > 0 && classes.every((c) => c === "table-state")) return "earliest";
    return allowReplay ? "earliest" : "latest";
}

function outputText(s: KsqlStatementSpec): string {
    const classes = s.output?.classes ?? [];
    return `${s.output?.topic ?? s.name} (${classes.length ? classes.join(", ") : "unclassified stream"})`;
}

function sourcesText(s: KsqlStatementSpec, withRetention: boolean): string {
    const sources = s.sources?.length ? s.sources : s.reads.map((label) => ({ label, retentionHours: undefined }));
    return sources.map((src) => (withRetention ? `${src.retentionHours === undefined ? "all" : `${src.retentionHours} h`} of ${src.label}` : src.label)).join(", ");
}

/** One sentence: what restarting this statement's query does to its output. */
export function rebuildEffect(s: KsqlStatementSpec, allowReplay: boolean): string {
    const start = rebuildStart(s, allowReplay);
    if (start === "latest") {
        return `starts at the latest offset: skips changes of ${sourcesText(s, false)} between stop and start (no replay into ${outputText(s)}); the gap is recorded in lastRebuilds`;
    }
    const classes = s.output?.classes ?? [];
    const why = classes.length > 0 && classes.every((c) => c === "table-state") ? "table state converges" : "allowed by ksqldb.allowReplay";
    return `starts at the earliest offset: replays ${sourcesText(s, true)} into ${outputText(s)} (${why})`;
}

const INSERT_REBUILD = "INSERT INTO has no in-place upgrade";

/** Why ksqlDB's documentation says it will refuse to upgrade this query in place, if it does. */
export function predictedUpgradeRefusal(s: KsqlStatementSpec): string | undefined {
    if (s.kind === "insert") return INSERT_REBUILD;
    if (s.kind !== "query") return undefined;
    const text = normalizeStatement(s.sql).replace(/'[^']*'/g, "''").toUpperCase();
    if (/\bJOIN\b/.test(text)) return "ksqlDB does not upgrade a joined query in place";
    if (/\bWINDOW\b/.test(text)) return "ksqlDB does not upgrade a windowed query in place";
    if (/\bGROUP\s+BY\b/.test(text)) return "ksqlDB does not upgrade a table aggregation in place";
    return undefined;
}

export interface KsqlStatementChange {
    /** `query LAB_RESULTS_OOS`, `INSERT AUDIT_CDC_CHANGES FROM ...`. */
    statement: string;
    action: "add" | "remove" | "upgrade in place" | "rebuild";
    reason?: string;
    /** Where a (re)started query begins. */
    start?: KsqlStart;
    effect: string;
}

/**
 * What deploying `news` over `olds` does, statement by statement. `refused` lists the statements
 * whose CREATE OR REPLACE the server refused; without it (a preview, the offline plan) refusals
 * are predicted from ksqlDB's documented limits.
 */
export function planAppChange(olds: KsqlStatementSpec[], news: KsqlStatementSpec[], allowReplay: boolean, refused?: readonly string[]): KsqlStatementChange[] {
    const oldSql: Record<string, string> = {};
    for (const s of olds) oldSql[key(s)] = normalizeStatement(s.sql);
    const newKeys = news.map(key);
    const removed = withDependents(olds, new Set(olds.filter((s) => !newKeys.includes(key(s))).map(key)));
    const changed = news.filter((s) => key(s) in oldSql && !removed.has(key(s)) && oldSql[key(s)] !== normalizeStatement(s.sql)).map(key);
    const reasons: Record<string, string> = {};
    for (const s of news) {
        if (!changed.includes(key(s))) continue;
        const reason = s.kind === "insert" ? INSERT_REBUILD : refused ? (refused.includes(key(s)) ? "ksqlDB refused the in-place upgrade" : undefined) : predictedUpgradeRefusal(s);
        if (reason) reasons[key(s)] = reason;
    }
    const affected = withDependents(olds, new Set(Object.keys(reasons)));

    const changes: KsqlStatementChange[] = [];
    for (const s of olds) {
        if (!newKeys.includes(key(s))) changes.push({ statement: key(s), action: "remove", effect: "query terminated, stream/table dropped; its topic and data are kept" });
    }
    for (const s of news) {
        const k = key(s);
        const restarted = affected.has(k) || removed.has(k);
        if (!(k in oldSql)) {
            changes.push({
                statement: k,
                action: "add",
                ...(s.kind === "source" ? { effect: "declared" } : { start: "earliest" as const, effect: `first start at the earliest offset: reads ${sourcesText(s, true)} into ${outputText(s)}` }),
            });
        } else if (restarted && s.kind === "source") {
            changes.push({ statement: k, action: "rebuild", reason: "a statement it feeds is rebuilt", effect: "dropped and declared again; no query, no data moved" });
        } else if (restarted) {
            const reason = reasons[k] ?? (removed.has(k) ? "reads a removed statement" : "reads a rebuilt statement");
            changes.push({ statement: k, action: "rebuild", reason, start: rebuildStart(s, allowReplay), effect: rebuildEffect(s, allowReplay) });
        } else if (changed.includes(k)) {
            const fallback = refused || s.kind === "source" ? "" : `; if ksqlDB refuses the upgrade, a rebuild ${rebuildEffect(s, allowReplay)}`;
            changes.push({
                statement: k,
                action: "upgrade in place",
                effect: `CREATE OR REPLACE: ${s.kind === "source" ? "declaration replaced" : "continues from the committed offsets; nothing replayed, nothing skipped"}${fallback}`,
            });
        }
    }
    return changes;
}

/** The plan as lines for a review (preview input `changePlan`, `npm run plan -- --against`). */
export function renderAppChange(app: string, changes: KsqlStatementChange[]): string[] {
    return changes.map((c) => `${app}: ${c.statement}: ${c.action}${c.reason ? ` (${c.reason})` : ""}: ${c.effect}`);
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

/**
 * Runs statements in order; an INSERT that already runs is not started twice. `startOf` gives
 * the start position of a restarted query (others use the app's streamsProperties) and is told
 * when each one started.
 */
async function deploy(
    conn: Connection,
    inputs: KsqlAppInputs,
    statements: KsqlStatementSpec[],
    startOf: (s: KsqlStatementSpec) => KsqlStart | undefined = () => undefined,
    started: (s: KsqlStatementSpec, start: KsqlStart) => void = () => undefined,
): Promise<void> {
    const inserts = statements.some((s) => s.kind === "insert") ? await runningQueries(conn) : [];
    for (const s of statements) {
        if (s.kind === "insert" && queriesOf(s, inserts).length > 0) continue;
        const start = s.kind === "source" ? undefined : startOf(s);
        const properties = start ? { ...inputs.streamsProperties, [OFFSET_RESET]: start } : inputs.streamsProperties;
        await execute(conn, s.sql, properties, describeStatement(inputs, s));
        if (start) started(s, start);
    }
}

const UPGRADE_REFUSED = /cannot upgrade|not upgradeable|upgrades? (?:is |are )?not (?:yet )?supported|cannot be replaced/i;

/** `CREATE OR REPLACE ...` form of a CREATE statement (ksqlDB refuses OR REPLACE together with IF NOT EXISTS). */
function orReplace(sql: string): string {
    return sql.replace(/^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(SOURCE\s+)?(STREAM|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, (_, source, type) => `CREATE OR REPLACE ${source ?? ""}${type} `);
}

async function outputs(conn: Connection, inputs: KsqlAppInputs): Promise<KsqlAppOutputs> {
    const info = await serverInfo(conn);
    return { ...inputs, retry: conn.retry, serverVersion: info.version, ksqlServiceId: info.ksqlServiceId, lastRebuilds: [] };
}

export const ksqlAppProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: KsqlAppInputs) {
        const conn = connect(inputs);
        const outs = await outputs(conn, inputs);
        await deploy(conn, inputs, inputs.statements);
        return { id: `${outs.ksqlServiceId}/${inputs.app}`, outs };
    },

    /** Adds `changePlan`: what the change does per statement, so a preview shows it next to the statement diff. */
    async check(olds: Partial<KsqlAppInputs>, news: KsqlAppInputs) {
        const changePlan =
            Array.isArray(olds?.statements) && Array.isArray(news?.statements)
                ? renderAppChange(String(news.app), planAppChange(olds.statements, news.statements, news.allowReplay === true))
                : [];
        return { inputs: { ...news, changePlan } };
    },

    async diff(_id: string, olds: KsqlAppOutputs, news: KsqlAppInputs) {
        // changePlan and allowReplay describe a change; on their own they change nothing on the server.
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
        const oldKeys = olds.statements.map(key);
        const newKeys = news.statements.map(key);
        const allowReplay = news.allowReplay === true;

        // Removed statements go first, their dependents with them (ksqlDB refuses to drop a source
        // that a query still reads).
        const removed = withDependents(olds.statements, new Set(olds.statements.filter((s) => !newKeys.includes(key(s))).map(key)));
        const stoppedAt: Record<string, string> = {};
        const stop = async (list: KsqlStatementSpec[]) => {
            const now = new Date().toISOString();
            for (const s of list) stoppedAt[key(s)] = now;
            await teardown(conn, olds, list);
        };
        await stop(olds.statements.filter((s) => removed.has(key(s))));

        // Changed statements: CREATE OR REPLACE where ksqlDB accepts the upgrade, otherwise rebuild.
        const rebuild = new Set<string>();
        const refused: string[] = [];
        for (const s of news.statements) {
            const old = olds.statements[oldKeys.indexOf(key(s))];
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
                refused.push(key(s));
            }
        }
        const affected = withDependents(olds.statements, rebuild);
        await stop(olds.statements.filter((s) => affected.has(key(s)) && !removed.has(key(s))));

        // New, removed-and-kept and rebuilt statements, in the new dependency order. A restarted
        // query starts where planAppChange says; new ones start from the app's default.
        const plan = planAppChange(olds.statements, news.statements, allowReplay, refused);
        const effects: Record<string, KsqlStatementChange> = {};
        for (const c of plan) effects[c.statement] = c;
        const lastRebuilds: KsqlRebuildRecord[] = [];
        await deploy(
            conn,
            news,
            news.statements.filter((s) => !oldKeys.includes(key(s)) || removed.has(key(s)) || affected.has(key(s))),
            (s) => (oldKeys.includes(key(s)) ? rebuildStart(s, allowReplay) : undefined),
            (s, start) =>
                lastRebuilds.push({
                    statement: key(s),
                    output: s.output?.topic ?? s.name,
                    classes: s.output?.classes ?? [],
                    start,
                    stoppedAt: stoppedAt[key(s)] ?? "",
                    startedAt: new Date().toISOString(),
                    effect: effects[key(s)]?.effect ?? rebuildEffect(s, allowReplay),
                }),
        );
        return { outs: { ...outs, lastRebuilds } };
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
    /** Rebuilt queries of this app may replay history into replay-sensitive outputs (`ksqldb.allowReplay`). */
    allowReplay?: boolean;
}

/** One ksqlDB app's statements on one server. The credentials stay secret in the state. */
export class KsqlAppDeployment extends pulumi.dynamic.Resource {
    declare readonly serverVersion: pulumi.Output<string>;
    declare readonly ksqlServiceId: pulumi.Output<string>;
    /** Queries the last update restarted: start position and the stop/start times of any gap. */
    declare readonly lastRebuilds: pulumi.Output<KsqlRebuildRecord[]>;

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
                allowReplay: args.allowReplay ?? false,
                serverVersion: undefined,
                ksqlServiceId: undefined,
                lastRebuilds: undefined,
            },
            { ...opts, additionalSecretOutputs: ["credentials"] },
        );
    }
}
