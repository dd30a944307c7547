// Checks connector configs against the documented key lists in fixtures/connector-keys.json
// (copied from shared/reference; see connector-keys.md beside it for sources and caveats).
import * as fs from "fs";
import * as path from "path";

interface KeySpec {
    required?: boolean;
    default?: string | null;
    enum?: string[] | null;
    sensitive?: boolean;
    required_when?: Record<string, string>;
}

interface ConnectorSpec {
    keys: Record<string, KeySpec>;
    patterns?: string[];
}

const reference: Record<string, ConnectorSpec> = JSON.parse(
    fs.readFileSync(path.join(__dirname, "..", "fixtures", "connector-keys.json"), "utf8"),
);

/**
 * Every problem with a connector config: undocumented keys, values outside documented enums,
 * missing required keys, and sensitive keys outside `configSensitive`.
 */
export function connectorConfigProblems(
    connectorClass: string,
    nonsensitive: Record<string, string>,
    sensitive: Record<string, string> = {},
): string[] {
    const spec = reference[connectorClass];
    if (!spec) return [`no documented key list for connector class ${connectorClass}`];
    const patterns = (spec.patterns ?? []).map((p) => new RegExp(p));
    const config = { ...nonsensitive, ...sensitive };
    const problems: string[] = [];
    const valueOf = (k: string) => config[k] ?? spec.keys[k]?.default ?? undefined;

    for (const [k, value] of Object.entries(config)) {
        const keySpec = spec.keys[k];
        if (!keySpec) {
            if (!patterns.some((p) => p.test(k))) problems.push(`${k}: not a documented ${connectorClass} key`);
            continue;
        }
        if (keySpec.enum && !keySpec.enum.includes(value)) {
            problems.push(`${k}: "${value}" is not one of ${keySpec.enum.join(", ")}`);
        }
        if (keySpec.sensitive && k in nonsensitive) problems.push(`${k}: sensitive, must be in configSensitive`);
    }
    for (const [k, keySpec] of Object.entries(spec.keys)) {
        const conditionMet =
            keySpec.required_when !== undefined &&
            Object.entries(keySpec.required_when).every(([other, expected]) => valueOf(other) === expected);
        if ((keySpec.required || conditionMet) && config[k] === undefined) {
            problems.push(`${k}: required${conditionMet ? ` when ${JSON.stringify(keySpec.required_when)}` : ""}`);
        }
    }
    return problems;
}
