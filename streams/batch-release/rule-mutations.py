#!/usr/bin/env python3
"""Break each release rule once and check that the tests catch it (the team standard: a test that
cannot fail is a defect). Each mutation is one exact text replacement in one source file. The
script compiles the mutated copy of that file alone (javac, into a scratch directory shadowing
target/classes) and runs BatchReleaseTopologyTest on it with the JUnit console launcher, so the
working tree is never modified and one mutation costs seconds, not a Maven build.

    python3 rule-mutations.py            # all mutations
    python3 rule-mutations.py 3 7        # only these numbers

Exits non-zero if a mutation survives or no longer applies (the source moved on: update it here).
"""
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE / "src/main/java/com/lifesci/batchrelease"
TARGET = HERE / "target"
TEST_CLASS = "com.lifesci.batchrelease.topology.BatchReleaseTopologyTest"
CONSOLE = "org.junit.platform:junit-platform-console-standalone:1.10.3"

MUTATIONS = [
    ("INVALIDATED results count", "rules/ReleaseRules.java",
     'Set.of("VALID", "REVIEWED")', 'Set.of("VALID", "REVIEWED", "INVALIDATED")'),
    ("a PENDING (unreviewed) result counts", "rules/ReleaseRules.java",
     'Set.of("VALID", "REVIEWED")', 'Set.of("VALID", "REVIEWED", "PENDING")'),
    ("CRITICAL events do not block", "rules/ReleaseRules.java",
     'Set.of("ALARM", "CRITICAL")', 'Set.of("ALARM")'),
    ("WARNING events block", "rules/ReleaseRules.java",
     'Set.of("ALARM", "CRITICAL")', 'Set.of("ALARM", "CRITICAL", "WARNING")'),
    ("events outside the run block", "rules/ReleaseRules.java",
     "return (batch.startedAt() == null || e.occurredAt() >= batch.startedAt())", "return true || (batch.startedAt() == null || e.occurredAt() >= batch.startedAt())"),
    ("lower limit exclusive", "model/SpecLimit.java",
     "value.compareTo(lowerLimit) >= 0", "value.compareTo(lowerLimit) > 0"),
    ("upper limit ignored", "model/SpecLimit.java",
     "(upperLimit == null || value.compareTo(upperLimit) <= 0)", "true"),
    ("out-of-spec results pass", "rules/ReleaseRules.java",
     "} else if (!spec.admits(latest.resultValue())) {", "} else if (false) {"),
    ("oldest spec version is current", "rules/ReleaseRules.java",
     "a.specVersion() >= b.specVersion() ? a : b", "a.specVersion() <= b.specVersion() ? a : b"),
    ("oldest result counts", "rules/ReleaseRules.java",
     ".thenComparingLong(TestResult::resultId);", ".thenComparingLong(TestResult::resultId).reversed();"),
    ("results of another material's sample count", "rules/ReleaseRules.java",
     ".filter(r -> batch.materialId().equals(r.sampleMaterialId()))", ".filter(r -> true)"),
    ("an incomplete batch can be READY", "rules/ReleaseRules.java",
     "} else if (!COMPLETED.contains(batch.status())) {", "} else if (false) {"),
    ("a REJECTED batch is not blocked", "rules/ReleaseRules.java",
     'if ("REJECTED".equals(batch.status())) {', "if (false) {"),
    ("no specification means READY", "rules/ReleaseRules.java",
     "if (required.isEmpty()) {", "if (false) {"),
    ("BLOCKED does not outrank PENDING", "rules/ReleaseRules.java",
     "reasons.stream().anyMatch(r -> r.code().blocks) ? Decision.Status.BLOCKED", "reasons.stream().allMatch(r -> r.code().blocks) && !reasons.isEmpty() ? Decision.Status.BLOCKED"),
    ("result deletes ignored", "topology/BatchReleaseProcessor.java",
     "case RESULT_DELETE -> state.results.remove(change.resultId());", "case RESULT_DELETE -> { }"),
    ("event deletes ignored", "topology/BatchReleaseProcessor.java",
     "case EVENT_DELETE -> state.events.remove(change.eventId());", "case EVENT_DELETE -> { }"),
    ("spec deletes ignored", "topology/MaterialRouter.java",
     "else state.specs.remove(change.specId());", "else { }"),
    ("sample deletes keep their results", "topology/SampleRouter.java",
     "if (sample != null) for (Long id : state.results.keySet()) forward(record, sample.batchNumber(), Change.resultDelete(id));", ""),
    ("a moved sample leaves its results behind", "topology/SampleRouter.java",
     "for (Long id : state.results.keySet()) forward(record, sample.batchNumber(), Change.resultDelete(id));\n                }", "}"),
    ("results before their sample are dropped", "topology/SampleRouter.java",
     "state.results.put(change.resultId(), change.result());", "if (sample != null) state.results.put(change.resultId(), change.result());"),
    ("a late spec list of the batch's previous material applies", "topology/BatchReleaseProcessor.java",
     "if (state.batch == null || state.batch.materialId().equals(change.materialId())) state.specs = change.specs();", "state.specs = change.specs();"),
    ("a moved batch stays in its old material", "topology/MaterialRouter.java",
     "case BATCH_UNLINK -> state.batches.remove(change.batchNumber());", "case BATCH_UNLINK -> { }"),
    ("emits on every change, not only when the decision changes", "topology/BatchReleaseProcessor.java",
     "if (!contentJson.equals(state.lastContent)) {", "if (true) {"),
    ("a deleted batch leaves no tombstone", "topology/BatchReleaseProcessor.java",
     "context.forward(record.withValue(new Output(Output.Kind.STATUS, null)));", ""),
    ("overdue repeats every check", "topology/BatchReleaseProcessor.java",
     '&& !"READY".equals(s.lastStatus) && s.overdueNotifiedAt == null', '&& !"READY".equals(s.lastStatus)'),
    ("READY batches go overdue", "topology/BatchReleaseProcessor.java",
     '&& !"READY".equals(s.lastStatus) && s.overdueNotifiedAt == null', "&& s.overdueNotifiedAt == null"),
    ("overdue too early", "topology/BatchReleaseProcessor.java",
     "now - s.batch.completedAt() >= overdueAfter.toMillis()", "now - s.batch.completedAt() >= overdueAfter.toMillis() / 2"),
    ("REJECTED batches go overdue", "topology/BatchReleaseProcessor.java",
     '&& !"REJECTED".equals(s.batch.status())', ""),
    ("poison records are dropped, not dead-lettered", "topology/BatchReleaseTopology.java",
     'parsed.filter((k, v) -> v.failed(), Named.as(name + "-poison"))', 'parsed.filter((k, v) -> false, Named.as(name + "-poison"))'),
    ("dead letters lose their reason header", "topology/DecodeProcessor.java",
     "headers.add(HEADER_REASON, utf8(e.getMessage()));", ""),
]


def prepare() -> tuple[str, str]:
    """Compile main and test classes once; the test classpath and the JUnit console launcher jar."""
    cp_file = TARGET / "mutation" / "classpath.txt"
    subprocess.run(["mvn", "-B", "-q", "test-compile", "dependency:build-classpath", f"-Dmdep.outputFile={cp_file}",
                    "dependency:copy", f"-Dartifact={CONSOLE}", f"-DoutputDirectory={TARGET / 'mutation'}"], cwd=HERE, check=True)
    jar = next((TARGET / "mutation").glob("junit-platform-console-standalone-*.jar"))
    return cp_file.read_text().strip(), str(jar)


def main() -> int:
    picked = {int(a) for a in sys.argv[1:]}
    deps, console = prepare()
    base = f"{TARGET / 'test-classes'}:{TARGET / 'classes'}:{deps}"
    survivors = []
    for n, (name, rel, old, new) in enumerate(MUTATIONS, 1):
        if picked and n not in picked:
            continue
        original = (SRC / rel).read_text()
        if original.count(old) != 1:
            print(f"{n:2} {name}: the text to mutate is not in {rel} exactly once; update rule-mutations.py")
            survivors.append(name)
            continue
        with tempfile.TemporaryDirectory() as scratch:
            mutated = pathlib.Path(scratch, "src", rel)
            mutated.parent.mkdir(parents=True)
            mutated.write_text(original.replace(old, new))
            classes = pathlib.Path(scratch, "classes")
            javac = subprocess.run(["javac", "--release", "17", "-nowarn", "-d", str(classes), "-cp", base, str(mutated)],
                                   capture_output=True, text=True)
            if javac.returncode != 0:
                print(f"{n:2} {name}: the mutation does not compile:\n{javac.stderr[-1500:]}")
                survivors.append(name)
                continue
            run = subprocess.run(["java", "-jar", console, "-cp", f"{classes}:{base}", "--select-class", TEST_CLASS,
                                  "--disable-banner", "--details=tree", "--disable-ansi-colors"], capture_output=True, text=True)
        failed = re.findall(r"(\w+)\(\) ✘", run.stdout)
        if run.returncode == 0:
            print(f"{n:2} {name}: SURVIVED (no test failed)")
            survivors.append(name)
        else:
            print(f"{n:2} {name}: caught by {len(failed)} test(s): {', '.join(failed[:3])}")
    total = len(picked) or len(MUTATIONS)
    print(f"{len(survivors)} of {total} mutations survived" if survivors else f"all {total} mutations were caught")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
