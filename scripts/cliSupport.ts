// Shared pieces of the command-line entry points: MySQL endpoint options and clean failure.
import * as fs from "fs";
import { parseArgs, ParseArgsConfig } from "util";
import { MySqlEndpoint, TLS_MODES, TlsMode, isMySqlAccessError, parseMySqlUrl } from "../components/source";

export class UsageError extends Error {}


/** Parses command-line options; unknown or malformed options become a UsageError (one line). */
export function parseCliOptions<T extends NonNullable<ParseArgsConfig["options"]>>(options: T) {
    try {
        return parseArgs({ options, strict: true }).values;
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
}

/** Builds an endpoint from --url, --password-env, --tls and --ca. */
export function endpointFromOptions(values: { url?: string; "password-env"?: string; tls?: string; ca?: string }): MySqlEndpoint {
    if (!values.url) throw new UsageError("--url is required, e.g. --url mysql://lifesci_cdc@db.example.com:3306");
    const target = parseMySqlUrl(values.url);
    let password: string | undefined;
    const passwordEnv = values["password-env"];
    if (passwordEnv) {
        password = process.env[passwordEnv];
        if (password === undefined) throw new UsageError(`--password-env: environment variable ${passwordEnv} is not set`);
    }
    // Verified by default: the CA from --ca, or for RDS hosts the RDS CA bundle.
    const tls = (values.tls ?? "verify_identity") as TlsMode;
    if (!TLS_MODES.includes(tls)) throw new UsageError(`--tls: must be one of ${TLS_MODES.join(", ")} (got "${values.tls}")`);
    let caPem: string | undefined;
    if (values.ca) {
        try {
            caPem = fs.readFileSync(values.ca, "utf8");
        } catch (err) {
            throw new UsageError(`--ca: cannot read ${values.ca} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        }
        if (!caPem.includes("-----BEGIN CERTIFICATE-----")) throw new UsageError(`--ca: ${values.ca} holds no PEM certificate`);
    }
    return { ...target, password, tls, caPem };
}

/** Runs a CLI main: operator-facing errors become one line on stderr and exit code 2. */
export function runCli(main: () => Promise<number>): void {
    main().then(
        (code) => process.exit(code),
        (err: unknown) => {
            if (err instanceof UsageError || isMySqlAccessError(err)) {
                process.stderr.write(`error: ${err.message}\n`);
            } else {
                process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
            }
            process.exit(2);
        },
    );
}
