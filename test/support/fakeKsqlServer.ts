// An in-process ksqlDB server speaking the documented REST shapes the provider uses:
// GET /info -> {KsqlServerInfo}, POST /ksql {ksql, streamsProperties} -> [entities] or
// {"@type":"statement_error","error_code","message","statementText"}; basic auth.
// It models streams/tables, persistent queries (CSAS/CTAS/INSERT), SHOW QUERIES, TERMINATE,
// DROP (refused while queries read or write the source), CREATE OR REPLACE (optionally
// refused as a non-upgradeable change), and fault injection (503s, resets, hangs).
// Every query it starts is recorded with the request's streamsProperties and where it starts
// reading: `resumed` for an in-place upgrade (CREATE OR REPLACE keeps the committed offsets),
// otherwise `ksql.streams.auto.offset.reset`, whose server default is latest
// (https://docs.ksqldb.io/en/latest/reference/server-configuration/#ksqlstreamsautooffsetreset).
import * as http from "http";
import { FakeHttpServer } from "./fakeHttpServer";

interface Source {
    type: "STREAM" | "TABLE";
    sql: string;
}

interface Query {
    id: string;
    queryString: string;
    sinks: string[];
    sources: string[];
}

export interface StartedQuery {
    id: string;
    sink: string;
    queryString: string;
    streamsProperties: Record<string, string>;
    start: "earliest" | "latest" | "resumed";
}

export interface LoggedRequest {
    method: string;
    path: string;
    ksql?: string;
    streamsProperties?: Record<string, string>;
    authorization?: string;
}

export interface FakeKsqlOptions {
    /** Expected basic-auth credentials; none means the server has no auth (local). */
    credentials?: { key: string; secret: string };
}

export class FakeKsqlServer extends FakeHttpServer {
    readonly sources = new Map<string, Source>();
    readonly queries = new Map<string, Query>();
    readonly log: LoggedRequest[] = [];
    /** Every query started, in order, with its properties and start position. */
    readonly started: StartedQuery[] = [];
    /** Answer the next N requests with 503 (with Retry-After: 0). */
    fail503 = 0;
    /** Reset the connection of the next N requests without answering. */
    resetNext = 0;
    /** Never answer (until the client gives up). */
    hang = false;
    /** Returns a server error for a statement, or undefined to run it. */
    rejectStatement?: (sql: string) => { error_code: number; message: string } | undefined;
    /** Names whose CREATE OR REPLACE is refused as a non-upgradeable change. */
    refuseUpgrade = new Set<string>();

    private sequence = 0;

    constructor(private readonly options: FakeKsqlOptions = {}) {
        super();
    }

    /** The statements (not SHOW/info) in the order the server received them. */
    get statements(): string[] {
        return this.log.filter((r) => r.ksql && !/^SHOW QUERIES/i.test(r.ksql)).map((r) => r.ksql!);
    }

    protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
            const parsed = body ? JSON.parse(body) : undefined;
            this.log.push({
                method: req.method!,
                path: req.url!,
                ksql: parsed?.ksql,
                streamsProperties: parsed?.streamsProperties,
                authorization: req.headers.authorization,
            });
            if (this.hang) return; // the client's timeout ends it
            if (this.resetNext > 0) {
                this.resetNext--;
                req.socket.destroy();
                return;
            }
            if (this.fail503 > 0) {
                this.fail503--;
                return send(res, 503, { "@type": "generic_error", error_code: 50300, message: "Service Unavailable" }, { "Retry-After": "0" });
            }
            if (!this.authorized(req)) {
                return send(res, 401, { "@type": "generic_error", error_code: 40100, message: "Unauthorized" });
            }
            if (req.method === "GET" && req.url === "/info") {
                return send(res, 200, {
                    KsqlServerInfo: { version: "7.6.1", kafkaClusterId: "lkc-fake01", ksqlServiceId: "pksqlc-fake01", serverStatus: "RUNNING" },
                });
            }
            if (req.method === "POST" && req.url === "/ksql") {
                if (req.headers["content-type"]?.split(";")[0] !== "application/vnd.ksql.v1+json") {
                    return send(res, 415, { "@type": "generic_error", error_code: 41500, message: "Unsupported Media Type" });
                }
                const result = this.run(String(parsed?.ksql ?? ""), parsed?.streamsProperties ?? {});
                return "error_code" in result
                    ? send(res, 400, { "@type": "statement_error", ...result, statementText: parsed?.ksql, entities: [] })
                    : send(res, 200, result.entities);
            }
            send(res, 404, { "@type": "generic_error", error_code: 40400, message: "Not found" });
        });
    }

    private authorized(req: http.IncomingMessage): boolean {
        const expected = this.options.credentials;
        if (!expected) return true;
        return req.headers.authorization === `Basic ${Buffer.from(`${expected.key}:${expected.secret}`).toString("base64")}`;
    }

    private status(sql: string, commandId: string, message: string): { entities: unknown[] } {
        return {
            entities: [
                {
                    "@type": "currentStatus",
                    statementText: sql,
                    commandId,
                    commandStatus: { status: "SUCCESS", message, queryId: null },
                    commandSequenceNumber: ++this.sequence,
                    warnings: [],
                },
            ],
        };
    }

    private startQuery(query: Query, streamsProperties: Record<string, string>, resumed: boolean): void {
        this.queries.set(query.id, query);
        const reset = streamsProperties["ksql.streams.auto.offset.reset"] ?? streamsProperties["auto.offset.reset"] ?? "latest";
        this.started.push({
            id: query.id,
            sink: query.sinks[0],
            queryString: query.queryString,
            streamsProperties: { ...streamsProperties },
            start: resumed ? "resumed" : reset === "earliest" ? "earliest" : "latest",
        });
    }

    private run(sql: string, streamsProperties: Record<string, string>): { entities: unknown[] } | { error_code: number; message: string } {
        const rejected = this.rejectStatement?.(sql);
        if (rejected) return rejected;
        const text = sql.replace(/\s+/g, " ").trim();
        if (/^SHOW QUERIES;?$/i.test(text)) {
            const queries = [...this.queries.values()].map((q) => ({
                queryString: q.queryString,
                sinks: q.sinks,
                sinkKafkaTopics: q.sinks.map((s) => s.toLowerCase()),
                id: q.id,
                statusCount: { RUNNING: 1 },
                queryType: "PERSISTENT",
                state: "RUNNING",
            }));
            return { entities: [{ "@type": "queries", statementText: sql, queries, warnings: [] }] };
        }
        let m = /^TERMINATE (\w+);?$/i.exec(text);
        if (m) {
            if (!this.queries.delete(m[1])) return { error_code: 40001, message: `Unknown queryId: ${m[1]}` };
            return this.status(sql, `terminate/${m[1]}/execute`, "Query terminated.");
        }
        m = /^DROP (STREAM|TABLE) (IF EXISTS )?(\w+)( DELETE TOPIC)?;?$/i.exec(text);
        if (m) {
            const name = m[3].toUpperCase();
            if (!this.sources.has(name)) {
                return m[2] ? this.status(sql, `stream/${name}/drop`, "Source does not exist.") : { error_code: 40001, message: `Source ${name} does not exist.` };
            }
            const readers = [...this.queries.values()].filter((q) => q.sources.includes(name)).map((q) => q.id);
            const writers = [...this.queries.values()].filter((q) => q.sinks.includes(name)).map((q) => q.id);
            if (readers.length || writers.length) {
                return {
                    error_code: 40001,
                    message:
                        `Cannot drop ${name}.\nThe following queries read from this source: [${readers.join(", ")}].\n` +
                        `The following queries write into this source: [${writers.join(", ")}].\nYou need to terminate them before dropping ${name}.`,
                };
            }
            this.sources.delete(name);
            return this.status(sql, `${m[1].toLowerCase()}/${name}/drop`, `Source \`${name}\` (topic: kept) was dropped.`);
        }
        const reads = [...text.matchAll(/\b(?:FROM|JOIN) (\w+)/gi)].map((r) => r[1].toUpperCase());
        for (const source of reads) {
            if (!this.sources.has(source)) return { error_code: 40001, message: `${source} does not exist.` };
        }
        m = /^CREATE (OR REPLACE )?(STREAM|TABLE) (IF NOT EXISTS )?(\w+)/i.exec(text);
        if (m) {
            const [, orReplace, type, ifNotExists, rawName] = m;
            if (orReplace && ifNotExists) return { error_code: 40001, message: "Cannot include both `OR REPLACE` and `IF NOT EXISTS` in the same statement" };
            const name = rawName.toUpperCase();
            const existing = this.sources.get(name);
            if (existing && ifNotExists) return this.status(sql, `${type.toLowerCase()}/${name}/create`, `Cannot add ${type.toLowerCase()} ${name}: already exists.`);
            if (existing && !orReplace) return { error_code: 40001, message: `Cannot add ${type.toLowerCase()} '${name}': A ${type.toLowerCase()} with the same name already exists` };
            if (existing && this.refuseUpgrade.has(name)) {
                return { error_code: 40001, message: `Cannot upgrade data source: DataSource '\`${name}\`' has type = ${existing.type} which is not upgradeable in this way` };
            }
            this.sources.set(name, { type: type.toUpperCase() as "STREAM" | "TABLE", sql });
            if (/\bAS SELECT\b/i.test(text)) {
                const current = [...this.queries.values()].find((q) => q.sinks.includes(name) && !/^INSERT/i.test(q.queryString));
                const id = current?.id ?? `${type.toUpperCase() === "TABLE" ? "CTAS" : "CSAS"}_${name}_${++this.sequence}`;
                this.startQuery({ id, queryString: sql, sinks: [name], sources: reads }, streamsProperties, current !== undefined);
            }
            return this.status(sql, `${type.toLowerCase()}/${name}/create`, existing ? "Created query with ID " : `${type} created`);
        }
        m = /^INSERT INTO (\w+) /i.exec(text);
        if (m) {
            const target = m[1].toUpperCase();
            if (!this.sources.has(target)) return { error_code: 40001, message: `Sink ${target} does not exist for the INSERT INTO statement.` };
            const id = `INSERTQUERY_${++this.sequence}`;
            this.startQuery({ id, queryString: sql, sinks: [target], sources: reads }, streamsProperties, false);
            return this.status(sql, `stream/${target}/create`, `Created query with ID ${id}`);
        }
        return { error_code: 40001, message: `line 1:1: Syntax Error` };
    }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
    res.end(text);
}
