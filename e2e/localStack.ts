// The local stack as the mock engine records it: the resources the e2e run deploys for real.
// Nothing here is rebuilt from the catalog: the topics come from the topics-init container's
// script, the warehouse DDL from the Postgres container's upload, the connectors, the SQL bootstrap
// and the snapshot signals from their recorded inputs (with their serialized providers).
import { STREAMS_APPS, StreamsAppName } from "../components/catalog";
import { HOSTS } from "../local/settings";
import { LOCAL_STREAMS } from "../local/streams";
import { RecordedResource, StackRun, plain, runStack } from "../scripts/mockEngine";

export const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const CONTAINER = "docker:index/container:Container";

export interface TopicToCreate {
    name: string;
    partitions: number;
    configs: Record<string, string>;
}

/** Parses the topics-init script (`kafka-topics --create --topic 'x' --partitions N --config k=v ...` per line). */
export function parseTopicScript(script: string): TopicToCreate[] {
    const topics: TopicToCreate[] = [];
    for (const line of script.split("\n")) {
        if (!/^kafka-topics\b/.test(line.trim())) continue;
        const name = /--topic '([^']+)'/.exec(line)?.[1];
        const partitions = Number(/--partitions (\d+)/.exec(line)?.[1]);
        if (!name || !Number.isInteger(partitions)) throw new Error(`topics-init script: cannot read topic and partitions from: ${line}`);
        const configs: Record<string, string> = {};
        for (const m of line.matchAll(/--config ([^=\s]+)=(\S+)/g)) configs[m[1]] = m[2];
        topics.push({ name, partitions, configs });
    }
    if (topics.length === 0) throw new Error("topics-init script creates no topic");
    return topics;
}

export interface RecordedConnector {
    resource: RecordedResource;
    name: string;
    config: Record<string, string>;
    configSensitive: Record<string, string>;
}

export interface LocalStackPlan {
    run: StackRun;
    topics: TopicToCreate[];
    warehouseDdl: string;
    bootstrap: RecordedResource;
    cdcConnectors: RecordedConnector[];
    sinkConnectors: RecordedConnector[];
    snapshotSignals: RecordedResource[];
    /** Each Kafka Streams app's container environment, as the local stack sets it. */
    streamsApps: Map<StreamsAppName, Record<string, string>>;
}

/** Docker's `KEY=value` list as a record (the value may contain `=`). */
export function envRecord(envs: string[]): Record<string, string> {
    return Object.fromEntries(envs.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** Pulumi's serialized secret: `{<sig key>: <secret sig>, value}`. */
const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/** A recorded value with secrets unwrapped at any depth (the provider host takes no secrets). */
export function unsecret(value: unknown): any {
    const v = plain(value);
    if (Array.isArray(v)) return v.map(unsecret);
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (o[SECRET_SIG.key] === SECRET_SIG.value) return unsecret(o.value);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unsecret(x)]));
    }
    return v;
}

const connectorOf = (r: RecordedResource): RecordedConnector => {
    const inputs = unsecret(r.inputs);
    return { resource: r, name: inputs.name, config: inputs.config, configSensitive: inputs.configSensitive ?? {} };
};

/** Evaluates the `local` stack under the mock engine and picks what the e2e run deploys. */
export async function localStackPlan(): Promise<LocalStackPlan> {
    const run = await runStack("local");
    const container = (suffix: string) => run.ofType(CONTAINER).find((r) => r.name.endsWith(`-${suffix}`));
    const topicsInit = container("topics-init");
    if (!topicsInit) throw new Error("local stack: no topics-init container");
    const postgres = container("postgres");
    const ddl = (plain(postgres?.inputs.uploads) as { file: string; content: string }[] | undefined)?.find((u) => u.file.endsWith(".sql"));
    if (!ddl) throw new Error("local stack: the postgres container uploads no warehouse DDL");
    const dynamic = run.ofType(DYNAMIC);
    const bootstrap = dynamic.find((r) => r.name.endsWith("-mysql-bootstrap"));
    if (!bootstrap) throw new Error("local stack: no mysql-bootstrap resource");
    const streamsApps = new Map<StreamsAppName, Record<string, string>>();
    for (const app of STREAMS_APPS) {
        const host = LOCAL_STREAMS[app.name].host;
        // local/docker.ts service(): the container resource is `<base>-<host key>`, named `<prefix>-<host>`.
        const c = run.ofType(CONTAINER).find((r) => r.name.endsWith(`-${host}`));
        if (!c) throw new Error(`local stack: no container ${HOSTS[host]} for the Kafka Streams app ${app.name}`);
        streamsApps.set(app.name, envRecord(unsecret(c.inputs.envs) as string[]));
    }
    return {
        run,
        streamsApps,
        topics: parseTopicScript((plain(topicsInit.inputs.command) as string[]).join("\n")),
        warehouseDdl: ddl.content,
        bootstrap,
        cdcConnectors: dynamic.filter((r) => /-connector-cdc-/.test(r.name)).map(connectorOf),
        sinkConnectors: dynamic.filter((r) => /-connector-sink-/.test(r.name)).map(connectorOf),
        snapshotSignals: dynamic.filter((r) => /-snapshot-signal$/.test(r.name)),
    };
}

export function urnOf(run: StackRun, r: RecordedResource): string {
    return `urn:pulumi:${run.stack}::lifesci-streaming::${r.type}::${r.name}`;
}

/** The properties the engine sends the provider host: recorded inputs, secrets unwrapped. */
export function engineProps(r: RecordedResource, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const props: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r.inputs)) props[k] = k === "__provider" ? plain(v) : unsecret(v);
    if (typeof props.__provider !== "string") throw new Error(`${r.name}: the stack run recorded no serialized provider`);
    return { ...props, ...overrides };
}
