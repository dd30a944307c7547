// The Kafka Streams apps' own metrics (batches by release status), as each metrics source sees them.
// The names are declared once, in the app's `src/main/resources/metrics.json`: the Java app reads
// it from its classpath, this module from the repository.
//
// local: Prometheus scrapes the app's GET /metrics (Prometheus text format), one series per stream
// task and status: `<prometheus name>{status, task}`; the instance and job labels come from the scrape.
//
// cloud (Fargate): the app writes the same counts as CloudWatch embedded metric format (EMF) lines
// on stdout; the task's awslogs driver sends them to CloudWatch Logs with PutLogEvents, and
// CloudWatch Logs extracts them as metrics of the namespace METRICS_EMF_NAMESPACE (the
// `x-amzn-logs-format: json/emf` header is optional:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html;
// structure: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
// No IAM permission is added: the task's execution role already writes its log group, and the task
// role stays without a policy. Grafana Cloud's CloudWatch scrape job (grafanaCloud.ts) reads the
// namespace as a custom namespace and names the series the way its exporter, YACE, does
// (cloudwatchPromName below).
import * as fs from "fs";
import * as path from "path";
import { STREAMS_APPS, StreamsApp } from "../catalog";

export interface StreamsGauge {
    /** Name on the app's GET /metrics. */
    prometheus: string;
    /** CloudWatch metric name in the app's EMF events. */
    cloudwatch: string;
    help: string;
}

export interface StreamsLabel {
    prometheus: string;
    /** The CloudWatch dimension name (Grafana Cloud labels it `dimension_<name>`). */
    cloudwatch: string;
}

export interface StreamsAppMetrics {
    batchesByStatus: StreamsGauge;
    overdueBatches: StreamsGauge;
    statusLabel: StreamsLabel;
    taskLabel: StreamsLabel;
}

/** Where an app declares its metric names, relative to its folder. */
export const STREAMS_METRICS_FILE = "src/main/resources/metrics.json";
const REPO_ROOT = path.join(__dirname, "..", "..");
const PROM_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The metric names an app declares; fails naming the file and the key. */
export function streamsAppMetrics(app: StreamsApp, root = REPO_ROOT): StreamsAppMetrics {
    const file = path.join(app.dir, STREAMS_METRICS_FILE);
    let raw: any;
    try {
        raw = JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));
    } catch (e) {
        throw new Error(`Kafka Streams app ${app.name}: ${file} is missing or not JSON (${(e as Error).message})`);
    }
    const text = (key: string, field: string): string => {
        const v = raw?.[key]?.[field];
        if (typeof v !== "string" || v.trim() === "") throw new Error(`Kafka Streams app ${app.name}: ${file} has no ${key}.${field}`);
        return v;
    };
    const gauge = (key: string): StreamsGauge => {
        const g = { prometheus: text(key, "prometheus"), cloudwatch: text(key, "cloudwatch"), help: text(key, "help") };
        if (!PROM_NAME.test(g.prometheus)) throw new Error(`Kafka Streams app ${app.name}: ${file} ${key}.prometheus "${g.prometheus}" is not a Prometheus metric name`);
        return g;
    };
    const label = (key: string): StreamsLabel => ({ prometheus: text(key, "prometheus"), cloudwatch: text(key, "cloudwatch") });
    return { batchesByStatus: gauge("batchesByStatus"), overdueBatches: gauge("overdueBatches"), statusLabel: label("statusLabel"), taskLabel: label("taskLabel") };
}

/**
 * The CloudWatch namespace the stack's Streams apps write their EMF metrics to: per stack, so dev
 * and prod never mix in one account, and each stack's scrape job reads only its own.
 */
export function streamsCloudwatchNamespace(namePrefix: string): string {
    return `${namePrefix}/streams`;
}

/** The statistic the scrape job requests: the tasks report a gauge once a minute; the average of the period. */
export const STREAMS_CLOUDWATCH_STATISTIC = "Average";

/**
 * YACE's PromString: separators to `_`, `%` to `_percent`, a `_` before an upper-case letter that
 * follows a lower-case letter or a digit, everything lower case.
 * https://github.com/prometheus-community/yet-another-cloudwatch-exporter/blob/master/pkg/promutil/migrate.go
 */
function promString(text: string): string {
    let out = "";
    let prev = "";
    for (const c of text) {
        if (" ,\t/\\.-:=@<>()\u201c".includes(c)) out += "_";
        else if (c === "%") out += "_percent";
        else {
            if (/[A-Z]/.test(c) && /[a-z0-9]/.test(prev)) out += "_";
            out += c.toLowerCase();
        }
        prev = c;
    }
    return out;
}

/**
 * The Prometheus name Grafana Cloud's CloudWatch integration (YACE's BuildMetricName) gives a
 * CloudWatch metric: `aws_` + the lower-cased namespace + the metric + the statistic, snake case;
 * e.g. AWS/RDS FreeStorageSpace Average -> aws_rds_free_storage_space_average (the names
 * metricsVocabulary.ts already queries). YACE drops a leading part of the metric name that repeats
 * a namespace part, and its versions do that differently: such a pair is refused, not guessed.
 */
export function cloudwatchPromName(namespace: string, metric: string, statistic: string): string {
    const ns = promString((namespace.startsWith("/") ? namespace.slice(1) : namespace).toLowerCase()).replace(/^_/, "");
    const name = promString(metric);
    for (const part of ns.split("_").filter(Boolean)) {
        if (name.startsWith(part)) {
            throw new Error(`CloudWatch metric ${metric} starts with "${part}", a part of its namespace ${namespace}: Grafana Cloud would shorten its name; rename one of them`);
        }
    }
    return `${ns.startsWith("aws") ? "" : "aws_"}${ns}_${name}_${promString(statistic)}`;
}

/** The custom namespace block of the Grafana Cloud CloudWatch scrape job: every gauge of every Streams app. */
export function streamsCustomNamespace(namePrefix: string, scrapeIntervalSeconds: number) {
    const names = STREAMS_APPS.flatMap((app) => {
        const m = streamsAppMetrics(app);
        return [m.batchesByStatus.cloudwatch, m.overdueBatches.cloudwatch];
    });
    return {
        name: streamsCloudwatchNamespace(namePrefix),
        scrapeIntervalSeconds,
        metrics: [...new Set(names)].map((name) => ({ name, statistics: [STREAMS_CLOUDWATCH_STATISTIC] })),
    };
}
