// npm run preflight -- --url mysql://user@host:port [--password-env VAR] [--databases a,b] [--json]
//   [--tls verify_identity|verify_ca|insecure|disabled] [--ca file] [--min-retention-hours N] [--cdc-user name@host]
// Exit 0 when every required check passes, 1 when one fails, 2 when the server cannot be checked.
import { formatPreflight, runPreflight } from "./checks/preflight";
import { UsageError, endpointFromOptions, parseCliOptions, runCli } from "./cliSupport";

runCli(async () => {
    const values = parseCliOptions({
        url: { type: "string" },
        "password-env": { type: "string" },
        databases: { type: "string" },
        json: { type: "boolean", default: false },
        tls: { type: "string" },
        ca: { type: "string" },
        "min-retention-hours": { type: "string", default: "24" },
        "cdc-user": { type: "string" },
    });
    const minHours = Number(values["min-retention-hours"]);
    if (!Number.isFinite(minHours) || minHours < 0) throw new UsageError(`--min-retention-hours: must be a non-negative number (got "${values["min-retention-hours"]}")`);
    let cdcAccount: { name: string; host: string } | undefined;
    if (values["cdc-user"]) {
        const [name, host = "%"] = values["cdc-user"].split("@");
        cdcAccount = { name, host };
    }
    const report = await runPreflight({
        endpoint: endpointFromOptions(values),
        databases: values.databases?.split(",").map((d) => d.trim()).filter(Boolean),
        minBinlogRetentionHours: minHours,
        cdcAccount,
    });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatPreflight(report)}\n`);
    return report.ok ? 0 : 1;
});
