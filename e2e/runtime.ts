// The real processes of the e2e run: jars from Maven Central (e2e/pom.xml, cached in the
// git-ignored e2e/.cache), Java child processes (Kafka broker, Kafka Connect worker, and any app a
// hop needs), a throwaway PostgreSQL from Debian's server binaries. Every process listens on a free
// loopback port and is stopped by its PID.
import { ChildProcess, execFileSync, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { mvn as runMaven } from "../scripts/maven";

export const E2E_DIR = __dirname;
export const CACHE_DIR = path.join(E2E_DIR, ".cache");
/** Maven's local repository for the e2e run: cached with the jars, so a cold run is `rm -rf e2e/.cache`. */
export const MAVEN_REPO = path.join(CACHE_DIR, "m2");
export const RUNTIME_POM = path.join(E2E_DIR, "pom.xml");

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** Runs Maven on a pom with the e2e cache as its local repository. */
export function mvn(pom: string, args: string[]): string {
    return runMaven(pom, args, MAVEN_REPO);
}

export interface RuntimeJars {
    /** The broker + Connect worker classpath (e2e/.cache/lib/*). */
    classpath: string;
    /** Connect's plugin.path: one directory per unpacked plugin archive. */
    pluginPath: string;
    /** True when Maven ran (first run or changed pom); false when the cache was current. */
    resolved: boolean;
}

/** Resolves e2e/pom.xml once per pom content: the stamp file holds the pom's hash. */
export function runtimeJars(): RuntimeJars {
    const stamp = path.join(CACHE_DIR, "resolved.sha256");
    const hash = createHash("sha256").update(fs.readFileSync(RUNTIME_POM)).digest("hex");
    let resolved = false;
    if (!fs.existsSync(stamp) || fs.readFileSync(stamp, "utf8") !== hash) {
        fs.rmSync(path.join(CACHE_DIR, "lib"), { recursive: true, force: true });
        fs.rmSync(path.join(CACHE_DIR, "plugins"), { recursive: true, force: true });
        fs.rmSync(path.join(CACHE_DIR, "markers"), { recursive: true, force: true });
        mvn(RUNTIME_POM, ["generate-resources"]);
        fs.writeFileSync(stamp, hash);
        resolved = true;
    }
    return { classpath: path.join(CACHE_DIR, "lib", "*"), pluginPath: path.join(CACHE_DIR, "plugins"), resolved };
}

/**
 * The runtime classpath of another Maven module (e.g. a Kafka Streams app under streams/): its
 * `target/classes` after `mvn compile`, plus its dependencies resolved from Maven Central.
 */
export function moduleClasspath(pom: string): string {
    const out = path.join(CACHE_DIR, `classpath-${createHash("sha256").update(pom).digest("hex").slice(0, 12)}.txt`);
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    mvn(pom, ["-DskipTests", "compile", "dependency:build-classpath", "-Dmdep.includeScope=runtime", `-Dmdep.outputFile=${out}`]);
    return [path.join(path.dirname(pom), "target", "classes"), fs.readFileSync(out, "utf8").trim()].join(path.delimiter);
}

export interface ManagedProcess {
    name: string;
    pid: number;
    log: string;
    /** The last lines of the process's log, for error messages. */
    tail(lines?: number): string;
    exited(): boolean;
    stop(): Promise<void>;
}

/** Every process started here; `stopAll` ends them by PID, last started first. */
const running: ManagedProcess[] = [];

process.once("exit", () => {
    for (const p of running) if (!p.exited()) try { process.kill(p.pid, "SIGKILL"); } catch { /* already gone */ }
});

function manage(name: string, child: ChildProcess, log: string, stopSignal: NodeJS.Signals = "SIGTERM"): ManagedProcess {
    let exited = false;
    child.once("exit", () => (exited = true));
    const handle: ManagedProcess = {
        name,
        pid: child.pid!,
        log,
        tail: (lines = 30) => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").slice(-lines).join("\n") : ""),
        exited: () => exited,
        async stop() {
            if (exited) return;
            const gone = new Promise((r) => child.once("exit", r));
            try { process.kill(child.pid!, stopSignal); } catch { return; }
            await Promise.race([gone, sleep(15_000)]);
            if (!exited) try { process.kill(child.pid!, "SIGKILL"); } catch { /* gone */ }
        },
    };
    running.push(handle);
    return handle;
}

export async function stopAll(): Promise<void> {
    while (running.length) await running.pop()!.stop();
}

/** Waits until `ready()` is true; fails naming the process, with its log, when it exits or times out. */
export async function waitReady(p: ManagedProcess, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (p.exited()) throw new Error(`${p.name} exited during start-up; last log lines (${p.log}):\n${p.tail()}`);
        if (await ready().catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`${p.name} not ready within ${timeoutMs / 1000} s; last log lines (${p.log}):\n${p.tail()}`);
        await sleep(250);
    }
}

/** JVM flags for short-lived test processes on 2 shared cores: small heap, serial GC, C1 only. */
export const TEST_JVM_OPTS = ["-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xss512k", "-Djava.awt.headless=true"];

export interface JavaProcessSpec {
    name: string;
    classpath: string;
    mainClass: string;
    args?: string[];
    jvmOpts?: string[];
    /** Directory for the log (stdout + stderr). */
    dir: string;
    env?: NodeJS.ProcessEnv;
}

/** Starts a Java main class as a child process; its output goes to <dir>/<name>.log. */
export function startJava(spec: JavaProcessSpec): ManagedProcess {
    const log = path.join(spec.dir, `${spec.name}.log`);
    const fd = fs.openSync(log, "w");
    const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : "java";
    const child = spawn(java, [...TEST_JVM_OPTS, ...(spec.jvmOpts ?? []), "-cp", spec.classpath, spec.mainClass, ...(spec.args ?? [])], {
        stdio: ["ignore", fd, fd],
        env: { ...process.env, ...spec.env },
    });
    fs.closeSync(fd);
    return manage(spec.name, child, log);
}

const LOG4J = [
    "log4j.rootLogger=INFO, stdout",
    "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
    "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
    "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
    "log4j.logger.org.apache.kafka=WARN",
    "log4j.logger.kafka=WARN",
    "log4j.logger.org.apache.kafka.connect.runtime.WorkerSourceTask=INFO",
    "log4j.logger.org.reflections=ERROR",
    "log4j.logger.io.debezium=INFO",
    "",
].join("\n");

const properties = (values: Record<string, string | number | boolean>) =>
    Object.entries(values)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n") + "\n";

export interface KafkaBroker {
    process: ManagedProcess;
    bootstrap: string;
}

/**
 * One KRaft node (broker + controller). Topics are never created on first use: the platform
 * creates every topic it writes (as Confluent Cloud requires), and the harness proves it.
 */
export async function startKafka(dir: string, jars: RuntimeJars): Promise<KafkaBroker> {
    const [port, controllerPort] = [await freePort(), await freePort()];
    const config = path.join(dir, "kraft.properties");
    fs.writeFileSync(
        config,
        properties({
            "process.roles": "broker,controller",
            "node.id": 1,
            "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
            listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
            "advertised.listeners": `PLAINTEXT://127.0.0.1:${port}`,
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": path.join(dir, "kafka-data"),
            "auto.create.topics.enable": false,
            "num.partitions": 1,
            "offsets.topic.replication.factor": 1,
            "transaction.state.log.replication.factor": 1,
            "transaction.state.log.min.isr": 1,
            "group.initial.rebalance.delay.ms": 0,
            "num.network.threads": 2,
            "num.io.threads": 2,
            "background.threads": 2,
            "log.cleaner.enable": false,
        }),
    );
    fs.writeFileSync(path.join(dir, "log4j.properties"), LOG4J);
    const log4j = `-Dlog4j.configuration=file:${path.join(dir, "log4j.properties")}`;
    const clusterId = Buffer.from(createHash("md5").update(dir).digest()).toString("base64url").slice(0, 22);
    execFileSync("java", [...TEST_JVM_OPTS, log4j, "-cp", jars.classpath, "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config], { stdio: "pipe" });
    const p = startJava({ name: "kafka", classpath: jars.classpath, mainClass: "kafka.Kafka", args: [config], jvmOpts: [log4j, "-Xmx384m"], dir });
    const bootstrap = `127.0.0.1:${port}`;
    await waitReady(p, () => kafkaAnswers(bootstrap), 90_000);
    return { process: p, bootstrap };
}

async function kafkaAnswers(bootstrap: string): Promise<boolean> {
    const admin = kafkaAdmin(bootstrap);
    try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0;
    } finally {
        await admin.disconnect().catch(() => undefined);
    }
}

export function kafkaAdmin(bootstrap: string) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Kafka, logLevel } = require("kafkajs") as typeof import("kafkajs");
    return new Kafka({ clientId: "lifesci-e2e", brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
}

export interface ConnectWorker {
    process: ManagedProcess;
    url: string;
}

/**
 * A Kafka Connect worker in distributed mode (the mode of the local stack's worker and of
 * Confluent's managed connectors). `topic.creation.enable=false` and a broker without automatic
 * topic creation: a connector writing a topic the platform did not create fails.
 */
export async function startConnect(dir: string, jars: RuntimeJars, bootstrap: string, extra: Record<string, string> = {}): Promise<ConnectWorker> {
    const port = await freePort();
    const config = path.join(dir, "connect-distributed.properties");
    fs.writeFileSync(
        config,
        properties({
            "bootstrap.servers": bootstrap,
            "group.id": "lifesci-e2e-connect",
            "config.storage.topic": "_lifesci-e2e-connect-configs",
            "offset.storage.topic": "_lifesci-e2e-connect-offsets",
            "status.storage.topic": "_lifesci-e2e-connect-status",
            "config.storage.replication.factor": 1,
            "offset.storage.replication.factor": 1,
            "offset.storage.partitions": 1,
            "status.storage.replication.factor": 1,
            "status.storage.partitions": 1,
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            listeners: `http://127.0.0.1:${port}`,
            "rest.advertised.host.name": "127.0.0.1",
            "rest.advertised.port": port,
            "plugin.path": jars.pluginPath,
            "topic.creation.enable": false,
            "offset.flush.interval.ms": 1000,
            // A write to a topic that does not exist fails within seconds instead of a minute.
            "producer.max.block.ms": 15000,
            "scheduled.rebalance.max.delay.ms": 0,
            ...extra,
        }),
    );
    fs.writeFileSync(path.join(dir, "connect-log4j.properties"), LOG4J);
    const p = startJava({
        name: "connect",
        classpath: jars.classpath,
        mainClass: "org.apache.kafka.connect.cli.ConnectDistributed",
        args: [config],
        jvmOpts: [`-Dlog4j.configuration=file:${path.join(dir, "connect-log4j.properties")}`, "-Xmx768m"],
        dir,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitReady(
        p,
        async () => {
            const res = await fetch(`${url}/connector-plugins`);
            return res.ok && ((await res.json()) as { class: string }[]).some((c) => c.class === "io.debezium.connector.mysql.MySqlConnector");
        },
        180_000,
    );
    return { process: p, url };
}

/** Debian's server binaries (`postgresql` installs /usr/lib/postgresql/<major>/bin; 15 on Debian 12), newest first. */
export function postgresBin(root = "/usr/lib/postgresql"): string | undefined {
    if (process.env.LIFESCI_POSTGRES_BIN) return process.env.LIFESCI_POSTGRES_BIN;
    if (!fs.existsSync(root)) return undefined;
    const majors = fs.readdirSync(root).filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, "bin", "initdb")));
    majors.sort((a, b) => Number(b) - Number(a));
    return majors.length ? path.join(root, majors[0], "bin") : undefined;
}
export const POSTGRES_INSTALL_HINT = "apt-get install -y --no-install-recommends postgresql";

export interface Postgres {
    process: ManagedProcess;
    port: number;
    user: string;
    password: string;
    database: string;
    url: string;
}

/**
 * A throwaway PostgreSQL: `initdb` into a temp dir, `postgres` on a free loopback port, stopped by
 * PID. initdb refuses to run as root, so as root the server runs as the `postgres` system user.
 */
export async function startPostgres(dir: string, database: string, user: string, password: string): Promise<Postgres> {
    const bin = postgresBin();
    if (!bin) throw new Error(`the e2e run needs PostgreSQL's server binaries (/usr/lib/postgresql/<version>/bin); install them with: ${POSTGRES_INSTALL_HINT}`);
    const initdb = path.join(bin, "initdb");
    const data = path.join(dir, "pgdata");
    fs.mkdirSync(data, { recursive: true });
    let ids: { uid?: number; gid?: number } = {};
    if (process.getuid?.() === 0) {
        const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
        const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
        ids = { uid, gid };
        for (const d of [dir, data]) fs.chownSync(d, uid, gid);
        fs.chmodSync(dir, 0o755);
    }
    const pwfile = path.join(dir, "pw");
    fs.writeFileSync(pwfile, password, { mode: 0o600 });
    if (ids.uid !== undefined) fs.chownSync(pwfile, ids.uid, ids.gid!);
    execFileSync(initdb, ["-D", data, "-U", user, "--pwfile", pwfile, "-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"], { stdio: "pipe", ...ids });
    fs.rmSync(pwfile);
    const port = await freePort();
    const log = path.join(dir, "postgres.log");
    const fd = fs.openSync(log, "w");
    const child = spawn(
        path.join(bin, "postgres"),
        ["-D", data, "-p", String(port), "-h", "127.0.0.1", "-k", dir, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "shared_buffers=16MB", "-c", "max_connections=30", "-c", "timezone=UTC"],
        { stdio: ["ignore", fd, fd], ...ids },
    );
    fs.closeSync(fd);
    // SIGINT: PostgreSQL's "fast" shutdown.
    const p = manage("postgres", child, log, "SIGINT");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require("pg") as typeof import("pg");
    const connect = async () => {
        const c = new Client({ host: "127.0.0.1", port, user, password, database: "postgres" });
        await c.connect();
        return c;
    };
    await waitReady(p, async () => (await connect()).end().then(() => true), 30_000);
    const admin = await connect();
    try {
        await admin.query(`CREATE DATABASE ${database}`);
    } finally {
        await admin.end();
    }
    return { process: p, port, user, password, database, url: `jdbc:postgresql://127.0.0.1:${port}/${database}` };
}

/**
 * A connected client of the throwaway PostgreSQL's warehouse database. `valuesAsText`: every value
 * as PostgreSQL prints it (dates, timestamps and numerics compared as text), for the row checks.
 */
export async function connectWarehouse(postgres: Postgres, { valuesAsText = false } = {}): Promise<import("pg").Client> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Client } = require("pg") as typeof import("pg");
    const client = new Client({
        host: "127.0.0.1",
        port: postgres.port,
        user: postgres.user,
        password: postgres.password,
        database: postgres.database,
        ...(valuesAsText ? { types: { getTypeParser: () => (v: string) => v } } : {}),
    } as never);
    await client.connect();
    return client;
}

export function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-e2e-"));
}
