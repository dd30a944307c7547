import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KSQL_APPS } from "../components/catalog";
import { ConfigError, PlatformConfig, RawConfig, isIpv4Cidr, parsePlatformConfig } from "../components/config";
import { plan } from "../scripts/plan";
import { PROGRAM_PATHS, REPO_ROOT, copyProgramPath, readStackConfig, runStack } from "./support/harness";

/** The dev (or prod) stack file's config with some keys changed; objects are merged one level deep. */
function rawConfig(stack: "dev" | "prod", changes: Record<string, unknown> = {}, secretKeys: string[] = []): RawConfig {
    const { values } = readStackConfig(stack);
    for (const [fullKey, change] of Object.entries(changes)) {
        const [section, field] = fullKey.split("#");
        if (field) {
            const current = values[section] ? JSON.parse(values[section]) : {};
            if (change === undefined) delete current[field];
            else current[field] = change;
            values[section] = JSON.stringify(current);
        } else if (change === undefined) {
            delete values[section];
        } else {
            values[section] = typeof change === "string" ? change : JSON.stringify(change);
        }
    }
    return { project: "lifesci-streaming", stack, values, secretKeys: new Set(secretKeys) };
}

function rejects(raw: RawConfig, expected: RegExp): void {
    assert.throws(
        () => parsePlatformConfig(raw),
        (err: Error) => {
            assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
            assert.match(err.message, expected);
            return true;
        },
    );
}

describe("config: stack files", () => {
    it("dev and prod stack files are valid and differ where the tier says", () => {
        const dev: PlatformConfig = parsePlatformConfig(rawConfig("dev"));
        const prod: PlatformConfig = parsePlatformConfig(rawConfig("prod"));
        assert.equal(dev.protect, false);
        assert.equal(prod.protect, true);
        assert.equal(dev.confluent.clusterType, "standard");
        assert.equal(dev.confluent.availability, "SINGLE_ZONE");
        assert.equal(prod.confluent.availability, "MULTI_ZONE");
        assert.ok(prod.mysql.backupRetentionDays >= 7);
        assert.equal(dev.mysql.binlogRetentionHours, 24);
        assert.equal(prod.mysql.binlogRetentionHours, 168);
        assert.equal(dev.namePrefix, "lifesci-dev");
    });

    it("fills tier defaults when sections are omitted", () => {
        const prod = parsePlatformConfig(
            rawConfig("prod", {
                // privatelink (the prod default) needs the deploy runner's security group
                "lifesci-streaming:mysql": { deployerSecurityGroupIds: ["sg-0abc1234"] },
                "lifesci-streaming:topics": undefined,
                "lifesci-streaming:confluent": { clusterType: "dedicated", cku: 2 },
                "lifesci-streaming:cdc": undefined,
            }),
        );
        assert.equal(prod.mysql.network, "privatelink");
        assert.equal(prod.cdc.sslMode, "verify_identity");
        assert.equal(prod.mysql.maxCidrPrefix, 16);
        assert.equal(prod.mysql.backupRetentionDays, 7);
        assert.equal(prod.mysql.multiAz, true);
        assert.equal(prod.confluent.streamGovernance, "ADVANCED");
        assert.ok(prod.topics.auditRetentionDays * 24 > prod.topics.retentionHours);
    });
});

describe("config: rejected input names the key and what is allowed", () => {
    it("unknown target", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:target": "azure" }), /lifesci-streaming:target: must be one of cloud, local \(got "azure"\)/));

    it("missing target", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:target": undefined }), /lifesci-streaming:target: is required; one of cloud, local/));

    it("a prod stack without tier fails: the tier has no default (it deployed with dev safeguards)", () =>
        rejects(rawConfig("prod", { "lifesci-streaming:tier": undefined }), /lifesci-streaming:tier: is required; one of dev, prod/));

    it("a stack named prod with tier dev fails naming the override; with a stated reason it runs dev", () => {
        rejects(rawConfig("prod", { "lifesci-streaming:tier": "dev" }), /lifesci-streaming:tier: stack "prod" is named for tier prod but sets tier dev.*lifesci-streaming:tierOverride/);
        const devAsProd = (stack: string, override?: string) => ({
            ...rawConfig("dev", override === undefined ? {} : { "lifesci-streaming:tierOverride": override }),
            stack,
        });
        rejects(devAsProd("eu-prod"), /stack "eu-prod" is named for tier prod/);
        rejects(devAsProd("prod", "because"), /lifesci-streaming:tierOverride: say why stack "prod" runs tier dev/);
        const cfg = parsePlatformConfig(devAsProd("prod", "rehearsal of the prod cut-over, torn down after the drill"));
        assert.equal(cfg.tier, "dev");
        assert.equal(cfg.protect, false);
        // The override is for a mismatch only; on a matching stack it is a stale leftover.
        rejects(rawConfig("prod", { "lifesci-streaming:tierOverride": "rehearsal of the prod cut-over" }), /lifesci-streaming:tierOverride: only for a stack whose name says/);
        assert.equal(parsePlatformConfig({ ...rawConfig("dev"), stack: "products-dev" }).tier, "dev", "a name that merely contains prod promises nothing");
    });

    it("a key in a namespace that looks like ours (or a provider's) is an error naming the key", () => {
        rejects(rawConfig("prod", { "lifesci-streamin:tier": "prod" }), /lifesci-streamin:tier: unknown namespace "lifesci-streamin"; did you mean lifesci-streaming:tier\?/);
        rejects(rawConfig("dev", { "lifesci_streaming:mysql": { multiAz: true } }), /lifesci_streaming:mysql: unknown namespace/);
        rejects(rawConfig("dev", { "confluentclod:cloudApiKey": "x" }), /confluentclod:cloudApiKey: unknown namespace "confluentclod"; did you mean confluentcloud:cloudApiKey\?/);
        // Namespaces that resemble nothing of ours belong to someone else's tooling.
        assert.doesNotThrow(() => parsePlatformConfig(rawConfig("dev", { "teamtools:owner": "platform" })));
    });

    it("unknown tier", () => rejects(rawConfig("dev", { "lifesci-streaming:tier": "staging" }), /lifesci-streaming:tier: must be one of dev, prod/));

    it("wrong cluster type", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:confluent#clusterType": "enterprise" }),
            /lifesci-streaming:confluent\.clusterType: must be one of basic, standard, dedicated/,
        ));

    it("dedicated cluster without CKUs gets the smallest MULTI_ZONE size; fewer is refused", () => {
        assert.equal(parsePlatformConfig(rawConfig("prod", { "lifesci-streaming:confluent#cku": undefined })).confluent.cku, 2);
        rejects(rawConfig("prod", { "lifesci-streaming:confluent#cku": 1 }), /lifesci-streaming:confluent\.cku: a MULTI_ZONE dedicated cluster needs at least 2 CKUs/);
    });

    it("missing region", () =>
        rejects(rawConfig("dev", { "aws:region": undefined }), /aws:region: is required for target cloud/));

    it("malformed region", () => rejects(rawConfig("dev", { "aws:region": "Frankfurt" }), /aws:region: "Frankfurt" is not an AWS region/));

    it("a misspelt region is blamed on aws:region, not on the Snowflake region it then disagrees with", () => {
        const raw = rawConfig("dev", { "aws:region": "eu-centrl-1" });
        rejects(raw, /aws:region: "eu-centrl-1" is not an AWS region \(did you mean eu-central-1\?\)/);
        assert.throws(() => parsePlatformConfig(raw), (err: ConfigError) => err.problems.length === 1 && err.problems[0].startsWith("aws:region:"));
    });

    it("negative retention", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:topics#retentionHours": -24 }), /lifesci-streaming:topics\.retentionHours: must be positive/));

    it("negative audit retention", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:topics#auditRetentionDays": -1 }), /lifesci-streaming:topics\.auditRetentionDays: must be positive/));

    it("audit retention shorter than CDC retention", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:topics#auditRetentionDays": 1, "lifesci-streaming:topics#retentionHours": 72 }),
            /topics\.auditRetentionDays: audit topics must retain at least as long as CDC topics/,
        ));

    it("a CIDR that is not a CIDR", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:mysql#operatorCidrs": ["10.40.0.0/16", "10.300.0.0/16"] }),
            /lifesci-streaming:mysql\.operatorCidrs\.1: must be an IPv4 CIDR/,
        ));

    it("0.0.0.0/0 for the database", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:mysql#operatorCidrs": ["0.0.0.0/0"] }),
            /lifesci-streaming:mysql\.operatorCidrs: 0\.0\.0\.0\/0 is broader than \/16/,
        ));

    it("two halves of the internet for the database, even with the size limit lifted", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:mysql#operatorCidrs": ["0.0.0.0/1", "128.0.0.0/1"], "lifesci-streaming:mysql#maxCidrPrefix": 8 }),
            /lifesci-streaming:mysql\.operatorCidrs: 0\.0\.0\.0\/1 \+ 128\.0\.0\.0\/1 together cover the whole internet/,
        ));

    it("a CIDR broader than mysql.maxCidrPrefix (default /16)", () => {
        rejects(rawConfig("dev", { "lifesci-streaming:mysql#operatorCidrs": ["10.0.0.0/12"] }), /mysql\.operatorCidrs: 10\.0\.0\.0\/12 is broader than \/16/);
        rejects(rawConfig("dev", { "lifesci-streaming:mysql#operatorCidrs": ["10.40.0.0/16"], "lifesci-streaming:mysql#maxCidrPrefix": 24 }), /10\.40\.0\.0\/16 is broader than \/24/);
        assert.doesNotThrow(() => parsePlatformConfig(rawConfig("dev", { "lifesci-streaming:mysql#operatorCidrs": ["10.0.0.0/12"], "lifesci-streaming:mysql#maxCidrPrefix": 12 })));
    });

    it("prod must keep the database private, on a dedicated cluster, with the deploy runner named", () => {
        rejects(rawConfig("prod", { "lifesci-streaming:mysql#network": "public" }), /lifesci-streaming:mysql\.network: must be privatelink for tier prod/);
        rejects(
            rawConfig("dev", { "lifesci-streaming:mysql#network": "privatelink" }),
            /lifesci-streaming:mysql\.network: privatelink needs confluent\.clusterType dedicated.*got standard/,
        );
        rejects(rawConfig("prod", { "lifesci-streaming:mysql#deployerSecurityGroupIds": [] }), /lifesci-streaming:mysql\.deployerSecurityGroupIds: privatelink makes RDS, Kafka REST and ksqlDB private/);
        rejects(rawConfig("prod", { "lifesci-streaming:mysql#deployerSecurityGroupIds": ["10.0.0.0/8"] }), /mysql\.deployerSecurityGroupIds\.0: must be a security group id/);
        rejects(rawConfig("prod", { "lifesci-streaming:mysql#publiclyAccessible": true }), /lifesci-streaming:mysql: unknown key\(s\) publiclyAccessible/);
    });

    it("CDC TLS: verify_ca at least, verify_identity in prod", () => {
        rejects(rawConfig("dev", { "lifesci-streaming:cdc#sslMode": "required" }), /lifesci-streaming:cdc\.sslMode:/);
        rejects(rawConfig("prod", { "lifesci-streaming:cdc#sslMode": "verify_ca" }), /lifesci-streaming:cdc\.sslMode: must be verify_identity for tier prod \(got verify_ca\)/);
        assert.equal(parsePlatformConfig(rawConfig("dev", { "lifesci-streaming:cdc#sslMode": undefined })).cdc.sslMode, "verify_ca");
    });

    it("the CDC trust store is a secret", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:cdcTruststore": "MIIK" }), /lifesci-streaming:cdcTruststore: must be a secret/));

    it("backups off (binlogs need automated backups)", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:mysql#backupRetentionDays": 0 }),
            /lifesci-streaming:mysql\.backupRetentionDays: must be at least 1: RDS keeps binlogs only while automated backups are on/,
        ));

    it("prod with less than 7 days of backups", () =>
        rejects(
            rawConfig("prod", { "lifesci-streaming:mysql#backupRetentionDays": 3 }),
            /lifesci-streaming:mysql\.backupRetentionDays: must be at least 7 for tier prod \(got 3\)/,
        ));

    it("binlog retention beyond the RDS limit", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:mysql#binlogRetentionHours": 500 }),
            /lifesci-streaming:mysql\.binlogRetentionHours: must be at most 168/,
        ));

    it("an unquoted engineVersion (YAML reads 8.0 as the number 8) says to quote it, and nothing else", () => {
        const raw = rawConfig("prod", { "lifesci-streaming:mysql#engineVersion": 8 });
        rejects(raw, /lifesci-streaming:mysql\.engineVersion: must be one of "8\.0", "8\.4", but YAML read the unquoted 8\.0 as the number 8: quote it \(engineVersion: "8\.0"\)/);
        // The refused section must not drag in defaults that other rules then blame (deployerSecurityGroupIds).
        assert.throws(() => parsePlatformConfig(raw), (err: ConfigError) => err.problems.length === 1);
    });

    it("a CIDR with host bits set is refused naming its network address", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:mysql#operatorCidrs": ["10.40.1.5/16"] }),
            /lifesci-streaming:mysql\.operatorCidrs\.0: 10\.40\.1\.5\/16 has host bits set: its network address is 10\.40\.0\.0\/16/,
        ));

    it("unsupported engine version", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:mysql#engineVersion": "5.7" }), /lifesci-streaming:mysql\.engineVersion:/));

    it("a TLS mode that would allow plaintext", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:cdc#sslMode": "disabled" }), /lifesci-streaming:cdc\.sslMode:/));

    it("a misspelt key inside a section", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:mysql#backupRetentionDay": 3 }),
            /lifesci-streaming:mysql: unknown key\(s\) backupRetentionDay \(did you mean backupRetentionDays\?\); known keys are engineVersion, .*backupRetentionDays/,
        ));

    it("a misspelt key in a nested object names its full path", () =>
        rejects(
            rawConfig("dev", { "lifesci-streaming:monitoring#operatingHours": { startHourUtc: 6, endHourUtc: 18, weekdayOnly: true } }),
            /lifesci-streaming:monitoring\.operatingHours: unknown key\(s\) weekdayOnly \(did you mean weekdaysOnly\?\); known keys are startHourUtc, endHourUtc, weekdaysOnly$/m,
        ));

    it("an unknown top-level key", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:kafka": { partitions: 3 } }), /lifesci-streaming:kafka: unknown key; known keys are/));

    it("a section that is not an object", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:topics": "lots" }), /lifesci-streaming:topics: must be an object \(got "lots"\)/));

    it("a string where a number belongs", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:topics#partitions": "6" }), /lifesci-streaming:topics\.partitions: must be a number/));

    it("sample rows in production sources", () =>
        rejects(rawConfig("prod", { "lifesci-streaming:mysql#seedData": true }), /lifesci-streaming:mysql\.seedData: sample rows must not be loaded into production sources/));

    it("vpcId without subnetIds", () =>
        rejects(rawConfig("dev", { "lifesci-streaming:mysql#vpcId": "vpc-0abc1234" }), /mysql\.vpcId: set vpcId and subnetIds together/));

    it("Confluent Cloud credentials in plain text", () => {
        rejects(
            rawConfig("dev", { "confluentcloud:cloudApiSecret": "abc123" }),
            /confluentcloud:cloudApiSecret: must be a secret; set it with `pulumi config set --secret confluentcloud:cloudApiSecret/,
        );
        // The same value as a Pulumi secret is accepted.
        parsePlatformConfig(rawConfig("dev", { "confluentcloud:cloudApiSecret": "abc123" }, ["confluentcloud:cloudApiSecret"]));
    });

    it("lists every problem at once", () => {
        const raw = rawConfig("dev", { "lifesci-streaming:tier": "qa", "aws:region": undefined });
        assert.throws(() => parsePlatformConfig(raw), (err: ConfigError) => err.problems.length === 2);
    });
});

describe("config: CIDR check", () => {
    it("accepts IPv4 CIDRs and rejects everything else", () => {
        for (const ok of ["10.0.0.0/8", "192.168.1.10/32", "3.64.0.0/28"]) assert.ok(isIpv4Cidr(ok), ok);
        for (const bad of ["10.0.0.0", "10.0.0.0/33", "256.1.1.1/8", "10.0.0/8", "fe80::/10", "10.0.0.0/8/1", "a.b.c.d/8"]) {
            assert.ok(!isIpv4Cidr(bad), bad);
        }
    });
});

describe("config: the program validates before registering anything", () => {
    it("a bad stack config fails the program with the key named and no resources registered", async () => {
        let error: (Error & { registered?: string[] }) | undefined;
        try {
            await runStack("dev", { set: { "lifesci-streaming:topics": { retentionHours: -1 } } });
        } catch (err) {
            error = err as Error;
        }
        assert.ok(error, "expected the program to fail");
        assert.match(error.message, /lifesci-streaming:topics\.retentionHours: must be positive/);
        assert.deepEqual(error.registered, [], "no custom resource may be registered before validation");
    });

    it("a plaintext Confluent secret in the stack config fails the program", async () => {
        await assert.rejects(
            runStack("dev", { set: { "confluentcloud:cloudApiSecret": "plaintext" } }),
            /confluentcloud:cloudApiSecret: must be a secret/,
        );
    });
});

describe("config: lake and warehouse (sinks)", () => {
    it("stack files set the dev/prod differences: lock mode and period, tiers, flush sizes, warehouse size", () => {
        const dev = parsePlatformConfig(rawConfig("dev"));
        const prod = parsePlatformConfig(rawConfig("prod"));
        assert.deepEqual([dev.lake.auditLockMode, dev.lake.auditLockDays, dev.lake.auditLockYears], ["GOVERNANCE", 7, undefined]);
        assert.deepEqual([prod.lake.auditLockMode, prod.lake.auditLockDays, prod.lake.auditLockYears], ["COMPLIANCE", undefined, 10]);
        assert.deepEqual([dev.lake.flushSize, prod.lake.flushSize], [1000, 10000]);
        assert.deepEqual([dev.lake.rawExpirationDays, prod.lake.rawExpirationDays], [365, undefined]);
        assert.deepEqual([dev.warehouse.warehouseSize, prod.warehouse.warehouseSize], ["XSMALL", "SMALL"]);
        assert.deepEqual([dev.warehouse.organizationName, dev.warehouse.accountName], ["lifesci", "lifesci_dev"]);
    });

    it("tier defaults when the sections are omitted: prod locks in COMPLIANCE for years", () => {
        const prod = parsePlatformConfig(rawConfig("prod", { "lifesci-streaming:lake": undefined, "lifesci-streaming:warehouse": undefined }));
        assert.deepEqual([prod.lake.auditLockMode, prod.lake.auditLockYears], ["COMPLIANCE", 10]);
        const dev = parsePlatformConfig(rawConfig("dev", { "lifesci-streaming:lake": undefined }));
        assert.deepEqual([dev.lake.auditLockMode, dev.lake.auditLockDays], ["GOVERNANCE", 7]);
    });

    const bad: [string, "dev" | "prod", Record<string, unknown>, RegExp][] = [
        ["COMPLIANCE mode with 0 years", "prod", { "lifesci-streaming:lake#auditLockYears": 0 }, /lifesci-streaming:lake\.auditLockYears: COMPLIANCE mode needs a retention of at least 1 \(got 0\)/],
        ["GOVERNANCE with 0 days", "dev", { "lifesci-streaming:lake#auditLockDays": 0 }, /lifesci-streaming:lake\.auditLockDays: the audit archive needs a retention of at least 1/],
        ["both lock units", "dev", { "lifesci-streaming:lake#auditLockYears": 1 }, /lifesci-streaming:lake\.auditLockDays: set auditLockDays or auditLockYears, not both/],
        ["an unknown lock mode", "dev", { "lifesci-streaming:lake#auditLockMode": "LEGAL_HOLD" }, /lifesci-streaming:lake\.auditLockMode: must be one of GOVERNANCE, COMPLIANCE/],
        ["prod in GOVERNANCE mode", "prod", { "lifesci-streaming:lake#auditLockMode": "GOVERNANCE" }, /lifesci-streaming:lake\.auditLockMode: must be COMPLIANCE for tier prod/],
        ["prod lock in days", "prod", { "lifesci-streaming:lake#auditLockYears": undefined, "lifesci-streaming:lake#auditLockDays": 90 }, /lifesci-streaming:lake\.auditLockYears: tier prod keeps the audit archive for years/],
        ["negative lock years", "prod", { "lifesci-streaming:lake#auditLockYears": -1 }, /lifesci-streaming:lake\.auditLockYears: must not be negative/],
        ["STANDARD_IA before 30 days", "dev", { "lifesci-streaming:lake#rawInfrequentAccessDays": 7 }, /lifesci-streaming:lake\.rawInfrequentAccessDays: must be at least 30/],
        ["Glacier before IA", "dev", { "lifesci-streaming:lake#rawGlacierDays": 30 }, /lifesci-streaming:lake\.rawGlacierDays: must be later than rawInfrequentAccessDays \(30\), got 30/],
        ["expiry before Glacier", "dev", { "lifesci-streaming:lake#rawExpirationDays": 60 }, /lifesci-streaming:lake\.rawExpirationDays: must be later than rawGlacierDays \(90\), got 60/],
        ["zero flush size", "dev", { "lifesci-streaming:lake#flushSize": 0 }, /lifesci-streaming:lake\.flushSize: must be at least 1/],
        ["rotate interval under a minute", "dev", { "lifesci-streaming:lake#rotateIntervalMs": 1000 }, /lifesci-streaming:lake\.rotateIntervalMs: must be at least 60000/],
        ["a time interval the S3 sink does not know", "dev", { "lifesci-streaming:lake#timeInterval": "WEEKLY" }, /lifesci-streaming:lake\.timeInterval:/],
        ["a misspelt lake key", "dev", { "lifesci-streaming:lake#flushSise": 10 }, /lifesci-streaming:lake: unknown key\(s\) flushSise/],
        ["Snowflake account in another region", "dev", { "lifesci-streaming:warehouse#region": "AWS_US_WEST_2" }, /lifesci-streaming:warehouse\.region: the Snowflake account \(AWS_US_WEST_2\) must be in the Kafka cluster's region eu-central-1 \(AWS_EU_CENTRAL_1\)/],
        ["a malformed Snowflake region", "dev", { "lifesci-streaming:warehouse#region": "eu-central-1" }, /lifesci-streaming:warehouse\.region: must be a Snowflake region id such as AWS_EU_CENTRAL_1/],
        ["an unknown warehouse size", "dev", { "lifesci-streaming:warehouse#warehouseSize": "HUGE" }, /lifesci-streaming:warehouse\.warehouseSize:/],
        ["a warehouse that never suspends", "dev", { "lifesci-streaming:warehouse#autoSuspendSeconds": 0 }, /lifesci-streaming:warehouse\.autoSuspendSeconds: must be at least 60/],
        ["a zero buffer flush time", "dev", { "lifesci-streaming:warehouse#bufferFlushSeconds": 0 }, /lifesci-streaming:warehouse\.bufferFlushSeconds: must be at least 1/],
        ["Time Travel beyond 90 days", "prod", { "lifesci-streaming:warehouse#dataRetentionDays": 120 }, /lifesci-streaming:warehouse\.dataRetentionDays: must be at most 90/],
        ["a misspelt warehouse key", "dev", { "lifesci-streaming:warehouse#size": "XSMALL" }, /lifesci-streaming:warehouse: unknown key\(s\) size/],
        ["no Snowflake account for a cloud stack", "dev", { "snowflake:accountName": undefined }, /snowflake:accountName: is required for target cloud/],
        ["a Snowflake account name that is not an identifier", "dev", { "snowflake:organizationName": "life sci" }, /snowflake:organizationName: must be a Snowflake identifier/],
    ];
    for (const [what, stack, changes, expected] of bad) {
        it(what, () => rejects(rawConfig(stack, changes), expected));
    }

    it("Snowflake deployer credentials in plain text", () => {
        rejects(rawConfig("dev", { "snowflake:privateKey": "-----BEGIN PRIVATE KEY-----" }), /snowflake:privateKey: must be a secret/);
        rejects(rawConfig("dev", { "snowflake:password": "hunter2" }), /snowflake:password: must be a secret/);
        parsePlatformConfig(rawConfig("dev", { "snowflake:privateKey": "k" }, ["snowflake:privateKey"]));
    });
});

describe("config: ksqldb.allowReplay", () => {
    it("defaults to no app; dev allows a named app from the stack config alone", () => {
        assert.deepEqual(parsePlatformConfig(rawConfig("dev")).ksqldb.allowReplay, []);
        const dev = parsePlatformConfig(rawConfig("dev", { "lifesci-streaming:ksqldb#allowReplay": ["lab_validation"] }));
        assert.deepEqual(dev.ksqldb.allowReplay, ["lab_validation"]);
    });

    it("an unknown app fails naming the key and the apps", () => {
        rejects(
            rawConfig("dev", { "lifesci-streaming:ksqldb#allowReplay": ["audit"] }),
            new RegExp(`lifesci-streaming:ksqldb\\.allowReplay: unknown ksqlDB app "audit"; apps are ${KSQL_APPS.map((a) => a.name).join(", ")}$`, "m"),
        );
        rejects(rawConfig("dev", { "lifesci-streaming:ksqldb#allowReplay": "audit_trail" }), /lifesci-streaming:ksqldb\.allowReplay: must be a list of ksqlDB app names/);
    });

    it("prod refuses it unless the deploy names the same app in LIFESCI_KSQL_ALLOW_REPLAY", () => {
        const raw = rawConfig("prod", { "lifesci-streaming:ksqldb#allowReplay": ["audit_trail"] });
        rejects(
            raw,
            /lifesci-streaming:ksqldb\.allowReplay: tier prod refuses to replay history of "audit_trail" .* unless this deploy also sets LIFESCI_KSQL_ALLOW_REPLAY=audit_trail/,
        );
        rejects({ ...raw, env: { LIFESCI_KSQL_ALLOW_REPLAY: "lab_validation" } }, /LIFESCI_KSQL_ALLOW_REPLAY=audit_trail/);
        const allowed = parsePlatformConfig({ ...raw, env: { LIFESCI_KSQL_ALLOW_REPLAY: "lab_validation, audit_trail" } });
        assert.deepEqual(allowed.ksqldb.allowReplay, ["audit_trail"]);
        // The environment alone allows nothing: the stack config is the reviewed half.
        assert.deepEqual(parsePlatformConfig({ ...rawConfig("prod"), env: { LIFESCI_KSQL_ALLOW_REPLAY: "audit_trail" } }).ksqldb.allowReplay, []);
    });
});

describe("config: the stack file as a newcomer edits it (YAML on disk, through the offline plan)", function () {
    this.timeout(60_000);
    let dir: string;
    /** Writes Pulumi.<stack>.yaml of the program copy, edited by `edit`. */
    const stackFile = (stack: string, edit: (yaml: string) => string) => {
        const text = fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");
        const edited = edit(text);
        assert.notEqual(edited, text, "the edit must change the stack file");
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), edited);
    };

    before(() => {
        dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-config-")));
        for (const entry of PROGRAM_PATHS) copyProgramPath(entry, dir);
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("prod without `tier: prod`: the plan fails naming the key instead of `policies: all passed` with nothing protected", async () => {
        stackFile("prod", (yaml) => yaml.replace("  lifesci-streaming:tier: prod\n", ""));
        await assert.rejects(plan({ stack: "prod", programDir: dir }), /Invalid config for stack "prod":\n {2}- lifesci-streaming:tier: is required/);
        stackFile("prod", (yaml) => yaml.replace("lifesci-streaming:tier: prod", "lifesci-streamin:tier: prod"));
        await assert.rejects(plan({ stack: "prod", programDir: dir }), /lifesci-streamin:tier: unknown namespace "lifesci-streamin"/);
    });

    it("an unquoted `engineVersion: 8.0` in the stack file says to quote it", async () => {
        stackFile("dev", (yaml) => yaml.replace('engineVersion: "8.0"', "engineVersion: 8.0"));
        await assert.rejects(runStack("dev", { programDir: dir, fresh: true }), /lifesci-streaming:mysql\.engineVersion: .*quote it \(engineVersion: "8\.0"\)/);
    });

    it("a YAML syntax error names the file and the line", () => {
        stackFile("dev", (yaml) => yaml.replace("  lifesci-streaming:tier: dev\n", "  lifesci-streaming:tier: dev\n   bad-indent: [\n"));
        assert.throws(() => readStackConfig("dev", dir), (err: Error) => {
            assert.match(err.message, new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/Pulumi\\.dev\\.yaml: YAML syntax error: .*line \\d+`));
            return true;
        });
    });
});
