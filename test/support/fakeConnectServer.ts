// An in-process Kafka Connect worker speaking the documented REST shapes the provider uses:
// PUT /connectors/{name}/config -> 201 created / 200 updated {name, config, tasks, type},
// GET /connectors/{name}/status -> {name, connector: {state, worker_id, trace?}, tasks: [{id, state, worker_id, trace?}]},
// DELETE /connectors/{name} -> 204, 404 {error_code, message} for an unknown connector,
// PUT /connectors/{name}/stop and /resume -> 202 (Kafka 3.5+, KIP-875: a STOPPED connector has no
// tasks; resume starts tasks from the current config), 409 {error_code: 409, message} while a
// rebalance is in progress. Like a real worker, a config PUT to a running connector returns before
// its tasks restart: for `restartAfterPolls` status polls the old tasks still report RUNNING with
// the old config (`runningConfig`).
import * as http from "http";
import { FakeHttpServer } from "./fakeHttpServer";

export type State = "UNASSIGNED" | "RUNNING" | "PAUSED" | "FAILED";

interface FakeConnector {
    config: Record<string, string>;
    /** Status polls answered so far; tasks become RUNNING after `startAfterPolls`. */
    polls: number;
    stopped: boolean;
    /** The config the running tasks were started with (undefined while none run). */
    runningConfig?: Record<string, string>;
    /** Polls left before a reconfigured connector's tasks restart with the new config. */
    restartIn: number;
}

export interface ConnectRequest {
    method: string;
    path: string;
    body?: any;
}

export class FakeConnectServer extends FakeHttpServer {
    readonly connectors = new Map<string, FakeConnector>();
    readonly log: ConnectRequest[] = [];
    /** Status polls before tasks report RUNNING (UNASSIGNED until then). */
    startAfterPolls = 1;
    /** Answer the next N requests with 409 (rebalance). */
    rebalanceNext = 0;
    /** A task that fails, with this trace, once started. */
    failTaskWith?: string;
    /** Never leave UNASSIGNED. */
    neverStart = false;
    /** /stop is accepted but the connector keeps running. */
    neverStop = false;
    /** Status polls after a config update during which the old tasks keep running the old config. */
    restartAfterPolls = 3;

    /** The config the connector's tasks are running with. */
    runningConfig(name: string): Record<string, string> | undefined {
        return this.connectors.get(name)?.runningConfig;
    }


    protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        let text = "";
        req.on("data", (c) => (text += c));
        req.on("end", () => {
            const body = text ? JSON.parse(text) : undefined;
            this.log.push({ method: req.method!, path: req.url!, body });
            const reply = (status: number, json?: unknown) => {
                res.writeHead(status, { "Content-Type": "application/json" });
                res.end(json === undefined ? "" : JSON.stringify(json));
            };
            if (this.rebalanceNext > 0) {
                this.rebalanceNext--;
                return reply(409, { error_code: 409, message: "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)" });
            }
            const m = /^\/connectors\/([^/]+)(\/config|\/status|\/stop|\/resume)?$/.exec(req.url ?? "");
            if (!m) return reply(404, { error_code: 404, message: `Unknown path ${req.url}` });
            const name = decodeURIComponent(m[1]);
            const existing = this.connectors.get(name);
            if (req.method === "PUT" && m[2] === "/config") {
                if (body?.name !== undefined && body.name !== name) {
                    return reply(400, { error_code: 400, message: "Connector name configuration (x) doesn't match connector name in the URL (y)" });
                }
                if (!body?.["connector.class"]) {
                    return reply(400, { error_code: 400, message: "Connector config {} contains no connector type" });
                }
                if (existing) {
                    // The worker restarts the tasks asynchronously: until then the old ones keep running.
                    existing.config = body;
                    existing.restartIn = existing.runningConfig ? this.restartAfterPolls : 0;
                } else this.connectors.set(name, { config: body, polls: 0, stopped: false, restartIn: 0 });
                return reply(existing ? 200 : 201, { name, config: body, tasks: [{ connector: name, task: 0 }], type: "source" });
            }
            if (req.method === "PUT" && (m[2] === "/stop" || m[2] === "/resume")) {
                if (!existing) return reply(404, { error_code: 404, message: `Connector ${name} not found` });
                if (m[2] === "/stop" && this.neverStop) return reply(202);
                existing.stopped = m[2] === "/stop";
                existing.runningConfig = undefined;
                existing.polls = 0;
                existing.restartIn = 0;
                return reply(202);
            }
            if (req.method === "GET" && m[2] === "/status") {
                if (!existing) return reply(404, { error_code: 404, message: `No status found for connector ${name}` });
                if (existing.stopped) return reply(200, { name, connector: { state: "STOPPED", worker_id: "connect:8083" }, tasks: [], type: "source" });
                if (existing.runningConfig && existing.restartIn > 0) {
                    existing.restartIn--;
                    if (existing.restartIn === 0) {
                        existing.runningConfig = undefined;
                        existing.polls = 0;
                    }
                    return reply(200, { name, connector: { state: "RUNNING", worker_id: "connect:8083" }, tasks: [{ id: 0, state: "RUNNING", worker_id: "connect:8083" }], type: "source" });
                }
                existing.polls++;
                const started = !this.neverStart && existing.polls > this.startAfterPolls;
                if (started && !this.failTaskWith) existing.runningConfig = existing.config;
                const taskState: State = !started ? "UNASSIGNED" : this.failTaskWith ? "FAILED" : "RUNNING";
                return reply(200, {
                    name,
                    connector: { state: started ? "RUNNING" : "UNASSIGNED", worker_id: "connect:8083" },
                    tasks: [{ id: 0, state: taskState, worker_id: "connect:8083", ...(taskState === "FAILED" ? { trace: this.failTaskWith } : {}) }],
                    type: "source",
                });
            }
            if (req.method === "DELETE" && !m[2]) {
                if (!existing) return reply(404, { error_code: 404, message: `Connector ${name} not found` });
                this.connectors.delete(name);
                return reply(204);
            }
            return reply(405, { error_code: 405, message: "HTTP 405 Method Not Allowed" });
        });
    }
}
