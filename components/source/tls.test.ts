// Which certificate checks a MySQL connection makes, decided before any byte is sent.
import { strict as assert } from "assert";
import { isRdsHost, rdsCaBundle, tlsOptions } from "./mysqlClient";

const RDS = "lifesci-prod-mysql.c1x2y3z4.eu-central-1.rds.amazonaws.com";

describe("TLS options of a MySQL connection", () => {
    it("RDS hosts are verified against the RDS CA bundle (mysql2's Amazon RDS profile) and by name", () => {
        assert.ok(isRdsHost(RDS));
        assert.ok(!isRdsHost("rds.amazonaws.com.evil.example"));
        const options = tlsOptions({ host: RDS, tls: "verify_identity" })!;
        assert.deepEqual([options.rejectUnauthorized, options.verifyIdentity], [true, true]);
        assert.deepEqual(options.ca, rdsCaBundle());
        assert.ok(rdsCaBundle().length > 10 && rdsCaBundle().every((c) => c.includes("BEGIN CERTIFICATE")));
    });

    it("a CA given explicitly wins; verify_ca checks the chain without the name", () => {
        assert.deepEqual(tlsOptions({ host: "db.internal", tls: "verify_ca", caPem: "-----BEGIN CERTIFICATE-----x" }), {
            ca: "-----BEGIN CERTIFICATE-----x",
            rejectUnauthorized: true,
            verifyIdentity: false,
        });
    });

    it("refuses to verify without a CA, or by name with an IP address (mysql2 would skip the name check)", () => {
        assert.throws(() => tlsOptions({ host: "db.internal", tls: "verify_identity" }), /no CA\. Pass --ca <PEM file> \(or set mysql\.caPem\)/);
        assert.throws(() => tlsOptions({ host: "10.0.0.5", tls: "verify_identity", caPem: "x" }), /verify_identity needs the server's DNS name/);
    });

    it("only `insecure` skips verification, and `disabled` sends no TLS at all", () => {
        assert.deepEqual(tlsOptions({ host: "127.0.0.1", tls: "insecure" }), { rejectUnauthorized: false });
        assert.equal(tlsOptions({ host: "127.0.0.1", tls: "disabled" }), undefined);
    });
});
