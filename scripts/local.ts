// `npm run local` (up + verify), `npm run local:down` (destroy), `npm run local:verify` (verify
// again): the local stack through the Pulumi Automation API, with a file backend under the
// project (.pulumi/, gitignored) and a passphrase that protects only this laptop's local state
// (from the environment, or generated once into .pulumi/local-passphrase: local/passphrase.ts).
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { connectMySql } from "../components/source";
import { LocalCredentials } from "../local/localPlatform";
import { PULUMI_CLI_DIR, realPathProbes, realPrerequisiteProbe } from "../local/probes";
import { localPassphraseEnv } from "../local/passphrase";
import { checkPrerequisites, formatPrerequisites } from "../local/prerequisites";
import { formatVerification, insertVerificationRows, runVerification, verificationHops, verificationMarker } from "../local/verify";
import { LOCAL_PORTS, localUrls } from "../local/versions";
import { runCli } from "./cliSupport";

const ROOT = path.join(__dirname, "..");
const STACK = "local";
const NAME_PREFIX = `lifesci-${STACK}`;
/** The CLI installed when none is found: the one this SDK was released with. */
const PULUMI_CLI_VERSION = "3.248.0";
const VERIFY_TIMEOUT_MS = Number(process.env.LOCAL_VERIFY_TIMEOUT_MS ?? 300_000);

async function openStack(cli: PulumiCommand | undefined): Promise<Stack> {
    const backend = path.join(ROOT, ".pulumi", "local-state");
    fs.mkdirSync(backend, { recursive: true });
    return LocalWorkspace.createOrSelectStack(
        { stackName: STACK, workDir: ROOT },
        {
            pulumiCommand: cli,
            envVars: {
                PULUMI_BACKEND_URL: `file://${backend}`,
                // Protects the secrets in the local stack's state file only; never used for dev/prod.
                ...localPassphraseEnv(ROOT),
                // The program is type-checked by `npm test`; startup does not check it again.
                PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            },
        },
    );
}

async function prerequisites(): Promise<PulumiCommand | undefined> {
    let cli: PulumiCommand | undefined;
    const report = await checkPrerequisites(
        realPrerequisiteProbe(NAME_PREFIX, PULUMI_CLI_DIR(ROOT), (c) => (cli = c)),
        { ports: LOCAL_PORTS, pulumiVersion: PULUMI_CLI_VERSION, pulumiInstallDir: PULUMI_CLI_DIR(ROOT) },
    );
    console.log(formatPrerequisites(report));
    if (report.problems.length > 0) throw new Error("fix the prerequisites above, then run `npm run local` again");
    return cli;
}

async function verify(stack: Stack): Promise<boolean> {
    const outputs = await stack.outputs();
    const credentials = outputs.localCredentials?.value as LocalCredentials | undefined;
    const buckets = outputs.localBuckets?.value as { raw: string } | undefined;
    if (!credentials || !buckets) throw new Error("the local stack has no outputs yet; run `npm run local` first");

    const conn = await connectMySql({ host: "127.0.0.1", port: LOCAL_PORTS.mysql, user: "root", password: credentials.mysqlRootPassword, tls: "insecure" }); // loopback container, self-signed
    const started = Date.now();
    let rows;
    try {
        rows = await insertVerificationRows(conn, verificationMarker());
    } finally {
        await conn.end();
    }
    console.log(`Inserted order ${rows.marker}, out-of-spec lab result ${rows.resultId}, machine alarm ${rows.eventId}; waiting up to ${VERIFY_TIMEOUT_MS / 1000} s`);
    const probes = realPathProbes({
        kafkaBootstrap: `127.0.0.1:${LOCAL_PORTS.kafka}`,
        ksqlUrl: `http://127.0.0.1:${LOCAL_PORTS.ksqldb}`,
        minioUrl: `http://127.0.0.1:${LOCAL_PORTS.minio}`,
        minioUser: credentials.minioUser,
        minioPassword: credentials.minioPassword,
        postgres: { host: "127.0.0.1", port: LOCAL_PORTS.postgres, user: credentials.postgresUser, password: credentials.postgresPassword, database: "warehouse" },
    });
    try {
        const results = await runVerification(verificationHops("lifesci", rows, buckets), probes, started, { timeoutMs: VERIFY_TIMEOUT_MS, pollMs: 2_000 });
        console.log(formatVerification(results, localUrls(), VERIFY_TIMEOUT_MS));
        console.log(`  Grafana login: ${credentials.grafanaUser} / the password in \`pulumi stack output localCredentials --show-secrets\``);
        return results.every((r) => r.passed);
    } finally {
        await probes.close();
    }
}

async function main(): Promise<number> {
    const command = process.argv[2] ?? "up";
    if (!["up", "down", "verify"].includes(command)) throw new Error(`unknown command "${command}"; use up, down or verify`);
    const cli = await prerequisites();
    const stack = await openStack(cli);
    if (command === "down") {
        await stack.destroy({ onOutput: (out) => process.stdout.write(out) });
        console.log("Local stack destroyed (named volumes with data are removed with it).");
        return 0;
    }
    if (command === "up") {
        await stack.up({ onOutput: (out) => process.stdout.write(out) });
    }
    return (await verify(stack)) ? 0 : 1;
}

runCli(main);
