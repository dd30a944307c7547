// A throwaway MariaDB for real-server tests and schema:check: its own datadir under a temp dir, its own port and
// socket, binlog ROW/FULL, TLS with a certificate for "localhost" signed by a fresh test CA (and a
// second, unrelated CA to prove verification refuses it), stopped by its own PID.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import type * as mysql from "mysql2/promise";
import { MySqlEndpoint, connectMySql } from "../../components/source/pure";

export const INSTALL_HINT = "apt-get install -y --no-install-recommends mariadb-server";

export interface MariaDb {
    port: number;
    dir: string;
    pid: number;
    /** Milliseconds from spawning mariadbd to the first successful query. */
    startupMs: number;
    /** The name the server certificate is issued to (resolves to 127.0.0.1). */
    host: string;
    /** The CA that signed the server certificate. */
    caPem: string;
    /** A CA that did not sign it. */
    wrongCaPem: string;
    /** root over TCP with verified TLS; root has no password on this throwaway server. */
    rootEndpoint: MySqlEndpoint;
    query<T = mysql.RowDataPacket[]>(sql: string, params?: unknown[]): Promise<T>;
    stop(): Promise<void>;
}

function which(binary: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/bin"])) {
        const candidate = path.join(dir, binary);
        if (fs.existsSync(candidate)) return candidate;
    }
    return undefined;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `certName`: the name on the server certificate, "localhost" (what clients connect to) or another. */
export async function startMariaDb(extraArgs: string[] = [], certName: "localhost" | "db.other.example" = "localhost"): Promise<MariaDb> {
    const mariadbd = which("mariadbd");
    const installDb = which("mariadb-install-db");
    if (!mariadbd || !installDb) {
        throw new Error(`real-server tests need MariaDB (mariadbd, mariadb-install-db); install it with: ${INSTALL_HINT}`);
    }
    if (!which("openssl")) {
        throw new Error("real-server tests need openssl for the server's TLS certificate; install it with: apt-get install -y --no-install-recommends openssl");
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-mariadb-"));
    const datadir = path.join(dir, "data");
    execFileSync(installDb, ["--no-defaults", `--datadir=${datadir}`, "--auth-root-authentication-method=normal", "--skip-test-db", `--user=${os.userInfo().username}`], { stdio: "pipe" });
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
    // P-256 keys: generated in milliseconds (RSA-2048 took most of a server's start-up).
    const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    const selfSignedCa = (name: string, cn: string) =>
        openssl("req", "-x509", ...newKey, "-nodes", "-keyout", file(`${name}-key.pem`), "-out", file(`${name}.pem`), "-days", "1", "-subj", `/CN=${cn}`);
    selfSignedCa("ca", "lifesci test CA");
    selfSignedCa("wrong-ca", "some other CA");
    openssl("req", ...newKey, "-nodes", "-keyout", file("key.pem"), "-out", file("server.csr"), "-subj", "/CN=localhost");
    fs.writeFileSync(file("server.ext"), "subjectAltName=DNS:localhost\n");
    openssl("x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca-key.pem"), "-CAcreateserial", "-out", file("cert.pem"), "-days", "1", "-extfile", file("server.ext"));
    // A certificate from the same CA for another name, to prove host names are checked.
    openssl("req", ...newKey, "-nodes", "-keyout", file("other-key.pem"), "-out", file("other.csr"), "-subj", "/CN=db.other.example");
    fs.writeFileSync(file("other.ext"), "subjectAltName=DNS:db.other.example\n");
    openssl("x509", "-req", "-in", file("other.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca-key.pem"), "-CAcreateserial", "-out", file("other-cert.pem"), "-days", "1", "-extfile", file("other.ext"));
    const caPem = fs.readFileSync(file("ca.pem"), "utf8");
    const wrongCaPem = fs.readFileSync(file("wrong-ca.pem"), "utf8");

    const port = await freePort();
    const started = performance.now();
    const child: ChildProcess = spawn(
        mariadbd,
        [
            "--no-defaults",
            `--datadir=${datadir}`,
            `--socket=${path.join(dir, "mysqld.sock")}`,
            `--pid-file=${path.join(dir, "mysqld.pid")}`,
            // Its own temporary files beside its data: servers started side by side (other test
            // runs on this machine) never share /tmp's #sql-temptable-* names.
            `--tmpdir=${dir}`,
            `--port=${port}`,
            "--bind-address=127.0.0.1",
            `--user=${os.userInfo().username}`,
            `--log-bin=${path.join(datadir, "binlog")}`,
            "--server-id=1",
            "--binlog-format=ROW",
            "--binlog-row-image=FULL",
            `--ssl-cert=${path.join(dir, certName === "localhost" ? "cert.pem" : "other-cert.pem")}`,
            `--ssl-key=${path.join(dir, certName === "localhost" ? "key.pem" : "other-key.pem")}`,
            "--skip-name-resolve",
            "--innodb-buffer-pool-size=32M",
            ...extraArgs,
        ],
        { stdio: ["ignore", "ignore", fs.openSync(path.join(dir, "error.log"), "w")] },
    );
    let exited = false;
    child.on("exit", () => (exited = true));
    // Never leave a server behind, even when the test process dies early.
    process.once("exit", () => {
        if (!exited) child.kill("SIGKILL");
    });

    const host = "localhost";
    // A server whose certificate names another host can only be reached unverified by name.
    const rootEndpoint: MySqlEndpoint = { host, port, user: "root", tls: certName === "localhost" ? "verify_identity" : "verify_ca", caPem };
    let conn: mysql.Connection | undefined;
    for (let attempt = 0; attempt < 200 && !conn; attempt++) {
        if (exited) throw new Error(`mariadbd exited during startup:\n${fs.readFileSync(path.join(dir, "error.log"), "utf8").slice(-2000)}`);
        try {
            conn = await connectMySql({ ...rootEndpoint, connectTimeoutMs: 1000 });
        } catch {
            await sleep(50);
        }
    }
    if (!conn) {
        child.kill("SIGKILL");
        throw new Error(`mariadbd did not answer on port ${port} within 10 s`);
    }
    const startupMs = performance.now() - started;
    // The `normal` auth method may create anonymous accounts that shadow user@'%' over TCP.
    const [anonymous] = await conn.query<mysql.RowDataPacket[]>("SELECT Host FROM mysql.user WHERE User = ''");
    for (const row of anonymous) await conn.query("DROP USER ''@?", [row.Host]);

    const query = async <T>(sql: string, params?: unknown[]): Promise<T> => (await conn!.query(sql, params))[0] as T;
    const stop = async () => {
        await conn!.end().catch(() => undefined);
        if (!exited) {
            const gone = new Promise((r) => child.once("exit", r));
            process.kill(child.pid!, "SIGTERM");
            await Promise.race([gone, sleep(5000)]);
            if (!exited) process.kill(child.pid!, "SIGKILL");
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    return { port, dir, pid: child.pid!, startupMs, host, caPem, wrongCaPem, rootEndpoint, query, stop };
}

