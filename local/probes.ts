// The real probes behind `npm run local`: Docker daemon and ports for the prerequisite check,
// Kafka (kafkajs), ksqlDB (REST pull queries), MinIO (S3 API) and Postgres (pg) for the path
// verification. Thin on purpose: the decisions live in prerequisites.ts and verify.ts.
import * as http from "http";
import * as net from "net";
import * as path from "path";
import { execFile } from "child_process";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Consumer, Kafka, logLevel } from "kafkajs";
import { Client as PgClient } from "pg";
import * as semver from "semver";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { PrerequisiteProbe, parseDockerPorts } from "./prerequisites";
import { PathProbes } from "./verify";

/** GET /version on the Docker socket (DOCKER_HOST unix:// or the default socket). */
function dockerVersion(): Promise<{ version: string } | { error: string }> {
    const host = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
    const options: http.RequestOptions = host.startsWith("unix://")
        ? { socketPath: host.slice("unix://".length), path: "/version" }
        : { host: new URL(host.replace(/^tcp:/, "http:")).hostname, port: Number(new URL(host.replace(/^tcp:/, "http:")).port), path: "/version" };
    return new Promise((resolve) => {
        const req = http.get({ ...options, timeout: 5_000 }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => {
                try {
                    resolve({ version: String(JSON.parse(body).Version) });
                } catch {
                    resolve({ error: `unexpected answer from ${host} (HTTP ${res.statusCode})` });
                }
            });
        });
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", (err) => resolve({ error: `${host}: ${err.message}` }));
    });
}

function portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const server = net.createServer();
        server.once("error", () => resolve(false));
        server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
}

function run(cmd: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => execFile(cmd, args, { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
}

export function realPrerequisiteProbe(namePrefix: string, cliRoot: string, onCli: (cmd: PulumiCommand) => void): PrerequisiteProbe {
    return {
        dockerServerVersion: dockerVersion,
        portFree,
        portsHeldByStack: async () => parseDockerPorts(await run("docker", ["ps", "--filter", `name=^${namePrefix}-`, "--format", "{{.Ports}}"]).catch(() => "")),
        async pulumiVersion() {
            for (const root of [undefined, cliRoot]) {
                try {
                    const cmd = await PulumiCommand.get({ root, skipVersionCheck: false });
                    onCli(cmd);
                    return cmd.version?.toString() ?? "unknown";
                } catch {
                    // not there; try the next place
                }
            }
            return undefined;
        },
        async installPulumi(version: string) {
            const cmd = await PulumiCommand.install({ root: cliRoot, version: semver.parse(version)! });
            onCli(cmd);
            return cmd.version?.toString() ?? version;
        },
    };
}

export const PULUMI_CLI_DIR = (root: string) => path.join(root, ".pulumi", "cli");

export interface LocalEndpoints {
    kafkaBootstrap: string;
    ksqlUrl: string;
    minioUrl: string;
    minioUser: string;
    minioPassword: string;
    postgres: { host: string; port: number; user: string; password: string; database: string };
}

/** Probes against the running stack. `close()` releases the Kafka consumer and Postgres client. */
export function realPathProbes(e: LocalEndpoints): PathProbes & { close(): Promise<void> } {
    const kafka = new Kafka({ clientId: "lifesci-local-verify", brokers: [e.kafkaBootstrap], logLevel: logLevel.NOTHING });
    const seen = new Map<string, Buffer[]>();
    let consumer: Consumer | undefined;
    const subscribed = new Set<string>();
    const s3 = new S3Client({ endpoint: e.minioUrl, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: e.minioUser, secretAccessKey: e.minioPassword } });
    let pg: PgClient | undefined;

    /** One consumer reads every topic asked about from the beginning and keeps the values. */
    async function watch(topic: string): Promise<void> {
        if (subscribed.has(topic)) return;
        if (consumer) await consumer.stop();
        consumer ??= kafka.consumer({ groupId: `lifesci-local-verify-${process.pid}-${Date.now()}` });
        await consumer.connect();
        subscribed.add(topic);
        await consumer.subscribe({ topics: [...subscribed], fromBeginning: true });
        await consumer.run({
            eachMessage: async ({ topic: t, message }) => {
                if (message.value) seen.set(t, [...(seen.get(t) ?? []), message.value]);
            },
        });
    }

    return {
        async topicContains(topic, needle) {
            await watch(topic);
            return (seen.get(topic) ?? []).some((value) => value.includes(Buffer.from(needle, "utf8")));
        },
        async ksqlRowExists(stream, column, value) {
            const literal = typeof value === "number" ? String(value) : `'${value.replace(/'/g, "''")}'`;
            const res = await fetch(`${e.ksqlUrl}/query`, {
                method: "POST",
                headers: { "Content-Type": "application/vnd.ksql.v1+json", Accept: "application/vnd.ksql.v1+json" },
                body: JSON.stringify({ ksql: `SELECT * FROM ${stream} WHERE ${column} = ${literal};`, streamsProperties: {} }),
            });
            if (!res.ok) throw new Error(`ksqlDB pull query on ${stream}: HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
            const rows = (await res.json()) as { row?: unknown }[];
            return rows.some((r) => r.row !== undefined);
        },
        async objectWrittenSince(bucket, prefix, since) {
            const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
            return (out.Contents ?? []).some((o) => o.LastModified !== undefined && o.LastModified.getTime() >= since.getTime() - 1000);
        },
        async warehouseRowExists(schema, table, column, value) {
            if (!pg) {
                pg = new PgClient(e.postgres);
                await pg.connect();
            }
            const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
            const res = await pg.query(`SELECT 1 FROM ${q(schema)}.${q(table)} WHERE ${q(column)} = $1 LIMIT 1`, [value]);
            return (res.rowCount ?? 0) > 0;
        },
        async close() {
            await consumer?.disconnect().catch(() => undefined);
            await pg?.end().catch(() => undefined);
            s3.destroy();
        },
    };
}
