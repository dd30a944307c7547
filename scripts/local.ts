// `npm run local` (up + verify), `npm run local:down` (destroy), `npm run local:verify` (verify
// again): the local stack through the Pulumi Automation API, with a file backend under the
// project (.pulumi/, gitignored) and a passphrase that protects only this laptop's local state
// (from the environment, or generated once into .pulumi/local-passphrase: local/passphrase.ts).
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { connectMySql } from "../components/source/pure";
import type { LocalCredentials } from "../local/localPlatform";
import { localPassphraseEnv } from "../local/passphrase";
import { PluginPins, checkPrerequisites, formatPrerequisites, localCleanupHint } from "../local/prerequisites";
import { LOCAL_PORTS, connectPluginDownloads, localUrls } from "../local/versions";
import { defineCli, parseCli, runCli } from "./cliSupport";
import { PLUGINS_SHA256 } from "./pinConnectPlugins";

// The Automation API, the path probes (Kafka, S3, PostgreSQL clients) and the verification (the sink
// settings) load when a command runs: --help answers before them.
/* eslint-disable @typescript-eslint/no-require-imports */
const automation = () => require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
const probes = () => require("../local/probes") as typeof import("../local/probes");
const verification = () => require("../local/verify") as typeof import("../local/verify");
/* eslint-enable @typescript-eslint/no-require-imports */

export const CLI = defineCli({
    name: "ts-node scripts/local.ts",
    summary:
        "The local Docker stack through the Pulumi Automation API (state in .pulumi/local-state/): `npm run local` checks the prerequisites, brings the stack up and proves the data path; `npm run local:verify` proves it again; `npm run local:down` removes it.",
    options: {},
    arguments: [{ name: "command", choices: ["up", "down", "verify"], default: "up", description: "up (+ verify), verify, or down" }],
    exitCodes: { 0: "done (every verification hop passed)", 1: "a verification hop failed", 2: "a prerequisite is missing, or pulumi failed" },
    notes: [
        "Environment: PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (local state only; otherwise generated once into .pulumi/local-passphrase), LOCAL_VERIFY_TIMEOUT_MS (default 300000).",
    ],
});

const ROOT = path.join(__dirname, "..");
const STACK = "local";
const NAME_PREFIX = `lifesci-${STACK}`;
/** The CLI installed when none is found: the one this SDK was released with. */
const PULUMI_CLI_VERSION = "3.248.0";
const VERIFY_TIMEOUT_MS = Number(process.env.LOCAL_VERIFY_TIMEOUT_MS ?? 300_000);

const STATE_DIR = path.join(ROOT, ".pulumi", "local-state");

async function openStack(cli: PulumiCommand | undefined): Promise<Stack> {
    const backend = STATE_DIR;
    fs.mkdirSync(backend, { recursive: true });
    return automation().LocalWorkspace.createOrSelectStack(
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

/** The Connect image's pins as the Dockerfile will check them. */
function connectPluginPins(): PluginPins {
    const pinned = fs.existsSync(PLUGINS_SHA256) ? fs.readFileSync(PLUGINS_SHA256, "utf8") : "";
    return { downloads: connectPluginDownloads(), pinFile: path.relative(ROOT, PLUGINS_SHA256), pinned };
}

async function prerequisites(command: string): Promise<PulumiCommand | undefined> {
    let cli: PulumiCommand | undefined;
    const report = await checkPrerequisites(
        probes().realPrerequisiteProbe(NAME_PREFIX, probes().PULUMI_CLI_DIR(ROOT), (c) => (cli = c)),
        {
            ports: LOCAL_PORTS,
            pulumiVersion: PULUMI_CLI_VERSION,
            pulumiInstallDir: probes().PULUMI_CLI_DIR(ROOT),
            // Only `up` builds the Connect image; down and verify must work without pins.
            connectPlugins: command === "up" ? connectPluginPins() : undefined,
        },
    );
    console.log(formatPrerequisites(report));
    if (report.problems.length > 0) throw new Error(`fix the prerequisites above, then run \`npm run ${command === "up" ? "local" : `local:${command}`}\` again`);
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
        rows = await verification().insertVerificationRows(conn, verification().verificationMarker());
    } finally {
        await conn.end();
    }
    console.log(`Inserted order ${rows.marker}, out-of-spec lab result ${rows.resultId}, machine alarm ${rows.eventId}; waiting up to ${VERIFY_TIMEOUT_MS / 1000} s`);
    const pathProbes = probes().realPathProbes({
        kafkaBootstrap: `127.0.0.1:${LOCAL_PORTS.kafka}`,
        ksqlUrl: `http://127.0.0.1:${LOCAL_PORTS.ksqldb}`,
        minioUrl: `http://127.0.0.1:${LOCAL_PORTS.minio}`,
        minioUser: credentials.minioUser,
        minioPassword: credentials.minioPassword,
        postgres: { host: "127.0.0.1", port: LOCAL_PORTS.postgres, user: credentials.postgresUser, password: credentials.postgresPassword, database: "warehouse" },
    });
    try {
        const { formatVerification, runVerification, verificationHops } = verification();
        const results = await runVerification(verificationHops("lifesci", rows, buckets), pathProbes, started, { timeoutMs: VERIFY_TIMEOUT_MS, pollMs: 2_000 });
        console.log(formatVerification(results, localUrls(), VERIFY_TIMEOUT_MS));
        console.log(`  Grafana login: ${credentials.grafanaUser} / the password in \`pulumi stack output localCredentials --show-secrets\``);
        return results.every((r) => r.passed);
    } finally {
        await pathProbes.close();
    }
}

/** `pulumi destroy` of the local stack; a failure says how to clean up by hand. */
export async function destroyLocal(stack: Pick<Stack, "destroy">, namePrefix = NAME_PREFIX, stateDir = path.relative(process.cwd(), STATE_DIR) || STATE_DIR): Promise<void> {
    try {
        await stack.destroy({ onOutput: (out) => process.stdout.write(out) });
    } catch (err) {
        // The Automation API's message is "code: N\n stdout: …\n stderr: …": show the error line.
        const lines = ((err as Error).message ?? String(err)).split("\n").map((l) => l.trim()).filter(Boolean);
        const reason = lines.find((l) => /error:/i.test(l))?.replace(/^stderr:\s*/, "") ?? lines[0] ?? String(err);
        throw new Error(`pulumi destroy of the local stack failed: ${reason}\n${localCleanupHint(namePrefix, stateDir)}`);
    }
}

async function main(): Promise<number> {
    const { args } = parseCli(CLI);
    const command = args[0];
    const cli = await prerequisites(command);
    const stack = await openStack(cli);
    if (command === "down") {
        await destroyLocal(stack);
        console.log("Local stack destroyed (named volumes with data are removed with it).");
        return 0;
    }
    if (command === "up") {
        await stack.up({ onOutput: (out) => process.stdout.write(out) });
    }
    return (await verify(stack)) ? 0 : 1;
}

if (require.main === module) runCli(main);
