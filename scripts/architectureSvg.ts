// The architecture picture, drawn from the catalog: sources -> CDC topics -> apps (every ksqlDB
// and Kafka Streams app the catalog declares) -> derived topics -> sinks -> alerts. Plain SVG
// written here (no renderer to install), deterministic, so `npm run docs -- --check` can tell
// when the committed picture no longer matches the catalog.
import {
    DERIVED_TOPICS,
    DOMAINS,
    KSQL_APPS,
    SINK_NAMES,
    STREAMS_APPS,
    SinkName,
    WAREHOUSE_TABLES,
    auditArchiveTopics,
    cdcTopicPrefix,
    derivedTopicName,
    ksqlAppInputTopics,
    ksqlAppOutputTopics,
    rawLakeTopics,
    streamsAppInputTopics,
    topicName,
    warehouseTopic,
} from "../components/catalog";
import { ALERT_INTENTS } from "../components/monitoring/pure";

const PREFIX = "<prefix>";

export interface ArchNode {
    id: string;
    column: number;
    title: string;
    lines: string[];
    kind: "source" | "topic" | "app" | "sink" | "alert";
}

export interface ArchGraph {
    columns: string[];
    nodes: ArchNode[];
    edges: { from: string; to: string; alert?: boolean }[];
}

/** Where each sink connector delivers (typed by SinkName: a new sink needs its line here). */
const SINK_STORES: Record<SinkName, string> = {
    "s3-raw": "S3 raw lake (Parquet)",
    "s3-audit": "S3 audit archive (Object Lock)",
    "snowflake-cdc": "Snowflake CDC schema",
    "snowflake-curated": "Snowflake CURATED schema",
    "snowflake-streams": "Snowflake (Kafka Streams outputs)",
};

/** The topics each sink reads, as the sink components choose them from the catalog: the S3 sinks by their topic lists, the Snowflake sinks by the warehouse tables of their source kind (curated: ksql). */
function sinkTopics(sink: SinkName): string[] {
    if (sink === "s3-raw") return rawLakeTopics(PREFIX);
    if (sink === "s3-audit") return auditArchiveTopics(PREFIX);
    const kind = sink === "snowflake-curated" ? "ksql" : sink.replace(/^snowflake-/, "");
    return WAREHOUSE_TABLES.filter((t) => t.source.kind === kind).map((t) => warehouseTopic(PREFIX, t));
}

const MAX_LINES = 6;
const capped = (lines: string[]) => (lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES - 1), `+ ${lines.length - MAX_LINES + 1} more`] : lines);

/** Nodes and edges from the catalog; topic names use `<prefix>` for the stack's topic prefix. */
export function architectureGraph(): ArchGraph {
    const nodes: ArchNode[] = [];
    const edges: ArchGraph["edges"] = [];
    const topicNode = new Map<string, string>();

    for (const d of DOMAINS) {
        nodes.push({ id: `src:${d.name}`, column: 0, kind: "source", title: `MySQL ${d.database}`, lines: capped(d.tables.map((t) => t.name)) });
        const id = `cdc:${d.name}`;
        nodes.push({ id, column: 1, kind: "topic", title: `${cdcTopicPrefix(PREFIX, d)}.${d.database}.*`, lines: [`${d.tables.length} CDC topic(s)`] });
        for (const t of d.tables) topicNode.set(topicName(PREFIX, d, t.name), id);
        edges.push({ from: `src:${d.name}`, to: id });
    }
    const derived = (suffix: string, lines: string[]) => {
        const id = `topic:${suffix}`;
        nodes.push({ id, column: 3, kind: "topic", title: `${PREFIX}.${suffix}`, lines });
        topicNode.set(derivedTopicName(PREFIX, suffix), id);
        return id;
    };
    const alertEdge = (topic: string, alert: string | undefined) => alert && edges.push({ from: topic, to: `alert:${alert}`, alert: true });

    for (const app of KSQL_APPS) {
        const id = `app:${app.name}`;
        nodes.push({ id, column: 2, kind: "app", title: app.name, lines: ["ksqlDB"] });
        for (const t of ksqlAppInputTopics(PREFIX, app)) edges.push({ from: topicNode.get(t)!, to: id });
        for (const out of ksqlAppOutputTopics(PREFIX, app)) {
            const topic = DERIVED_TOPICS.find((d) => derivedTopicName(PREFIX, d.suffix) === out)!;
            edges.push({ from: id, to: derived(topic.suffix, []) });
            alertEdge(`topic:${topic.suffix}`, topic.alert);
        }
    }
    for (const app of STREAMS_APPS) {
        const id = `app:${app.name}`;
        nodes.push({ id, column: 2, kind: "app", title: app.name, lines: ["Kafka Streams"] });
        for (const t of streamsAppInputTopics(PREFIX, app)) if (topicNode.has(t)) edges.push({ from: topicNode.get(t)!, to: id });
        for (const out of app.outputs) {
            edges.push({ from: id, to: derived(out.suffix, out.deadLetter ? ["dead letters"] : []) });
            alertEdge(`topic:${out.suffix}`, out.alert);
        }
    }
    for (const sink of SINK_NAMES) {
        const id = `sink:${sink}`;
        nodes.push({ id, column: 4, kind: "sink", title: sink, lines: [SINK_STORES[sink]] });
        for (const t of sinkTopics(sink)) edges.push({ from: topicNode.get(t) ?? `missing:${t}`, to: id });
    }
    for (const intent of ALERT_INTENTS) {
        nodes.push({ id: `alert:${intent.key}`, column: 5, kind: "alert", title: intent.alertName, lines: [intent.severity] });
    }
    // A topic may name an alert before its intent is written: still show where it will come from.
    for (const e of edges.filter((e) => e.alert && !nodes.some((n) => n.id === e.to))) {
        nodes.push({ id: e.to, column: 5, kind: "alert", title: e.to.slice("alert:".length), lines: ["no alert intent yet"] });
    }
    const unique = new Map(edges.map((e) => [`${e.from}->${e.to}`, e]));
    return {
        columns: ["MySQL sources", "CDC topics", "apps", "derived topics", "sink connectors", "alert rules"],
        nodes,
        edges: [...unique.values()],
    };
}

const FONT = 12;
const LINE = 15;
const CHAR = 6.9; // average advance of the 12 px sans-serif below, rounded up
const BOLD_CHAR = 7.9;
const GAP_X = 70;
const GAP_Y = 12;
const PAD = 8;
const TOP = 46;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const COLORS: Record<ArchNode["kind"], [string, string]> = {
    source: ["#e8f1fb", "#3b73b9"],
    topic: ["#fdf3e1", "#c8891c"],
    app: ["#eaf6ec", "#3d8b4f"],
    sink: ["#f1ecf8", "#7452a8"],
    alert: ["#fbeaea", "#b8433f"],
};

/** Lays the graph out in its columns (each ordered by where its inputs sit) and draws it. */
export function renderArchitectureSvg(graph: ArchGraph = architectureGraph()): string {
    const height = (n: ArchNode) => PAD * 2 + LINE * (1 + n.lines.length);
    const widths = graph.columns.map((header, c) =>
        Math.ceil(Math.max(header.length * BOLD_CHAR, ...graph.nodes.filter((n) => n.column === c).flatMap((n) => [n.title.length * BOLD_CHAR, ...n.lines.map((t) => t.length * CHAR)])) + PAD * 2),
    );
    const xs = widths.map((_, c) => 20 + widths.slice(0, c).reduce((a, w) => a + w + GAP_X, 0));
    const pos = new Map<string, { x: number; y: number; w: number; h: number }>();
    for (let c = 0; c < graph.columns.length; c++) {
        const column = graph.nodes.filter((n) => n.column === c);
        // Barycentre of the inputs already placed keeps edges short; ties keep catalog order.
        const centre = (n: ArchNode) => {
            const ys = graph.edges.filter((e) => e.to === n.id && pos.has(e.from)).map((e) => pos.get(e.from)!.y + pos.get(e.from)!.h / 2);
            return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Infinity;
        };
        const order = column.map((n, i) => ({ n, i, key: centre(n) })).sort((a, b) => a.key - b.key || a.i - b.i);
        let y = TOP;
        for (const { n } of order) {
            pos.set(n.id, { x: xs[c], y, w: widths[c], h: height(n) });
            y += height(n) + GAP_Y;
        }
    }
    const totalW = xs[xs.length - 1] + widths[widths.length - 1] + 20;
    const totalH = Math.max(...[...pos.values()].map((p) => p.y + p.h)) + 20;
    const out: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" font-family="Helvetica, Arial, sans-serif" font-size="${FONT}">`,
        "<!-- generated by `npm run docs` from components/catalog.ts and the alert intents; do not edit -->",
        `<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#8a8a8a"/></marker>` +
            `<marker id="arrow-alert" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#b8433f"/></marker></defs>`,
        `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ];
    graph.columns.forEach((header, c) => out.push(`<text x="${xs[c] + widths[c] / 2}" y="26" text-anchor="middle" font-weight="bold" font-size="13">${esc(header)}</text>`));
    for (const e of graph.edges) {
        const a = pos.get(e.from);
        const b = pos.get(e.to);
        if (!a || !b) throw new Error(`architecture picture: edge ${e.from} -> ${e.to} names a node the catalog does not declare`);
        const [x1, y1, x2, y2] = [a.x + a.w, a.y + a.h / 2, b.x, b.y + b.h / 2];
        const dx = Math.max(30, (x2 - x1) / 2);
        const stroke = e.alert ? `stroke="#b8433f" stroke-dasharray="4 3" marker-end="url(#arrow-alert)"` : `stroke="#9a9a9a" marker-end="url(#arrow)"`;
        out.push(`<path d="M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}" fill="none" ${stroke}/>`);
    }
    for (const n of graph.nodes) {
        const p = pos.get(n.id)!;
        const [fill, stroke] = COLORS[n.kind];
        out.push(`<g><rect x="${p.x}" y="${p.y}" width="${p.w}" height="${p.h}" rx="6" fill="${fill}" stroke="${stroke}"/>`);
        out.push(`<text x="${p.x + PAD}" y="${p.y + PAD + FONT}" font-weight="bold">${esc(n.title)}</text>`);
        n.lines.forEach((line, i) => out.push(`<text x="${p.x + PAD}" y="${p.y + PAD + FONT + LINE * (i + 1)}" fill="#444444">${esc(line)}</text>`));
        out.push("</g>");
    }
    out.push("</svg>", "");
    return out.join("\n");
}
