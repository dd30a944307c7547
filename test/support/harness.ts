// The tests' view of the mock engine: the reusable core lives in scripts/mockEngine.ts so the
// offline plan, the docs generator and the benchmark evaluate the program exactly like the tests.
export * from "../../scripts/mockEngine";
