import Foundation
import Testing

@Suite("rwctl indicators")
struct IndicatorsCommandTests {
    @Test("cardinality, sparsity and EUM of the non-dominated points; IGD and IGD+ against a reference front")
    func indicators() async throws {
        // (0.25, 0.25) is dominated and left out; the front is (1, 0), (0, 1), (0.5, 0.25).
        let csv = "a,b\n1,0\n0,1\n0.5,0.25\n0.25,0.25\n"
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let front = try directory.write(#"{"points": [[1, 0], [0, 1], [0.5, 0.5]]}"#, named: "front.json")
        let run = try await RwctlRun.run(
            ["indicators", "-", "--divisions", "2", "--reference-front", front.path], stdin: csv)
        #expect(run.status == 0, "\(run.stderr)")
        let object = try run.jsonObject()
        #expect(Set(object.keys) == ["cardinality", "sparsity", "expected_utility", "weights", "igd", "igd_plus"])
        #expect(number(object["cardinality"]) == 3)
        // Sorted a: 0, 0.5, 1 (gaps² ¼ + ¼); sorted b: 0, 0.25, 1 (gaps² 1/16 + 9/16); over n − 1 = 2.
        #expect(number(object["sparsity"]) == (0.25 + 0.25 + 0.0625 + 0.5625) / 2)
        // Weights (1, 0), (½, ½), (0, 1): the best sums are 1, ½, 1.
        #expect(number(object["expected_utility"]) == 2.5 / 3)
        #expect(number(object["weights"]) == 3)
        // Only (0.5, 0.5) is uncovered: 0.25 from (0.5, 0.25), worse only in b.
        #expect(number(object["igd"]) == 0.25 / 3)
        #expect(number(object["igd_plus"]) == 0.25 / 3)
    }

    @Test("minimised objectives are negated, in the input and in the reference front alike")
    func minimisation() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let front = try directory.write("0.5,500\n", named: "front.csv")
        let run = try await RwctlRun.run(
            ["indicators", "-", "--directions", "max,min", "--reference-front", front.path], stdin: "0.5,600\n")
        #expect(run.status == 0, "\(run.stderr)")
        let object = try run.jsonObject()
        // 100 tokens longer than the reference: worse by 100 in the maximisation sense.
        #expect(number(object["igd"]) == 100)
        #expect(number(object["igd_plus"]) == 100)
        let shorter = try await RwctlRun.run(
            ["indicators", "-", "--directions", "max,min", "--reference-front", front.path], stdin: "0.5,400\n")
        #expect(number(try shorter.jsonObject()["igd_plus"]) == 0)
    }

    @Test("bad input exits 2 naming the option or field")
    func badInput() async throws {
        let zero = try await RwctlRun.run(["indicators", "-", "--divisions", "0"], stdin: "1,2\n")
        #expect(zero.status == 2 && zero.stderr.contains("--divisions"))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let front = try directory.write("1,2,3\n", named: "front.csv")
        let mismatch = try await RwctlRun.run(
            ["indicators", "-", "--reference-front", front.path], stdin: "1,2\n")
        #expect(mismatch.status == 2 && mismatch.stderr.contains("reference_front"), "\(mismatch.stderr)")
    }
}
