// npm run cdc-smoke -- --url mysql://admin@host:port --password-env VAR
//   --cdc-user lifesci_cdc --cdc-password-env VAR2 [--databases a,b] [--tls verify_identity|verify_ca|insecure] [--ca file] [--json]
// Writes one row per domain (insert, update, delete) as --url's user and reads the binlog as the
// CDC user. Run it against dev or local sources only. Exit 0 when every image is complete.
import { formatSmoke, runCdcSmoke } from "./checks/cdcSmoke";
import { selectDomains } from "./checks/preflight";
import { UsageError, endpointFromOptions, parseCliOptions, runCli } from "./cliSupport";

runCli(async () => {
    const values = parseCliOptions({
        url: { type: "string" },
        "password-env": { type: "string" },
        "cdc-user": { type: "string", default: "lifesci_cdc" },
        "cdc-password-env": { type: "string" },
        databases: { type: "string" },
        tls: { type: "string" },
        ca: { type: "string" },
        json: { type: "boolean", default: false },
    });
    if (!values["cdc-password-env"]) throw new UsageError("--cdc-password-env is required: the CDC user's password, read from that environment variable");
    const writer = endpointFromOptions(values);
    const reader = endpointFromOptions({
        ...values,
        url: `mysql://${encodeURIComponent(values["cdc-user"]!)}@${writer.host}:${writer.port}`,
        "password-env": values["cdc-password-env"],
    });
    const report = await runCdcSmoke({
        writer,
        reader,
        domains: selectDomains(values.databases?.split(",").map((d) => d.trim()).filter(Boolean)),
    });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatSmoke(report)}\n`);
    return report.ok ? 0 : 1;
});
