// Pure views of a mock-engine run for reviewers: the resource inventory (secrets masked), the
// diff between two inventories, and the policy subjects the compliance rules check.
import { PolicySubject } from "../policy/rules";
import type { RecordedResource, StackRun } from "./mockEngine";

export const SECRET_MASK = "[secret]";

export interface InventoryEntry {
    /** `type::name`, unique within a stack. */
    key: string;
    type: string;
    name: string;
    /** `type::name` of the component that owns it (top-level resources: the stack). */
    parent?: string;
    /** Component resources group others; custom resources are what the providers create. */
    custom: boolean;
    protect: boolean;
    /** Engine inputs with secrets replaced by [secret] and mock ids by `<name>.id`. */
    inputs: Record<string, unknown>;
}

export interface Inventory {
    stack: string;
    resources: InventoryEntry[];
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown) => !!v && typeof v === "object" && SECRET_SIG in (v as object);
const unwrap = (v: unknown): unknown => (isSecret(v) ? (v as { value: unknown }).value : v);

/** Inputs that only carry serialized provider code (dynamic providers): noise in a review. */
const HIDDEN_INPUTS = new Set(["__provider"]);

/** Mock ids depend on registration order; references to them are shown by resource name instead. */
function idReplacer(resources: readonly RecordedResource[]): (s: string) => string {
    const ids = resources
        .filter((r) => r.id)
        .map((r) => [r.id as string, `<${r.name}.id>`] as const)
        .sort((a, b) => b[0].length - a[0].length);
    if (ids.length === 0) return (s) => s;
    const byId = new Map(ids);
    const pattern = new RegExp(ids.map(([id]) => id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
    return (s) => s.replace(pattern, (id) => byId.get(id) ?? id);
}

function sanitize(value: unknown, replaceIds: (s: string) => string): unknown {
    if (isSecret(value)) return SECRET_MASK;
    if (typeof value === "string") return replaceIds(value);
    if (Array.isArray(value)) return value.map((v) => sanitize(v, replaceIds));
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([k]) => !HIDDEN_INPUTS.has(k))
                .map(([k, v]) => [k, sanitize(v, replaceIds)]),
        );
    }
    return value;
}

export function inventoryOf(run: StackRun): Inventory {
    const replaceIds = idReplacer(run.resources);
    const resources = run.resources
        .map((r) => ({
            key: `${r.type}::${r.name}`,
            type: r.type,
            name: r.name,
            parent: r.parent,
            custom: r.custom,
            protect: r.protect,
            inputs: sanitize(r.inputs, replaceIds) as Record<string, unknown>,
        }))
        .sort((a, b) => a.key.localeCompare(b.key));
    return { stack: run.stack, resources };
}

export const stackUrn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::lifesci-streaming::${type}::${name}`;

/** What the policy engine would hand the rules: plain inputs, protect, dependencies through ids. */
export function inventoryPolicySubjects(run: StackRun): PolicySubject[] {
    const custom = run.resources.filter((r) => r.custom);
    const urnById = new Map(custom.filter((r) => r.id).map((r) => [r.id as string, stackUrn(run.stack, r.type, r.name)]));
    return custom.map((r) => {
        const props = Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, unwrap(v)]));
        const propertyDependencies: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(props)) {
            // A list of ids (securityGroupIds, subnetIds) depends on each resource it names, as in the engine.
            const deps = (Array.isArray(v) ? v : [v]).map((x) => (typeof x === "string" ? urnById.get(x) : undefined)).filter((u): u is string => u !== undefined);
            if (deps.length > 0) propertyDependencies[k] = deps;
        }
        return { type: r.type, name: r.name, urn: stackUrn(run.stack, r.type, r.name), props, protect: r.protect, propertyDependencies };
    });
}

// ---------------------------------------------------------------------------------------------
// Diff

export interface ChangedResource {
    key: string;
    /** Input paths whose value differs, e.g. `backupRetentionPeriod`, `config.retention.ms`. */
    paths: string[];
    protectChanged: boolean;
}

export interface InventoryDiff {
    added: string[];
    removed: string[];
    changed: ChangedResource[];
}

function flatten(value: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
    if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
        for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    } else {
        out.set(prefix, JSON.stringify(value));
    }
    return out;
}

/** Added, removed and changed resources from `before` to `after`, by `type::name`. */
export function diffInventories(before: Inventory, after: Inventory): InventoryDiff {
    const old = new Map(before.resources.map((r) => [r.key, r]));
    const now = new Map(after.resources.map((r) => [r.key, r]));
    const added = [...now.keys()].filter((k) => !old.has(k));
    const removed = [...old.keys()].filter((k) => !now.has(k));
    const changed: ChangedResource[] = [];
    for (const [k, r] of now) {
        const prev = old.get(k);
        if (!prev) continue;
        const a = flatten(prev.inputs, "", new Map());
        const b = flatten(r.inputs, "", new Map());
        const paths = [...new Set([...a.keys(), ...b.keys()])].filter((p) => a.get(p) !== b.get(p)).sort();
        if (paths.length > 0 || prev.protect !== r.protect) changed.push({ key: k, paths, protectChanged: prev.protect !== r.protect });
    }
    return { added, removed, changed };
}

// ---------------------------------------------------------------------------------------------
// Text rendering

/** Settings worth a reviewer's eye per resource type; other types show their first scalar inputs. */
const KEY_SETTINGS: Record<string, string[]> = {
    "aws:rds/instance:Instance": ["engineVersion", "instanceClass", "multiAz", "storageEncrypted", "backupRetentionPeriod", "deletionProtection", "publiclyAccessible", "password"],
    "aws:rds/parameterGroup:ParameterGroup": ["family", "parameters"],
    "aws:ec2/securityGroup:SecurityGroup": ["ingress"],
    "aws:s3/bucket:Bucket": ["bucket", "objectLockEnabled", "forceDestroy"],
    "confluentcloud:index/kafkaCluster:KafkaCluster": ["availability", "standard", "dedicated", "basic"],
    "confluentcloud:index/kafkaTopic:KafkaTopic": ["topicName", "partitionsCount", "config"],
    "confluentcloud:index/connector:Connector": ["configNonsensitive.connector.class", "configNonsensitive.name", "configSensitive"],
    "confluentcloud:index/roleBinding:RoleBinding": ["roleName", "crnPattern"],
    "snowflake:index/serviceUser:ServiceUser": ["name", "defaultRole", "rsaPublicKey"],
};

function pick(inputs: Record<string, unknown>, path: string): unknown {
    // Connector config keys contain dots themselves: match the longest key at each level.
    let value: unknown = inputs;
    let rest = path;
    while (rest && value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        const key = Object.keys(obj).filter((k) => rest === k || rest.startsWith(`${k}.`)).sort((a, b) => b.length - a.length)[0];
        if (key === undefined) return undefined;
        value = obj[key];
        rest = rest.slice(key.length + 1);
    }
    return rest ? undefined : value;
}

function short(value: unknown, max = 70): string {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function keySettings(entry: InventoryEntry): string[] {
    const paths = KEY_SETTINGS[entry.type] ?? Object.keys(entry.inputs).filter((k) => ["string", "number", "boolean"].includes(typeof entry.inputs[k])).slice(0, 4);
    return paths.map((p) => [p, pick(entry.inputs, p)] as const).filter(([, v]) => v !== undefined).map(([p, v]) => `${p}=${short(v)}`);
}

/** The inventory grouped by owning component, then by type. */
export function renderInventory(inventory: Inventory): string {
    const lines: string[] = [];
    const custom = inventory.resources.filter((r) => r.custom);
    lines.push(`stack ${inventory.stack}: ${custom.length} resources in ${inventory.resources.length - custom.length} components`);
    const byParent = new Map<string, InventoryEntry[]>();
    for (const r of custom) {
        const group = r.parent ?? "(stack)";
        byParent.set(group, [...(byParent.get(group) ?? []), r]);
    }
    for (const [parent, members] of [...byParent].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push("", parent.replace("::", "  "));
        const byType = new Map<string, InventoryEntry[]>();
        for (const r of members) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
        for (const [type, rs] of byType) {
            lines.push(`  ${type} (${rs.length})`);
            for (const r of rs) lines.push(`    ${r.name}${r.protect ? " [protected]" : ""}${keySettings(r).map((s) => `  ${s}`).join("")}`);
        }
    }
    return lines.join("\n");
}

export function renderDiff(diff: InventoryDiff, against: string): string {
    const lines = [`changes against ${against}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`];
    for (const k of diff.added) lines.push(`  + ${k}`);
    for (const k of diff.removed) lines.push(`  - ${k}`);
    for (const c of diff.changed) lines.push(`  ~ ${c.key}: ${[...c.paths, ...(c.protectChanged ? ["(protect)"] : [])].join(", ")}`);
    return lines.join("\n");
}
