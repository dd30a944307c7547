// Shared pieces of the command-line entry points: one argument parser (commander, so every CLI has
// the same --help and the same one-line usage errors), MySQL endpoint options and clean failure.
//
// How a CLI declares its options (every `npm run <script>` that runs a file under scripts/, e2e/, …):
//
//     const CLI = defineCli({
//         name: "npm run my-thing --",                      // how a user types it
//         summary: "What it does, in one or two sentences.",
//         options: {
//             stack: { type: "string", value: "name", description: "stack to check", default: "dev" },
//             json: { type: "boolean", description: "print JSON instead of text" },
//             startup: { type: "boolean", default: true, description: "…" },   // becomes --no-startup
//         },
//         arguments: [{ name: "command", choices: ["up", "down"], default: "up", description: "…" }], // optional
//         exitCodes: { 0: "ok", 1: "a check failed", 2: "usage or config error" },
//     });
//     runCli(async () => {
//         const { values, args } = parseCli(CLI);   // first thing: --help must not do any work
//         …
//         return 0;
//     });
//
// parseCli answers -h/--help by throwing HelpShown, which runCli prints to stdout with exit 0;
// unknown options, missing values and extra arguments become a UsageError (one line, exit 2).
// Values are keyed by the long option name as declared ("password-env"), like util.parseArgs.
// test/cliHelp.integration.test.ts runs `--help` for every such package.json script: a new script is covered
// once it parses with parseCli before its first side effect.
import * as fs from "fs";
import { Argument, Command, CommanderError, Option } from "commander";
import { MySqlEndpoint, TLS_MODES, TlsMode, isMySqlAccessError, parseMySqlUrl } from "../components/source/pure";

export class UsageError extends Error {}

/** -h/--help was given: the usage text to print (exit 0, nothing else done). */
export class HelpShown extends Error {
    constructor(readonly text: string) {
        super("help shown");
    }
}

export interface CliOption {
    type: "string" | "boolean";
    description: string;
    /** The value's name in the usage text, e.g. "url" for `--url <url>` (string options). */
    value?: string;
    /** A boolean defaulting to true is declared as its negation `--no-<name>`. */
    default?: string | boolean;
    short?: string;
    choices?: readonly string[];
    /** Internal (e.g. a parent process talking to its child): parsed, not in --help. */
    hidden?: boolean;
}

export interface CliArgument {
    name: string;
    description: string;
    choices?: readonly string[];
    default?: string;
    /** The last argument may take any number of values (`[name...]`); parseCli lists each in `args`. */
    variadic?: boolean;
}

export interface CliSpec<O extends Record<string, CliOption>> {
    /** How the user invokes it, e.g. "npm run preflight --". */
    name: string;
    summary: string;
    options: O;
    arguments?: readonly CliArgument[];
    exitCodes?: Record<number, string>;
    /** Extra lines after the options (examples, environment variables). */
    notes?: readonly string[];
}

type ValueOf<T extends CliOption> = T["type"] extends "boolean"
    ? boolean
    : T["default"] extends string
      ? string
      : string | undefined;
export type CliValues<O extends Record<string, CliOption>> = { [K in keyof O]: ValueOf<O[K]> };

/** Declares a CLI (typed); parse it with parseCli. */
export function defineCli<const O extends Record<string, CliOption>>(spec: CliSpec<O>): CliSpec<O> {
    return spec;
}

function command<O extends Record<string, CliOption>>(spec: CliSpec<O>, out: { text: string }): { program: Command; attributes: Map<string, string> } {
    const program = new Command(spec.name)
        .description(spec.summary)
        .exitOverride()
        .allowExcessArguments(false)
        .configureOutput({ writeOut: (s) => (out.text += s), writeErr: () => undefined, outputError: () => undefined })
        .helpOption("-h, --help", "print this help and exit");
    const attributes = new Map<string, string>();
    for (const [key, o] of Object.entries(spec.options)) {
        const long = o.type === "boolean" && o.default === true ? `--no-${key}` : `--${key}`;
        const flags = `${o.short ? `-${o.short}, ` : ""}${long}${o.type === "string" ? ` <${o.value ?? "value"}>` : ""}`;
        const option = new Option(flags, o.description);
        if (o.choices) option.choices(o.choices);
        if (o.hidden) option.hideHelp();
        if (o.type === "string" && o.default !== undefined) option.default(o.default);
        program.addOption(option);
        attributes.set(option.attributeName(), key);
    }
    for (const a of spec.arguments ?? []) {
        const argument = new Argument(`[${a.name}${a.variadic ? "..." : ""}]`, a.description);
        if (a.choices) argument.choices(a.choices);
        if (a.default !== undefined) argument.default(a.default);
        program.addArgument(argument);
    }
    const after = [
        ...(spec.exitCodes ? ["", "Exit codes:", ...Object.entries(spec.exitCodes).map(([code, meaning]) => `  ${code}  ${meaning}`)] : []),
        ...(spec.notes?.length ? ["", ...spec.notes] : []),
    ];
    if (after.length) program.addHelpText("after", after.join("\n"));
    return { program, attributes };
}

/** The usage text of a CLI, as --help prints it. */
export function cliHelp(spec: CliSpec<Record<string, CliOption>>): string {
    const out = { text: "" };
    command(spec, out).program.outputHelp();
    return out.text;
}

/**
 * Parses argv (default: process.argv after the script) against the declaration. -h/--help throws
 * HelpShown; every other problem throws a one-line UsageError naming the option.
 */
export function parseCli<O extends Record<string, CliOption>>(spec: CliSpec<O>, argv: readonly string[] = process.argv.slice(2)): { values: CliValues<O>; args: string[] } {
    const out = { text: "" };
    const { program, attributes } = command(spec, out);
    try {
        program.parse([...argv], { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError && (err.code === "commander.helpDisplayed" || err.code === "commander.help")) throw new HelpShown(out.text);
        if (err instanceof CommanderError) throw new UsageError(`${err.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ")} (see --help)`);
        throw err;
    }
    const values: Record<string, unknown> = {};
    for (const [attribute, value] of Object.entries(program.opts())) values[attributes.get(attribute) ?? attribute] = value;
    for (const [key, o] of Object.entries(spec.options)) if (o.type === "boolean" && values[key] === undefined) values[key] = o.default === true;
    return { values: values as CliValues<O>, args: (program.processedArgs as (string | string[] | undefined)[]).flat().filter((a): a is string => a !== undefined) };
}

/** The MySQL endpoint options preflight, cdc-smoke and schema:check share. */
export const MYSQL_ENDPOINT_OPTIONS = {
    "password-env": { type: "string", value: "var", description: "environment variable holding the password (never on the command line)" },
    tls: {
        type: "string",
        value: "mode",
        choices: TLS_MODES,
        description: "how the server is trusted (default verify_identity: CA and host name; verify_ca: CA only; insecure: encrypted, unverified)",
    },
    ca: { type: "string", value: "file", description: "PEM CA bundle to verify the server with (RDS hosts use the RDS bundle without it)" },
} as const satisfies Record<string, CliOption>;

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

/** Writes to stdout and waits until a pipe has taken it (the process exits right after). */
export const writeStdout = (text: string) => new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));

/** What a CLI prints and returns. */
export interface CliOutcome {
    code: number;
    stdout: string;
    stderr: string;
}

/** Where a CLI main writes: the process's stdout in a real run, a buffer in an in-process test. */
export type CliWrite = (text: string) => Promise<void>;

/**
 * What a main's failure becomes: HelpShown prints the usage (exit 0); operator-facing errors become
 * one line on stderr and exit code 2. Shared by runCli and runInProcess, so in-process tests see
 * exactly what the process prints.
 */
export function failureOutcome(err: unknown): CliOutcome {
    if (err instanceof HelpShown) return { code: 0, stdout: err.text, stderr: "" };
    const message = err instanceof UsageError || isMySqlAccessError(err) ? err.message : ((err as Error)?.message ?? String(err));
    return { code: 2, stdout: "", stderr: `error: ${message}\n` };
}

/** Runs a CLI main: its exit code, or its failure as failureOutcome says. */
export function runCli(main: () => Promise<number>): void {
    main().then(
        (code) => process.exit(code),
        async (err: unknown) => {
            const outcome = failureOutcome(err);
            if (outcome.stdout) await writeStdout(outcome.stdout);
            if (outcome.stderr) await new Promise<void>((resolve) => process.stderr.write(outcome.stderr, () => resolve()));
            process.exit(outcome.code);
        },
    );
}

/**
 * A CLI main run in this process, as runCli would run it: exit code, what it wrote, and the failure
 * line. Tests about a command's logic use it (a process start costs ts-node's start-up); one real
 * process run per CLI keeps the process itself (exit code, streams) proven.
 */
export async function runInProcess(main: (write: CliWrite) => Promise<number>): Promise<CliOutcome> {
    let stdout = "";
    try {
        const code = await main(async (text) => void (stdout += text));
        return { code, stdout, stderr: "" };
    } catch (err) {
        const outcome = failureOutcome(err);
        return { ...outcome, stdout: stdout + outcome.stdout };
    }
}
