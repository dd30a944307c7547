// The CIDR judge shared by config validation, the MySQL security group and the policy pack.
import { strict as assert } from "assert";
import * as fc from "fast-check";
import { DEFAULT_MAX_CIDR_PREFIX, NON_INTERNET_RANGES, coversInternet, databaseCidrProblems, ipv4Range, networkCidrOf, prefixLength } from "./cidr";

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

/** The CIDRs covering every IPv4 address except `cidr`: one sibling block per prefix bit. */
function complementOf(cidr: string): string[] {
    const [start] = ipv4Range(cidr)!;
    const bits = Number(cidr.split("/")[1]);
    const dotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
    return Array.from({ length: bits }, (_, i) => {
        const size = 2 ** (32 - (i + 1));
        const sibling = (Math.floor(start / size) ^ 1) * size;
        return `${dotted(sibling)}/${i + 1}`;
    });
}

describe("config/cidr: both sides of every limit", () => {
    it("prefix limits: /N passes and /N-1 fails for every limit 8..32, with the address count", () => {
        for (let limit = 8; limit <= 32; limit++) {
            assert.deepEqual(databaseCidrProblems([`10.0.0.0/${limit}`], limit), [], `/${limit} under limit /${limit}`);
            assert.deepEqual(databaseCidrProblems([`10.0.0.0/${limit - 1}`], limit), [`10.0.0.0/${limit - 1} is broader than /${limit} (${(2 ** (33 - limit)).toLocaleString("en-US")} addresses)`]);
        }
        assert.deepEqual(databaseCidrProblems(["10.0.0.0/7"], 8), ["10.0.0.0/7 is broader than /8 (33,554,432 addresses)"]);
        assert.deepEqual(databaseCidrProblems(["10.0.0.0/15"]), ["10.0.0.0/15 is broader than /16 (131,072 addresses)"], "the default limit is /16");
        assert.deepEqual(databaseCidrProblems(["10.0.0.0/16"]), []);
    });

    it("prefix 32 is one address, 33 is not a CIDR; octets 255/256; the mask is applied", () => {
        assert.deepEqual(ipv4Range("1.2.3.4/32"), [0x01020304, 0x01020304]);
        assert.deepEqual(ipv4Range("255.255.255.255/32"), [2 ** 32 - 1, 2 ** 32 - 1]);
        assert.deepEqual(ipv4Range("0.0.0.0/0"), [0, 2 ** 32 - 1]);
        assert.deepEqual(ipv4Range(" 10.1.2.3/24 "), [0x0a010200, 0x0a0102ff], "surrounding spaces are trimmed");
        assert.deepEqual(ipv4Range("10.255.0.0/16"), [0x0aff0000, 0x0affffff]);
        for (const ok of ["0.0.0.0/0", "9.99.199.249/32", "250.251.252.253/8", "100.0.0.0/8"]) assert.notEqual(ipv4Range(ok), undefined, ok);
        for (const bad of ["1.2.3.4/33", "1.2.3.256/8", "1.2.3.260/8", "1.2.3.300/8", "1.2.3.4/123", "1.2.3.4/", "/8", "1.2.3.4/-1", "1.2.3.4/8x", "x1.2.3.4/8", "00.0.0.0/8", "1.2.3.4.5/8"]) {
            assert.equal(ipv4Range(bad), undefined, bad);
            assert.deepEqual(databaseCidrProblems([bad]), [`"${bad}" is not an IPv4 CIDR such as 10.20.0.0/16`]);
        }
        assert.equal(prefixLength("10.0.0.0/32"), 32);
        assert.equal(prefixLength(" 10.0.0.0/8"), 8);
        assert.equal(prefixLength("10.0.0.0/33"), undefined);
    });

    it("every special-purpose range is the only gap a list may leave and still count as the whole internet; a public gap is not", () => {
        for (const range of NON_INTERNET_RANGES) {
            assert.ok(coversInternet(complementOf(range)), `everything but ${range}`);
            assert.deepEqual(databaseCidrProblems(complementOf(range), 0), [`${complementOf(range).join(" + ")} together cover the whole internet`]);
        }
        for (const publicRange of ["11.0.0.0/8", "8.8.8.0/24", "172.32.0.0/12", "192.169.0.0/16", "100.128.0.0/10", "169.255.0.0/16", "1.2.3.4/32", "223.255.255.0/24"]) {
            assert.ok(!coversInternet(complementOf(publicRange)), `everything but ${publicRange}`);
        }
    });

    it("a gap of one private address at either end of a special-purpose range is still no gap in the internet", () => {
        for (const edge of ["10.0.0.0/32", "10.255.255.255/32", "192.168.0.0/32", "192.168.255.255/32"]) assert.ok(coversInternet(complementOf(edge)), `everything but ${edge}`);
        for (const outside of ["9.255.255.255/32", "11.0.0.0/32", "192.167.255.255/32", "192.169.0.0/32"]) assert.ok(!coversInternet(complementOf(outside)), `everything but ${outside}`);
    });

    it("networkCidrOf clears the host bits, keeps the prefix, and refuses what is not a CIDR", () => {
        const CASES: [string, string | undefined][] = [
            ["10.40.1.5/16", "10.40.0.0/16"],
            ["10.40.0.0/16", "10.40.0.0/16"],
            ["192.168.1.130/25", "192.168.1.128/25"],
            ["255.255.255.255/32", "255.255.255.255/32"],
            ["255.255.255.255/31", "255.255.255.254/31"],
            ["1.2.3.4/0", "0.0.0.0/0"],
            ["172.31.200.7/12", "172.16.0.0/12"],
            [" 10.1.2.3/24 ", "10.1.2.0/24"],
            ["10.1.2.3", undefined],
            ["10.1.2.3/33", undefined],
        ];
        for (const [cidr, network] of CASES) assert.equal(networkCidrOf(cidr), network, cidr);
    });

    it("overlapping, nested and unordered ranges are merged before the gaps are measured", () => {
        assert.ok(coversInternet(["128.0.0.0/1", "10.0.0.0/8", "0.0.0.0/1"]), "a block nested in an earlier one");
        assert.ok(coversInternet(["0.0.0.0/1", "64.0.0.0/2", "128.0.0.0/1"]));
        assert.ok(coversInternet(["128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2"]));
        assert.ok(!coversInternet(["0.0.0.0/2", "128.0.0.0/1"]), "64/2 missing");
        assert.ok(!coversInternet(["0.0.0.0/1", "128.0.0.0/2"]), "192/2 is multicast and reserved only from 224 on");
        assert.ok(!coversInternet(["x", "0.0.0.0/1"]), "what does not parse covers nothing");
    });

    it("IPv6: ::/0 is the whole internet, other IPv6 CIDRs are out of scope; IPv4 and IPv6 lists are judged apart", () => {
        assert.deepEqual(databaseCidrProblems(["::/0"]), ["::/0 is the whole IPv6 internet"]);
        assert.deepEqual(databaseCidrProblems([" ::/0 "]), [" ::/0  is the whole IPv6 internet"]);
        for (const any of ["0::/0", "0:0:0:0:0:0:0:0/0", "2001:DB8::/0", "::/00", "::ffff:0.0.0.0/0"]) assert.deepEqual(databaseCidrProblems([any]), [`${any} is the whole IPv6 internet`], any);
        assert.deepEqual(databaseCidrProblems(["2001:db8::/32", "::/1", "::/10", "::/01", "x::/0", "::/0y"]), [], "prefix length 1 and 10, and strings that are not IPv6 CIDRs");
        assert.deepEqual(databaseCidrProblems(["::/0", "0.0.0.0/0"], 0), ["::/0 is the whole IPv6 internet", "0.0.0.0/0 together cover the whole internet"]);
        assert.deepEqual(databaseCidrProblems([]), []);
        assert.equal(DEFAULT_MAX_CIDR_PREFIX, 16);
    });
});
