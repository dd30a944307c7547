// Dynamic provider for one connector on a self-managed Kafka Connect worker (the local stack),
// over the Connect REST API: PUT /connectors/{name}/config (create or update),
// GET /connectors/{name}/status, DELETE /connectors/{name}. Create and update wait, with a
// bound, until the connector and all its tasks are RUNNING; a FAILED task fails the update
// with its trace. 409 (the worker is rebalancing) is retried.
// An update stops the connector first (PUT /connectors/{name}/stop, Kafka 3.5+), changes the config
// and resumes it (PUT /connectors/{name}/resume): a config PUT alone returns while the old tasks
// still report RUNNING with the old config, so "RUNNING" would not mean "running the new config",
// and what runs next (a snapshot signal for an added table) would reach the old task.
// https://kafka.apache.org/37/documentation.html#connect_rest (stop: KIP-875)
//
// Dynamic providers are serialized with their closure: this module imports nothing of ours and
// requires the HTTP client inside the functions that use it.
import * as pulumi from "@pulumi/pulumi";

export interface ConnectWaitPolicy {
    /** Give up waiting for RUNNING after this long. */
    runningTimeoutMs: number;
    /** Poll the status this often. */
    pollIntervalMs: number;
    /** Attempts per request for 409 (rebalance), 5xx and refused connections. */
    maxAttempts: number;
    retryDelayMs: number;
    requestTimeoutMs: number;
}

export const DEFAULT_CONNECT_WAIT: ConnectWaitPolicy = {
    runningTimeoutMs: 180_000,
    pollIntervalMs: 2_000,
    maxAttempts: 10,
    retryDelayMs: 1_000,
    requestTimeoutMs: 30_000,
};

export interface ConnectorInputs {
    /** http://127.0.0.1:8083 */
    endpoint: string;
    name: string;
    config: Record<string, string>;
    /** Passwords and keys; merged into the config sent to the worker, kept secret in the state. */
    configSensitive: Record<string, string>;
    wait: ConnectWaitPolicy;
}

export interface ConnectorOutputs extends ConnectorInputs {
    connectorState: string;
    taskStates: string[];
    workerId: string;
}

/**
 * A plain Error with a name, not a subclass: Pulumi's closure serializer turns `class extends
 * Error` into a function calling `Error.call(this, message)`, which loses the message in the host.
 */
export interface ConnectApiError extends Error {
    name: "ConnectApiError";
    status?: number;
}

export function connectApiError(message: string, status?: number): ConnectApiError {
    return Object.assign(new Error(message), { name: "ConnectApiError" as const, status });
}

export function isConnectApiError(err: unknown): err is ConnectApiError {
    return err instanceof Error && err.name === "ConnectApiError";
}

interface Response {
    status: number;
    json: any;
    text: string;
}

function redact(text: string, secrets: Record<string, string>): string {
    let out = text;
    for (const value of Object.values(secrets)) if (value) out = out.split(value).join("[redacted]");
    return out;
}

function send(endpoint: string, method: string, path: string, timeoutMs: number, body?: unknown): Promise<Response> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const http = require("node:http");
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: "application/json" };
    if (payload !== undefined) {
        headers["Content-Type"] = "application/json";
        headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
        const req = http.request(new URL(path, endpoint), { method, headers, timeout: timeoutMs }, (res: any) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (text += chunk));
            res.on("error", reject);
            res.on("end", () => {
                let json: any;
                try {
                    json = text ? JSON.parse(text) : undefined;
                } catch {
                    json = undefined;
                }
                resolve({ status: res.statusCode, json, text });
            });
        });
        req.on("timeout", () => req.destroy(Object.assign(new Error("request timed out"), { code: "CONNECT_TIMEOUT" })));
        req.on("error", reject);
        if (payload !== undefined) req.write(payload);
        req.end();
    });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request; 409 (rebalance in progress), 5xx and dropped connections are retried with a bound. */
async function request(inputs: ConnectorInputs, method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<Response> {
    const { maxAttempts, retryDelayMs, requestTimeoutMs } = inputs.wait;
    const secrets = inputs.configSensitive ?? {};
    const where = `Kafka Connect ${inputs.endpoint} (${method} ${path})`;
    let last = "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
            const res = await send(inputs.endpoint, method, path, requestTimeoutMs, body);
            if ((res.status >= 200 && res.status < 300) || okStatuses.includes(res.status)) return res;
            const message = redact(res.json?.message ?? res.text.slice(0, 500), secrets);
            if (res.status !== 409 && res.status < 500) {
                throw connectApiError(`${where}: HTTP ${res.status}: ${message}`, res.status);
            }
            last = `HTTP ${res.status}: ${message}`;
        } catch (err) {
            if (isConnectApiError(err)) throw err;
            const code = (err as NodeJS.ErrnoException).code ?? "";
            if (code === "CONNECT_TIMEOUT") throw connectApiError(`${where}: no answer within ${requestTimeoutMs} ms`);
            // (No module-level Set: the closure serializer cannot carry one into the provider host.)
            if (!["ECONNREFUSED", "ECONNRESET", "EPIPE"].includes(code)) throw connectApiError(`${where}: ${redact((err as Error).message, secrets)}`);
            last = `connection error ${code}`;
        }
        if (attempt < maxAttempts) await sleep(retryDelayMs);
    }
    throw connectApiError(`${where}: gave up after ${maxAttempts} attempts, last ${last}`);
}

interface ConnectorStatus {
    connectorState: string;
    taskStates: string[];
    workerId: string;
    /** Traces of FAILED connector/tasks, one per failure. */
    failures: string[];
}

async function status(inputs: ConnectorInputs): Promise<ConnectorStatus | undefined> {
    const res = await request(inputs, "GET", `/connectors/${encodeURIComponent(inputs.name)}/status`, undefined, [404]);
    if (res.status === 404) return undefined;
    const tasks: any[] = res.json?.tasks ?? [];
    const failures: string[] = [];
    if (res.json?.connector?.state === "FAILED") failures.push(`connector: ${res.json.connector.trace ?? "(no trace)"}`);
    for (const t of tasks) if (t.state === "FAILED") failures.push(`task ${t.id} on ${t.worker_id}: ${t.trace ?? "(no trace)"}`);
    return {
        connectorState: String(res.json?.connector?.state ?? "UNKNOWN"),
        taskStates: tasks.map((t) => String(t.state)),
        workerId: String(res.json?.connector?.worker_id ?? ""),
        failures,
    };
}

/** Polls until the connector and at least one task, all of them, are RUNNING; fails on FAILED or at the bound. */
export async function waitForRunning(inputs: ConnectorInputs): Promise<ConnectorStatus> {
    const { runningTimeoutMs, pollIntervalMs } = inputs.wait;
    const deadline = Date.now() + runningTimeoutMs;
    let last: ConnectorStatus | undefined;
    for (;;) {
        last = await status(inputs);
        if (last && last.failures.length > 0) {
            throw connectApiError(
                `connector ${inputs.name} FAILED on ${inputs.endpoint}:\n${last.failures.map((f) => `  ${redact(f, inputs.configSensitive ?? {})}`).join("\n")}`,
            );
        }
        if (last && last.connectorState === "RUNNING" && last.taskStates.length > 0 && last.taskStates.every((s) => s === "RUNNING")) {
            return last;
        }
        if (Date.now() + pollIntervalMs > deadline) {
            const seen = last ? `connector ${last.connectorState}, tasks [${last.taskStates.join(", ")}]` : "connector not found";
            throw connectApiError(`connector ${inputs.name} not RUNNING within ${runningTimeoutMs} ms on ${inputs.endpoint} (last: ${seen})`);
        }
        await sleep(pollIntervalMs);
    }
}

/** Stops the connector (its tasks shut down, offsets kept) and waits until it reports STOPPED; false when it does not exist. */
async function stopConnector(inputs: ConnectorInputs): Promise<boolean> {
    const res = await request(inputs, "PUT", `/connectors/${encodeURIComponent(inputs.name)}/stop`, undefined, [404]);
    if (res.status === 404) return false;
    const { runningTimeoutMs, pollIntervalMs } = inputs.wait;
    const deadline = Date.now() + runningTimeoutMs;
    for (;;) {
        const now = await status(inputs);
        if (!now) return false;
        if (now.connectorState === "STOPPED") return true;
        if (Date.now() + pollIntervalMs > deadline) {
            throw connectApiError(`connector ${inputs.name} not STOPPED within ${runningTimeoutMs} ms on ${inputs.endpoint} (last: ${now.connectorState}); its config was not changed`);
        }
        await sleep(pollIntervalMs);
    }
}

async function apply(inputs: ConnectorInputs, resume = false): Promise<ConnectorOutputs> {
    const config = { ...inputs.config, ...inputs.configSensitive, name: inputs.name };
    await request(inputs, "PUT", `/connectors/${encodeURIComponent(inputs.name)}/config`, config);
    // A stopped connector stays stopped across a config change until resumed; its new tasks start from the new config.
    if (resume) await request(inputs, "PUT", `/connectors/${encodeURIComponent(inputs.name)}/resume`);
    const running = await waitForRunning(inputs);
    return { ...inputs, connectorState: running.connectorState, taskStates: running.taskStates, workerId: running.workerId };
}

export const connectorProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: ConnectorInputs) {
        const outs = await apply(inputs);
        return { id: inputs.name, outs };
    },
    async diff(_id: string, olds: ConnectorOutputs, news: ConnectorInputs) {
        const replaces = olds.name !== news.name || olds.endpoint !== news.endpoint ? ["name"] : [];
        const changes =
            replaces.length > 0 ||
            JSON.stringify(olds.config) !== JSON.stringify(news.config) ||
            JSON.stringify(olds.configSensitive ?? {}) !== JSON.stringify(news.configSensitive ?? {});
        return { changes, replaces, deleteBeforeReplace: true };
    },
    async update(_id: string, _olds: ConnectorOutputs, news: ConnectorInputs) {
        // Stop, change, resume: RUNNING afterwards means the tasks run the new config.
        const stopped = await stopConnector(news);
        return { outs: await apply(news, stopped) };
    },
    async delete(_id: string, olds: ConnectorOutputs) {
        // Already gone counts as deleted.
        await request({ ...olds, wait: { ...DEFAULT_CONNECT_WAIT, ...olds.wait } }, "DELETE", `/connectors/${encodeURIComponent(olds.name)}`, undefined, [404]);
    },
};

export interface ConnectConnectorArgs {
    endpoint: pulumi.Input<string>;
    name: string;
    config: pulumi.Input<Record<string, pulumi.Input<string>>>;
    configSensitive?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    wait?: Partial<ConnectWaitPolicy>;
}

/** One connector on a Kafka Connect worker; sensitive keys stay secret in the state. */
export class ConnectConnector extends pulumi.dynamic.Resource {
    declare readonly connectorState: pulumi.Output<string>;
    declare readonly taskStates: pulumi.Output<string[]>;

    constructor(name: string, args: ConnectConnectorArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            connectorProvider,
            name,
            {
                endpoint: args.endpoint,
                name: args.name,
                config: args.config,
                configSensitive: pulumi.secret(args.configSensitive ?? {}),
                wait: { ...DEFAULT_CONNECT_WAIT, ...args.wait },
                connectorState: undefined,
                taskStates: undefined,
                workerId: undefined,
            },
            { ...opts, additionalSecretOutputs: ["configSensitive"] },
        );
    }
}
