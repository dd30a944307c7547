// splitTopLevel: any list of items joined with commas splits back into the same items, whatever
// commas the items hide inside brackets and quotes.
import { strict as assert } from "assert";
import fc from "fast-check";
import { splitTopLevel } from "./sqlText";

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
/** One list item: a name, a call with its own commas, a quoted literal with commas, or a STRUCT type. */
const item: fc.Arbitrary<string> = fc.letrec<{ item: string }>((tie) => ({
    item: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        identifier,
        fc.tuple(identifier, fc.array(tie("item"), { minLength: 1, maxLength: 3 })).map(([fn, args]) => `${fn}(${args.join(", ")})`),
        fc.array(fc.stringMatching(/^[a-z ,()]{0,8}$/), { minLength: 1, maxLength: 3 }).map((parts) => `'${parts.join(",")}'`),
        fc.array(fc.tuple(identifier, fc.constantFrom("INT", "STRING", "DECIMAL(18,6)")), { minLength: 1, maxLength: 3 })
            .map((fields) => `STRUCT<${fields.map(([n, t]) => `${n} ${t}`).join(", ")}>`),
    ),
})).item;

describe("sqlText: splitTopLevel", () => {
    it("round-trips any list of items joined with commas (commas inside brackets and quotes stay)", () => {
        fc.assert(
            fc.property(fc.array(item, { minLength: 1, maxLength: 6 }), fc.constantFrom(",", ", ", " ,\n  "), (items, separator) => {
                assert.deepEqual(splitTopLevel(items.join(separator), "()<>"), items);
            }),
        );
    });

    it("keeps a STRUCT type whole only when <> are brackets", () => {
        assert.deepEqual(splitTopLevel("a STRUCT<x INT, y STRING>, b INT", "()<>"), ["a STRUCT<x INT, y STRING>", "b INT"]);
        assert.deepEqual(splitTopLevel("a STRUCT<x INT, y STRING>, b INT", "()"), ["a STRUCT<x INT", "y STRING>", "b INT"]);
    });
});
