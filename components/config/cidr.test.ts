// The CIDR judge shared by config validation, the MySQL security group and the policy pack.
import { strict as assert } from "assert";
import * as fc from "fast-check";
import { coversInternet, databaseCidrProblems, ipv4Range } from "./cidr";

describe("config/cidr: what may be admitted to the database port", () => {
    it("parses CIDRs to their address range and refuses what is not one", () => {
        assert.deepEqual(ipv4Range("10.20.0.0/16"), [0x0a140000, 0x0a14ffff]);
        assert.deepEqual(ipv4Range("10.20.3.4/16"), [0x0a140000, 0x0a14ffff], "host bits are masked");
        for (const bad of ["10.0.0.0", "10.0.0.0/33", "256.0.0.0/8", "10.0.0/8", "a.b.c.d/8", "10.0.0.0/8/1", "01.0.0.0/8"]) {
            assert.equal(ipv4Range(bad), undefined, bad);
        }
    });

    it("the whole internet in one or several CIDRs is detected, private ranges are not the internet", () => {
        assert.ok(coversInternet(["0.0.0.0/0"]));
        assert.ok(coversInternet(["0.0.0.0/1", "128.0.0.0/1"]));
        assert.ok(coversInternet(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"]));
        // Leaving out only special-purpose space (here 10/8) still covers every public address.
        assert.ok(coversInternet(["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/1"]));
        assert.ok(!coversInternet(["0.0.0.0/5", "8.0.0.0/7", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/1"]), "11/8 is public");
        assert.ok(!coversInternet(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]));
        assert.ok(!coversInternet(["0.0.0.0/1"]));
        assert.ok(!coversInternet([]));
    });

    it("any split of the address space into /1../8 blocks covers it, whatever the order; without 8.0.0.0's block it does not (property)", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 10_000 }), (bits, seed) => {
                const step = 2 ** (8 - bits);
                const blocks = Array.from({ length: 2 ** bits }, (_, i) => `${i * step}.0.0.0/${bits}`);
                const shuffled = [...blocks].sort((x, y) => ((blocks.indexOf(x) * 7919 + seed) % 257) - ((blocks.indexOf(y) * 7919 + seed) % 257));
                const withoutPublic = shuffled.filter((b) => b !== `${Math.floor(8 / step) * step}.0.0.0/${bits}`);
                return coversInternet(shuffled) && !coversInternet(withoutPublic);
            }),
        );
    });

    it("rejects each CIDR broader than the limit (default /16) and names it; accepts narrow ones", () => {
        assert.deepEqual(databaseCidrProblems(["10.40.0.0/16", "3.64.0.0/28"]), []);
        assert.match(databaseCidrProblems(["10.0.0.0/15"]).join(), /10\.0\.0\.0\/15 is broader than \/16/);
        assert.match(databaseCidrProblems(["10.0.0.0/20"], 24).join(), /broader than \/24/);
        assert.match(databaseCidrProblems(["0.0.0.0/1", "128.0.0.0/1"], 0).join(), /together cover the whole internet/, "even with no size limit");
        assert.match(databaseCidrProblems(["::/0"]).join(), /IPv6/);
        assert.match(databaseCidrProblems(["10.0.0.0"]).join(), /not an IPv4 CIDR/);
    });
});
