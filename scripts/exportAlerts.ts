// npm run alerts:export -- [--stack dev] [--out build/alerts] [--outputs outputs.json]  (--help lists every option)
// Writes Prometheus rule files from the alert intents, for teams that alert with
// Prometheus/Alertmanager instead of Grafana:
//   <out>/<stack>/local.rules.yml            always (connectors are known by name)
//   <out>/<stack>/confluent-cloud.rules.yml  with --outputs, the JSON of `pulumi stack output --json`
//                                            (connector, cluster and RDS ids exist only after deploy)
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { alertRules, MetricsSource, MonitoredEstate, prometheusRuleFile } from "../components/monitoring/pure";
import { DOMAINS, SINK_NAMES, SinkName } from "../components/catalog";
import { UsageError, defineCli, parseCli, runCli } from "./cliSupport";
import { REPO_ROOT, readStackConfig } from "./mockEngine";

export const CLI = defineCli({
    name: "npm run alerts:export --",
    summary:
        "Writes Prometheus rule files from the alert intents, for teams that alert with Prometheus/Alertmanager instead of Grafana: <out>/<stack>/local.rules.yml always, <out>/<stack>/confluent-cloud.rules.yml with --outputs.",
    options: {
        stack: { type: "string", value: "name", default: "dev", description: "stack whose thresholds and names apply (a Pulumi.<name>.yaml)" },
        out: { type: "string", value: "dir", default: "build/alerts", description: "folder to write <stack>/*.rules.yml into" },
        outputs: {
            type: "string",
            value: "file",
            description: "the JSON of `pulumi stack output --json` after a deploy: connector, cluster and RDS ids for the Confluent Cloud rules",
        },
    },
    exitCodes: { 0: "rule files written", 2: "usage error, unreadable stack or outputs file (nothing written)" },
});

interface StackOutputs {
    kafkaClusterId?: string;
    cdcConnectorIds?: Record<string, string>;
    sinkConnectorIds?: Partial<Record<SinkName, string>>;
    ksqlDbClusterId?: string;
    mysqlInstanceId?: string;
    lakeAuditBucket?: string;
    lakeAuditStagingBucket?: string;
}

/** The stack outputs file, checked before anything is written: an error names the option and the file. */
export function readStackOutputs(file: string): StackOutputs {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new UsageError(`--outputs: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    let outputs: unknown;
    try {
        outputs = JSON.parse(text);
    } catch (err) {
        throw new UsageError(`--outputs: ${file} is not JSON (${(err as Error).message}); write it with \`pulumi stack output --json > ${file}\``);
    }
    if (!outputs || typeof outputs !== "object" || Array.isArray(outputs)) throw new UsageError(`--outputs: ${file} must hold a JSON object of stack outputs`);
    if (!(outputs as StackOutputs).cdcConnectorIds) {
        throw new UsageError(`--outputs: ${file} has no cdcConnectorIds; is it \`pulumi stack output --json\` of a deployed cloud stack?`);
    }
    return outputs as StackOutputs;
}

/** The command (exit code; errors become exit 2 in runCli). Everything is checked before the first file is written. */
export function main(argv: readonly string[] = process.argv.slice(2)): number {
    const { values: options } = parseCli(CLI, argv);
    // The config loader and the resource names load the program's modules (and the Pulumi SDK):
    // after the arguments parse, so --help and usage errors do not pay for them.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { parsePlatformConfig } = require("../components/config") as typeof import("../components/config");
    const { cdcConnectorName } = require("../components/source") as typeof import("../components/source");
    const { AUDIT_REPLICATION_RULE_ID, sinkConnectorName } = require("../components/sinks") as typeof import("../components/sinks");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const stack = options.stack;
    if (!fs.existsSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`))) throw new UsageError(`--stack: no Pulumi.${stack}.yaml in ${REPO_ROOT}`);
    const outDir = path.resolve(options.out, stack);
    const { values, secretKeys } = readStackConfig(stack);
    const cfg = parsePlatformConfig({ project: "lifesci-streaming", stack, values, secretKeys: new Set(secretKeys) });
    const outputsFile = options.outputs;
    const outputs: StackOutputs = outputsFile ? readStackOutputs(outputsFile) : {};

    // The same estate the platform watches: CDC and sink connectors, the ksqlDB cluster, RDS.
    const estate = (ids: Record<string, string>, sinkIds: Partial<Record<SinkName, string>> = {}): MonitoredEstate => ({
        basePrefix: cfg.confluent.topicPrefix,
        kafkaClusterId: outputs.kafkaClusterId,
        connectors: [
            ...DOMAINS.map((d) => ({ name: cdcConnectorName(cfg.namePrefix, d), id: ids[d.name] ?? "", kind: "source" as const, domain: d.name })),
            ...SINK_NAMES.map((sink) => ({ name: sinkConnectorName(cfg.namePrefix, sink), id: sinkIds[sink] ?? "", kind: "sink" as const })),
        ],
        ksqlClusterIds: outputs.ksqlDbClusterId ? [outputs.ksqlDbClusterId] : [],
        rdsInstanceIds: outputs.mysqlInstanceId ? [outputs.mysqlInstanceId] : [],
        s3Replications:
            outputs.lakeAuditStagingBucket && outputs.lakeAuditBucket
                ? [{ sourceBucket: outputs.lakeAuditStagingBucket, destinationBucket: outputs.lakeAuditBucket, ruleId: AUDIT_REPLICATION_RULE_ID }]
                : [],
    });

    const files: [MetricsSource, MonitoredEstate][] = [["local", estate({})]];
    if (outputs.cdcConnectorIds) {
        const missing = DOMAINS.filter((d) => !outputs.cdcConnectorIds![d.name]).map((d) => d.name);
        if (missing.length) throw new UsageError(`--outputs: ${outputsFile}: cdcConnectorIds has no id for ${missing.join(", ")}`);
        const missingSinks = SINK_NAMES.filter((sink) => !outputs.sinkConnectorIds?.[sink]);
        if (missingSinks.length) throw new UsageError(`--outputs: ${outputsFile}: sinkConnectorIds has no id for ${missingSinks.join(", ")}`);
        files.push(["confluent-cloud", estate(outputs.cdcConnectorIds, outputs.sinkConnectorIds)]);
    } else {
        console.log("confluent-cloud rules skipped: pass --outputs <file> with `pulumi stack output --json` (connector ids exist after deploy)");
    }

    fs.mkdirSync(outDir, { recursive: true });
    for (const [source, e] of files) {
        const rules = alertRules(source, e, cfg.monitoring.thresholds, cfg.monitoring.operatingHours);
        const file = path.join(outDir, `${source}.rules.yml`);
        fs.writeFileSync(file, `# Generated by npm run alerts:export from components/monitoring/alerts.ts; do not edit.\n${YAML.stringify(prometheusRuleFile(rules))}`);
        console.log(`${file}: ${rules.length} rules`);
    }
    return 0;
}

if (require.main === module) runCli(async () => main());
