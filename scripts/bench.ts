// Benchmark: time and peak memory to evaluate each stack under the mock engine, and how they
// grow with the catalog. Each size gets a copy of the program whose catalog is the real one plus
// N synthetic tables (spread over the domains, with DDL, captured by the audit trail app); each
// (stack, size) is evaluated in its own child process so its peak RSS is its own.
// First, cold start per stack against a flat replay of the same resources (the floor: providers
// loaded, resources registered, no program logic), and the offline plan's wall clock.
//   npm run bench [-- --sizes 4,40,400 --stacks dev,prod --json --no-startup]
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DOMAINS } from "../components/catalog";
import { DdlColumn, EFFECTIVE_SCHEMA_FILE, readSchemaSnapshot } from "../components/ddl";
import { UsageError, defineCli, parseCli, runCli, writeStdout } from "./cliSupport";
import { PROGRAM_PATHS, REPO_ROOT, copyProgramPath, runStack } from "./mockEngine";

export const DEFAULT_SIZES = [4, 40, 400];
export const DEFAULT_STACKS = ["dev", "prod"];

export interface BenchRow {
    stack: string;
    /** Synthetic tables added to the catalog. */
    syntheticTables: number;
    /** Captured tables in the evaluated catalog. */
    tables: number;
    /** Custom resources the program registered. */
    resources: number;
    /** Process start to program loaded and evaluated (ts-node transpile-only included). */
    totalMs: number;
    /** The mock-engine evaluation alone. */
    evalMs: number;
    peakRssMb: number;
}

const BENCH_TABLE_DDL = (table: string) => `
CREATE TABLE IF NOT EXISTS ${table} (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  code        VARCHAR(32)    NOT NULL,
  quantity    DECIMAL(18,6)  NULL,
  status      ENUM('NEW','DONE') NOT NULL DEFAULT 'NEW',
  updated_at  DATETIME(6)    NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
`;

const column = (name: string, type: string, extra: Partial<DdlColumn> = {}): DdlColumn => ({ name, type, args: [], unsigned: false, nullable: false, autoIncrement: false, hasDefault: false, ...extra });
const BENCH_TABLE_COLUMNS: DdlColumn[] = [
    column("id", "BIGINT", { unsigned: true, autoIncrement: true }),
    column("code", "VARCHAR", { args: [32] }),
    column("quantity", "DECIMAL", { args: [18, 6], nullable: true }),
    column("status", "ENUM", { enumValues: ["NEW", "DONE"], hasDefault: true, default: { kind: "literal", value: "NEW" } }),
    column("updated_at", "DATETIME", { args: [6], hasDefault: true, default: { kind: "expression", text: "current_timestamp(6)" } }),
];

/** Synthetic table names per domain, round-robin. */
export function syntheticTables(count: number): Record<string, string[]> {
    const tables: Record<string, string[]> = Object.fromEntries(DOMAINS.map((d) => [d.name, []]));
    for (let i = 0; i < count; i++) {
        const domain = DOMAINS[i % DOMAINS.length];
        tables[domain.name].push(`bench_${String(i + 1).padStart(4, "0")}`);
    }
    return tables;
}

/**
 * A copy of the program with `count` synthetic tables. Production files stay as they are: the
 * copy's catalog.ts re-exports the real catalog (renamed catalog.base.ts) after appending the
 * tables to its domains and to the audit trail's inputs, before any component reads it.
 */
export function syntheticProgram(count: number): { dir: string; cleanup(): void } {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `lifesci-bench-${count}-`)));
    for (const f of PROGRAM_PATHS) copyProgramPath(f, dir);
    for (const f of fs.readdirSync(REPO_ROOT).filter((f) => /^Pulumi\.\w+\.yaml$/.test(f))) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");

    const tables = syntheticTables(count);
    // A migration per domain creates the tables; the copy's effective schema lists them as the
    // server would report them (BENCH_TABLE_COLUMNS: what schema:check --write reads for that DDL).
    const snapshot = readSchemaSnapshot(dir);
    for (const domain of DOMAINS) {
        if (tables[domain.name].length === 0) continue;
        fs.writeFileSync(path.join(dir, "sql", "mysql", domain.name, "V900__bench_tables.sql"), tables[domain.name].map(BENCH_TABLE_DDL).join(""));
        snapshot.domains[domain.name].tables.push(...tables[domain.name].map((name) => ({ name, columns: BENCH_TABLE_COLUMNS, primaryKey: ["id"], references: [] })));
    }
    fs.writeFileSync(path.join(dir, EFFECTIVE_SCHEMA_FILE), JSON.stringify(snapshot));
    const components = path.join(dir, "components");
    fs.renameSync(path.join(components, "catalog.ts"), path.join(components, "catalog.base.ts"));
    fs.writeFileSync(
        path.join(components, "catalog.ts"),
        [
            "// Generated by scripts/bench.ts: the real catalog plus synthetic tables.",
            'import { CapturedTable, DOMAINS, KSQL_APPS, TableRef } from "./catalog.base";',
            'export * from "./catalog.base";',
            `const extra: Record<string, string[]> = ${JSON.stringify(tables)};`,
            "for (const domain of DOMAINS) {",
            "    const added = extra[domain.name].map((name) => ({ name, primaryKey: ['id'], description: 'synthetic bench table' }));",
            "    (domain.tables as CapturedTable[]).push(...added);",
            '    const audit = KSQL_APPS.find((a) => a.name === "audit_trail")!;',
            "    (audit.inputs as TableRef[]).push(...added.map((t) => ({ domain: domain.name, table: t.name })));",
            "}",
            "",
        ].join("\n"),
    );
    return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Child process: evaluate one stack of one program copy and print one JSON line. */
async function child(stack: string, dir: string, recordFile?: string): Promise<number> {
    const start = process.hrtime.bigint();
    const run = await runStack(stack, { programDir: dir, fresh: true });
    if (recordFile) {
        const flat = run.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
        fs.writeFileSync(recordFile, JSON.stringify(flat));
    }
    const evalMs = Number(process.hrtime.bigint() - start) / 1e6;
    // A flat replay has no catalog.
    const catalogFile = path.join(dir, "components", "catalog.ts");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const catalog = fs.existsSync(catalogFile) ? (require(catalogFile) as typeof import("../components/catalog")) : { DOMAINS: [] };
    const row = {
        stack,
        tables: catalog.DOMAINS.reduce((n, d) => n + d.tables.length, 0),
        resources: run.resources.filter((r) => r.custom).length,
        totalMs: performance.now(),
        evalMs,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(row)}\n`, () => resolve()));
    return 0;
}

type BenchChildRow = Omit<BenchRow, "syntheticTables">;

/** Runs every (size, stack) in its own process, sizes in order. */
export function runBench(sizes: readonly number[] = DEFAULT_SIZES, stacks: readonly string[] = DEFAULT_STACKS): BenchRow[] {
    const rows: BenchRow[] = [];
    for (const size of sizes) {
        const program = syntheticProgram(size);
        try {
            for (const stack of stacks) rows.push({ syntheticTables: size, ...evaluateInChild(stack, program.dir) });
        } finally {
            program.cleanup();
        }
    }
    return rows;
}

// ---- Start-up: what `pulumi preview`, `npm run plan` and every CLI pay before any work ----------

/** The SDK package of each provider a resource type belongs to (`aws:s3/bucket:Bucket` -> @pulumi/aws). */
const PROVIDER_PACKAGES: Record<string, string> = {
    aws: "@pulumi/aws",
    confluentcloud: "@pulumi/confluentcloud",
    snowflake: "@pulumi/snowflake",
    grafana: "@pulumiverse/grafana",
    docker: "@pulumi/docker",
    random: "@pulumi/random",
    tls: "@pulumi/tls",
};

/** The provider packages a set of resources needs: what the flat replay loads, as the program does. */
export function providerPackagesOf(types: readonly string[]): string[] {
    return [...new Set(types.map((t) => PROVIDER_PACKAGES[t.split(":")[0]]).filter((p): p is string => p !== undefined))].sort();
}

/**
 * A program that registers the given resources flat, with no components, no catalog and no logic:
 * only the providers of those resources loaded and the same registrations. Evaluating it under the same engine, in the
 * same process kind, is the floor the real program's cold start is measured against.
 */
export function flatReplayProgram(stack: string, resourcesFile: string): { dir: string; cleanup(): void } {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `lifesci-replay-${stack}-`)));
    for (const f of ["Pulumi.yaml", "tsconfig.json", `Pulumi.${stack}.yaml`]) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.copyFileSync(resourcesFile, path.join(dir, "resources.json"));
    const recorded = JSON.parse(fs.readFileSync(resourcesFile, "utf8")) as { type: string }[];
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        [
            "// Generated by scripts/bench.ts: the recorded resources of a stack, registered flat.",
            'import * as pulumi from "@pulumi/pulumi";',
            ...providerPackagesOf(recorded.map((r) => r.type)).map((p) => `import ${JSON.stringify(p)};`),
            "const resources: { type: string; name: string; inputs: Record<string, unknown> }[] = require(\"./resources.json\");",
            "for (const r of resources) new pulumi.CustomResource(r.type, r.name, r.inputs);",
            "export = {};",
            "",
        ].join("\n"),
    );
    return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface StartupRow {
    stack: string;
    resources: number;
    /** Process start to the real program evaluated, cold. */
    programMs: number;
    /** Process start to the flat replay of the same resources evaluated, cold. */
    flatReplayMs: number;
    /** Wall clock of `npm run plan -- --stack <stack>` (its node process), cold. */
    planMs: number;
}

function evaluateInChild(stack: string, dir: string, recordFile?: string): BenchChildRow {
    const result = spawnSync(
        process.execPath,
        ["-r", "ts-node/register", __filename, "--child", "--stack", stack, "--dir", dir, ...(recordFile ? ["--record", recordFile] : [])],
        { cwd: REPO_ROOT, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
    );
    if (result.status !== 0) throw new Error(`bench ${stack} in ${dir} failed:\n${result.stderr}`);
    return JSON.parse(result.stdout.trim().split("\n").pop() ?? "") as BenchChildRow;
}

/** Cold start of each stack: the program, a flat replay of its resources, and the offline plan. */
export function runStartupBench(stacks: readonly string[] = DEFAULT_STACKS): StartupRow[] {
    const rows: StartupRow[] = [];
    for (const stack of stacks) {
        const recordFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-record-")), "resources.json");
        const program = evaluateInChild(stack, REPO_ROOT, recordFile);
        const replay = flatReplayProgram(stack, recordFile);
        try {
            const flat = evaluateInChild(stack, replay.dir);
            if (flat.resources !== program.resources) throw new Error(`flat replay of ${stack} registered ${flat.resources} resources, the program ${program.resources}`);
            const planStart = performance.now();
            const plan = spawnSync(process.execPath, ["-r", "ts-node/register", path.join(REPO_ROOT, "scripts", "plan.ts"), "--stack", stack], {
                cwd: REPO_ROOT,
                encoding: "utf8",
                maxBuffer: 64 * 1024 * 1024,
            });
            const planMs = performance.now() - planStart;
            if (plan.status !== 0) throw new Error(`npm run plan -- --stack ${stack} failed:\n${plan.stderr}`);
            rows.push({ stack, resources: program.resources, programMs: program.totalMs, flatReplayMs: flat.totalMs, planMs });
        } finally {
            replay.cleanup();
            fs.rmSync(path.dirname(recordFile), { recursive: true, force: true });
        }
    }
    return rows;
}

export const STARTUP_COLUMNS = ["stack", "resources", "program cold ms", "flat replay cold ms", "ratio", "plan cold ms"];

export function renderStartupTable(rows: readonly StartupRow[]): string {
    const lines = [`| ${STARTUP_COLUMNS.join(" | ")} |`, `| ${STARTUP_COLUMNS.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
    for (const r of rows) {
        lines.push(`| ${r.stack} | ${r.resources} | ${Math.round(r.programMs)} | ${Math.round(r.flatReplayMs)} | ${(r.programMs / r.flatReplayMs).toFixed(2)} | ${Math.round(r.planMs)} |`);
    }
    return lines.join("\n");
}

export const BENCH_COLUMNS = ["stack", "synthetic tables", "catalog tables", "resources", "total ms", "eval ms", "peak RSS MB"];

export function renderBenchTable(rows: readonly BenchRow[]): string {
    const lines = [`| ${BENCH_COLUMNS.join(" | ")} |`, `| ${BENCH_COLUMNS.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
    for (const r of rows) {
        lines.push(`| ${r.stack} | ${r.syntheticTables} | ${r.tables} | ${r.resources} | ${Math.round(r.totalMs)} | ${Math.round(r.evalMs)} | ${Math.round(r.peakRssMb)} |`);
    }
    return lines.join("\n");
}

export function machineDescription(): string {
    const cpus = os.cpus();
    return `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

const parseList = (value: string | undefined, flag: string) =>
    value?.split(",").map((s) => {
        if (!s.trim()) throw new UsageError(`${flag}: empty entry in "${value}"`);
        return s.trim();
    });

export const CLI = defineCli({
    name: "npm run bench --",
    summary:
        "Cold start per stack (program against a flat replay of its resources, and the offline plan), then evaluation time and peak memory as the catalog grows by synthetic tables; each run in its own process.",
    options: {
        sizes: { type: "string", value: "n,n", description: `synthetic tables to add, one run per size (default: ${DEFAULT_SIZES.join(",")})` },
        stacks: { type: "string", value: "a,b", description: `stacks to evaluate (default: ${DEFAULT_STACKS.join(",")})` },
        startup: { type: "boolean", default: true, description: "skip the cold-start table (program vs flat replay, plan)" },
        json: { type: "boolean", description: "print the results as JSON" },
        // The parent process runs each (stack, size) through these.
        child: { type: "boolean", hidden: true, description: "evaluate one program and print its figures" },
        stack: { type: "string", hidden: true, description: "the child's stack" },
        dir: { type: "string", hidden: true, description: "the child's program folder" },
        record: { type: "string", hidden: true, description: "where the child writes the registered resources" },
    },
    exitCodes: { 0: "measured", 2: "usage error, or a run failed" },
});

async function main(): Promise<number> {
    const { values } = parseCli(CLI);
    if (values.child) {
        if (!values.stack || !values.dir) throw new UsageError("--child needs --stack and --dir");
        return child(values.stack, values.dir, values.record);
    }
    const sizes = (parseList(values.sizes, "--sizes") ?? DEFAULT_SIZES.map(String)).map((s) => {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--sizes: "${s}" is not a table count`);
        return n;
    });
    const stacks = parseList(values.stacks, "--stacks") ?? DEFAULT_STACKS;
    const startup = values.startup ? runStartupBench(stacks) : [];
    const rows = runBench(sizes, stacks);
    const text = values.json
        ? JSON.stringify({ machine: machineDescription(), startup, rows }, null, 2)
        : [
              ...(startup.length ? ["Cold start (process start to evaluated, same engine and process kind):", "", renderStartupTable(startup), ""] : []),
              "Growth with the catalog:",
              "",
              renderBenchTable(rows),
              "",
              `machine: ${machineDescription()}`,
          ].join("\n");
    await writeStdout(`${text}\n`);
    return 0;
}

if (require.main === module) runCli(main);
